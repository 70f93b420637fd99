/* What proauth2_datastore_open() accepts of an ops table, then the
 * datastore conformance suite against every backend this tree ships:
 * SQLite on a file, SQLite in memory, the example in-memory backend, and
 * MongoDB when it is built (see test_mongodb.h for its server). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <proauth2/backend.h>
#include <proauth2/conformance.h>
#include <proauth2/backend.h>
#include <proauth2/sqlite.h>

#include "faulty_vfs.h"
#include "memory_datastore.h"
#ifdef PROAUTH2_TEST_MONGODB
#include <proauth2/mongodb.h>

#include "test_mongodb.h"
#endif

/* ---- Opening: which ops tables the core drives. ---- */

static proauth2_status group_ok(void *cls, proauth2_error *err)
{
	(void)cls;
	(void)err;
	return PROAUTH2_OK;
}

/* The example backend's table, to change one thing at a time. */
static proauth2_datastore_ops memory_copy(void)
{
	return *example_memory_datastore_ops();
}

/* Opening ops fails with INVALID_ARGUMENT, a NULL handle, and err's text
 * holding want. */
static void expect_refused(const proauth2_datastore_ops *ops, const char *want)
{
	proauth2_datastore *ds = (proauth2_datastore *)&ds;
	proauth2_error err = {PROAUTH2_OK, ""};
	proauth2_status status = proauth2_datastore_open(ops, "memory:", &ds, &err);

	ck_assert_msg(status == PROAUTH2_ERR_INVALID_ARGUMENT,
			"open gave %s, expected invalid argument",
			proauth2_status_str(status));
	ck_assert_ptr_null(ds);
	ck_assert_int_eq(err.status, PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_msg(strstr(err.text, want) != NULL,
			"error text '%s' does not say '%s'", err.text, want);
}

/* Opens ops, stores and fetches a record, purges; all succeed. */
static void expect_working(const proauth2_datastore_ops *ops)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {PROAUTH2_OK, ""};
	json_t *mark = json_pack("{s:s, s:I}", "grant_id", "g1",
			"expires_at", (json_int_t)100);
	json_t *query = json_pack("{s:s}", "grant_id", "g1"), *found = NULL;
	size_t removed = 0;

	ck_assert_msg(proauth2_datastore_open(ops, "memory:", &ds, &err) == PROAUTH2_OK,
			"open: %s", err.text);
	ck_assert_int_eq(proauth2_datastore_store(ds, "revoked_grants", mark, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "revoked_grants", query, 50,
			&found, &err), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_datastore_purge_expired(ds, 100, &removed, &err),
			PROAUTH2_OK);
	ck_assert_uint_eq(removed, 1);
	json_decref(found);
	json_decref(query);
	json_decref(mark);
	proauth2_datastore_close(ds);
}

START_TEST(a_version_1_table_of_version_1_size_still_opens)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.api_version = 1;
	ops.struct_size = offsetof(proauth2_datastore_ops, begin_writes);
	/* What lies beyond struct_size is never read. */
	ops.begin_writes = group_ok;
	expect_working(&ops);
}
END_TEST

START_TEST(a_version_1_table_of_the_current_size_opens)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.api_version = 1;
	expect_working(&ops);
}
END_TEST

START_TEST(a_table_with_both_group_methods_opens)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.begin_writes = group_ok;
	ops.end_writes = group_ok;
	expect_working(&ops);
}
END_TEST

START_TEST(api_version_0_is_refused)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.api_version = 0;
	expect_refused(&ops, "api_version 0 is not supported");
}
END_TEST

START_TEST(an_api_version_above_the_library_is_refused)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.api_version = PROAUTH2_DATASTORE_API_VERSION + 1;
	expect_refused(&ops, "is not supported");
}
END_TEST

START_TEST(a_table_shorter_than_its_required_methods_is_refused)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.struct_size = offsetof(proauth2_datastore_ops, close);
	expect_refused(&ops, "struct_size");
}
END_TEST

START_TEST(a_table_without_a_required_method_is_refused)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.replace = NULL;
	expect_refused(&ops, "lack a required method");
}
END_TEST

START_TEST(begin_writes_without_end_writes_is_refused)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.begin_writes = group_ok;
	expect_refused(&ops, "begin_writes without end_writes");
}
END_TEST

START_TEST(end_writes_without_begin_writes_is_refused)
{
	proauth2_datastore_ops ops = memory_copy();

	ops.end_writes = group_ok;
	expect_refused(&ops, "end_writes without begin_writes");
}
END_TEST

