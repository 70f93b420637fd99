/*
 * proauth2 — the datastore conformance suite.
 *
 * The definition of the datastore contract: a backend that passes it is one
 * the provider works on. Link with libproauth2-conformance
 * (`pkg-config --libs proauth2-conformance`) and Check:
 *
 *	static char *new_uri(void *arg) { return strdup("mystore://test"); }
 *
 *	proauth2_conformance_target t = {"mystore", my_ops(), new_uri, NULL, NULL};
 *	SRunner *sr = srunner_create(proauth2_conformance_suite(&t));
 *	srunner_run_all(sr, CK_NORMAL);
 *	failed = srunner_ntests_failed(sr);
 *	srunner_free(sr);
 *
 * Each test opens a fresh datastore with proauth2_datastore_open() and goes
 * through the public wrappers (proauth2_datastore_store() and the rest), as
 * the provider does. Some tests run 64 threads against one datastore.
 * Expiry times count from a day after each test's start by the real clock,
 * so a backend that also reaps expired records by itself (a TTL index)
 * passes.
 */
#ifndef PROAUTH2_CONFORMANCE_H
#define PROAUTH2_CONFORMANCE_H

#include <check.h>

#include <proauth2/backend.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A backend to test, and how to give each test an empty datastore. */
typedef struct proauth2_conformance_target {
	const char *name;                       /* e.g. "sqlite-file" */
	const proauth2_datastore_ops *ops;
	/* A new URI naming an empty datastore, malloc'd; called once per
	 * test. NULL fails that test. */
	char *(*new_uri)(void *arg);
	/* Optional (may be NULL): delete what new_uri made, then free(uri).
	 * NULL means just free(uri). Called after the datastore is closed. */
	void (*free_uri)(char *uri, void *arg);
	void *arg;                              /* passed to both */
} proauth2_conformance_target;

/*
 * The conformance tests for target, as a Check suite named after it (new;
 * srunner_free() frees it with its runner). The target must outlive the run.
 *
 * Not reentrant: the tests find their target in a static variable, which
 * this call sets. Run one target's suite per SRunner and run them one after
 * another: create the suite, run it, then go on to the next target.
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
