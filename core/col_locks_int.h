/* SPDX-License-Identifier: GPL-2.0 */
/* Locks collector, inside: its state and the rooms that share it (col_locks.c:
 * interface and attachment; lock_read.c: map reading and rows; lock_names.c:
 * names, stacks, commands and their sweeps; lock_frames.c: pure helpers). */
#ifndef KTOP_COL_LOCKS_INT_H
#define KTOP_COL_LOCKS_INT_H
#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "ktop/locks.h"
#include "core/snapshot.h"
#include "core/u64map.h"
#include "core/mapio.h"

#define AGE_NS		(30ull * 1000000000ull)	/* forget entries idle this long */
#define SWEEP_NS	(5ull * 1000000000ull)	/* between sweeps of idle entries */
#define KEY_LEN		16			/* every key here is 16 bytes */

/* One (lock, type) entry as read at the previous poll, cumulative. */
struct lk_prev {
	struct ktop_lock_key key;
	uint64_t contentions, wait_ns, max_ns;
	uint32_t class, owner;
	uint64_t changed_ns;		/* CLOCK_MONOTONIC when its count last grew */
	uint64_t hist[KTOP_HIST_BUCKETS];
};

/* One caller or waiter entry as read at the previous poll, cumulative. */
struct part_prev {
	unsigned char key[KEY_LEN];
	uint64_t contentions, wait_ns;
	uint64_t changed_ns;
};

/* A caller or waiter breakdown: its BPF map and the previous reading. */
struct parts {
	struct bpf_map *map;
	struct map_buf buf;		/* batch buffers */
	int *order;			/* entries in key order */
	size_t ocap;
	struct part_prev *prev, *next;
	size_t nprev, pcap;
};

/* A kernel stack, symbolized once and cached by stack id. */
struct stack_sym {
	uint32_t nframes;
	char frames[KTOP_LOCK_FRAMES_MAX][KTOP_FRAME_LEN];
	char top[KTOP_FRAME_LEN];	/* top caller, "" if none */
};

/* A lock with contentions in the interval, before it becomes a row. */
struct cand {
	int ni, pi;			/* index in next, in prev (-1: new) */
	uint64_t wait_ns;
};

/* Slow-path kprobes attached where lock:contention_* is missing, at most. */
#define SLOW_LINKS_MAX	24

struct col_lk {
	struct locks_bpf *skel;
	struct bpf_link *slow[SLOW_LINKS_MAX];	/* kprobe and kretprobe links */
	int nslow;
	bool tracepoints;		/* source: lock:contention_*, else slow paths */
	bool tid_hash;			/* wait state in lock_tstate_tid */
	struct ring_buffer *rb;
	struct ksyms *ksyms;		/* NULL: addresses only */
	struct ktop_lock_ranges ranges;
	char note[128];
	/* lock_stats */
	struct map_buf buf;
	int *order;			/* entries in key order */
	struct cand *cands;
	size_t ocap;
	struct lk_prev *prev, *next;
	size_t nprev, pcap;
	/* rows of this poll, by key, for attaching callers and waiters */
	struct ktop_lock_key rkeys[KTOP_LOCK_ROWS_MAX];
	int rorder[KTOP_LOCK_ROWS_MAX];
	int32_t rstack[KTOP_LOCK_ROWS_MAX][KTOP_LOCK_CALLERS_MAX];
	struct parts callers, waiters;
	struct u64map stacks;		/* stack id -> struct stack_sym */
	struct u64map comms;		/* tgid -> struct ktop_comm */
	__u64 ips[KTOP_LOCK_STACK_DEPTH];
	/* long waits: the last KTOP_LOCK_LONG_MAX records of the interval */
	struct ktop_lock_event ev[KTOP_LOCK_LONG_MAX];
	uint32_t ev_head, ev_n;
	uint64_t ev_count;
	struct ktop_lock_long recent[KTOP_LOCK_LONG_MAX];
	uint32_t nrecent;
	uint64_t long_ns;
	uint64_t last_sweep_ns;
	uint64_t lost_prev;
};

/* lock_names.c */
void lk_type_name(__u32 type, char *buf, size_t n);
void lk_lock_name(struct col_lk *c, uint64_t addr, uint32_t class, uint32_t owner,
		  char *sym, size_t symlen, char *kind, size_t kindlen);
const struct stack_sym *lk_stack_of(struct col_lk *c, int32_t id);
void lk_comm_of(struct col_lk *c, uint32_t tgid, char comm[KTOP_COMM_LEN]);
void lk_sweep_stacks(struct col_lk *c);
void lk_sweep_comms(struct col_lk *c);

/* lock_read.c */
int lk_read_locks(struct col_lk *c, struct ktop_lock_snap *out, uint64_t now, bool sweep);
void lk_take_caller(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
		    uint64_t cont, uint64_t wait);
void lk_take_waiter(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
		    uint64_t cont, uint64_t wait);
typedef void (*lk_take_fn)(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
			   uint64_t cont, uint64_t wait);
int lk_read_parts(struct col_lk *c, struct parts *pt, struct ktop_lock_snap *out,
		  uint64_t now, bool sweep, lk_take_fn take);
void lk_finish_rows(struct col_lk *c, struct ktop_lock_snap *out);

#endif
