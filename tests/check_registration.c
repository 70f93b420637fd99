/* Registration rules: the redirect URI policy, the loopback port rule,
 * dynamic registration's limits, initial access token and anonymous count,
 * and who registered a client. */
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define CODE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)
#define INITIAL_TOKEN "initial-token-for-tests"

static proauth2_client_params params_for(const char *const *uris, size_t n)
{
	proauth2_client_params p;

	proauth2_client_params_init(&p);
	p.redirect_uris = uris;
	p.n_redirect_uris = n;
	p.scope = "read";
	return p;
}

/* Register one URI through the host's API; err receives the refusal. */
static proauth2_status register_uri(const char *uri, proauth2_error *err)
{
	const char *uris[] = {uri};
	proauth2_client_params p = params_for(uris, 1);
	proauth2_client *c = NULL;
	proauth2_status status = proauth2_client_register(env.provider, &p, &c, err);

	proauth2_client_free(c);
	return status;
}

/* The same through dynamic registration (anonymous). */
static proauth2_status register_dynamic(const proauth2_client_params *p,
		const char *initial_token, proauth2_client **out, proauth2_error *err)
{
	proauth2_client *c = NULL;
	char *token = NULL;
	proauth2_status status = proauth2_client_register_dynamic_with_token(
			env.provider, p, initial_token, &c, &token, err);

	ck_assert_int_eq(status == PROAUTH2_OK, token != NULL);
	proauth2_secret_free(token);
	if (out != NULL)
		*out = c;
	else
		proauth2_client_free(c);
	return status;
}

START_TEST(only_safe_redirect_uris_are_registered)
{
	static const char *const good[] = {
		"https://client.example.com/cb", "https://a.example:8443/cb?x=1",
		"http://127.0.0.1:8080/cb", "http://127.0.0.1/cb", "http://[::1]:9/cb",
		"http://localhost:3000/cb", "com.example.app:/oauth2redirect",
		"com.example.app://callback",
	};
	static const struct {
		const char *uri, *why;
	} bad[] = {
		{"javascript:alert(document.cookie)", "javascript:"},
		{"JavaScript://x/%0aalert(1)", "javascript:"},
		{"data:text/html,<script>alert(1)</script>", "data:"},
		{"data:text/html;base64,PHNjcmlwdD4=", "data:"},
		{"file:///etc/passwd", "file:"},
		{"vbscript:msgbox(1)", "vbscript:"},
		{"http://evil.example/cb", "plain http"},
		{"http://127.0.0.1.evil.example/cb", "plain http"},
		{"http://localhost.evil.example/cb", "plain http"},
		{"http://10.0.0.1/cb", "plain http"},
		{"https://client.example.com/cb#frag", "fragment"},
		{"https://good.example@evil.example/cb", "user information"},
		{"https:///cb", "host"},
		{"https:cb", "host"},
		{"myapp:/cb", "reverse-domain"},
		{"/cb", "absolute"},
	};
	proauth2_client_params p;
	proauth2_error err;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&err, 0, sizeof(err));
		ck_assert_msg(register_uri(good[i], &err) == PROAUTH2_OK, "%s: %s",
				good[i], err.text);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *uris[] = {bad[i].uri};

		memset(&err, 0, sizeof(err));
		ck_assert_msg(register_uri(bad[i].uri, &err) ==
				PROAUTH2_ERR_INVALID_REDIRECT_URI, "%s accepted", bad[i].uri);
		ck_assert_msg(strstr(err.text, bad[i].why) != NULL, "%s: %s",
				bad[i].uri, err.text);
		/* Dynamic registration follows the same rules. */
		p = params_for(uris, 1);
		ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL),
				PROAUTH2_ERR_INVALID_REDIRECT_URI);
	}
}
END_TEST

static void allow_http(proauth2_config *cfg)
{
	cfg->allow_http_redirect_uris = true;
}

