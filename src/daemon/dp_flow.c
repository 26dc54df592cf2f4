/* SPDX-License-Identifier: BSD-3-Clause */
/* Flows: insertion under the flow limit, flow files, the revalidator. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_internal.h"
#include "flowtbl.h"
#include "nlbuf.h"
#include "odp_actions.h"
#include "odp_key.h"
#include "odp_text.h"

/* Insert under 'limit' flows. */
static int insert_limited(struct dp *dp, const struct flowtbl_prep *prep,
			  const struct flow_key *key, const struct flow_key *mask,
			  const void *actions, size_t len, const struct flow_ufid *ufid,
			  uint32_t limit, uint64_t created_ms, struct flowtbl_flow **out,
			  struct errmsg *err)
{
	struct flowtbl_flow *flow;
	uint32_t n_flows = flowtbl_count(dp->tbl);
	int ret;

	if (n_flows >= limit) {
		dp->flows_refused++;
		if (!revalidator_is_cache(&dp->reval))
			return errmsg_set(err, -ENOSPC, -1,
					  "flow limit of %u flows reached: --flow-limit or "
					  "set-flow-limit raises it", limit);
		return errmsg_set(err, -ENOSPC, -1,
				  "flow limit reached (%u flows, limit %u of at most %u under "
				  "--max-idle): --flow-limit or set-flow-limit raises it",
				  n_flows, limit, dp->reval.ceiling);
	}
	ret = flowtbl_insert_prepared(dp->tbl, prep, key, mask, actions, len, ufid, &flow);
	if (ret == -EEXIST)
		return errmsg_set(err, ret, -1, "a flow with this key and mask or UFID exists");
	if (ret < 0)
		return errmsg_set(err, ret, -1, "flow table: %s", strerror(-ret));
	flowtbl_flow_set_created(flow, created_ms);
	if (out)
		*out = flow;
	return 0;
}

int dp_flow_insert(struct dp *dp, const struct flowtbl_prep *prep, const struct flow_key *key,
		   const struct flow_key *mask, const void *actions, size_t len,
		   const struct flow_ufid *ufid, uint64_t created_ms, struct flowtbl_flow **out,
		   struct errmsg *err)
{
	return insert_limited(dp, prep, key, mask, actions, len, ufid, dp->reval.flow_limit,
			      created_ms, out, err);
}

/*
 * One line of a flow file: "[ufid:UUID ]FLOW ACTIONS". Text errors carry
 * the column of the bad token; the codec's and the validator's point into
 * netlink bytes, not the line, so theirs carry none (offset -1).
 */
static int load_line(struct dp *dp, const char *line, struct errmsg *err)
{
	struct odp_match m;
	struct nlbuf acts;
	int ret;

	/* The actions are parsed inside an OVS_FLOW_ATTR_ACTIONS container,
	 * which is what the validator checks, as for a NEW message. */
	nlbuf_init(&acts, 256);
	size_t nest = nlbuf_nest_start(&acts, OVS_FLOW_ATTR_ACTIONS);
	ret = odp_flow_line_parse(line, &m, &acts, err);
	nlbuf_nest_end(&acts, nest);
	if (ret < 0)
		goto out;
	if (acts.overflow) {
		ret = errmsg_set(err, -EMSGSIZE, -1, "actions too long");
		goto out;
	}
	/* As a client's flow would come: m.key stays as written (unmasked),
	 * a flow without UFID keeps it as its identifier. */
	ret = odp_match_check(&m, &m.key, &m.mask, err);
	if (ret == 0) {
		struct flow_key masked;

		flow_key_mask_apply(&masked, &m.key, &m.mask);
		ret = odp_actions_validate(nlbuf_at(&acts, nest), &masked, &m.mask, NULL, err);
	}
	if (ret < 0) {
		err->offset = -1;
		goto out;
	}
	/* Up to the ceiling, not the dynamic limit: a table saved by
	 * --save-flows held more than the limit a fresh start begins with. */
	const struct nlattr *list = nlbuf_at(&acts, nest);
	ret = insert_limited(dp, NULL, &m.key, &m.mask, nl_attr_data(list), nl_attr_len(list),
			     m.has_ufid ? &m.ufid : NULL, dp->reval.ceiling, dp_now_ms(dp), NULL, err);
	err->offset = -1;
out:
	nlbuf_free(&acts);
	return ret;
}

static bool blank_or_comment(const char *s)
{
	s += strspn(s, " \t\r\n");
	return *s == '\0' || *s == '#';
}

int dp_flows_load(struct dp *dp, const char *path, struct errmsg *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	int ret = 0;

	if (f == NULL)
		return errmsg_set(err, -errno, -1, "%s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		struct errmsg why;

		lineno++;
		if (blank_or_comment(line))
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		errmsg_clear(&why);
		ret = load_line(dp, line, &why);
		if (ret < 0) {
			if (why.offset >= 0)
				errmsg_set(err, ret, why.offset, "%s:%u:%d: %s", path, lineno,
					   why.offset + 1, why.msg);
			else
				errmsg_set(err, ret, -1, "%s:%u: %s", path, lineno, why.msg);
			break;
		}
	}
	free(line);
	fclose(f);
	/* The dynamic limit starts where the file left the table, so that the
	 * first rounds do not treat the loaded flows as pressure. */
	if (flowtbl_count(dp->tbl) > dp->reval.flow_limit)
		dp->reval.flow_limit = flowtbl_count(dp->tbl);
	return ret;
}

/* ---- revalidator ---- */

/* Flows a revalidator step walks: a fraction of a millisecond, so that a
 * big table's round does not hold up the upcalls the PMDs queue
 * meanwhile, which would overflow their queues. */
#define REVALIDATOR_STEP_FLOWS 8192

static uint64_t reval_clock(void *arg)
{
	return dp_now_ms(arg);
}

bool dp_revalidate(struct dp *dp)
{
	if (!revalidator_in_round(&dp->reval) && dp_now_ms(dp) < dp->reval.next_round_ms)
		return false;
	revalidator_step(&dp->reval, dp->tbl, reval_clock, dp, REVALIDATOR_STEP_FLOWS);
	if (revalidator_in_round(&dp->reval))
		return true;
	/* Subtables re-ranked by recent hits, and memory of removed flows
	 * handed back once its grace period is over. */
	flowtbl_rerank(dp->tbl);
	flowtbl_reclaim(dp->tbl);
	return false;
}

uint32_t dp_flow_limit(const struct dp *dp)
{
	return dp->reval.flow_limit;
}

void dp_set_flow_limit_ceiling(struct dp *dp, uint32_t ceiling)
{
	revalidator_set_limit(&dp->reval, ceiling);
}

void dp_set_max_idle(struct dp *dp, uint32_t ms)
{
	revalidator_set_max_idle(&dp->reval, ms);
}
