/* The datastore conformance suite against every backend this tree ships:
 * SQLite on a file, SQLite in memory, and the example in-memory backend. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <proauth2/conformance.h>
#include <proauth2/sqlite.h>

#include "memory_datastore.h"

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

int main(void)
{
	const proauth2_conformance_target targets[] = {
		{"sqlite-file", proauth2_sqlite_ops(), new_sqlite_file, free_sqlite_file, NULL},
		{"sqlite-memory", proauth2_sqlite_ops(), new_fixed, NULL, ":memory:"},
		{"example-memory", example_memory_datastore_ops(), new_fixed, NULL, "memory:"},
	};
	int failed = 0;
	size_t i;

	/* One target per runner: the suite keeps its target in a static. */
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		SRunner *runner = srunner_create(proauth2_conformance_suite(&targets[i]));

		srunner_run_all(runner, CK_NORMAL);
		failed += srunner_ntests_failed(runner);
		srunner_free(runner);
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
