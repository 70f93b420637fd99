/* The demo's HTML pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "domain_connect.h"
#include "pages.h"

static void open_page(buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>");
	buf_html(b, title);
	buf_puts(b, " — proauth2 demo</title>\n<style>\n"
		"body{font-family:system-ui,sans-serif;max-width:44em;margin:2em auto;"
		"padding:0 1em;line-height:1.5}\n"
		"code,pre{background:#f3f3f3;padding:.1em .3em;overflow-wrap:anywhere}\n"
		"pre{padding:.6em;white-space:pre-wrap}\n"
		"label,input{display:block}input{margin:.2em 0 .8em;padding:.3em}\n"
		"button{padding:.4em 1.2em;margin-right:.6em}\n"
		".error{color:#a00;font-weight:bold}\n"
		"th{text-align:left;padding-right:1em;vertical-align:top}\n"
		"</style>\n</head>\n<body>\n<main>\n<h1>");
	buf_html(b, title);
	buf_puts(b, "</h1>\n");
}

static char *close_page(buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
	return buf_finish(b);
}

static void hidden(buf *b, const char *name, const char *value)
{
	buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	buf_html(b, value);
	buf_puts(b, "\">\n");
}

char *page_index(const struct demo_app *app)
{
	static const struct {
		const char *method;
		proauth2_endpoint which;
	} endpoints[] = {
		{"GET", PROAUTH2_ENDPOINT_METADATA},
		{"GET", PROAUTH2_ENDPOINT_AUTHORIZATION},
		{"POST", PROAUTH2_ENDPOINT_TOKEN},
		{"POST", PROAUTH2_ENDPOINT_INTROSPECTION},
		{"POST", PROAUTH2_ENDPOINT_REVOCATION},
		{"POST", PROAUTH2_ENDPOINT_REGISTRATION},
	};
	buf b = BUF_INIT;
	size_t i;

	open_page(&b, "proauth2 provider demo");
	buf_puts(&b, "<p>An OAuth 2 authorization server. Issuer: <code>");
	buf_html(&b, app->issuer);
	buf_puts(&b, "</code></p>\n");
	if (app->authorize_url != NULL) {
		buf_puts(&b, "<p><a id=\"authorize\" href=\"");
		buf_html(&b, app->authorize_url);
		buf_puts(&b, "\">Sign in with the demo public client</a> "
			"(PKCE S256; the verifier is printed on the console). "
			"User names: <code>");
		buf_html(&b, app->opt->user);
		buf_puts(&b, "</code> and <code>");
		buf_html(&b, app->opt->second_user);
		buf_puts(&b, "</code>.</p>\n");
	}
	if (app->opt->openid && app->public_client != NULL) {
		/* RP-Initiated Logout, as the public client would start it. */
		buf b2 = BUF_INIT;
		char *url;

		buf_printf(&b2, "%s?client_id=", proauth2_provider_endpoint(
				app->provider, PROAUTH2_ENDPOINT_END_SESSION));
		buf_urlencode(&b2, app->public_client->client_id);
		buf_puts(&b2, "&post_logout_redirect_uri=");
		buf_urlencode(&b2, app->index_url);
		url = buf_finish(&b2);
		buf_puts(&b, "<p><a id=\"sign-out\" href=\"");
		buf_html(&b, url != NULL ? url : "");
		buf_puts(&b, "\">Sign out</a> (RP-Initiated Logout; clients with a "
			"backchannel_logout_uri are told).</p>\n");
		free(url);
	}
	buf_puts(&b, "<h2>Endpoints</h2>\n<table>\n");
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		buf_printf(&b, "<tr><th>%s</th><td><code>", endpoints[i].method);
		buf_html(&b, proauth2_provider_endpoint(app->provider, endpoints[i].which));
		buf_puts(&b, "</code></td></tr>\n");
	}
	buf_puts(&b, "<tr><th>GET</th><td><code>");
	buf_html(&b, app->base);
	buf_puts(&b, "/api/me</code></td></tr>\n");
	buf_puts(&b, "</table>\n");
	return close_page(&b);
}

/* A form posting to path. */
static void open_form(buf *b, const char *path)
{
	buf_puts(b, "<form method=\"post\" action=\"");
	buf_html(b, path);
	buf_puts(b, "\">\n");
}

