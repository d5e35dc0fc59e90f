/* SPDX-License-Identifier: GPL-2.0 */
/* Log-linear latency histogram geometry, shared by BPF programs and core. */
#ifndef KTOP_HIST_H
#define KTOP_HIST_H
#ifndef __VMLINUX_H__
#include <linux/types.h>		/* userspace; BPF gets __u64 from vmlinux.h */
#endif

/*
 * Values below KTOP_HIST_SUB land in their own bucket. Above that, every
 * power of two [2^k, 2^(k+1)) is split into KTOP_HIST_SUB equal sub-buckets,
 * so a bucket is at most 1/8 of its lower bound wide and its midpoint is
 * within 6.25% of any value in it. Values of 2^KTOP_HIST_POW_MAX ns (~18 min)
 * and more share the last bucket.
 */
#define KTOP_HIST_SUB_BITS	3
#define KTOP_HIST_SUB		(1 << KTOP_HIST_SUB_BITS)
#define KTOP_HIST_POW_MAX	40
#define KTOP_HIST_BUCKETS	((KTOP_HIST_POW_MAX - KTOP_HIST_SUB_BITS + 1) * KTOP_HIST_SUB)

/* floor(log2(v)) for v > 0, with shifts only: clang 14 crashes on
 * __builtin_clz for the BPF target. */
static inline __u32 ktop_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

/* Bucket of value v; always < KTOP_HIST_BUCKETS. */
static inline __u32 ktop_hist_index(__u64 v)
{
	__u32 k;

	if (v < KTOP_HIST_SUB)
		return (__u32)v;
	k = ktop_log2(v);
	if (k >= KTOP_HIST_POW_MAX)
		return KTOP_HIST_BUCKETS - 1;
	return (k - KTOP_HIST_SUB_BITS + 1) * KTOP_HIST_SUB +
	       (__u32)((v >> (k - KTOP_HIST_SUB_BITS)) & (KTOP_HIST_SUB - 1));
}

/* Smallest value that lands in bucket idx (idx < KTOP_HIST_BUCKETS). */
static inline __u64 ktop_hist_lower(__u32 idx)
{
	__u32 k, sub;

	if (idx < KTOP_HIST_SUB)
		return idx;
	k = idx / KTOP_HIST_SUB + KTOP_HIST_SUB_BITS - 1;
	sub = idx % KTOP_HIST_SUB;
	return (__u64)(KTOP_HIST_SUB | sub) << (k - KTOP_HIST_SUB_BITS);
}

/* One past the largest value of bucket idx (the last bucket is open: its
 * bound is the lower bound of a bucket that does not exist). */
static inline __u64 ktop_hist_upper(__u32 idx)
{
	__u32 k;

	if (idx < KTOP_HIST_SUB)
		return (__u64)idx + 1;
	k = idx / KTOP_HIST_SUB + KTOP_HIST_SUB_BITS - 1;
	return ktop_hist_lower(idx) + ((__u64)1 << (k - KTOP_HIST_SUB_BITS));
}

#endif /* KTOP_HIST_H */
