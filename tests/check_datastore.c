/* The datastore conformance suite against every backend this tree ships:
 * SQLite on a file, SQLite in memory, the example in-memory backend, and
 * MongoDB when it is built (see test_mongodb.h for its server). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <proauth2/conformance.h>
#include <proauth2/sqlite.h>

#include "memory_datastore.h"
#ifdef PROAUTH2_TEST_MONGODB
#include <proauth2/mongodb.h>

#include "test_mongodb.h"
#endif

/* A database file in a fresh temporary directory. */
static char *new_sqlite_file(void *arg)
{
	char dir[] = "/tmp/proauth2-conformance-XXXXXX";
	char *uri = NULL;

	(void)arg;
	if (mkdtemp(dir) == NULL || asprintf(&uri, "%s/store.db", dir) < 0)
		return NULL;
	return uri;
}

static void free_sqlite_file(char *uri, void *arg)
{
	char cmd[128];

	(void)arg;
	/* Remove the database, its WAL files and their directory. */
	*strrchr(uri, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", uri);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", uri);
	free(uri);
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

int main(void)
{
	const proauth2_conformance_target targets[] = {
		{"sqlite-file", proauth2_sqlite_ops(), new_sqlite_file, free_sqlite_file, NULL},
		{"sqlite-memory", proauth2_sqlite_ops(), new_fixed, NULL, ":memory:"},
		{"example-memory", example_memory_datastore_ops(), new_fixed, NULL, "memory:"},
#ifdef PROAUTH2_TEST_MONGODB
		{"mongodb", proauth2_mongodb_ops(), new_mongodb_database,
			drop_mongodb_database, NULL},
#endif
	};
	size_t i, n = sizeof(targets) / sizeof(targets[0]);
	int failed = 0, skipped = 0;

#ifdef PROAUTH2_TEST_MONGODB
	/* Without a server the other targets still run; the test is a SKIP. */
	const char *missing = getenv("MONGODB_URI") != NULL ? NULL
			: test_mongodb_emulator_missing();

	if (missing != NULL) {
		printf("SKIP: target mongodb: %s is not installed (apt-get install %s, "
				"or set MONGODB_URI)\n", missing, missing);
		n--;  /* mongodb is the last target */
		skipped = 1;
	} else if (!test_mongodb_start()) {
		return EXIT_FAILURE;
	}
#endif
	/* One target per runner: the suite keeps its target in a static. */
	for (i = 0; i < n; i++) {
		SRunner *runner = srunner_create(proauth2_conformance_suite(&targets[i]));

		srunner_run_all(runner, CK_NORMAL);
		failed += srunner_ntests_failed(runner);
		srunner_free(runner);
	}
	if (failed != 0)
		return EXIT_FAILURE;
	return skipped ? 77 : EXIT_SUCCESS;
}
