// SPDX-License-Identifier: GPL-2.0
/* I/O tab: block request latency per disk and operation, queue vs device time, and who submits. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ktop/io.h"
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 targ_slow_ns = 10000000;	/* slow-I/O list threshold */
const volatile bool targ_have_io_start = true;	/* block_io_start attached: attribute there */

/* Submitter of a bio, from block_bio_queue, where block_io_start is missing
 * (before 6.5): looked up by the request's first bio when it is first seen.
 * LRU: bios merged into a request already seen are never looked up, and
 * their entries age out. */
struct bio_owner {
	__u32 tgid;
	__u32 pad;
	char comm[KTOP_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KTOP_IO_BIO_MAX);
	__type(key, __u64);
	__type(value, struct bio_owner);
} io_bio_owner SEC(".maps");

/* The empty value new per-CPU entries start from (too big for the stack). */
static const struct ktop_io_stat zero_stat;

/* Requests between first sighting and final completion, by struct request
 * address. Plain hash (not LRU) so that a full map is counted, never hidden;
 * entries of requests that never complete are reset when the address is
 * reused and swept by core after KTOP_IO_STALE_NS. A completed request's
 * entry stays, without KTOP_IO_F_LIVE: the block layer reuses its requests
 * (one per tag), so the next life of the address is written in place, and
 * a request costs two lookups instead of an update and a delete (each a
 * bucket lock and a trip to the free list). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_IO_REQS_MAX);
	__type(key, __u64);
	__type(value, struct ktop_io_req);
} io_reqs SEC(".maps");

/* Not preallocated: each value is a 2.5 KB histogram per possible CPU,
 * and only the disks in use need one. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KTOP_IO_STATS_MAX);
	__type(key, struct ktop_io_key);
	__type(value, struct ktop_io_stat);
} io_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KTOP_IO_PARTS_MAX);
	__type(key, struct ktop_io_pkey);
	__type(value, struct ktop_io_cnt);
} io_parts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KTOP_IO_PROC_MAX);
	__type(key, struct ktop_io_proc_key);
	__type(value, struct ktop_io_cnt);
} io_procs SEC(".maps");

/* Command name of each submitting process, written when it first shows up
 * in io_procs (from the name captured at submission). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_IO_PROC_MAX);
	__type(key, __u32);
	__type(value, struct ktop_comm);
} io_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KTOP_IO_RINGBUF_BYTES);
} io_slow SEC(".maps");

__u64 drops_reqs_full = 0;	/* request not timed: io_reqs full */
__u64 drops_stats_full = 0;	/* completion not counted: io_stats full */
__u64 drops_parts_full = 0;	/* partition breakdown incomplete: io_parts full */
__u64 drops_proc_full = 0;	/* process breakdown incomplete: io_procs full */
__u64 drops_slow = 0;		/* slow I/O not listed: ring buffer full */
__u64 drops_stale = 0;		/* request address reused before we saw it complete: its
				 * completion was missed (see docs/io.md) */
__u64 untracked = 0;		/* completions of requests never seen starting (in flight
				 * at attach, or filtered out); not losses */

/* rq_disk was removed from struct request in commit f3fa33acca9f ("block:
 * remove the ->rq_disk field in struct request", 5.17); the disk is
 * rq->q->disk since then. */
struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline __u32 disk_dev(struct gendisk *d)
{
	if (!d)
		return 0;
	return ((__u32)BPF_CORE_READ(d, major) << 20) | (__u32)BPF_CORE_READ(d, first_minor);
}

/* Whole-disk dev_t of rq (kernel encoding: major << 20 | minor), 0 if none. */
static __always_inline __u32 rq_disk(struct request *rq)
{
	struct request___old *old = (void *)rq;

	if (bpf_core_field_exists(old->rq_disk))
		return disk_dev(BPF_CORE_READ(old, rq_disk));
	return disk_dev(BPF_CORE_READ(rq, q, disk));
}

/* bio::bi_disk and bi_partno became bio::bi_bdev in commit 309dca309fc3
 * ("block: store a block_device pointer in struct bio", 5.12). */
struct bio___old {
	struct gendisk *bi_disk;
	__u8 bi_partno;
} __attribute__((preserve_access_index));

/* Partition the request's first bio was sent to; the whole disk when the
 * request carries no bio (flush, passthrough). */
static __always_inline __u32 rq_part(struct request *rq, __u32 disk)
{
	struct bio___old *old = (void *)BPF_CORE_READ(rq, bio);
	struct block_device *bdev;
	__u32 dev;

	if (bpf_core_field_exists(old->bi_disk)) {
		struct gendisk *d;

		if (!old)
			return disk;
		d = BPF_CORE_READ(old, bi_disk);
		dev = disk_dev(d);
		return dev ? dev + BPF_CORE_READ(old, bi_partno) : disk;
	}
	bdev = BPF_CORE_READ(rq, bio, bi_bdev);

	if (!bdev)
		bdev = BPF_CORE_READ(rq, part);
	if (!bdev)
		return disk;
	dev = BPF_CORE_READ(bdev, bd_dev);
	return dev ? dev : disk;
}

