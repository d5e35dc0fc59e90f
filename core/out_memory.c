// SPDX-License-Identifier: GPL-2.0
/* memory sections of the JSON and text writers (collector not written yet). */
#include "core/out.h"

void out_json_memory(struct jw *w, const struct ktop_snapshot *s)
{
	(void)w;
	(void)s;
}

void out_text_memory(FILE *f, const struct ktop_snapshot *s)
{
	(void)f;
	(void)s;
}
