/* Shared fixture and shortcuts of the grant-engine suites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "faulty_vfs.h"
#include "support.h"
#ifdef PROAUTH2_TEST_MONGODB
#include "test_mongodb.h"
#endif

test_env env;

static int64_t test_clock(void *arg)
{
	return *(int64_t *)arg;
}

static proauth2_provider *new_provider(proauth2_datastore *ds,
		void (*tweak)(proauth2_config *cfg))
{
	proauth2_provider *provider = NULL;
	proauth2_config cfg;
	proauth2_error err = {0};

	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = ds;
	cfg.supported_scopes = "read write admin";
	cfg.clock = test_clock;
	cfg.clock_arg = &env.now;
	if (tweak != NULL)
		tweak(&cfg);
	ck_assert_msg(proauth2_provider_new(&cfg, &provider, &err) == PROAUTH2_OK,
			"provider: %s", err.text);
	return provider;
}

static void open_provider(void (*tweak)(proauth2_config *cfg))
{
	env.provider = new_provider(env.ds, tweak);
}

const char *env_backend(void)
{
	const char *backend = getenv("PROAUTH2_TEST_BACKEND");

	return backend != NULL ? backend : "sqlite";
}

proauth2_provider *env_open_provider(proauth2_datastore **ds)
{
	return env_open_provider_with(ds, NULL);
}

proauth2_provider *env_open_provider_with(proauth2_datastore **ds,
		void (*tweak)(proauth2_config *cfg))
{
	proauth2_error err = {0};

	ck_assert_msg(proauth2_datastore_open(env.ops, env.uri, ds, &err) ==
			PROAUTH2_OK, "datastore: %s", err.text);
	return new_provider(*ds, tweak);
}

void env_setup(void)
{
	const char *backend = env_backend();
	proauth2_error err = {0};

	memset(&env, 0, sizeof(env));
	/* A MongoDB TTL index reaps by the real clock: start a day ahead of
	 * it, so no record expires by itself while a test runs. */
	env.now = (int64_t)time(NULL) + 86400;
	strcpy(env.dir, "/tmp/proauth2-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(env.dir));
	env.ops = proauth2_sqlite_ops();
	if (strcmp(backend, "sqlite-memory") == 0) {
		env.uri = strdup(":memory:");
#ifdef PROAUTH2_TEST_MONGODB
	} else if (strcmp(backend, "mongodb") == 0) {
		env.ops = proauth2_mongodb_ops();
		env.uri = test_mongodb_new_database();
#endif
	} else if (asprintf(&env.uri, "%s/proauth2.db", env.dir) < 0) {
		env.uri = NULL;
	}
	ck_assert_ptr_nonnull(env.uri);
	ck_assert_msg(proauth2_datastore_open(env.ops, env.uri, &env.ds, &err) ==
			PROAUTH2_OK, "datastore: %s", err.text);
	open_provider(NULL);
}

void env_reconfigure(void (*tweak)(proauth2_config *cfg))
{
	proauth2_provider_free(env.provider);
	open_provider(tweak);
}

void env_reopen_on_faulty_vfs(void (*tweak)(proauth2_config *cfg))
{
	proauth2_error err = {0};

	ck_assert_int_eq(faulty_vfs_register(), SQLITE_OK);
	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	free(env.uri);
	ck_assert_int_ge(asprintf(&env.uri, "file:%s/proauth2.db?vfs=%s", env.dir,
			FAULTY_VFS_NAME), 0);
	ck_assert_msg(proauth2_datastore_open(env.ops, env.uri, &env.ds, &err) ==
			PROAUTH2_OK, "datastore: %s", err.text);
	open_provider(tweak);
}

void env_teardown(void)
{
	char cmd[128];

	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
#ifdef PROAUTH2_TEST_MONGODB
	if (env.ops == proauth2_mongodb_ops())
		test_mongodb_drop_database(env.uri);
#endif
	free(env.uri);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", env.dir);
	ck_assert_int_eq(system(cmd), 0);
}

proauth2_client *register_client(proauth2_client_type type, unsigned grants,
		const char *scope)
{
	static const char *const uris[] = {REDIRECT_URI, "https://client.example.com/other"};
	proauth2_client_params params = {
		.struct_size = sizeof(proauth2_client_params),
		.type = type,
		.redirect_uris = uris,
		.n_redirect_uris = 2,
		.grant_types = grants,
		.scope = scope,
		.name = "Test client",
	};
	proauth2_client *client = NULL;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_client_register(env.provider, &params, &client, &err)
			== PROAUTH2_OK, "register: %s", err.text);
	return client;
}

char *issue_code(const proauth2_client *client, const char *scope, int pkce)
{
	proauth2_code_request req = {
		.struct_size = sizeof(proauth2_code_request),
		.client_id = client->client_id,
		.user_id = USER,
		.redirect_uri = REDIRECT_URI,
		.scope = scope,
		.code_challenge = pkce ? RFC7636_CHALLENGE : NULL,
	};
	proauth2_error err = {0};
	char *code = NULL;

	ck_assert_msg(proauth2_code_issue(env.provider, &req, &code, &err)
			== PROAUTH2_OK, "code: %s", err.text);
	return code;
}

proauth2_token_response *exchange_code(const proauth2_client *client,
		const char *code, int pkce)
{
	proauth2_code_exchange req = {
		.struct_size = sizeof(proauth2_code_exchange),
		.client_id = client->client_id,
		.client_secret = client->client_secret,
		.code = code,
		.redirect_uri = REDIRECT_URI,
		.code_verifier = pkce ? RFC7636_VERIFIER : NULL,
	};
	proauth2_token_response *tokens = NULL;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_token_exchange_code(env.provider, &req, &tokens, &err)
			== PROAUTH2_OK, "exchange: %s", err.text);
	return tokens;
}

proauth2_status refresh_with(const char *client_id, const char *client_secret,
		const char *refresh_token, const char *scope,
		proauth2_token_response **out)
{
	proauth2_refresh_request req;

	proauth2_refresh_request_init(&req);
	req.client_id = client_id;
	req.client_secret = client_secret;
	req.refresh_token = refresh_token;
	req.scope = scope;
	return proauth2_token_refresh(env.provider, &req, out, NULL);
}

proauth2_status client_credentials_with(const char *client_id,
		const char *client_secret, const char *scope,
		proauth2_token_response **out)
{
	proauth2_client_credentials_request req;

	proauth2_client_credentials_request_init(&req);
	req.client_id = client_id;
	req.client_secret = client_secret;
	req.scope = scope;
	return proauth2_token_client_credentials(env.provider, &req, out, NULL);
}

proauth2_status validate_status(const char *token)
{
	return proauth2_token_validate(env.provider, token, NULL, NULL);
}

int run_suite(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	int failed;

#ifdef PROAUTH2_TEST_MONGODB
	/* One server for the whole run, started before Check forks. */
	if (strcmp(env_backend(), "mongodb") == 0 && !test_mongodb_start())
		return 1;
#endif
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed;
}