START_TEST(plain_http_anywhere_only_by_opt_in)
{
	ck_assert_int_eq(register_uri("http://dev.example/cb", NULL),
			PROAUTH2_ERR_INVALID_REDIRECT_URI);
	env_reconfigure(allow_http);
	ck_assert_int_eq(register_uri("http://dev.example/cb", NULL), PROAUTH2_OK);
	/* Never these, whatever the configuration. */
	ck_assert_int_eq(register_uri("javascript:alert(1)", NULL),
			PROAUTH2_ERR_INVALID_REDIRECT_URI);
	ck_assert_int_eq(register_uri("http://dev.example/cb#x", NULL),
			PROAUTH2_ERR_INVALID_REDIRECT_URI);
}
END_TEST

static void small_limits(proauth2_config *cfg)
{
	cfg->registration_max_redirect_uris = 2;
	cfg->registration_max_uri_length = 40;
	cfg->registration_max_name_length = 8;
}

START_TEST(dynamic_registration_is_held_to_its_limits)
{
	static const char *const many[] = {
		"https://a.example/1", "https://a.example/2", "https://a.example/3",
		"https://a.example/4", "https://a.example/5", "https://a.example/6",
		"https://a.example/7", "https://a.example/8", "https://a.example/9",
		"https://a.example/10", "https://a.example/11",
	};
	char long_uri[2100], long_name[300];
	const char *one[] = {long_uri};
	proauth2_client_params p = params_for(many, 11);
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	/* Defaults: 10 redirect URIs of 2048 bytes, a 256-byte name. */
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, &err),
			PROAUTH2_ERR_INVALID_REDIRECT_URI);
	ck_assert_ptr_nonnull(strstr(err.text, "at most 10"));
	p.n_redirect_uris = 10;
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL), PROAUTH2_OK);
	memset(long_uri, 'a', sizeof(long_uri));
	memcpy(long_uri, "https://a.example/", 18);
	long_uri[2049] = '\0';
	p = params_for(one, 1);
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL),
			PROAUTH2_ERR_INVALID_REDIRECT_URI);
	long_uri[2048] = '\0';
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL), PROAUTH2_OK);
	memset(long_name, 'n', sizeof(long_name));
	long_name[257] = '\0';
	p.name = long_name;
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	long_name[256] = '\0';
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL), PROAUTH2_OK);

	/* Configured limits; the host's own clients are not held to them. */
	env_reconfigure(small_limits);
	p = params_for(many, 3);
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL),
			PROAUTH2_ERR_INVALID_REDIRECT_URI);
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &c, NULL), PROAUTH2_OK);
	proauth2_client_free(c);
	p.n_redirect_uris = 2;
	p.name = "too long a name";
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	p.name = "short";
	ck_assert_int_eq(register_dynamic(&p, NULL, &c, NULL), PROAUTH2_OK);
	/* An update (RFC 7592) stays within them. */
	p.n_redirect_uris = 3;
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, NULL,
			NULL), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	proauth2_client_free(c);
}
END_TEST

static void initial_token(proauth2_config *cfg)
{
	cfg->enable_registration = true;
	cfg->registration_initial_access_token = INITIAL_TOKEN;
}

START_TEST(initial_access_token_is_required_when_configured)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p = params_for(uris, 1);
	proauth2_client *c = NULL, *read = NULL;
	proauth2_error err = {0};

	/* None configured: anonymous, and a token nobody issued is wrong. */
	ck_assert_int_eq(register_dynamic(&p, NULL, &c, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_registered_by(c), PROAUTH2_REGISTERED_ANONYMOUSLY);
	ck_assert(!proauth2_client_is_trusted(c));
	proauth2_client_free(c);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);

	env_reconfigure(initial_token);
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, &err), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(register_dynamic(&p, "wrong", NULL, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN "x", NULL, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, &c, NULL), PROAUTH2_OK);
	ck_assert_int_eq(c->registered_by, PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN);
	ck_assert(proauth2_client_is_trusted(c));
	/* Stored: it is read back the same. */
	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &read, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_registered_by(read),
			PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN);
	proauth2_client_free(read);
	proauth2_client_free(c);
	/* The host's clients are trusted too. */
	c = register_client(PROAUTH2_CLIENT_CONFIDENTIAL, 0, "read");
	ck_assert_int_eq(proauth2_client_registered_by(c), PROAUTH2_REGISTERED_BY_HOST);
	ck_assert(proauth2_client_is_trusted(c));
	proauth2_client_free(c);
	ck_assert(!proauth2_client_is_trusted(NULL));
}
END_TEST

