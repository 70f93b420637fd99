/* Startup and shutdown: datastore, provider, demo clients, PKCE pair. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PROAUTH2_DEMO_MONGODB
#include <proauth2/mongodb.h>
#endif

#include "app.h"
#include "buf.h"

#define DEMO_SCOPE "profile email api"

bool app_credentials_ok(const struct demo_app *app, const char *user,
		const char *password)
{
	/* Both compared, so the time says nothing about which was wrong. */
	bool user_ok = secret_equal(user, app->opt->user);
	bool password_ok = secret_equal(password, app->opt->password);

	return user_ok & password_ok;
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
	app->listen_url = buf_finish(&b, NULL);
	app->issuer = strdup(app->opt->issuer != NULL ? app->opt->issuer :
			app->listen_url != NULL ? app->listen_url : "");
	if (app->listen_url == NULL || app->issuer == NULL)
		return nomem();
	len = strlen(app->issuer);
	while (len > 0 && app->issuer[len - 1] == '/')
		len--;
	app->base = strndup(app->issuer, len);
	buf_printf(&b, "%s/callback", app->base != NULL ? app->base : "");
	app->redirect_uri = buf_finish(&b, NULL);
	return app->base != NULL && app->redirect_uri != NULL ? 0 : nomem();
}

static int make_authorize_url(struct demo_app *app)
{
	buf b = BUF_INIT;

	if (secret_token(app->verifier) != 0 || secret_token(app->state) != 0 ||
			secret_s256(app->verifier, app->challenge) != 0) {
		fputs("provider_demo: the random number generator failed\n", stderr);
		return -1;
	}
	app->state[16] = '\0';  /* a state needs no 256 bits */
	if (app->public_client == NULL)
		return 0;
	buf_printf(&b, "%s/authorize?response_type=code&client_id=", app->base);
	buf_urlencode(&b, app->public_client->client_id);
	buf_puts(&b, "&redirect_uri=");
	buf_urlencode(&b, app->redirect_uri);
	buf_puts(&b, "&scope=");
	buf_urlencode(&b, DEMO_SCOPE);
	buf_printf(&b, "&state=%s&code_challenge=%s&code_challenge_method=S256",
			app->state, app->challenge);
	app->authorize_url = buf_finish(&b, NULL);
	return app->authorize_url != NULL ? 0 : nomem();
}

static int register_clients(struct demo_app *app)
{
	const char *uris[] = {app->redirect_uri};
	unsigned grants = app->opt->grants;
	proauth2_client_params params = {
		.struct_size = sizeof(proauth2_client_params),
		.type = PROAUTH2_CLIENT_CONFIDENTIAL,
		.redirect_uris = uris,
		.n_redirect_uris = 1,
		.grant_types = grants,
		.scope = DEMO_SCOPE,
		.name = "Demo confidential client",
	};
	proauth2_error err = {0};

	if (proauth2_client_register(app->provider, &params, &app->confidential,
			&err) != PROAUTH2_OK)
		return failed("registering the confidential client", &err);
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

void app_db_display(const char *db, char *out, size_t size)
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
	ops = backend_for(opt->db);
	if (ops == NULL)
		return -1;
	if (proauth2_datastore_open(ops, opt->db, &app->ds, &err) != PROAUTH2_OK) {
		app_db_display(opt->db, shown, sizeof(shown));
		return failed(shown, &err);
	}
	proauth2_config_init(&cfg);
	cfg.issuer = app->issuer;
	cfg.datastore = app->ds;
	cfg.supported_scopes = DEMO_SCOPE;
	cfg.enable_registration = true;
	cfg.enable_password_grant = (opt->grants & PROAUTH2_GRANT_PASSWORD) != 0;
	cfg.check_password = check_password;
	cfg.password_arg = app;
	if (opt->code_lifetime >= 0)
		cfg.code_lifetime = opt->code_lifetime;
	if (opt->access_token_lifetime >= 0)
		cfg.access_token_lifetime = opt->access_token_lifetime;
	if (opt->refresh_token_lifetime >= 0)
		cfg.refresh_token_lifetime = opt->refresh_token_lifetime;
	if (proauth2_provider_new(&cfg, &app->provider, &err) != PROAUTH2_OK)
		return failed("creating the provider", &err);
	if (register_clients(app) != 0)
		return -1;
	return make_authorize_url(app);
}

void app_stop(struct demo_app *app)
{
	proauth2_client_free(app->confidential);
	proauth2_client_free(app->public_client);
	proauth2_provider_free(app->provider);
	proauth2_datastore_close(app->ds);
	sessions_free(app->sessions);
	free(app->listen_url);
	free(app->issuer);
	free(app->base);
	free(app->redirect_uri);
	free(app->authorize_url);
	memset(app, 0, sizeof(*app));
}