/* Operation class of cmd_flags, grouped as /sys/block/DEV/stat groups them. */
static __always_inline __u32 op_class(__u32 cmd_flags)
{
	__u32 op = cmd_flags & 0xff;	/* REQ_OP_MASK */

	if (op == REQ_OP_FLUSH)
		return KTOP_IO_OP_FLUSH;
	if (op == REQ_OP_DISCARD)
		return KTOP_IO_OP_DISCARD;
	if (op >= REQ_OP_DRV_IN)
		return KTOP_IO_OP_OTHER;
	return (op & 1) ? KTOP_IO_OP_WRITE : KTOP_IO_OP_READ;
}

/* The entry of a request in flight at address key, or NULL. */
static __always_inline struct ktop_io_req *live_req(__u64 *key)
{
	struct ktop_io_req *r = bpf_map_lookup_elem(&io_reqs, key);

	return r && (r->flags & KTOP_IO_F_LIVE) ? r : NULL;
}

/* Write the new life r of the request at key: in place where the address
 * has a (free) entry already. */
static __always_inline void req_store(__u64 *key, struct ktop_io_req *slot,
				      const struct ktop_io_req *r)
{
	if (slot) {
		*slot = *r;
		return;
	}
	if (bpf_map_update_elem(&io_reqs, key, r, BPF_ANY))
		__sync_fetch_and_add(&drops_reqs_full, 1);
}

static __always_inline void attribute(struct ktop_io_req *r, __u32 tgid)
{
	r->tgid = tgid;
	r->flags |= KTOP_IO_F_ATTR;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
}

/*
 * Attribute a request first seen at insert or issue to its first bio's
 * submitter, from io_bio_owner; else, where cur_ok (insert, which usually
 * runs in the submitter), to the current task. Returns false when the -p
 * filter drops the request.
 */
static __always_inline bool attribute_late(struct ktop_io_req *r, struct request *rq, bool cur_ok)
{
	__u64 bio = (__u64)BPF_CORE_READ(rq, bio);
	struct bio_owner *o = bio ? bpf_map_lookup_elem(&io_bio_owner, &bio) : NULL;
	__u32 tgid;

	if (o) {
		tgid = o->tgid;
		if (ktop_filtered_out(tgid))
			return false;
		r->tgid = tgid;
		r->flags |= KTOP_IO_F_ATTR;
		__builtin_memcpy(r->comm, o->comm, sizeof(r->comm));
		bpf_map_delete_elem(&io_bio_owner, &bio);
		return true;
	}
	if (!cur_ok)
		return !targ_filter;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (ktop_filtered_out(tgid))
		return false;
	attribute(r, tgid);
	return true;
}

/* block_bio_queue: a bio is submitted, in the submitting task. */
static __always_inline int on_bio_queue(__u64 bio)
{
	struct bio_owner o = { .tgid = bpf_get_current_pid_tgid() >> 32 };

	if (!bio)
		return 0;
	bpf_get_current_comm(o.comm, sizeof(o.comm));
	bpf_map_update_elem(&io_bio_owner, &bio, &o, BPF_ANY);
	return 0;
}

/* block_io_start: the request was just built from a bio, in the context of
 * the task that submitted it. A new life of this request address. */
static __always_inline int on_start(struct request *rq)
{
	__u64 key = (__u64)rq;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct ktop_io_req r = { .flags = KTOP_IO_F_LIVE }, *old;

	/* an earlier life of this address issued but never seen completing */
	old = bpf_map_lookup_elem(&io_reqs, &key);
	if (old && (old->flags & (KTOP_IO_F_LIVE | KTOP_IO_F_ISSUE)) ==
		   (KTOP_IO_F_LIVE | KTOP_IO_F_ISSUE))
		__sync_fetch_and_add(&drops_stale, 1);
	if (ktop_filtered_out(tgid)) {
		if (old)
			old->flags = 0;
		return 0;
	}
	r.first_ns = bpf_ktime_get_ns();
	r.disk = rq_disk(rq);
	r.part = rq_part(rq, r.disk);
	attribute(&r, tgid);
	req_store(&key, old, &r);
	return 0;
}

/* Entry of a request first seen at insert or issue. Without block_io_start
 * (kernels before 6.5) the submitter is the one of the request's first bio
 * (block_bio_queue), else at insert the current task. With -p, a request
 * that was not attributed to a chosen process is not followed. */
