/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl: the flow table's writer side (create, insert, find, remove,
 * actions, flush) and the flow accessors. Threading rules are in
 * flowtbl.h; the memory-ordering scheme in flowtbl_int.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/openvswitch.h>
#include <rte_rcu_qsbr.h>

#include "flowtbl_int.h"
#include "nl_attr.h"

int flowtbl_create(const struct flowtbl_params *p, struct flowtbl **out)
{
	uint32_t max_flows;
	struct flowtbl *t;
	size_t qsize;

	if (!p || !out || p->n_readers == 0 || p->n_readers > FLOWTBL_READERS_MAX ||
	    p->max_flows > FLOWTBL_FLOWS_MAX || p->n_stats > p->n_readers)
		return -EINVAL;
	max_flows = p->max_flows ? p->max_flows : FLOWTBL_FLOWS_MAX;
	/* Aligned, so that the readers' fields share no line with the
	 * writer's. */
	t = aligned_alloc(CACHE_LINE, sizeof(*t));
	if (!t)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	t->n_readers = p->n_readers;
	t->n_stats = p->n_stats ? p->n_stats : p->n_readers;
	t->max_flows = max_flows;
	/* Slack over max_flows for removed flows waiting for their grace
	 * period, so that churn at the limit rarely has to wait. */
	t->idx_cap = max_flows + (max_flows < (1u << 20) ? max_flows : (1u << 20));
	t->next_id = 1;
	qsize = rte_rcu_qsbr_get_memsize(p->n_readers);
	t->qsbr = ft_tbl_alloc(t, CACHE_LINE, qsize, true);
	t->stv = ft_tbl_alloc(t, CACHE_LINE, sizeof(struct stvec), true);
	t->pmds = ft_tbl_alloc(t, 0, p->n_readers * sizeof(*t->pmds), true);
	if (!t->qsbr || !t->stv || !t->pmds || rte_rcu_qsbr_init(t->qsbr, p->n_readers) != 0 ||
	    ft_slots_init(t) < 0) {
		flowtbl_destroy(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

/* Free actions that are not the flow's inline ones. */
static void actions_free(struct flowtbl *t, const struct flowtbl_flow *f,
			 struct flowtbl_actions *a)
{
	if (a && !actions_inline(f, a))
		ft_tbl_free(t, a);
}

void ft_flow_free_now(struct flowtbl *t, struct flowtbl_flow *f)
{
	ft_ident_free(t, f);
	actions_free(t, f, f->actions);
	ft_idx_release(t, f->idx);
	ft_slab_free(t, f, flow_bytes(f));
}

static void flow_free_deferred(struct flowtbl *t, void *p)
{
	ft_flow_free_now(t, p);
}

void flowtbl_destroy(struct flowtbl *t)
{
	struct flowtbl_flow *f;

	if (!t)
		return;
	ft_pmd_destroy_all(t);
	while ((f = ft_dump_last(t))) {
		ft_dump_del(t, f);
		ft_flow_free_now(t, f);
	}
	ft_defer_free_all_now(t);
	for (uint32_t i = 0; i < t->n_subtables; i++)
		ft_subtable_destroy_now(t, t->subtables[i]);
	ft_slab_fini(t);
	if (t->idx_dir)
		ft_slots_fini(t);
	ft_tbl_free(t, t->pending.items);
	ft_tbl_free(t, t->subtables);
	ft_tbl_free(t, t->dumpv);
	ft_tbl_free(t, t->ufid_b);
	ft_tbl_free(t, t->stv);
	ft_tbl_free(t, t->pmds);
	ft_tbl_free(t, t->qsbr);
	free(t);
}

static struct flowtbl_actions *actions_new(struct flowtbl *t, const void *data, size_t len)
{
	struct flowtbl_actions *a = ft_tbl_alloc(t, 0, sizeof(*a) + len, false);

	if (a) {
		a->len = (uint32_t)len;
		if (len)
			memcpy(a->data, data, len);
	}
	return a;
}

static bool actions_valid(const void *data, size_t len)
{
	return len <= FLOWTBL_ACTIONS_MAX && (data || !len);
}

/* The flow's out1 for an action list: its port + 1 when the list is
 * output(port) alone (the PMD's common case, actions_single_output()), 0
 * for any other list, and for ports from 65535 (16 bits of header). */
static uint16_t actions_out1(const void *data, size_t len)
{
	const struct nlattr *nla = data;

	if (len != nl_attr_size(sizeof(uint32_t)) || nl_attr_type(nla) != OVS_ACTION_ATTR_OUTPUT ||
	    nl_attr_u32(nla) >= UINT16_MAX)
		return 0;
	return (uint16_t)(nl_attr_u32(nla) + 1);
}

/* A flow for key mk (already masked) in st, not yet linked anywhere, with
 * its actions (inline when small). */
static struct flowtbl_flow *flow_new(struct flowtbl *t, const struct subtable *st,
				     const struct flow_key *mk, uint32_t hash,
				     const struct flow_ufid *ufid, const void *actions,
				     size_t actions_len)
{
	size_t acts_off = sizeof(struct flowtbl_flow) + st->n_words * sizeof(uint64_t);
	size_t cold_off = acts_off + inline_actions_size(actions_len);
	struct flowtbl_flow *f = ft_slab_alloc(t, flow_size(st->n_words, actions_len));
	const uint64_t *w = flow_key_words(mk);

	if (!f)
		return NULL;
	f->st = st;
	_Static_assert(sizeof(struct flowtbl_flow) % 8 == 0 && INLINE_ACTIONS_MAX % 8 == 0,
		       "cold_off is whole words");
	f->cold_off8 = (uint8_t)(cold_off / 8);
	flow_cold(f)->hash = hash;
	flow_cold(f)->has_ufid = 0;
	f->out1 = actions_out1(actions, actions_len);
	if (cold_off > acts_off) {
		struct flowtbl_actions *a = (struct flowtbl_actions *)((char *)f + acts_off);

		a->len = (uint32_t)actions_len;
		if (actions_len)
			memcpy(a->data, actions, actions_len);
		f->actions = a;
	} else {
		f->actions = actions_new(t, actions, actions_len);
		if (!f->actions) {
			ft_slab_free(t, f, flow_bytes(f));
			return NULL;
		}
	}
	for (uint32_t i = 0; i < st->n_words; i++)
		f->kw[i] = w[st->widx[i]];
	if (ufid) {
		flow_cold(f)->has_ufid = 1;
		flow_cold(f)->ufid = *ufid;
	}
	return f;
}

/* Everything insert allocates, before anything is published. */
static int insert_prepare(struct flowtbl *t, struct subtable *st, bool new_st,
			  const struct flow_ufid *ufid)
{
	int err = ft_htab_reserve(t, st, 1);

	if (!err)
		err = ft_dump_reserve(t, 1);
	if (!err && ufid)
		err = ft_ufid_reserve(t, 1);
	if (!err && new_st)
		err = ft_subtable_publish(t, st);
	return err;
}

/* The subtable of 'mask' from 'prep' when it names one, else found (NULL
 * with 'proto' filled for a new mask); *hash is mk's there. */
static struct subtable *insert_subtable(struct flowtbl *t, const struct flowtbl_prep *prep,
					const struct flow_key *mask, const struct flow_key *mk,
					struct subtable *proto, uint32_t *hash)
{
	struct subtable *st;

	if (prep && prep->st) {
		*hash = prep->hash;
		return (struct subtable *)(uintptr_t)prep->st;
	}
	st = ft_subtable_for_mask(t, mask, proto);
	*hash = st_hash_key(st ? st : proto, mk);
	return st;
}

int flowtbl_insert(struct flowtbl *t, const struct flow_key *key, const struct flow_key *mask,
		   const void *actions, size_t actions_len, const struct flow_ufid *ufid,
		   struct flowtbl_flow **out)
{
	return flowtbl_insert_prepared(t, NULL, key, mask, actions, actions_len, ufid, out);
}

int flowtbl_insert_prepared(struct flowtbl *t, const struct flowtbl_prep *prep,
			    const struct flow_key *key, const struct flow_key *mask,
			    const void *actions, size_t actions_len, const struct flow_ufid *ufid,
			    struct flowtbl_flow **out)
{
	struct flowtbl_flow *f = NULL;
	struct subtable proto, *st;
	struct flow_key mk_buf;
	const struct flow_key *mk = prep ? prep->masked : &mk_buf;
	uint32_t hash, idx;
	bool new_st = false;
	int err;

	if (!t || !key || !mask || !actions_valid(actions, actions_len))
		return -EINVAL;
	if (t->n_flows >= t->max_flows)
		return -ENOSPC;
	if (t->n_batches)
		ft_defer_poll(t);
	/* A NEW masked its key once already: prep carries that. */
	if (!prep)
		flow_key_mask_apply(&mk_buf, key, mask);
	st = insert_subtable(t, prep, mask, mk, &proto, &hash);
	if (st && htab_may_hold(st->ht, hash) && ft_htab_find(st, st->ht, hash, mk))
		return -EEXIST;
	if (ufid && flowtbl_find_ufid(t, ufid))
		return -EEXIST;
	if (!st) {
		st = ft_subtable_create(t, &proto);
		if (!st)
			return -ENOMEM;
		new_st = true;
	}
	err = ft_idx_alloc(t, &idx);
	if (err)
		goto err_st;
	f = flow_new(t, st, mk, hash, ufid, actions, actions_len);
	if (!f) {
		err = -ENOMEM;
		goto err_idx;
	}
	err = ufid ? 0 : ft_ident_set(t, f, key, mask, mk);
	if (!err)
		err = insert_prepare(t, st, new_st, ufid);
	if (err)
		goto err_idx;

	f->idx = idx;
	flow_cold(f)->id = t->next_id++;
	ft_slot_stats_zero(t, idx);
	/* Release: the flow is initialised before a cache can reach it. */
	STORE_REL(idx_slot(t->idx_dir, idx), f);
	ft_htab_add(st, f);
	st->n_flows++;
	ft_dump_add(t, f);
	if (ufid)
		ft_ufid_add(t, f);
	t->n_flows++;
	if (out)
		*out = f;
	return 0;

err_idx:
	ft_idx_release(t, idx);
	if (f) {
		ft_ident_free(t, f);
		actions_free(t, f, f->actions);
		ft_slab_free(t, f, flow_bytes(f));
	}
err_st:
	if (new_st)
		ft_subtable_destroy_now(t, st);
	return err;
}

struct flowtbl_flow *flowtbl_find_exact(const struct flowtbl *t, const struct flow_key *key,
					const struct flow_key *mask)
{
	struct subtable proto;
	struct flow_key mk;

	if (!t || !key || !mask)
		return NULL;
	ft_mask_compact(mask, &proto);
	for (uint32_t i = 0; i < t->n_subtables; i++) {
		const struct subtable *st = t->subtables[i];

		if (st->mask_hash != proto.mask_hash || st->n_words != proto.n_words ||
		    memcmp(st->mw, proto.mw, st->n_words * sizeof(st->mw[0])) ||
		    memcmp(st->widx, proto.widx, st->n_words))
			continue;
		flow_key_mask_apply(&mk, key, mask);
		return ft_htab_find(st, st->ht, st_hash_key(st, &mk), &mk);
	}
	return NULL;
}

void flowtbl_insert_prepare(struct flowtbl *t, const struct flow_key *masked,
			    const struct flow_key *mask, struct flowtbl_prep *prep)
{
	struct subtable proto;
	const struct subtable *st;

	st = ft_subtable_for_mask(t, mask, &proto);
	prep->st = st;
	prep->masked = masked;
	prep->hash = 0;
	if (st) {
		const struct htab *ht = st->ht;

		prep->hash = st_hash_key(st, masked);
		/* The filter word too: the lookup reads it first, and in a big
		 * table it is a miss of its own, which the actions' checks
		 * now overlap instead of the lookup waiting on it. */
		__builtin_prefetch(&htab_filter(ht)[prep->hash & ht->mask]);
		__builtin_prefetch(&ht->b[prep->hash & ht->mask], 1);
	}
}

/* Subtables whose filters, then buckets, are fetched together in
 * flowtbl_lookup_key. */
#define LOOKUP_AHEAD 8

/*
 * Every subtable's filter word for the key is prefetched before the first
 * is read, then the buckets of those whose filter may hold the key, so
 * that in a table of many masks the cache misses overlap instead of
 * queueing one after the other; then the subtables are probed in rank
 * order, so the answer is the readers'. Before a NEW the key is in no
 * subtable, and the filters (in cache) spare the buckets (one DRAM miss
 * each in big tables): 1M flows over 4 masks (f_1m_4masks, add-flows,
 * --reserve-flows), the control thread's CPU 756-789 -> 555-625 ms in 3
 * interleaved pairs. The writer needs no grace period to read: nothing it
 * reads is freed while it runs.
 */
struct flowtbl_flow *flowtbl_lookup_key(const struct flowtbl *t, const struct flow_key *key)
{
	return flowtbl_lookup_key_prep(t, key, NULL);
}

struct flowtbl_flow *flowtbl_lookup_key_prep(const struct flowtbl *t, const struct flow_key *key,
					     const struct flowtbl_prep *prep)
{
	const void *prep_st = prep ? prep->st : NULL;
	const struct stvec *v = t->stv;
	uint32_t hashes[LOOKUP_AHEAD];

	for (uint32_t r = 0; r < v->n; r += LOOKUP_AHEAD) {
		uint32_t n = v->n - r < LOOKUP_AHEAD ? v->n - r : LOOKUP_AHEAD;
		uint32_t probe = 0;

		for (uint32_t i = 0; i < n; i++) {
			const struct htab *ht = v->st[r + i]->ht;

			hashes[i] = v->st[r + i] == prep_st ? prep->hash
							    : st_hash_key(v->st[r + i], key);
			__builtin_prefetch(&htab_filter(ht)[hashes[i] & ht->mask]);
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct htab *ht = v->st[r + i]->ht;

			if (htab_may_hold(ht, hashes[i])) {
				__builtin_prefetch(&ht->b[hashes[i] & ht->mask]);
				probe |= 1u << i;
			}
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct subtable *st = v->st[r + i];
			struct flowtbl_flow *f;

			if (!(probe & (1u << i)))
				continue;
			f = ft_htab_find(st, st->ht, hashes[i], key);
			if (f)
				return f;
		}
	}
	return NULL;
}

void flowtbl_remove(struct flowtbl *t, struct flowtbl_flow *f)
{
	struct subtable *st;

	if (!t || !f || flow_is_dead(f))
		return;
	st = (struct subtable *)(uintptr_t)f->st;
	/* Dead before unlinked: lookups in flight on a stale entry, table or
	 * cache idx re-check this flag on every hit. */
	STORE_RLX(&f->dead, 1);
	ft_htab_del(t, st, f);
	/* Release: orders the dead flag before the cache's way in is gone. */
	STORE_REL(idx_slot(t->idx_dir, f->idx), NULL);
	ft_dump_del(t, f);
	if (flow_cold(f)->has_ufid)
		ft_ufid_del(t, f);
	t->n_flows--;
	ft_defer_free(t, flow_free_deferred, f);
	if (--st->n_flows == 0)
		ft_subtable_unpublish(t, st);
}

void flowtbl_flush(struct flowtbl *t)
{
	struct flowtbl_flow *f;

	if (!t)
		return;
	while ((f = ft_dump_last(t)))
		flowtbl_remove(t, f);
}

int flowtbl_actions_replace(struct flowtbl *t, struct flowtbl_flow *f, const void *actions,
			    size_t actions_len)
{
	struct flowtbl_actions *a, *old;

	if (!t || !f || flow_is_dead(f) || !actions_valid(actions, actions_len))
		return -EINVAL;
	a = actions_new(t, actions, actions_len);
	if (!a)
		return -ENOMEM;
	old = f->actions;
	/* Release: the new actions' bytes are written before a PMD can load
	 * the pointer (flowtbl_flow_actions() loads it with acquire). */
	STORE_REL(&f->actions, a);
	/* Relaxed: a PMD that still sees the old port runs the old actions,
	 * as one that loaded the old pointer just before does. */
	STORE_RLX(&f->out1, actions_out1(actions, actions_len));
	/* Inline actions go with the flow; a PMD may still read them until
	 * the grace period, which the flow's memory outlives. */
	if (!actions_inline(f, old))
		ft_defer_free(t, ft_defer_fn_free, old);
	return 0;
}

/* Touch every page of [p, p + len) without changing a byte. */
static void prefault(void *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096) {
		volatile char *c = (char *)p + off;

		*c = *c;
	}
}

int flowtbl_reserve(struct flowtbl *t, uint32_t n_flows)
{
	uint32_t n = n_flows < t->max_flows ? n_flows : t->max_flows;
	int err;

	err = ft_slab_reserve(t, (size_t)n * FLOWTBL_RESERVE_FLOW_BYTES);
	if (!err)
		err = ft_slots_reserve(t, n);
	if (!err && n > t->n_flows)
		err = ft_dump_reserve(t, n - t->n_flows);
	if (!err && n > t->n_ufid)
		err = ft_ufid_reserve(t, n - t->n_ufid);
	if (err)
		return err;
	t->htab_hint = n;
	prefault(t->dumpv + t->n_dump, (size_t)(t->cap_dump - t->n_dump) * sizeof(*t->dumpv));
	if (t->ufid_b)
		prefault(t->ufid_b, ((size_t)t->ufid_mask + 1) * sizeof(*t->ufid_b));
	return 0;
}

uint32_t flowtbl_count(const struct flowtbl *t)
{
	return t->n_flows;
}

size_t flowtbl_memory(const struct flowtbl *t)
{
	return t->mem + sizeof(*t);
}

struct rte_rcu_qsbr *flowtbl_qsbr(struct flowtbl *t)
{
	return t->qsbr;
}

uint64_t flowtbl_flow_id(const struct flowtbl_flow *f)
{
	return flow_cold(f)->id;
}

void flowtbl_flow_key(const struct flowtbl_flow *f, struct flow_key *key)
{
	uint64_t *w = (uint64_t *)key;

	memset(key, 0, sizeof(*key));
	for (uint32_t i = 0; i < f->st->n_words; i++)
		w[f->st->widx[i]] = f->kw[i];
}

void flowtbl_flow_mask(const struct flowtbl_flow *f, struct flow_key *mask)
{
	uint64_t *w = (uint64_t *)mask;

	memset(mask, 0, sizeof(*mask));
	for (uint32_t i = 0; i < f->st->n_words; i++)
		w[f->st->widx[i]] = f->st->mw[i];
}

bool flowtbl_flow_ufid(const struct flowtbl_flow *f, struct flow_ufid *ufid)
{
	const struct flow_cold *c = flow_cold(f);

	if (c->has_ufid && ufid)
		*ufid = c->ufid;
	return c->has_ufid;
}

const struct flowtbl_actions *flowtbl_flow_actions(const struct flowtbl_flow *f)
{
	/* Acquire: pairs with the release in insert/actions_replace. */
	return LOAD_ACQ(&f->actions);
}

uint32_t flowtbl_flow_out1(const struct flowtbl_flow *f)
{
	/* Relaxed: see flowtbl_actions_replace(). */
	return LOAD_RLX(&f->out1);
}

bool flowtbl_flow_dead(const struct flowtbl_flow *f)
{
	return flow_is_dead(f);
}

void flowtbl_flow_set_created(struct flowtbl_flow *f, uint64_t now)
{
	flow_cold(f)->created = now;
}

uint64_t flowtbl_flow_created(const struct flowtbl_flow *f)
{
	return flow_cold(f)->created;
}
