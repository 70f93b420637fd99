/*
 * Startup and shutdown: datastore, provider, demo clients, PKCE pair; then
 * the banner and the credentials file that say how to reach them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#ifdef PROAUTH2_DEMO_MONGODB
#include <proauth2/mongodb.h>
#endif

#include "buf.h"
#include "backchannel.h"
#include "flow.h"
#include "kek.h"
#include "mcp.h"
#include "zone.h"
#include "setup.h"


const char *app_user(const struct demo_app *app, const char *user)
{
	if (user == NULL)
		return NULL;
	if (strcmp(user, app->opt->user) == 0)
		return app->opt->user;
	if (strcmp(user, app->opt->second_user) == 0)
		return app->opt->second_user;
	return NULL;
}

bool app_credentials_ok(const struct demo_app *app, const char *user,
		const char *password)
{
	/* Every one compared before any is looked at, so the time says
	 * nothing about which was wrong, nor whose. */
	bool user1 = proauth2_secret_equal(user, app->opt->user);
	bool password1 = proauth2_secret_equal(password, app->opt->password);
	bool user2 = proauth2_secret_equal(user, app->opt->second_user);
	bool password2 = proauth2_secret_equal(password, app->opt->second_password);

	return (user1 & password1) | (user2 & password2);
}

static bool check_password(void *arg, const char *user, const char *password)
{
	return app_credentials_ok(arg, user, password);
}

static int failed(const char *step, const proauth2_error *err)
{
	fprintf(stderr, "provider_demo: %s: %s (%s)\n", step, err->text,
			proauth2_status_str(err->status));
	return -1;
}

static int nomem(void)
{
	fputs("provider_demo: out of memory\n", stderr);
	return -1;
}

/* The URLs that depend on where we listen and what the issuer is. */
static int make_urls(struct demo_app *app, unsigned port)
{
	const char *bind = app->opt->bind;
	buf b = BUF_INIT;
	size_t len;

	buf_printf(&b, strchr(bind, ':') != NULL ? "http://[%s]:%u" : "http://%s:%u",
			bind, port);
	app->listen_url = buf_finish(&b);
	app->issuer = strdup(app->opt->issuer != NULL ? app->opt->issuer :
			app->listen_url != NULL ? app->listen_url : "");
	if (app->listen_url == NULL || app->issuer == NULL)
		return nomem();
	len = strlen(app->issuer);
	while (len > 0 && app->issuer[len - 1] == '/')
		len--;
	app->base = strndup(app->issuer, len);
	buf_printf(&b, "%s/callback", app->base != NULL ? app->base : "");
	app->redirect_uri = buf_finish(&b);
	buf_printf(&b, "%s/mcp", app->base != NULL ? app->base : "");
	app->mcp_resource = buf_finish(&b);
	return app->base != NULL && app->redirect_uri != NULL &&
		app->mcp_resource != NULL ? 0 : nomem();
}

/* The path of an absolute URL, "" when it has none. */
static const char *path_of(const char *url)
{
	const char *s = strstr(url, "://");

	s = s != NULL ? s + 3 : url;
	return s + strcspn(s, "/");
}

/* The demo's own routes (setup.h), once the provider is made. */
static int make_paths(struct demo_app *app)
{
	const char *prefix = path_of(app->base);
	const char *authorize = proauth2_provider_endpoint_path(app->provider,
			PROAUTH2_ENDPOINT_AUTHORIZATION);
	int folder = (int)(strrchr(authorize, '/') + 1 - authorize);
	buf b = BUF_INIT;

	buf_printf(&b, "%s/", prefix);
	app->index_path = buf_finish(&b);
	buf_printf(&b, "%s/", app->base);
	app->index_url = buf_finish(&b);
	app->logout_path = strdup(proauth2_provider_endpoint_path(app->provider,
			PROAUTH2_ENDPOINT_END_SESSION));
	buf_printf(&b, "%s/callback", prefix);
	app->callback_path = buf_finish(&b);
	buf_printf(&b, "%s/api/me", prefix);
	app->api_path = buf_finish(&b);
	buf_printf(&b, "%s/mcp", prefix);
	app->mcp_path = buf_finish(&b);
	app->authorize_path = strdup(authorize);
	buf_printf(&b, "%.*slogin", folder, authorize);
	app->login_path = buf_finish(&b);
	buf_printf(&b, "%.*sconsent", folder, authorize);
	app->consent_path = buf_finish(&b);
	return app->index_path != NULL && app->callback_path != NULL &&
		app->index_url != NULL && app->logout_path != NULL &&
		app->api_path != NULL && app->mcp_path != NULL &&
		app->authorize_path != NULL &&
		app->login_path != NULL && app->consent_path != NULL ? 0 : nomem();
}