static Suite *open_suite(void)
{
	Suite *s = suite_create("open");
	TCase *tc = tcase_create("ops");

	tcase_add_test(tc, a_version_1_table_of_version_1_size_still_opens);
	tcase_add_test(tc, a_version_1_table_of_the_current_size_opens);
	tcase_add_test(tc, a_table_with_both_group_methods_opens);
	tcase_add_test(tc, api_version_0_is_refused);
	tcase_add_test(tc, an_api_version_above_the_library_is_refused);
	tcase_add_test(tc, a_table_shorter_than_its_required_methods_is_refused);
	tcase_add_test(tc, a_table_without_a_required_method_is_refused);
	tcase_add_test(tc, begin_writes_without_end_writes_is_refused);
	tcase_add_test(tc, end_writes_without_begin_writes_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- The conformance suite on each backend. ---- */

/* A database file in a fresh temporary directory, through the faulty VFS
 * (the default one until told to fail a commit). */
static char *new_sqlite_file(void *arg)
{
	char dir[] = "/tmp/proauth2-conformance-XXXXXX";
	char *uri = NULL;

	(void)arg;
	if (mkdtemp(dir) == NULL || asprintf(&uri, "file:%s/store.db?vfs=%s",
			dir, FAULTY_VFS_NAME) < 0)
		return NULL;
	return uri;
}

static void free_sqlite_file(char *uri, void *arg)
{
	char cmd[128];
	char *dir = uri + strlen("file:");

	(void)arg;
	/* Remove the database, its WAL files and their directory. */
	*strrchr(dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(uri);
}

static void fail_next_sqlite_commit(void *arg)
{
	(void)arg;
	faulty_vfs_fail_next_sync();
}

static char *new_fixed(void *arg)
{
	return strdup(arg);
}

#ifdef PROAUTH2_TEST_MONGODB
static char *new_mongodb_database(void *arg)
{
	(void)arg;
	return test_mongodb_new_database();
}

static void drop_mongodb_database(char *uri, void *arg)
{
	(void)arg;
	test_mongodb_drop_database(uri);
	free(uri);
}
#endif

/* target, filled in: name, ops, and where each test's datastore is. */
static void target_set(proauth2_conformance_target *target, const char *name,
		const proauth2_datastore_ops *ops, char *(*new_uri)(void *arg),
		void (*free_uri)(char *uri, void *arg), void *arg)
{
	proauth2_conformance_target_init(target);
	target->name = name;
	target->ops = ops;
	target->new_uri = new_uri;
	target->free_uri = free_uri;
	target->arg = arg;
}

int main(void)
{
	proauth2_conformance_target targets[4];
	size_t n = 0;
	SRunner *runner;
	int failed, skipped = 0;
	size_t i;

	if (faulty_vfs_register() != 0) {
		fprintf(stderr, "cannot register the faulty SQLite VFS\n");
		return EXIT_FAILURE;
	}
	target_set(&targets[n], "sqlite-file", proauth2_sqlite_ops(),
			new_sqlite_file, free_sqlite_file, NULL);
	targets[n].groups_isolated = true;
	targets[n++].fail_next_commit = fail_next_sqlite_commit;
	target_set(&targets[n++], "sqlite-memory", proauth2_sqlite_ops(),
			new_fixed, NULL, ":memory:");
	target_set(&targets[n++], "example-memory", example_memory_datastore_ops(),
			new_fixed, NULL, "memory:");

	runner = srunner_create(open_suite());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
#ifdef PROAUTH2_TEST_MONGODB
	/* Without a server the other targets still run; the test is a SKIP. */
	const char *missing = getenv("MONGODB_URI") != NULL ? NULL
			: test_mongodb_emulator_missing();

	if (missing != NULL) {
		printf("SKIP: target mongodb: %s is not installed (apt-get install %s, "
				"or set MONGODB_URI)\n", missing, missing);
		skipped = 1;
	} else if (!test_mongodb_start()) {
		return EXIT_FAILURE;
	} else {
		target_set(&targets[n], "mongodb", proauth2_mongodb_ops(),
				new_mongodb_database, drop_mongodb_database, NULL);
		/* On a replica set a group is a transaction: others see
		 * nothing of it before its commit. */
		targets[n++].groups_isolated = test_mongodb_replset() != NULL;
	}
#endif
	/* One target per runner: the suite keeps its target in a static. */
	for (i = 0; i < n; i++) {
		runner = srunner_create(proauth2_conformance_suite(&targets[i]));
		srunner_run_all(runner, CK_NORMAL);
		failed += srunner_ntests_failed(runner);
		srunner_free(runner);
	}
	if (failed != 0)
		return EXIT_FAILURE;
	return skipped ? 77 : EXIT_SUCCESS;
}