START_TEST(dynamic_registration_without_scope_gets_the_supported_scopes)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p = params_for(uris, 1);
	proauth2_client *c = NULL, *u = NULL;

	p.scope = NULL;
	ck_assert_int_eq(register_dynamic(&p, NULL, &c, NULL), PROAUTH2_OK);
	ck_assert_str_eq(c->scope, "read write admin");
	/* A client that asks for nothing gets nothing; the host's get "". */
	p.scope = "";
	ck_assert_int_eq(register_dynamic(&p, NULL, &u, NULL), PROAUTH2_OK);
	ck_assert_str_eq(u->scope, "");
	proauth2_client_free(u);
	p.scope = NULL;
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &u, NULL), PROAUTH2_OK);
	ck_assert_str_eq(u->scope, "");
	proauth2_client_free(u);
	/* An update without scope (RFC 7592 §2.2: back to the default). */
	p.scope = "read";
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, &u, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(u->scope, "read");
	proauth2_client_free(u);
	p.scope = NULL;
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, &u, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(u->scope, "read write admin");
	proauth2_client_free(u);
	proauth2_client_free(c);
}
END_TEST

static void no_scope_list(proauth2_config *cfg)
{
	cfg->supported_scopes = NULL;
}

START_TEST(without_a_scope_list_the_default_is_none)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p = params_for(uris, 1);
	proauth2_client *c = NULL;

	env_reconfigure(no_scope_list);
	p.scope = NULL;
	ck_assert_int_eq(register_dynamic(&p, NULL, &c, NULL), PROAUTH2_OK);
	ck_assert_str_eq(c->scope, "");
	proauth2_client_free(c);
}
END_TEST

START_TEST(only_the_host_makes_resource_servers)
{
	proauth2_client_params p;
	proauth2_error err = {0};

	env_reconfigure(initial_token);
	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	p.resource = "https://api.example.com/";
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_nonnull(strstr(err.text, "host"));
	p.resource = NULL;
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, NULL), PROAUTH2_OK);
}
END_TEST

static bool any_password(void *arg, const char *user, const char *password)
{
	(void)arg;
	(void)user;
	(void)password;
	return false;
}

static void token_and_password(proauth2_config *cfg)
{
	initial_token(cfg);
	cfg->enable_password_grant = true;
	cfg->check_password = any_password;
}

START_TEST(password_grant_is_registered_only_with_the_initial_token)
{
	proauth2_client_params p;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_PASSWORD | PROAUTH2_GRANT_REFRESH_TOKEN;
	p.scope = "read";
	/* Disabled: not for dynamic clients, with or without a token. */
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_nonnull(strstr(err.text, "does not enable"));
	env_reconfigure(initial_token);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* Enabled: with the initial access token only. */
	env_reconfigure(token_and_password);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, &c, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(c->grant_types, p.grant_types);
	proauth2_client_free(c);
	/* Never for a public client: the grant would authenticate no client. */
	p.type = PROAUTH2_CLIENT_PUBLIC;
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_nonnull(strstr(err.text, "confidential"));
	/* The host's clients, as before: whatever the provider enables. */
	c = register_client(PROAUTH2_CLIENT_CONFIDENTIAL, PROAUTH2_GRANT_PASSWORD, "read");
	proauth2_client_free(c);
}
END_TEST

