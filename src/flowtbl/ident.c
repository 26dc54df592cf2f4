/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flow's identifier when it has no UFID: the key as it was sent, with
 * the bits its mask wildcards (the kernel's sw_flow_id.unmasked_key).
 * Lookups never read it: the flow itself holds only the masked key words.
 * What the masked key lacks is kept aside, and only when there is any:
 * the key words that differ from their masked value, behind a bitmap of
 * their indexes. A flow whose key was sent masked (what Open vSwitch and
 * our own client send for megaflows) or that has a UFID costs nothing;
 * one with wildcarded bits set costs one small block of 8 bytes plus 8 a
 * word that differs. The pointer shares flow_cold's UFID bytes, which a
 * flow without a UFID does not use. Writer only.
 */
#include <errno.h>
#include <string.h>

#include "flowtbl_int.h"

struct flow_ident {
	uint32_t map;                    /* bit i: key word i differs */
	uint32_t pad;
	uint64_t w[];                    /* those words, unmasked, by index */
};
_Static_assert(FLOW_KEY_WORDS <= 32, "the ident map is a uint32_t");

int ft_ident_set(struct flowtbl *t, struct flowtbl_flow *f, const struct flow_key *key,
		 const struct flow_key *mask, const struct flow_key *masked)
{
	const uint64_t *w = flow_key_words(key), *m = flow_key_words(mask);
	struct flow_ident *id;
	uint32_t map = 0, n = 0;

	/* A word differs from its masked value when it has bits the mask
	 * wildcards: 22 and-nots, nothing more for the usual masked key. */
	flow_cold(f)->ident = NULL;
	/* Clients mostly send keys already masked: a NEW that knows it passes
	 * the masked key itself, else one memcmp says so. */
	if (key == masked || flow_key_equal(key, masked))
		return 0;
	for (uint32_t i = 0; i < FLOW_KEY_WORDS; i++)
		map |= (uint32_t)((w[i] & ~m[i]) != 0) << i;
	if (!map)
		return 0;
	n = (uint32_t)__builtin_popcount(map);
	id = ft_tbl_alloc(t, 0, sizeof(*id) + n * sizeof(id->w[0]), false);
	if (!id)
		return -ENOMEM;
	id->map = map;
	id->pad = 0;
	n = 0;
	for (uint32_t i = 0; i < FLOW_KEY_WORDS; i++)
		if (map & (1u << i))
			id->w[n++] = w[i];
	flow_cold(f)->ident = id;
	return 0;
}

void ft_ident_free(struct flowtbl *t, struct flowtbl_flow *f)
{
	if (!flow_cold(f)->has_ufid) {
		ft_tbl_free(t, flow_cold(f)->ident);
		flow_cold(f)->ident = NULL;
	}
}

void flowtbl_flow_ident_key(const struct flowtbl_flow *f, struct flow_key *key)
{
	const struct flow_ident *id = flow_cold(f)->has_ufid ? NULL : flow_cold(f)->ident;
	uint64_t *w = (uint64_t *)key;

	flowtbl_flow_key(f, key);
	if (!id)
		return;
	for (uint32_t i = 0, n = 0; i < FLOW_KEY_WORDS; i++)
		if (id->map & (1u << i))
			w[i] = id->w[n++];
}

static bool ident_equal(const struct flowtbl_flow *f, const struct flow_key *key)
{
	struct flow_key k;

	flowtbl_flow_ident_key(f, &k);
	return memcmp(&k, key, sizeof(k)) == 0;
}

/*
 * The kernel's ovs_flow_tbl_lookup_exact(): under each mask, the flow the
 * key hits; it is the one if it is identified by its key and that key is
 * this one. The presence filter spares the bucket of most masks.
 */
struct flowtbl_flow *flowtbl_find_ident(const struct flowtbl *t, const struct flow_key *key)
{
	if (!t || !key)
		return NULL;
	for (uint32_t i = 0; i < t->n_subtables; i++) {
		const struct subtable *st = t->subtables[i];
		uint32_t hash = st_hash_key(st, key);
		struct flowtbl_flow *f;

		if (!htab_may_hold(st->ht, hash))
			continue;
		f = ft_htab_find(st, st->ht, hash, key);
		if (f && !flow_cold(f)->has_ufid && ident_equal(f, key))
			return f;
	}
	return NULL;
}

bool flowtbl_flow_ident_equal(const struct flowtbl_flow *f, const struct flow_key *key)
{
	return !flow_cold(f)->has_ufid && ident_equal(f, key);
}
