/** \file
 * proauth2 — the datastore conformance suite.
 *
 * The definition of the datastore contract (proauth2/backend.h,
 * datastores/README.md): a backend that passes it is one the provider
 * works on. Link with libproauth2-conformance
 * (`pkg-config --libs proauth2-conformance`) and Check:
 *
 *	static char *new_uri(void *arg) { return strdup("mystore://test"); }
 *
 *	proauth2_conformance_target t;
 *
 *	proauth2_conformance_target_init(&t);
 *	t.name = "mystore";
 *	t.ops = my_ops();
 *	t.new_uri = new_uri;
 *	SRunner *sr = srunner_create(proauth2_conformance_suite(&t));
 *	srunner_run_all(sr, CK_NORMAL);
 *	failed = srunner_ntests_failed(sr);
 *	srunner_free(sr);
 *
 * Each test opens a fresh datastore with proauth2_datastore_open() and goes
 * through the public wrappers (proauth2_datastore_store() and the rest), as
 * the provider does; the write group tests call the backend's begin_writes
 * and end_writes on a second connection (ops->init on the same URI). Some
 * tests run 64 threads against one datastore. Expiry times count from a
 * day after each test's start by the real clock, so a backend that also
 * reaps expired records by itself (a TTL index) passes.
 *
 * A failed check's message names the check, the target and what was
 * expected. What new_uri made is released by free_uri even when a check
 * fails, also in Check's fork mode (the default).
 */
#ifndef PROAUTH2_CONFORMANCE_H
#define PROAUTH2_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>

#include <check.h>

#include <proauth2/backend.h>
#include <proauth2/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A backend to test, and how to give each test an empty datastore. Fill it
 * with proauth2_conformance_target_init() first, then set members by name:
 * members are only ever appended, and the suite reads only those that the
 * caller's struct_size covers.
 */
typedef struct proauth2_conformance_target {
	/** sizeof(proauth2_conformance_target) the caller was compiled with;
	 * proauth2_conformance_target_init() sets it. */
	size_t struct_size;
	const char *name;                       /**< e.g. "sqlite-file" */
	const proauth2_datastore_ops *ops;      /**< the backend under test */
	/** A new URI naming an empty datastore, malloc'd; called once per
	 * test. NULL fails that test. */
	char *(*new_uri)(void *arg);
	/** Optional (may be NULL): delete what new_uri made, then free(uri).
	 * NULL means just free(uri). Called after the datastore is closed,
	 * possibly in another process than the one that opened it (a test
	 * that failed in its fork). */
	void (*free_uri)(char *uri, void *arg);
	void *arg;                              /**< passed to every callback */

	/** A second open of the same URI reaches the same records and sees
	 * none of a write group's changes before its end_writes, as a
	 * transaction's isolation would. false skips the checks that need
	 * it (e.g. SQLite ":memory:", where each open is its own store). */
	bool groups_isolated;
	/** Optional (may be NULL): make the backend's next commit fail, as a
	 * full or failing disk would, so that the write it carried is lost.
	 * NULL skips the check that end_writes reports a lost write. */
	void (*fail_next_commit)(void *arg);
} proauth2_conformance_target;

/** Zero target and set its struct_size. */
PROAUTH2_EXPORT void proauth2_conformance_target_init(
		proauth2_conformance_target *target);

/**
 * The conformance tests for target, as a Check suite named after it (new;
 * srunner_free() frees it with its runner). The target must outlive the run.
 *
 * Not reentrant: the tests find their target in a static variable, which
 * this call sets. Run one target's suite per SRunner and run them one after
 * another: create the suite, run it, then go on to the next target.
 *
 * A check the target cannot take (write groups on a backend without them,
 * a fault it has no hook for) passes and prints to stderr that it was
 * skipped and why.
 *
 * Each test may take 60 s, or CK_DEFAULT_TIMEOUT if longer (a slow or
 * remote backend, valgrind); CK_TIMEOUT_MULTIPLIER scales either.
 */
PROAUTH2_EXPORT Suite *proauth2_conformance_suite(
		const proauth2_conformance_target *target);

#ifdef __cplusplus
}
#endif

#endif