static void anonymous_and_password(proauth2_config *cfg)
{
	cfg->enable_registration = true;
	cfg->enable_password_grant = true;
	cfg->check_password = any_password;
}

START_TEST(anonymous_clients_never_get_the_password_grant)
{
	proauth2_client_params p;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	env_reconfigure(anonymous_and_password);
	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_PASSWORD;
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_nonnull(strstr(err.text, "initial access token"));
	/* Nor by an update of one registered without it. */
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	ck_assert_int_eq(register_dynamic(&p, NULL, &c, NULL), PROAUTH2_OK);
	p.grant_types |= PROAUTH2_GRANT_PASSWORD;
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, NULL,
			NULL), PROAUTH2_ERR_INVALID_REQUEST);
	proauth2_client_free(c);
}
END_TEST

static int64_t clock_of(void *arg)
{
	return *(const int64_t *)arg;
}

static void five_per_minute(proauth2_config *cfg)
{
	cfg->registration_anonymous_max = 5;
	cfg->registration_anonymous_window = 60;
}

START_TEST(anonymous_registrations_are_counted_across_providers)
{
	const char *uris[] = {REDIRECT_URI}, *bad[] = {"javascript:x"};
	proauth2_client_params p = params_for(uris, 1), invalid = params_for(bad, 1);
	proauth2_config cfg;
	proauth2_datastore *ds2 = NULL;
	proauth2_provider *other = NULL, *mine;
	proauth2_client *c = NULL;
	proauth2_error err = {0};
	char *token = NULL;
	size_t removed = 0;
	int i;

	env_reconfigure(five_per_minute);
	/* A second provider on the same datastore, as another process (a
	 * second ":memory:" would be another database: share the handle). */
	if (strcmp(env_backend(), "sqlite-memory") != 0)
		ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &ds2, NULL),
				PROAUTH2_OK);
	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = ds2 != NULL ? ds2 : env.ds;
	cfg.clock = clock_of;
	cfg.clock_arg = &env.now;
	five_per_minute(&cfg);
	ck_assert_int_eq(proauth2_provider_new(&cfg, &other, NULL), PROAUTH2_OK);
	env.now = env.now - env.now % 60;  /* the start of a window */
	/* What is refused for its metadata does not count. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(register_dynamic(&invalid, NULL, NULL, NULL),
				PROAUTH2_ERR_INVALID_REDIRECT_URI);
	for (i = 0; i < 5; i++) {
		mine = i % 2 ? other : env.provider;
		ck_assert_msg(proauth2_client_register_dynamic(mine, &p, &c, &token, &err)
				== PROAUTH2_OK, "%d: %s", i, err.text);
		/* Filled only on failure: the slot probes leave nothing. */
		ck_assert_int_eq(err.status, PROAUTH2_OK);
		proauth2_client_free(c);
		proauth2_secret_free(token);
	}
	ck_assert_int_eq(proauth2_client_register_dynamic(other, &p, &c, &token, &err),
			PROAUTH2_ERR_TOO_MANY_REQUESTS);
	ck_assert_ptr_null(c);
	ck_assert_ptr_null(token);
	ck_assert_msg(strstr(err.text, "at most 5 anonymous registrations per 60 s")
			!= NULL, "%s", err.text);
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL),
			PROAUTH2_ERR_TOO_MANY_REQUESTS);
	/* The host's own registrations are not counted. */
	proauth2_client_free(register_client(PROAUTH2_CLIENT_PUBLIC, 0, "read"));
	/* The next window has its own count, and the old one's slots expire. */
	env.now += 60;
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_provider_purge_expired(env.provider, &removed, NULL),
			PROAUTH2_OK);
	if (strcmp(env_backend(), "mongodb") != 0)  /* its TTL index reaps instead */
		ck_assert_uint_ge(removed, 5);
	proauth2_provider_free(other);
	proauth2_datastore_close(ds2);
}
END_TEST