static int make_authorize_url(struct demo_app *app)
{
	buf b = BUF_INIT;

	if (proauth2_secret_new(&app->verifier, NULL) != PROAUTH2_OK ||
			proauth2_secret_new(&app->state, NULL) != PROAUTH2_OK ||
			proauth2_pkce_challenge(app->verifier, &app->challenge,
				NULL) != PROAUTH2_OK) {
		fputs("provider_demo: the random number generator failed\n", stderr);
		return -1;
	}
	app->state[16] = '\0';  /* a state needs no 256 bits */
	if (app->public_client == NULL)
		return 0;
	buf_printf(&b, "%s?response_type=code&client_id=", proauth2_provider_endpoint(
			app->provider, PROAUTH2_ENDPOINT_AUTHORIZATION));
	buf_urlencode(&b, app->public_client->client_id);
	buf_puts(&b, "&redirect_uri=");
	buf_urlencode(&b, app->redirect_uri);
	buf_puts(&b, "&scope=");
	buf_urlencode(&b, app->opt->scopes);
	buf_printf(&b, "&state=%s&code_challenge=%s&code_challenge_method=S256",
			app->state, app->challenge);
	if (app->opt->openid)  /* any value the client checks in the id_token */
		buf_printf(&b, "&nonce=%.16s", app->challenge);
	app->authorize_url = buf_finish(&b);
	return app->authorize_url != NULL ? 0 : nomem();
}

/* The demo user's claims for UserInfo: a name and an address at
 * example.com; the library keeps those the granted scopes reach and those
 * the user agreed to on the consent page. */
static int user_claims(void *arg, const char *user_id, const char *client_id,
		const char *scope, char **claims)
{
	const struct demo_app *app = arg;
	json_t *doc;

	(void)client_id;
	(void)scope;
	if (app_user(app, user_id) == NULL)
		return 1;  /* a user of another run's database */
	doc = json_pack("{s:s, s:s, s:s+, s:b}",
			"name", user_id,
			"preferred_username", user_id,
			"email", user_id, "@example.com",
			"email_verified", 1);
	*claims = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return *claims != NULL ? 0 : 1;
}

/* What the library reports (a 5xx, a replayed code, a failed client
 * authentication, a datastore failure), one line each on stderr. */
static void log_event(void *arg, const proauth2_event *e)
{
	FILE *out = arg;

	flockfile(out);
	fprintf(out, "provider_demo: %s %s: %s",
			e->level == PROAUTH2_LEVEL_ERROR ? "error" : "warning",
			proauth2_event_kind_str(e->kind), e->message);
	/* The library made a presented id printable; a quote or backslash
	 * in it must not end the field either. */
	if (e->client_id != NULL) {
		fputs(" client_id=\"", out);
		for (const char *c = e->client_id; *c != '\0'; c++)
			fputc(*c == '"' || *c == '\\' ? '?' : *c, out);
		fputc('"', out);
	}
	if (e->grant_id != NULL)
		fprintf(out, " grant_id=%s", e->grant_id);
	if (e->auth_method != NULL)
		fprintf(out, " auth_method=%s", e->auth_method);
	if (e->http_status != 0)
		fprintf(out, " http_status=%d", e->http_status);
	fputc('\n', out);
	funlockfile(out);
}

/* The API the demo serves (/api/me) as a resource server: it introspects
 * the tokens it receives, whichever client they were issued to. */
static int register_api(struct demo_app *app)
{
	proauth2_client_params params;
	proauth2_error err = {0};
	buf b = BUF_INIT;
	char *resource;
	int rc = 0;

	buf_printf(&b, "%s/api", app->base);
	resource = buf_finish(&b);
	if (resource == NULL)
		return nomem();
	proauth2_client_params_init(&params);
	params.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	params.scope = app->opt->scopes;
	params.name = "demo API";
	params.resource = resource;
	if (proauth2_client_register(app->provider, &params, &app->api, &err) !=
			PROAUTH2_OK)
		rc = failed("registering the demo API", &err);
	free(resource);
	return rc;
}

