/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for flowfile (--save-flows): a saved table parses back, line
 * by line with the --flows parser, into the same keys, masks, UFIDs and
 * actions in insertion order; the file is replaced whole; bad paths give
 * their errno and a reason, and leave nothing behind. No EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flowfile.h"
#include "flowtbl.h"
#include "flowtbl_testlib.h"
#include "nlbuf.h"
#include "odp_text.h"

#define N_FLOWS 40

static char dir[] = "/tmp/test_flowfile.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

/* The directory and what a failed test left in it (no subdirectories). */
static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	(void)state;
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	return rmdir(dir);
}

static int files_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

/* Flow i: a TCP flow of mask i % 3; actions "output i % 5 + 1"; a UFID on
 * the even ones. */
static void flow_i(uint32_t i, struct flow_key *k, struct flow_key *m, struct flow_ufid *u,
		   struct nlbuf *acts)
{
	tl_key_tcp4(k, 1, 0x0a000000 + i, 0x0b000001, 1000, 80);
	tl_mask_tcp4(m, 32, i % 3 == 0 ? 32 : 24, 0, i % 3 == 2 ? 1 : 0);
	memset(u, 0, sizeof(*u));
	u->u32[0] = 0xabc00000 + i;
	u->u32[3] = i;
	nlbuf_reset(acts);
	nlbuf_put_u32(acts, OVS_ACTION_ATTR_OUTPUT, i % 5 + 1);
}

static struct flowtbl *filled_table(void)
{
	struct flowtbl_params p = { .n_readers = 1 };
	struct flowtbl *t = NULL;
	struct flow_key k, m;
	struct flow_ufid u;
	struct nlbuf acts;

	assert_int_equal(flowtbl_create(&p, &t), 0);
	nlbuf_init(&acts, 64);
	for (uint32_t i = 0; i < N_FLOWS; i++) {
		flow_i(i, &k, &m, &u, &acts);
		assert_int_equal(flowtbl_insert(t, &k, &m, acts.data, acts.len,
						i % 2 ? NULL : &u, NULL), 0);
	}
	nlbuf_free(&acts);
	return t;
}

static void test_round_trip(void **state)
{
	struct flowtbl *t = filled_table();
	struct nlbuf acts, want;
	struct errmsg err;
	char path[256], *line = NULL;
	size_t cap = 0;
	uint32_t i = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/flows", dir);
	errmsg_clear(&err);
	assert_int_equal(flowfile_save(t, path, &err), N_FLOWS);
	f = fopen(path, "r");
	assert_non_null(f);
	nlbuf_init(&acts, 64);
	nlbuf_init(&want, 64);
	while (getline(&line, &cap, f) > 0) {
		struct flow_key k, m;
		struct flow_ufid u;
		struct odp_match got;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		nlbuf_reset(&acts);
		assert_int_equal(odp_flow_line_parse(line, &got, &acts, &err), 0);
		flow_i(i, &k, &m, &u, &want);
		flow_key_mask_apply(&k, &k, &m);
		assert_memory_equal(&got.key, &k, sizeof(k));
		assert_memory_equal(&got.mask, &m, sizeof(m));
		assert_int_equal(got.has_ufid, i % 2 == 0);
		if (got.has_ufid)
			assert_memory_equal(&got.ufid, &u, sizeof(u));
		assert_int_equal(acts.len, want.len);
		assert_memory_equal(acts.data, want.data, want.len);
		i++;
	}
	assert_int_equal(i, N_FLOWS);
	free(line);
	fclose(f);
	nlbuf_free(&acts);
	nlbuf_free(&want);

	/* Saved again over it (an empty table now): replaced whole, nothing
	 * else left in the directory. */
	flowtbl_flush(t);
	flowtbl_synchronize(t);
	assert_int_equal(flowfile_save(t, path, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, strlen("# dpdk-switch flows (--save-flows): "
					    "[ufid:UUID] FLOW ACTIONS\n"));
	assert_int_equal(files_in_dir(), 1);
	unlink(path);
	flowtbl_destroy(t);
}

static void test_bad_paths(void **state)
{
	struct flowtbl *t = filled_table();
	struct errmsg err;
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/flows", dir);
	errmsg_clear(&err);
	assert_int_equal(flowfile_check(path, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot create a file in"));
	assert_int_equal(flowfile_save(t, path, &err), -ENOENT);

	errmsg_clear(&err);
	assert_int_equal(flowfile_check(dir, &err), -EISDIR);
	assert_non_null(strstr(err.msg, "is a directory"));
	assert_int_equal(flowfile_save(t, dir, &err), -EISDIR);

	errmsg_clear(&err);
	assert_int_equal(flowfile_check("", &err), -EINVAL);

	snprintf(path, sizeof(path), "%s/ok", dir);
	assert_int_equal(flowfile_check(path, &err), 0);
	assert_int_equal(files_in_dir(), 0);   /* the check leaves nothing */
	flowtbl_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
