// SPDX-License-Identifier: GPL-2.0
/* Names of the block I/O operation classes; no collector needed to use them. */
#include <string.h>
#include "ktop/io.h"
#include "core/io_ops.h"

static const char *const op_names[KTOP_IO_OPS] = {
	[KTOP_IO_OP_READ] = "read",
	[KTOP_IO_OP_WRITE] = "write",
	[KTOP_IO_OP_DISCARD] = "discard",
	[KTOP_IO_OP_FLUSH] = "flush",
	[KTOP_IO_OP_OTHER] = "other",
};

/* See io_ops.h. */
const char *ktop_io_op_name(uint32_t opn)
{
	return opn < KTOP_IO_OPS ? op_names[opn] : "?";
}

/* See io_ops.h. */
uint32_t ktop_io_op_of(const char *name)
{
	uint32_t i;

	for (i = 0; i < KTOP_IO_OPS; i++)
		if (!strcmp(name, op_names[i]))
			return i;
	return KTOP_IO_OP_OTHER;
}