static int register_clients(struct demo_app *app)
{
	const char *uris[] = {app->redirect_uri};
	/* RP-Initiated Logout's way back: the start page. */
	const char *after_logout[] = {app->index_url};
	unsigned grants = app->opt->grants;
	proauth2_client_params params = {
		.struct_size = sizeof(proauth2_client_params),
		.type = PROAUTH2_CLIENT_CONFIDENTIAL,
		.redirect_uris = uris,
		.n_redirect_uris = 1,
		.grant_types = grants,
		.scope = app->opt->scopes,
		.name = "Demo confidential client",
		.post_logout_redirect_uris = after_logout,
		.n_post_logout_redirect_uris = app->opt->openid ? 1 : 0,
	};
	proauth2_error err = {0};

	if (proauth2_client_register(app->provider, &params, &app->confidential,
			&err) != PROAUTH2_OK)
		return failed("registering the confidential client", &err);
	if (register_api(app) != 0)
		return -1;
	/* The public client lives by the code flow: without it, none. */
	if (!(grants & PROAUTH2_GRANT_AUTHORIZATION_CODE))
		return 0;
	params.type = PROAUTH2_CLIENT_PUBLIC;
	params.grant_types = grants & (PROAUTH2_GRANT_AUTHORIZATION_CODE |
			PROAUTH2_GRANT_REFRESH_TOKEN);
	params.name = "Demo public client";
	if (proauth2_client_register(app->provider, &params, &app->public_client,
			&err) != PROAUTH2_OK)
		return failed("registering the public client", &err);
	return 0;
}

/* Keep a --client registered: registered the first time, updated in place
 * on a database that has it from an earlier start (its secret kept). */
static int keep_client(struct demo_app *app, const struct demo_client *dc,
		proauth2_client **out)
{
	proauth2_client_params params;
	proauth2_client *old = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	char what[200];

	proauth2_client_params_init(&params);
	params.client_id = dc->id;
	params.type = dc->type;
	params.grant_types = dc->grants;
	params.redirect_uris = (const char *const *)dc->redirects;
	params.n_redirect_uris = dc->n_redirects;
	params.scope = dc->scope != NULL ? dc->scope : app->opt->scopes;
	params.name = dc->name != NULL ? dc->name : dc->id;
	params.pkce_optional = dc->pkce_optional;
	snprintf(what, sizeof(what), "registering client %.150s", dc->id);
	status = proauth2_client_register(app->provider, &params, out, &err);
	if (status != PROAUTH2_ERR_CONFLICT)
		return status == PROAUTH2_OK ? 0 : failed(what, &err);
	status = proauth2_client_get(app->provider, dc->id, &old, &err);
	/* Only a client the demo (the host) registered is its to update. */
	if (status == PROAUTH2_OK &&
			proauth2_client_registered_by(old) != PROAUTH2_REGISTERED_BY_HOST) {
		fprintf(stderr, "provider_demo: %s: the id is taken by a client "
				"that registered itself\n", what);
		proauth2_client_free(old);
		return -1;
	}
	if (status == PROAUTH2_OK && old->type != dc->type) {
		fprintf(stderr, "provider_demo: %s: it is %s on this database; a "
				"client's type cannot change\n", what,
				old->type == PROAUTH2_CLIENT_PUBLIC ? "public" : "confidential");
		proauth2_client_free(old);
		return -1;
	}
	proauth2_client_free(old);
	if (status == PROAUTH2_OK)
		status = proauth2_client_update(app->provider, dc->id, &params, out, &err);
	return status == PROAUTH2_OK ? 0 : failed(what, &err);
}

static int keep_clients(struct demo_app *app)
{
	size_t i;

	if (app->opt->n_clients == 0)
		return 0;
	app->kept = calloc(app->opt->n_clients, sizeof(*app->kept));
	if (app->kept == NULL)
		return nomem();
	for (i = 0; i < app->opt->n_clients; i++)
		if (keep_client(app, &app->opt->clients[i], &app->kept[i]) != 0)
			return -1;
	return 0;
}

/* The database option as it may be printed: a URI's credentials masked. */
static void db_display(const char *db, char *out, size_t size)
{
	const char *scheme_end = strstr(db, "://"), *hosts, *authority_end, *at, *query;

	if (scheme_end == NULL) {
		snprintf(out, size, "%s", db);
		return;
	}
	/* scheme://[user:password@]hosts[/db][?options]: the password, and
	 * options that may carry secrets (TLS key passwords), are not shown. */
	hosts = scheme_end + 3;
	authority_end = hosts + strcspn(hosts, "/?");
	at = memrchr(hosts, '@', (size_t)(authority_end - hosts));
	query = strchr(authority_end, '?');
	snprintf(out, size, "%.*s%s%.*s%s", (int)(hosts - db), db, at != NULL ? "***@" : "",
			(int)((query != NULL ? query : authority_end + strlen(authority_end)) -
				(at != NULL ? at + 1 : hosts)), at != NULL ? at + 1 : hosts,
			query != NULL ? "?..." : "");
}

