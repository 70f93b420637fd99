/* What the grant-engine suites share: a provider on a fresh datastore with a
 * clock the test moves, and shortcuts for the common steps. */
#ifndef PROAUTH2_TESTS_SUPPORT_H
#define PROAUTH2_TESTS_SUPPORT_H

#include <check.h>

#include <proauth2/proauth2.h>
#ifdef PROAUTH2_TEST_MONGODB
#include <proauth2/mongodb.h>
#endif

/* RFC 7636 Appendix B. */
#define RFC7636_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC7636_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

#define REDIRECT_URI "https://client.example.com/cb"
#define USER "alice"

typedef struct test_env {
	char dir[64];            /* a private temporary directory */
	const proauth2_datastore_ops *ops;  /* the backend */
	char *uri;               /* the datastore's URI */
	proauth2_datastore *ds;
	proauth2_provider *provider;
	int64_t now;             /* the provider's clock */
} test_env;

extern test_env env;

/*
 * Checked fixture: opens the datastore named by PROAUTH2_TEST_BACKEND
 * ("sqlite" (default): a file in env.dir; "sqlite-memory"; "mongodb": a
 * fresh database on the tests' server, see test_mongodb.h) and a provider
 * with supported scopes "read write admin". Tests move env.now.
 */
void env_setup(void);
void env_teardown(void);

/* PROAUTH2_TEST_BACKEND, "sqlite" when unset. */
const char *env_backend(void);

/* A second datastore (*ds) and provider on env.uri, as another process
 * serving the same clients would open them. */
proauth2_provider *env_open_provider(proauth2_datastore **ds);
/* The same, with its config changed by tweak as env_reconfigure() does. */
proauth2_provider *env_open_provider_with(proauth2_datastore **ds,
		void (*tweak)(proauth2_config *cfg));

/* Reopen the provider with cfg changed by tweak (e.g. require_pkce). */
void env_reconfigure(void (*tweak)(proauth2_config *cfg));

/* Reopen the fixture's SQLite file ("sqlite" backend) through the VFS
 * that fails on demand (faulty_vfs.h), and the provider with tweak (may
 * be NULL) as env_reconfigure() does. */
void env_reopen_on_faulty_vfs(void (*tweak)(proauth2_config *cfg));

/* Register a client; type and grants as in proauth2_client_params. */
proauth2_client *register_client(proauth2_client_type type, unsigned grants,
		const char *scope);

/* Issue a code for client with the RFC 7636 challenge (if pkce) and scope. */
char *issue_code(const proauth2_client *client, const char *scope, int pkce);

/* Exchange a code with the RFC 7636 verifier (if pkce); asserts success. */
proauth2_token_response *exchange_code(const proauth2_client *client,
		const char *code, int pkce);

/* proauth2_token_refresh() on env.provider with a request of these fields. */
proauth2_status refresh_with(const char *client_id, const char *client_secret,
		const char *refresh_token, const char *scope,
		proauth2_token_response **out);

/* proauth2_token_client_credentials() on env.provider, likewise. */
proauth2_status client_credentials_with(const char *client_id,
		const char *client_secret, const char *scope,
		proauth2_token_response **out);

/* The status proauth2_token_validate() gives token. */
proauth2_status validate_status(const char *token);

/* Run suite, print Check's summary; returns the number of failures. */
int run_suite(Suite *suite);

#endif
