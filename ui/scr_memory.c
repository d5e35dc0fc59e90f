// SPDX-License-Identifier: GPL-2.0
/* Memory screen: the collector is not written yet; ui.c shows the tab's reason. */
#include "ui/ui_int.h"

static void list(struct ui *u, const struct ktop_snapshot *s)
{
	(void)s;
	u->nrows = 0;
}

static void draw(struct ui *u, const struct ktop_snapshot *s, int y, int h)
{
	(void)u;
	(void)s;
	(void)y;
	(void)h;
}

const struct screen scr_memory = {
	.title = "Memory",
	.list = list,
	.draw = draw,
};