/* A MongoDB URI selects that backend; anything else is an SQLite file. */
static const proauth2_datastore_ops *backend_for(const char *db)
{
	if (strncmp(db, "mongodb://", 10) != 0 && strncmp(db, "mongodb+srv://", 14) != 0)
		return proauth2_sqlite_ops();
#ifdef PROAUTH2_DEMO_MONGODB
	return proauth2_mongodb_ops();
#else
	fputs("provider_demo: built without MongoDB support (libmongoc)\n", stderr);
	return NULL;
#endif
}

int app_start(struct demo_app *app, const struct demo_options *opt, unsigned port)
{
	const proauth2_datastore_ops *ops;
	char shown[512];
	proauth2_config cfg;
	proauth2_error err = {0};

	memset(app, 0, sizeof(*app));
	app->opt = opt;
	app->port = port;
	if (make_urls(app, port) != 0)
		return -1;
	app->sessions = sessions_new();
	if (app->sessions == NULL)
		return nomem();
	if (opt->domain_connect != NULL && (app->zone = zone_new()) == NULL)
		return nomem();
	ops = backend_for(opt->db);
	if (ops == NULL)
		return -1;
	if (proauth2_datastore_open(ops, opt->db, &app->ds, &err) != PROAUTH2_OK) {
		db_display(opt->db, shown, sizeof(shown));
		return failed(shown, &err);
	}
	proauth2_config_init(&cfg);
	cfg.issuer = app->issuer;
	cfg.endpoint_base = opt->endpoint_base;
	cfg.datastore = app->ds;
	cfg.supported_scopes = opt->scopes;
	/* The library's registration defaults: 16 KiB of metadata, 10
	 * redirect URIs, 100 anonymous registrations an hour shared by every
	 * process on the database; or only with the initial access token. */
	cfg.enable_registration = true;
	cfg.registration_initial_access_token = opt->registration_token;
	cfg.enable_password_grant = (opt->grants & PROAUTH2_GRANT_PASSWORD) != 0;
	cfg.check_password = check_password;
	cfg.password_arg = app;
	cfg.log = log_event;
	cfg.log_arg = stderr;
	if (opt->code_lifetime >= 0)
		cfg.code_lifetime = opt->code_lifetime;
	if (opt->access_token_lifetime >= 0)
		cfg.access_token_lifetime = opt->access_token_lifetime;
	if (opt->refresh_token_lifetime >= 0)
		cfg.refresh_token_lifetime = opt->refresh_token_lifetime;
	if (opt->key_file != NULL || opt->openid_key_file != NULL) {
		if (kek_load(opt->key_file != NULL ? opt->key_file :
				opt->openid_key_file, app->kek) != 0)
			return -1;
		cfg.key_encryption_key = app->kek;
		/* Pairwise subjects under a key of their own, made from the
		 * key file's: as stable as it. */
		if (EVP_Digest(app->kek, sizeof(app->kek), app->pairwise_key, NULL,
				EVP_sha256(), NULL) != 1)
			return -1;
		cfg.pairwise_subject_key = app->pairwise_key;
		/* for /mcp, the one resource, when asked for by --key-file */
		cfg.jwt_access_tokens = opt->key_file != NULL;
	}
	cfg.openid = opt->openid;
	cfg.user_claims = user_claims;
	cfg.user_claims_arg = app;
	cfg.refresh_reuse_grace = opt->refresh_grace;
	cfg.client_cache_lifetime = opt->client_cache_lifetime;
	if (outbound_init() != 0) {
		fprintf(stderr, "provider_demo: libcurl would not start\n");
		return -1;
	}
	if (opt->openid && opt->backchannel_logout != DOCUMENTS_OFF) {
		app->backchannel.allow_loopback =
			opt->backchannel_logout == DOCUMENTS_LOOPBACK;
		app->backchannel.ca_file = opt->document_ca_file;
		cfg.backchannel_logout = backchannel_post;
		cfg.backchannel_logout_arg = &app->backchannel;
	}
	if (opt->client_documents != DOCUMENTS_OFF) {
		app->documents.allow_loopback = opt->client_documents == DOCUMENTS_LOOPBACK;
		app->documents.ca_file = opt->document_ca_file;
		cfg.client_document_fetch = document_fetch;
		cfg.client_document_fetch_arg = &app->documents;
	}
	if (proauth2_provider_new(&cfg, &app->provider, &err) != PROAUTH2_OK)
		return failed("creating the provider", &err);
	if (make_paths(app) != 0 || mcp_register(app) != 0 ||
			register_clients(app) != 0 || keep_clients(app) != 0)
		return -1;
	return make_authorize_url(app);
}