static __always_inline void first_seen(struct request *rq, __u64 key, __u64 now,
				       bool insert, __u32 flags)
{
	struct ktop_io_req r = { .flags = KTOP_IO_F_LIVE };

	if (!targ_have_io_start) {
		if (!attribute_late(&r, rq, insert))
			return;
	} else if (targ_filter) {
		return;
	}
	r.first_ns = now;
	r.disk = rq_disk(rq);
	r.part = rq_part(rq, r.disk);
	r.flags |= flags;
	if (flags & KTOP_IO_F_INSERT)
		r.insert_ns = now;
	if (flags & KTOP_IO_F_ISSUE) {
		r.issue_ns = now;
		r.sector = BPF_CORE_READ(rq, __sector);
	}
	req_store(&key, bpf_map_lookup_elem(&io_reqs, &key), &r);
}

static __always_inline int on_insert(struct request *rq)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct ktop_io_req *r = live_req(&key);

	if (!r || (r->flags & KTOP_IO_F_ISSUE)) {
		/* issued before and never completed nor requeued: an earlier
		 * life of this address whose end we missed */
		if (r)
			__sync_fetch_and_add(&drops_stale, 1);
		first_seen(rq, key, now, true, KTOP_IO_F_INSERT);
		return 0;
	}
	if (!targ_have_io_start && !(r->flags & KTOP_IO_F_ATTR))
		attribute_late(r, rq, true);
	r->insert_ns = now;
	r->flags |= KTOP_IO_F_INSERT;
	return 0;
}

static __always_inline int on_issue(struct request *rq)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct ktop_io_req *r = live_req(&key);

	if (!r || (r->flags & KTOP_IO_F_ISSUE)) {
		if (r)
			__sync_fetch_and_add(&drops_stale, 1);
		/* issue often runs from kblockd, not the submitter: only by the bio */
		first_seen(rq, key, now, false, KTOP_IO_F_ISSUE);
		return 0;
	}
	r->issue_ns = now;
	r->sector = BPF_CORE_READ(rq, __sector);
	r->flags |= KTOP_IO_F_ISSUE;
	return 0;
}

/* Handed back by the driver: it will be inserted or issued again; its
 * device time restarts, its total time does not. */
static __always_inline int on_requeue(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct ktop_io_req *r = live_req(&key);

	if (r) {
		r->flags &= ~KTOP_IO_F_ISSUE;
		r->issue_ns = 0;
	}
	return 0;
}

/* rq was merged into another request and is freed without completing:
 * the other request's completion covers its bytes. */
static __always_inline int on_merge(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct ktop_io_req *r = bpf_map_lookup_elem(&io_reqs, &key);

	if (r)
		r->flags = 0;
	return 0;
}

/* A finished request into its (disk, op) statistics. */
static __always_inline void count_stat(const struct ktop_io_event *ev)
{
	struct ktop_io_key k = { .disk = ev->disk, .op = ev->op };
	struct ktop_io_stat *s;

	s = bpf_map_lookup_elem(&io_stats, &k);
	if (!s) {
		bpf_map_update_elem(&io_stats, &k, &zero_stat, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&io_stats, &k);
		if (!s) {
			__sync_fetch_and_add(&drops_stats_full, 1);
			return;
		}
	}
	s->count++;
	s->bytes += ev->bytes;
	s->total_ns += ev->lat_ns;
	if (ev->lat_ns > s->max_ns)
		s->max_ns = ev->lat_ns;
	if ((ev->flags & (KTOP_IO_F_INSERT | KTOP_IO_F_ISSUE)) == (KTOP_IO_F_INSERT | KTOP_IO_F_ISSUE)) {
		s->queued++;
		s->queue_ns += ev->queue_ns;
	}
	if (ev->flags & KTOP_IO_F_ISSUE) {
		s->issued++;
		s->device_ns += ev->device_ns;
	}
	if (!(ev->flags & KTOP_IO_F_ATTR))
		s->noattr++;
	if (ev->error)
		s->errors++;
	ktop_hist_add(s->hist, ev->lat_ns);
}

/* Add one request of bytes to a per-CPU counter map entry. Returns 1 when
 * this made the entry, 0 when it was there, < 0 when the map is full. */
static __always_inline int count_cnt(void *map, const void *key, __u64 bytes)
{
	struct ktop_io_cnt init = { .count = 1, .bytes = bytes }, *c;
	void *v;
	int made;

	made = ktop_lookup_or_init(map, key, &init, &v);
	if (made)
		return made;
	c = v;
	c->count++;
	c->bytes += bytes;
	return 0;
}