static void no_anonymous(proauth2_config *cfg)
{
	cfg->registration_anonymous_max = 0;
}

START_TEST(anonymous_registration_can_be_refused_outright)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p = params_for(uris, 1);
	proauth2_error err = {0};

	env_reconfigure(no_anonymous);
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, &err),
			PROAUTH2_ERR_TOO_MANY_REQUESTS);
	ck_assert_ptr_nonnull(strstr(err.text, "initial access token"));
}
END_TEST

START_TEST(loopback_redirect_uri_port_may_vary)
{
	static const char *const uris[] = {
		"http://127.0.0.1:8000/cb", "http://[::1]/cb",
		"http://localhost:8000/cb", "https://a.example:8443/cb",
	};
	proauth2_client_params p = params_for(uris, 4);
	proauth2_client *c = NULL;
	proauth2_code_request req;
	proauth2_code_exchange ex;
	proauth2_token_response *tokens = NULL;
	proauth2_error err = {0};
	char *code = NULL;

	p.type = PROAUTH2_CLIENT_PUBLIC;
	p.grant_types = CODE_GRANTS;
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &c, NULL), PROAUTH2_OK);
#define TARGET(uri) proauth2_client_redirect_target(c, (uri))
	ck_assert_str_eq(TARGET("http://127.0.0.1:51234/cb"), "http://127.0.0.1:51234/cb");
	ck_assert_str_eq(TARGET("http://127.0.0.1/cb"), "http://127.0.0.1/cb");
	ck_assert_str_eq(TARGET("http://[::1]:4000/cb"), "http://[::1]:4000/cb");
	/* Only the port: not the path, the query, the host or the scheme. */
	ck_assert_ptr_null(TARGET("http://127.0.0.1:51234/cb2"));
	ck_assert_ptr_null(TARGET("http://127.0.0.1:51234/cb?x=1"));
	ck_assert_ptr_null(TARGET("http://127.0.0.2:8000/cb"));
	ck_assert_ptr_null(TARGET("http://127.0.0.1:80x/cb"));
	ck_assert_ptr_null(TARGET("https://127.0.0.1:8000/cb"));
	/* RFC 8252 §7.3 is for IP literals; localhost and https match exactly. */
	ck_assert_ptr_null(TARGET("http://localhost:9000/cb"));
	ck_assert_ptr_null(TARGET("https://a.example:9/cb"));
#undef TARGET

	/* Through the engine: the code is bound to the port asked for. */
	proauth2_code_request_init(&req);
	req.client_id = c->client_id;
	req.user_id = USER;
	req.redirect_uri = "http://127.0.0.1:40000/cb";
	req.scope = "read";
	req.code_challenge = RFC7636_CHALLENGE;
	ck_assert_msg(proauth2_code_issue(env.provider, &req, &code, &err) == PROAUTH2_OK,
			"%s", err.text);
	proauth2_code_exchange_init(&ex);
	ex.client_id = c->client_id;
	ex.code = code;
	ex.code_verifier = RFC7636_VERIFIER;
	/* RFC 6749 §4.1.3: identical to the authorization request's. */
	ex.redirect_uri = "http://127.0.0.1:40001/cb";
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &ex, &tokens, NULL),
			PROAUTH2_ERR_INVALID_GRANT);
	free(code);
	code = NULL;
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL), PROAUTH2_OK);
	ex.code = code;
	ex.redirect_uri = req.redirect_uri;
	ck_assert_msg(proauth2_token_exchange_code(env.provider, &ex, &tokens, &err) ==
			PROAUTH2_OK, "%s", err.text);
	proauth2_token_response_free(tokens);
	free(code);
	req.redirect_uri = "http://127.0.0.1:40000/other";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	proauth2_client_free(c);
}
END_TEST

