/*
 * A program that uses SQLite only, linked with libproauth2 alone:
 * check_linkage.sh reads its ldd. It runs, so the libraries ldd lists are
 * those it really loads.
 */
#include <stdio.h>

#include <proauth2/proauth2.h>

int main(void)
{
	proauth2_datastore *ds;
	proauth2_error err;

	if (proauth2_datastore_open(proauth2_sqlite_ops(), ":memory:", &ds,
			&err) != PROAUTH2_OK) {
		fprintf(stderr, "sqlite_only: %s\n", err.text);
		return 1;
	}
	printf("sqlite_only: opened a %s datastore\n", proauth2_datastore_name(ds));
	proauth2_datastore_close(ds);
	return 0;
}