void app_stop(struct demo_app *app)
{
	proauth2_client_free(app->confidential);
	proauth2_client_free(app->public_client);
	proauth2_client_free(app->api);
	for (size_t i = 0; app->kept != NULL && i < app->opt->n_clients; i++)
		proauth2_client_free(app->kept[i]);
	free(app->kept);
	zone_free(app->zone);
	proauth2_provider_free(app->provider);
	if (app->opt != NULL)
		outbound_cleanup();
	proauth2_datastore_close(app->ds);
	sessions_free(app->sessions);
	free(app->listen_url);
	free(app->issuer);
	free(app->base);
	free(app->redirect_uri);
	free(app->mcp_resource);
	OPENSSL_cleanse(app->kek, sizeof(app->kek));
	OPENSSL_cleanse(app->pairwise_key, sizeof(app->pairwise_key));
	free(app->authorize_url);
	free(app->index_path);
	free(app->callback_path);
	free(app->api_path);
	free(app->mcp_path);
	free(app->authorize_path);
	free(app->login_path);
	free(app->index_url);
	free(app->logout_path);
	free(app->consent_path);
	proauth2_secret_free(app->verifier);
	proauth2_secret_free(app->challenge);
	proauth2_secret_free(app->state);
	memset(app, 0, sizeof(*app));
}

/* The startup banner: where the demo listens and what to try. */

/*
 * README.rst's walkthrough, step by step (tests/e2e/test_readme.py checks
 * that the two agree): a comment saying what the answer is, then the
 * commands. {user} and {password} stand for the demo user's.
 */
enum {
	NEED_CC = 1,            /* the client_credentials grant */
	NEED_PASSWORD = 2,      /* the password grant */
	NEED_CODE = 4,          /* the code flow: the public client */
	NEED_REFRESH = 8,       /* the refresh_token grant */
};

static const struct {
	unsigned needs;
	const char *text;
} walkthrough[] = {
	{NEED_CC,
		"# client_credentials, client_secret_basic: an access token with scope api\n"
		"curl -s -u \"$ID:$SECRET\" -d grant_type=client_credentials -d scope=api \\\n"
		"     \"$AS/token\"\n",
	},
	{NEED_CC,
		"# the same with client_secret_post\n"
		"curl -s -d grant_type=client_credentials -d client_id=\"$ID\" \\\n"
		"     -d client_secret=\"$SECRET\" -d scope=api \"$AS/token\"\n",
	},
	{NEED_PASSWORD,
		"# the password grant, for legacy clients: tokens for the user {user}\n"
		"curl -s -u \"$ID:$SECRET\" -d grant_type=password -d username={user} \\\n"
		"     -d password={password} -d scope=profile \"$AS/token\"\n",
	},
	{NEED_CODE,
		"# the code flow with PKCE: open the /authorize URL the demo printed (or\n"
		"# the credentials file's authorization_url) in a browser, log in as\n"
		"# {user}/{password}, allow, and paste here the code the /callback page shows\n"
		"read -r CODE\n",
	},
	{NEED_CODE,
		"# exchange the code (the public client: client_id, no secret): an access\n"
		"# token with scope \"profile email api\", and a refresh token\n"
		"curl -s -d grant_type=authorization_code -d client_id=\"$PUBLIC_ID\" \\\n"
		"     -d code=\"$CODE\" -d code_verifier=\"$VERIFIER\" \\\n"
		"     -d redirect_uri=\"$AS/callback\" \"$AS/token\" | tee tokens.json\n"
		"ACCESS=$(jq -r .access_token tokens.json)\n"
		"REFRESH=$(jq -r .refresh_token tokens.json)\n",
	},
	{NEED_CODE,
		"# call the protected resource (it needs scope profile): the user, {user}\n"
		"curl -s -H \"Authorization: Bearer $ACCESS\" \"$AS/api/me\"\n",
	},
	{NEED_CODE | NEED_REFRESH,
		"# refresh: a new access token and a new refresh token (rotation)\n"
		"curl -s -d grant_type=refresh_token -d client_id=\"$PUBLIC_ID\" \\\n"
		"     -d refresh_token=\"$REFRESH\" \"$AS/token\" | tee tokens.json\n"
		"OLD_REFRESH=$REFRESH\n"
		"ACCESS=$(jq -r .access_token tokens.json)\n"
		"REFRESH=$(jq -r .refresh_token tokens.json)\n",
	},
	{NEED_CODE,
		"# the demo API introspects the token it was sent (RFC 7662): active,\n"
		"# for the user {user}\n"
		"curl -s -u \"$RS_ID:$RS_SECRET\" -d token=\"$ACCESS\" \"$AS/introspect\"\n",
	},
	{NEED_CODE,
		"# the public client revokes its access token (RFC 7009): {}\n"
		"curl -s -d client_id=\"$PUBLIC_ID\" -d token=\"$ACCESS\" \"$AS/revoke\"\n",
	},
	{NEED_CODE,
		"# the protected resource now refuses it: invalid_token\n"
		"curl -s -H \"Authorization: Bearer $ACCESS\" \"$AS/api/me\"\n",
	},
	{NEED_CODE | NEED_REFRESH,
		"# the old refresh token stopped working: invalid_grant; and since a\n"
		"# reused refresh token may be stolen, that revoked the whole grant ...\n"
		"curl -s -d grant_type=refresh_token -d client_id=\"$PUBLIC_ID\" \\\n"
		"     -d refresh_token=\"$OLD_REFRESH\" \"$AS/token\"\n",
	},
	{NEED_CODE | NEED_REFRESH,
		"# ... so the newest refresh token is refused too: invalid_grant\n"
		"curl -s -d grant_type=refresh_token -d client_id=\"$PUBLIC_ID\" \\\n"
		"     -d refresh_token=\"$REFRESH\" \"$AS/token\"\n",
	},
	{0,
		"# the metadata (RFC 8414): the issuer and its endpoints\n"
		"curl -s \"$AS/.well-known/oauth-authorization-server\"\n",
	},
	{0,
		"# dynamic registration (RFC 7591): a new client, its secret, and the\n"
		"# token and URL that manage its registration\n"
		"curl -s -H 'Content-Type: application/json' \\\n"
		"     -d '{\"redirect_uris\":[\"http://127.0.0.1:9000/cb\"],\"grant_types\":[\"client_credentials\"],\"scope\":\"api\"}' \\\n"
		"     \"$AS/register\" | tee client.json\n",
	},
	{0,
		"# read the registration back (RFC 7592), without the secret\n"
		"curl -s -H \"Authorization: Bearer $(jq -r .registration_access_token client.json)\" \\\n"
		"     \"$(jq -r .registration_client_uri client.json)\"\n",
	},
};

