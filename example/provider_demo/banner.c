/* The startup banner: where the demo listens and what to try. */
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "buf.h"

/* `curl -s -u 'id:secret'' for the confidential client. */
static void curl_as_client(buf *b, const struct demo_app *app)
{
	buf cred = BUF_INIT;
	char *text;

	buf_printf(&cred, "%s:%s", app->confidential->client_id,
			app->confidential->client_secret);
	text = buf_finish(&cred, NULL);
	if (text == NULL) {
		b->failed = true;
		return;
	}
	buf_puts(b, "curl -s -u ");
	buf_shell(b, text);
	free(text);
}

static void endpoint(buf *b, const struct demo_app *app, const char *path)
{
	buf url = BUF_INIT;
	char *text;

	buf_printf(&url, "%s%s", app->base, path);
	text = buf_finish(&url, NULL);
	if (text == NULL) {
		b->failed = true;
		return;
	}
	buf_shell(b, text);
	free(text);
}

static void token_commands(buf *b, const struct demo_app *app)
{
	unsigned grants = app->opt->grants;

	buf_puts(b, "\nTry it:\n");
	if (grants & PROAUTH2_GRANT_CLIENT_CREDENTIALS) {
		buf_puts(b, "  # client_credentials: a token for the confidential client\n  ");
		curl_as_client(b, app);
		buf_puts(b, " -d grant_type=client_credentials ");
		endpoint(b, app, "/token");
		buf_puts(b, "\n  # the same, kept in $TOKEN for the commands below\n  TOKEN=$(");
		curl_as_client(b, app);
		buf_puts(b, " -d grant_type=client_credentials ");
		endpoint(b, app, "/token");
		buf_puts(b, " | sed -n 's/.*\"access_token\" *: *\"\\([^\"]*\\)\".*/\\1/p')\n");
	} else {
		buf_puts(b, "  # set TOKEN to an access token from the code flow above\n");
	}
	if (grants & PROAUTH2_GRANT_PASSWORD) {
		buf_puts(b, "  # the password grant, for legacy clients\n  ");
		curl_as_client(b, app);
		buf_puts(b, " -d grant_type=password --data-urlencode username=");
		buf_shell(b, app->opt->user);
		buf_puts(b, " --data-urlencode password=");
		buf_shell(b, app->opt->password);
		buf_puts(b, " ");
		endpoint(b, app, "/token");
		buf_puts(b, "\n");
	}
	buf_puts(b, "  # introspection (RFC 7662)\n  ");
	curl_as_client(b, app);
	buf_puts(b, " -d \"token=$TOKEN\" ");
	endpoint(b, app, "/introspect");
	buf_puts(b, "\n  # the protected resource (needs scope profile)\n"
		"  curl -s -H \"Authorization: Bearer $TOKEN\" ");
	endpoint(b, app, "/api/me");
	buf_puts(b, "\n  # revocation (RFC 7009); /api/me then answers invalid_token\n  ");
	curl_as_client(b, app);
	buf_puts(b, " -d \"token=$TOKEN\" ");
	endpoint(b, app, "/revoke");
	buf_puts(b, "\n");
}

int announce_banner(const struct demo_app *app, FILE *out)
{
	buf b = BUF_INIT;
	char *text, db[512];

	app_db_display(app->opt->db, db, sizeof(db));
	buf_printf(&b, "proauth2 provider demo listening on %s\n"
		"  issuer          %s\n"
		"  database        %s (%s)\n"
		"  grants          %s\n\n",
		app->listen_url, app->issuer, db, proauth2_datastore_name(app->ds),
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
	buf_printf(&b, "Redirect URI      %s\n"
		"Demo user         %s (password: %s)\n",
		app->redirect_uri, app->opt->user, app->opt->password);
	if (app->authorize_url != NULL)
		buf_printf(&b, "\nSign in as the public client (PKCE S256) at:\n"
			"  %s\n"
			"  code_verifier   %s\n"
			"  (the /callback page then shows the token request)\n",
			app->authorize_url, app->verifier);
	token_commands(&b, app);
	text = buf_finish(&b, NULL);
	if (text == NULL) {
		fputs("provider_demo: out of memory\n", stderr);
		return -1;
	}
	fputs(text, out);
	free(text);
	return fflush(out) == 0 ? 0 : -1;
}