char *page_login(const struct demo_app *app, const char *ticket,
		const char *csrf, const char *error)
{
	buf b = BUF_INIT;

	open_page(&b, "Sign in");
	if (error != NULL) {
		buf_puts(&b, "<p class=\"error\" id=\"error\" role=\"alert\">");
		buf_html(&b, error);
		buf_puts(&b, "</p>\n");
	}
	open_form(&b, app->login_path);
	hidden(&b, "ticket", ticket);
	hidden(&b, "csrf", csrf);
	buf_puts(&b, "<label for=\"username\">User name</label>\n"
		"<input id=\"username\" name=\"username\" autocomplete=\"username\">\n"
		"<label for=\"password\">Password</label>\n"
		"<input id=\"password\" name=\"password\" type=\"password\" "
		"autocomplete=\"current-password\">\n"
		"<button id=\"login\" type=\"submit\">Sign in</button>\n"
		"</form>\n");
	return close_page(&b);
}

/* A client named by its metadata document (an https client_id) says who it
 * is itself: show the user where the answer goes, the redirect URI's host. */
static void describe_document_client(buf *b, const proauth2_authorization *a)
{
	const char *uri = proauth2_authorization_param(a, "redirect_uri");
	const char *host = uri != NULL ? strstr(uri, "://") : NULL;
	char shown[256];

	if (strncmp(proauth2_authorization_client_id(a), "https://", 8) != 0 ||
			host == NULL)
		return;
	host += 3;
	buf_puts(b, "<p id=\"client-document\">This client names itself in its own "
		"metadata document (its name is its own claim): after your "
		"answer you go back to <b id=\"redirect-host\">");
	snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(host, "/?#"), host);
	buf_html(b, shown);
	buf_puts(b, "</b>.</p>\n");
}

char *page_consent(const struct demo_app *app, const proauth2_authorization *a,
		const char *user, const char *csrf)
{
	const char *name = proauth2_authorization_client_name(a);
	const char *scope = proauth2_authorization_scope(a);
	size_t i, n = proauth2_authorization_param_count(a);
	buf b = BUF_INIT;

	if (name == NULL)
		name = proauth2_authorization_client_id(a);
	open_page(&b, "Authorize access");
	buf_puts(&b, "<p>Signed in as <b id=\"user\">");
	buf_html(&b, user);
	buf_puts(&b, "</b>.</p>\n<p><b id=\"client-name\">");
	buf_html(&b, name);
	buf_puts(&b, "</b> (client <code id=\"client-id\">");
	buf_html(&b, proauth2_authorization_client_id(a));
	buf_puts(&b, "</code>) asks for access with scope <code id=\"scope\">");
	buf_html(&b, scope != NULL && scope[0] != '\0' ? scope : "(none)");
	buf_puts(&b, "</code>");
	if (proauth2_authorization_claims(a) != NULL) {
		buf_puts(&b, " and your claims <code id=\"claims\">");
		buf_html(&b, proauth2_authorization_claims(a));
		buf_puts(&b, "</code>");
	}
	buf_puts(&b, ".</p>\n");
	describe_document_client(&b, a);
	domain_connect_describe(&b, app, a);
	buf_puts(&b, "<details open>\n<summary>The request</summary>\n"
		"<table id=\"params\">\n");
	for (i = 0; i < n; i++) {
		const char *key = proauth2_authorization_param_name(a, i);

		if (key == NULL)
			continue;
		buf_puts(&b, "<tr><th>");
		buf_html(&b, key);
		buf_puts(&b, "</th><td><code>");
		buf_html(&b, proauth2_authorization_param(a, key));
		buf_puts(&b, "</code></td></tr>\n");
	}
	buf_puts(&b, "</table>\n</details>\n");
	open_form(&b, app->consent_path);
	hidden(&b, "ticket", proauth2_authorization_ticket(a));
	hidden(&b, "csrf", csrf);
	buf_puts(&b, "<button id=\"allow\" type=\"submit\" name=\"decision\" "
		"value=\"allow\">Allow</button>\n"
		"<button id=\"deny\" type=\"submit\" name=\"decision\" "
		"value=\"deny\">Deny</button>\n</form>\n");
	return close_page(&b);
}

