/* SPDX-License-Identifier: GPL-2.0 */
/* A task's name as the kernel keeps it: the one comm size and type of BPF and core. */
#ifndef KTOP_KTOP_COMM_H
#define KTOP_KTOP_COMM_H

#define KTOP_COMM_LEN	16		/* the kernel's TASK_COMM_LEN, NUL included */

struct ktop_comm {
	char comm[KTOP_COMM_LEN];
};

#endif