/* A finished request into every map that counts it. */
static __always_inline void count_done(const struct ktop_io_event *ev)
{
	struct ktop_io_proc_key pk = {};
	struct ktop_io_pkey ptk = {};

	count_stat(ev);
	ptk.disk = ev->disk;
	ptk.part = ev->part;
	ptk.op = ev->op;
	if (count_cnt(&io_parts, &ptk, ev->bytes) < 0)
		__sync_fetch_and_add(&drops_parts_full, 1);
	if (!(ev->flags & KTOP_IO_F_ATTR))
		return;
	pk.tgid = ev->tgid;
	pk.disk = ev->disk;
	pk.op = ev->op;
	switch (count_cnt(&io_procs, &pk, ev->bytes)) {
	case 0:
		break;
	case 1:
		bpf_map_update_elem(&io_comm, &pk.tgid, ev->comm, BPF_ANY);
		break;
	default:
		__sync_fetch_and_add(&drops_proc_full, 1);
	}
}

/*
 * block_rq_complete fires once per blk_update_request(): a driver may
 * complete a request in several parts, each with nr_bytes smaller than
 * what remains (rq->__data_len, updated after the tracepoint). Only the
 * call that covers all that remains, or one on a request without bios
 * (flush), ends it; blk_update_request() returns false then.
 */
static __always_inline int on_complete(struct request *rq, int error, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq;
	__u32 remaining = BPF_CORE_READ(rq, __data_len), flags;
	struct ktop_io_req *r = live_req(&key);
	struct ktop_io_event ev = {}, *e;

	if (!r) {
		__sync_fetch_and_add(&untracked, 1);
		return 0;
	}
	r->done_bytes += nr_bytes < remaining ? nr_bytes : remaining;
	if (error)
		r->error = 1;
	if (nr_bytes < remaining && BPF_CORE_READ(rq, bio))
		return 0;		/* partial: the request goes on */

	/* copy out, then free the slot (the next life may begin at once) */
	ev.ts_ns = bpf_ktime_get_ns();
	flags = r->flags & ~KTOP_IO_F_LIVE;
	ev.lat_ns = ev.ts_ns - r->first_ns;
	if ((flags & KTOP_IO_F_INSERT) && (flags & KTOP_IO_F_ISSUE) && r->issue_ns >= r->insert_ns)
		ev.queue_ns = r->issue_ns - r->insert_ns;
	else
		flags &= ~KTOP_IO_F_INSERT;	/* inserted only after its last issue: no queue time */
	if (flags & KTOP_IO_F_ISSUE)
		ev.device_ns = ev.ts_ns - r->issue_ns;
	ev.bytes = r->done_bytes;
	ev.sector = r->sector;
	ev.part = r->part;
	ev.tgid = (flags & KTOP_IO_F_ATTR) ? r->tgid : 0;
	ev.error = r->error;
	ev.disk = r->disk;
	__builtin_memcpy(ev.comm, r->comm, sizeof(ev.comm));
	r->flags = 0;

	if (!ev.disk)
		ev.disk = rq_disk(rq);
	ev.op = op_class(BPF_CORE_READ(rq, cmd_flags));
	if (!ev.part)
		ev.part = ev.disk;
	ev.flags = flags;
	count_done(&ev);

	if (ev.lat_ns < targ_slow_ns)
		return 0;
	e = bpf_ringbuf_reserve(&io_slow, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&drops_slow, 1);
		return 0;
	}
	__builtin_memcpy(e, &ev, sizeof(ev));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

KTOP_TP_TWIN(block_io_start, block_io_start, on_start(rq), struct request *rq)
KTOP_TP_TWIN(block_rq_insert, block_rq_insert, on_insert(rq), struct request *rq)
KTOP_TP_TWIN(block_rq_issue, block_rq_issue, on_issue(rq), struct request *rq)
KTOP_TP_TWIN(block_rq_requeue, block_rq_requeue, on_requeue(rq), struct request *rq)
KTOP_TP_TWIN(block_rq_merge, block_rq_merge, on_merge(rq), struct request *rq)
KTOP_TP_TWIN(block_rq_complete, block_rq_complete, on_complete(rq, error, nr_bytes),
	     struct request *rq, blk_status_t error, unsigned int nr_bytes)

/* Only without block_io_start. raw_tp alone: the bio is a key, never read.
 * Two programs, as the argument moved: the queue argument went in commit
 * e8a676d61c07 ("block: remove the request_queue argument to the
 * block_bio_queue tracepoint", 5.11); one reading both would be refused
 * where the tracepoint has one argument. */
SEC("raw_tp/block_bio_queue")
int BPF_PROG(block_bio_queue_raw, struct bio *bio)
{
	return on_bio_queue((__u64)bio);
}

SEC("raw_tp/block_bio_queue")
int BPF_PROG(block_bio_queue_q_raw, struct request_queue *q, struct bio *bio)
{
	return on_bio_queue((__u64)bio);
}
