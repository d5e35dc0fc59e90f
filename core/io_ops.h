/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the block I/O operation classes (KTOP_IO_OP_*): for the
 * collector, the writers, the replay and the screen alike. */
#ifndef KTOP_IO_OPS_H
#define KTOP_IO_OPS_H
#include <stdint.h>

/* Name of operation class opn ("read", ...); "?" when out of range. Can't fail. */
const char *ktop_io_op_name(uint32_t opn);
/* The class a name ktop_io_op_name() gives; KTOP_IO_OP_OTHER for any other. */
uint32_t ktop_io_op_of(const char *name);

#endif