char *page_logout(const struct demo_app *app, const proauth2_end_session *es,
		const char *user, const char *csrf)
{
	static const char *const kept[] = {"id_token_hint", "client_id",
		"post_logout_redirect_uri", "state", "ui_locales", "logout_hint"};
	const char *name = proauth2_end_session_client_name(es);
	const char *subject = proauth2_end_session_subject(es);
	buf b = BUF_INIT;
	size_t i;

	if (name == NULL)
		name = proauth2_end_session_client_id(es);
	open_page(&b, "Sign out");
	buf_puts(&b, "<p>Signed in as <b id=\"user\">");
	buf_html(&b, user);
	buf_puts(&b, "</b>.</p>\n");
	if (name != NULL) {
		buf_puts(&b, "<p><b id=\"client-name\">");
		buf_html(&b, name);
		buf_puts(&b, "</b> asks to sign you out.</p>\n");
	}
	if (subject != NULL && !app_subject_is_user(app,
			proauth2_end_session_client_id(es), subject, user))
		buf_puts(&b, "<p class=\"error\" id=\"other-user\">It signed in "
			"another user, not you.</p>\n");
	buf_puts(&b, "<p>Sign out of this server and of every application you "
		"signed in to with it?</p>\n");
	open_form(&b, app->logout_path);
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (proauth2_end_session_param(es, kept[i]) != NULL)
			hidden(&b, kept[i], proauth2_end_session_param(es, kept[i]));
	hidden(&b, "csrf", csrf);
	buf_puts(&b, "<button id=\"sign-out\" type=\"submit\" name=\"confirm\" "
		"value=\"yes\">Sign out</button>\n</form>\n");
	return close_page(&b);
}

static void definition(buf *b, const char *term, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, "<dt>%s</dt><dd><code id=\"%s\">", term, term);
	buf_html(b, value);
	buf_puts(b, "</code></dd>\n");
}

/* The token request for the code, as a shell command. */
static void exchange_command(buf *html, const struct demo_app *app, const char *code)
{
	buf cmd = BUF_INIT;
	char *text;

	buf_puts(&cmd, "curl -s ");
	buf_shellf(&cmd, "%s/token", app->base);
	buf_puts(&cmd, " \\\n  -d grant_type=authorization_code \\\n"
		"  --data-urlencode code=");
	buf_shell(&cmd, code);
	buf_puts(&cmd, " \\\n  --data-urlencode redirect_uri=");
	buf_shell(&cmd, app->redirect_uri);
	buf_puts(&cmd, " \\\n  -d client_id=");
	buf_shell(&cmd, app->public_client->client_id);
	buf_puts(&cmd, " \\\n  -d code_verifier=");
	buf_shell(&cmd, app->verifier);
	text = buf_finish(&cmd);
	if (text == NULL)
		html->failed = true;
	buf_puts(html, "<p>Exchange the code for tokens (as the demo public client, "
		"with the PKCE verifier printed at startup):</p>\n<pre id=\"exchange\">");
	buf_html(html, text);
	buf_puts(html, "</pre>\n");
	free(text);
}

char *page_callback(const struct demo_app *app, const char *code,
		const char *state, const char *iss, const char *error,
		const char *error_description)
{
	buf b = BUF_INIT;

	open_page(&b, error != NULL ? "Authorization refused" : "Authorization response");
	buf_puts(&b, "<dl>\n");
	definition(&b, "code", code);
	definition(&b, "state", state);
	definition(&b, "iss", iss);
	definition(&b, "error", error);
	definition(&b, "error_description", error_description);
	buf_puts(&b, "</dl>\n");
	if (code != NULL && error == NULL && app->public_client != NULL)
		exchange_command(&b, app, code);
	else if (code == NULL && error == NULL)
		buf_puts(&b, "<p class=\"error\">No code and no error: this is where "
			"the authorization endpoint sends the browser back.</p>\n");
	return close_page(&b);
}

char *page_message(const char *title, const char *message)
{
	buf b = BUF_INIT;

	open_page(&b, title);
	buf_puts(&b, "<p class=\"error\" id=\"error\">");
	buf_html(&b, message);
	buf_puts(&b, "</p>\n");
	return close_page(&b);
}
