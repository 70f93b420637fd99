/* Secrets never reach the disk: after a full flow on an SQLite file, none of
 * the client secret, code, access or refresh tokens is in any of its files. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* Whether needle occurs in any file of dir. */
static int found_in_dir(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	struct dirent *entry;
	int found = 0;

	ck_assert_ptr_nonnull(d);
	while (!found && (entry = readdir(d)) != NULL) {
		char path[512];
		FILE *f;
		char *data;
		long size;

		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		rewind(f);
		data = malloc((size_t)size + 1);
		ck_assert_ptr_nonnull(data);
		ck_assert_uint_eq(fread(data, 1, (size_t)size, f), (size_t)size);
		found = memmem(data, (size_t)size, needle, strlen(needle)) != NULL;
		free(data);
		fclose(f);
	}
	closedir(d);
	return found;
}

START_TEST(no_secret_in_database_files)
{
	proauth2_client *c = register_client(PROAUTH2_CLIENT_CONFIDENTIAL,
			PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN |
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read write");
	char *code = issue_code(c, "read", 1), *pending = issue_code(c, "write", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL, *cc = NULL;
	const char *secrets[7];
	char client_id[64];
	size_t i;

	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	ck_assert_int_eq(client_credentials_with(c->client_id, c->client_secret,
			NULL, &cc), PROAUTH2_OK);
	secrets[0] = c->client_secret;
	secrets[1] = code;
	secrets[2] = pending;
	secrets[3] = t->access_token;
	secrets[4] = t->refresh_token;
	secrets[5] = r->refresh_token;
	secrets[6] = cc->access_token;
	strcpy(client_id, c->client_id);

	/* Close first, so every page is on disk in the files we read. */
	proauth2_provider_free(env.provider);
	env.provider = NULL;
	proauth2_datastore_close(env.ds);
	env.ds = NULL;

	/* The scan reads real data: the (public) client_id is there. */
	ck_assert(found_in_dir(env.dir, client_id));
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		ck_assert_msg(!found_in_dir(env.dir, secrets[i]),
				"secret %zu is stored in clear", i);
	proauth2_token_response_free(cc);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_secret_free(pending);
	proauth2_client_free(c);
}
END_TEST

static Suite *at_rest_suite(void)
{
	Suite *s = suite_create("at_rest");
	TCase *tc = tcase_create("sqlite_file");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, no_secret_in_database_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* This suite is about files: always the file backend. */
	unsetenv("PROAUTH2_TEST_BACKEND");
	return run_suite(at_rest_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