/* s as it is written in a command: bare when that is safe, else quoted. */
static void shell_word(buf *b, const char *s)
{
	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789_.-") == strlen(s))
		buf_puts(b, s);
	else
		buf_shell(b, s);
}

/* The README writes the provider's endpoints as "$AS/token" and the like. */
static const struct {
	const char *word;
	proauth2_endpoint which;
} endpoint_words[] = {
	{"\"$AS/token\"", PROAUTH2_ENDPOINT_TOKEN},
	{"\"$AS/introspect\"", PROAUTH2_ENDPOINT_INTROSPECTION},
	{"\"$AS/revoke\"", PROAUTH2_ENDPOINT_REVOCATION},
	{"\"$AS/register\"", PROAUTH2_ENDPOINT_REGISTRATION},
	{"\"$AS/.well-known/oauth-authorization-server\"", PROAUTH2_ENDPOINT_METADATA},
};

/* At s, a word naming an endpoint that is not where the README's word says
 * (--endpoint-base, a path issuer): print its URL instead and return the
 * word's length; else 0. */
static size_t put_endpoint(buf *b, const struct demo_app *app, const char *s)
{
	for (size_t i = 0; i < sizeof(endpoint_words) / sizeof(endpoint_words[0]); i++) {
		const char *word = endpoint_words[i].word;
		const char *url = proauth2_provider_endpoint(app->provider,
				endpoint_words[i].which);
		size_t n = strlen(word), base = strlen(app->base);

		if (strncmp(s, word, n) != 0)
			continue;
		/* word is '"$AS' + path + '"'. */
		if (strncmp(url, app->base, base) == 0 &&
				strlen(url + base) == n - 5 &&
				strncmp(url + base, word + 4, n - 5) == 0)
			return 0;
		buf_shell(b, url);
		return n;
	}
	return 0;
}

/* A step, each line indented, {user} and {password} filled in: bare in the
 * comments, as shell words in the commands; endpoints where they are. */