static void ids_with_token(proauth2_config *cfg)
{
	initial_token(cfg);
	cfg->registration_client_ids = PROAUTH2_REGISTRATION_CLIENT_IDS_WITH_INITIAL_TOKEN;
}

static void ids_for_anyone(proauth2_config *cfg)
{
	cfg->enable_registration = true;
	cfg->registration_client_ids = PROAUTH2_REGISTRATION_CLIENT_IDS_ANYONE;
}

static void ids_unknown_policy(proauth2_config *cfg)
{
	cfg->registration_client_ids = (proauth2_registration_client_ids)9;
}

START_TEST(dynamic_registration_chooses_its_id_only_where_allowed)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p = params_for(uris, 1);
	proauth2_client *c = NULL;
	proauth2_error err = {0};
	proauth2_config cfg;
	proauth2_provider *bad = NULL;

	p.client_id = "exampleservice.domainconnect.org";
	/* Default: nobody, anonymous or not. */
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, &err), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_str_eq(err.text, "this provider assigns client_id itself");
	env_reconfigure(initial_token);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* With the initial token only; a bad id is still refused. */
	env_reconfigure(ids_with_token);
	ck_assert_int_eq(register_dynamic(&p, NULL, NULL, NULL), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, &c, NULL), PROAUTH2_OK);
	ck_assert_str_eq(c->client_id, "exampleservice.domainconnect.org");
	proauth2_client_free(c);
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, &err),
			PROAUTH2_ERR_CONFLICT);
	p.client_id = "a:b";
	ck_assert_int_eq(register_dynamic(&p, INITIAL_TOKEN, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* Anyone: anonymous registrations take an id too, first come. */
	env_reconfigure(ids_for_anyone);
	p.client_id = "squatter.example";
	ck_assert_int_eq(register_dynamic(&p, NULL, &c, NULL), PROAUTH2_OK);
	ck_assert_str_eq(c->client_id, "squatter.example");
	ck_assert_int_eq(c->registered_by, PROAUTH2_REGISTERED_ANONYMOUSLY);
	proauth2_client_free(c);
	/* An update cannot rename a client. */
	p.client_id = "renamed.example";
	ck_assert_int_eq(proauth2_client_update(env.provider, "squatter.example", &p,
			&c, NULL), PROAUTH2_OK);
	ck_assert_str_eq(c->client_id, "squatter.example");
	proauth2_client_free(c);
	ck_assert_int_eq(proauth2_client_get(env.provider, "renamed.example", &c, NULL),
			PROAUTH2_ERR_NOT_FOUND);
	/* An unknown policy is a configuration error. */
	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = env.ds;
	ids_unknown_policy(&cfg);
	ck_assert_int_eq(proauth2_provider_new(&cfg, &bad, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(err.text, "config.registration_client_ids is not a known policy");
	ck_assert_ptr_null(bad);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registration");
	TCase *tc = tcase_create("registration");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, only_safe_redirect_uris_are_registered);
	tcase_add_test(tc, plain_http_anywhere_only_by_opt_in);
	tcase_add_test(tc, dynamic_registration_is_held_to_its_limits);
	tcase_add_test(tc, initial_access_token_is_required_when_configured);
	tcase_add_test(tc, anonymous_registrations_are_counted_across_providers);
	tcase_add_test(tc, anonymous_registration_can_be_refused_outright);
	tcase_add_test(tc, loopback_redirect_uri_port_may_vary);
	tcase_add_test(tc, dynamic_registration_without_scope_gets_the_supported_scopes);
	tcase_add_test(tc, without_a_scope_list_the_default_is_none);
	tcase_add_test(tc, only_the_host_makes_resource_servers);
	tcase_add_test(tc, password_grant_is_registered_only_with_the_initial_token);
	tcase_add_test(tc, anonymous_clients_never_get_the_password_grant);
	tcase_add_test(tc, dynamic_registration_chooses_its_id_only_where_allowed);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
