/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers every ktop BPF object shares: the -p process filter and loss counting. */
#ifndef KTOP_COMMON_BPF_H
#define KTOP_COMMON_BPF_H

#define KTOP_PID_FILTER_MAX	64

/*
 * -p filter: targ_filter is set before load when the user named processes;
 * the tgids themselves go into pid_filter after load. Each object that
 * includes this header gets its own copy of both.
 */
const volatile __u32 targ_filter = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_PID_FILTER_MAX);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps");

/* True when the event of process tgid must be dropped by the -p filter. */
static __always_inline bool ktop_filtered_out(__u32 tgid)
{
	if (!targ_filter)
		return false;
	return !bpf_map_lookup_elem(&pid_filter, &tgid);
}

#endif /* KTOP_COMMON_BPF_H */