static void put_step(buf *b, const struct demo_app *app, const char *text)
{
	bool comment = text[0] == '#';

	buf_puts(b, "  ");
	for (const char *s = text; *s != '\0'; s++) {
		size_t skip = comment ? 0 : put_endpoint(b, app, s);

		if (skip > 0) {
			s += skip - 1;
			continue;
		}
		if (strncmp(s, "{user}", 6) == 0 || strncmp(s, "{password}", 10) == 0) {
			const char *v = s[1] == 'u' ? app->opt->user : app->opt->password;

			if (comment)
				buf_puts(b, v);
			else
				shell_word(b, v);
			s += s[1] == 'u' ? 5 : 9;
			continue;
		}
		buf_printf(b, "%c", *s);
		if (*s == '\n') {
			if (s[1] != '\0')
				buf_puts(b, "  ");
			comment = s[1] == '#';
		}
	}
}

static void token_commands(buf *b, const struct demo_app *app)
{
	unsigned grants = app->opt->grants, have = 0;

	if (grants & PROAUTH2_GRANT_CLIENT_CREDENTIALS)
		have |= NEED_CC;
	if (grants & PROAUTH2_GRANT_PASSWORD)
		have |= NEED_PASSWORD;
	if (app->public_client != NULL)
		have |= NEED_CODE;
	if (grants & PROAUTH2_GRANT_REFRESH_TOKEN)
		have |= NEED_REFRESH;
	buf_puts(b, "\nTry it (README.rst's walkthrough: paste one command at a time;"
		" they need curl and jq):\n"
		"  # the demo's issuer, its clients (confidential, public, and the demo API,\n"
		"  # a resource server) and the PKCE verifier of its /authorize URL\n"
		"  AS=");
	buf_shell(b, app->base);
	buf_puts(b, "\n  ID=");
	buf_shell(b, app->confidential->client_id);
	buf_puts(b, "\n  SECRET=");
	buf_shell(b, app->confidential->client_secret);
	if (app->public_client != NULL) {
		buf_puts(b, "\n  PUBLIC_ID=");
		buf_shell(b, app->public_client->client_id);
	}
	buf_puts(b, "\n  RS_ID=");
	buf_shell(b, app->api->client_id);
	buf_puts(b, "\n  RS_SECRET=");
	buf_shell(b, app->api->client_secret);
	buf_puts(b, "\n  VERIFIER=");
	buf_shell(b, app->verifier);
	buf_puts(b, "\n");
	for (size_t i = 0; i < sizeof(walkthrough) / sizeof(walkthrough[0]); i++)
		if ((walkthrough[i].needs & have) == walkthrough[i].needs)
			put_step(b, app, walkthrough[i].text);
}

int app_print_banner(const struct demo_app *app, FILE *out)
{
	buf b = BUF_INIT;
	char *text, db[512];

	db_display(app->opt->db, db, sizeof(db));
	buf_printf(&b, "proauth2 provider demo listening on %s\n"
		"  issuer          %s\n"
		"  metadata        %s\n",
		app->listen_url, app->issuer, proauth2_provider_endpoint(app->provider,
			PROAUTH2_ENDPOINT_METADATA));
	if (app->opt->openid)
		buf_printf(&b, "  OpenID Connect  %s\n"
			"  UserInfo        %s\n"
			"  end session     %s\n",
			proauth2_provider_endpoint(app->provider,
				PROAUTH2_ENDPOINT_OPENID_CONFIGURATION),
			proauth2_provider_endpoint(app->provider, PROAUTH2_ENDPOINT_USERINFO),
			proauth2_provider_endpoint(app->provider,
				PROAUTH2_ENDPOINT_END_SESSION));
	buf_printf(&b, "  MCP server      %s\n"
		"  database        %s (%s)\n"
		"  grants          %s\n\n",
		app->mcp_resource, db, proauth2_datastore_name(app->ds),
		app->opt->grants_text);
	buf_printf(&b, "Confidential client \"%s\"\n"
		"  client_id       %s\n"
		"  client_secret   %s\n",
		app->confidential->name, app->confidential->client_id,
		app->confidential->client_secret);
	if (app->public_client != NULL)
		buf_printf(&b, "Public client \"%s\"\n"
			"  client_id       %s\n",
			app->public_client->name, app->public_client->client_id);
	buf_printf(&b, "Resource server \"%s\" (introspects the tokens sent to it)\n"
		"  client_id       %s\n"
		"  client_secret   %s\n"
		"  resource        %s\n",
		app->api->name, app->api->client_id, app->api->client_secret,
		app->api->resource);
	for (size_t i = 0; app->kept != NULL && i < app->opt->n_clients; i++)
		buf_printf(&b, "Kept %s client \"%s\"\n"
			"  client_id       %s\n"
			"  client_secret   %s\n",
			app->kept[i]->type == PROAUTH2_CLIENT_PUBLIC ? "public" : "confidential",
			app->kept[i]->name, app->kept[i]->client_id,
			app->kept[i]->client_secret != NULL ? app->kept[i]->client_secret :
			app->kept[i]->type == PROAUTH2_CLIENT_PUBLIC ? "(none)" :
			"(as printed when it was first registered)");
	buf_printf(&b, "Redirect URI      %s\n"
		"Demo user         %s (password: %s)\n"
		"Second user       %s (password: %s)\n",
		app->redirect_uri, app->opt->user, app->opt->password,
		app->opt->second_user, app->opt->second_password);
	if (app->authorize_url != NULL)
		buf_printf(&b, "\nSign in as the public client (PKCE S256) at:\n"
			"  %s\n"
			"  code_verifier   %s\n"
			"  (the /callback page then shows the token request)\n",
			app->authorize_url, app->verifier);
	if (app->opt->domain_connect != NULL)
		buf_printf(&b, "\nDomain Connect DNS provider \"%s\" (async flow; the kept "
			"clients are its service providers)\n"
			"  settings        %s/v2/<domain>/settings\n"
			"  zone            %s/zone\n",
			app->opt->domain_connect, app->base, app->base);
	if (app->opt->lenient_path != NULL)
		buf_printf(&b, "\nLenient token and revocation endpoints (the query string "
			"and a JSON body too)\n"
			"  token           %s%s/token\n"
			"  revocation      %s%s/revoke\n",
			app->base, app->opt->lenient_path, app->base, app->opt->lenient_path);
	token_commands(&b, app);
	text = buf_finish(&b);
	if (text == NULL)
		return nomem();
	fputs(text, out);
	free(text);
	return fflush(out) == 0 ? 0 : -1;
}

