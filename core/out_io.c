// SPDX-License-Identifier: GPL-2.0
/* io sections of the JSON and text writers (collector not written yet). */
#include "core/out.h"

void out_json_io(struct jw *w, const struct ktop_snapshot *s)
{
	(void)w;
	(void)s;
}

void out_text_io(FILE *f, const struct ktop_snapshot *s)
{
	(void)f;
	(void)s;
}