/* The demo's credentials as JSON, for scripts and tests to pick up. */

/* The kept clients: id, and the secret when it was generated now. */
static json_t *kept_json(const struct demo_app *app)
{
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && app->kept != NULL &&
			i < app->opt->n_clients; i++)
		if (json_array_append_new(list, json_pack("{s:s, s:s*}",
				"client_id", app->kept[i]->client_id,
				"client_secret", app->kept[i]->client_secret)) != 0)
			json_decref(list), list = NULL;
	return list;
}

static json_t *credentials(const struct demo_app *app)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:{s:s, s:s}, s:{s:s?}, s:{s:s, s:s, s:s},"
			" s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:o}",
			"issuer", app->issuer,
			"metadata_url", proauth2_provider_endpoint(app->provider,
				PROAUTH2_ENDPOINT_METADATA),
			"url", app->listen_url,
			"port", (json_int_t)app->port,
			"confidential",
				"client_id", app->confidential->client_id,
				"client_secret", app->confidential->client_secret,
			"public",
				"client_id", app->public_client != NULL ?
					app->public_client->client_id : NULL,
			"resource_server",
				"client_id", app->api->client_id,
				"client_secret", app->api->client_secret,
				"resource", app->api->resource,
			"redirect_uri", app->redirect_uri,
			"mcp", app->mcp_resource,
			"user", app->opt->user,
			"password", app->opt->password,
			"second_user", app->opt->second_user,
			"second_password", app->opt->second_password,
			"code_verifier", app->verifier,
			"code_challenge", app->challenge,
			"authorization_url", app->authorize_url,
			"clients", kept_json(app));
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int app_write_credentials(const struct demo_app *app, const char *path)
{
	json_t *doc = credentials(app);
	char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	buf b = BUF_INIT;
	char *tmp;
	int fd = -1, rc = -1;

	json_decref(doc);
	buf_printf(&b, "%s.tmp", path);
	tmp = buf_finish(&b);
	if (text == NULL || tmp == NULL) {
		nomem();
		goto out;
	}
	/* It holds a client secret: readable by us alone. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) != 0 ||
			write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
		fprintf(stderr, "provider_demo: cannot write %s: %s\n", tmp,
				strerror(errno));
		goto out;
	}
	if (close(fd) != 0 || (fd = -1, rename(tmp, path) != 0)) {
		fd = -1;
		fprintf(stderr, "provider_demo: cannot write %s: %s\n", path,
				strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	if (text != NULL)
		OPENSSL_cleanse(text, strlen(text));
	free(text);
	return rc;
}

bool app_subject_is_user(const struct demo_app *app, const char *client_id,
		const char *subject, const char *user)
{
	char *sub = NULL;
	bool same = client_id != NULL && proauth2_client_subject(app->provider,
			client_id, user, &sub, NULL) == PROAUTH2_OK &&
		strcmp(sub, subject) == 0;

	free(sub);
	return same;
}
