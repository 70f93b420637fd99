/* The login and consent flow, and the sessions it signs users in to. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include <proauth2/consent.h>
#include <proauth2/throttle.h>

#include "domain_connect.h"
#include "flow.h"
#include "pages.h"
#include "server.h"

#define SESSION_COOKIE "proauth2_demo_session"
#define SESSION_LIFETIME 3600
/* The login form's CSRF token: no session exists yet, so the token goes
 * both in a cookie and in the form, and the two must match. */
#define LOGIN_COOKIE "proauth2_demo_login"
#define LOGIN_LIFETIME 600
/* Longer user names are never the demo's: refused without a counter. */
#define USER_NAME_MAX 256

/* Enough for a demo; beyond it the oldest session makes room. */
#define MAX_SESSIONS 1024

#define FORM_TYPE "application/x-www-form-urlencoded"
#define STALE_TICKET "This authorization request is unknown, was already " \
	"answered, or has expired. Start again from the application."

/* Browser sessions in a fixed table guarded by a mutex. */

/* A session id or CSRF token: a library secret, 43 characters and the NUL. */
#define TOKEN_SIZE 44

/* Fill out with a fresh secret. 0 on success, -1 if none could be made. */
static int new_token(char out[TOKEN_SIZE])
{
	char *secret = NULL;
	int rc = -1;

	if (proauth2_secret_new(&secret, NULL) == PROAUTH2_OK &&
			strlen(secret) == TOKEN_SIZE - 1) {
		memcpy(out, secret, TOKEN_SIZE);
		rc = 0;
	}
	proauth2_secret_free(secret);
	return rc;
}

struct session {
	char id[TOKEN_SIZE];
	char csrf[TOKEN_SIZE];
	char sid[TOKEN_SIZE];  /* its name in id_tokens: not the cookie's secret */
	char *user;     /* NULL: the slot is free */
	time_t expires;
	int64_t signed_in_at;  /* wall clock: an id_token's auth_time */
};

/* What a live session tells of its user's login. */
struct login {
	char *user;            /* free() it */
	char csrf[TOKEN_SIZE];
	char sid[TOKEN_SIZE];
	int64_t signed_in_at;
};

struct sessions {
	pthread_mutex_t lock;
	struct session slots[MAX_SESSIONS];
};

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void clear(struct session *s)
{
	free(s->user);
	OPENSSL_cleanse(s, sizeof(*s));
	s->user = NULL;
}

sessions *sessions_new(void)
{
	sessions *s = calloc(1, sizeof(*s));

	if (s != NULL && pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void sessions_free(sessions *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < MAX_SESSIONS; i++)
		clear(&s->slots[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* A free or expired slot, else the one closest to expiry. Locked. */
static struct session *slot_for_new(sessions *s, time_t t)
{
	struct session *oldest = &s->slots[0];
	size_t i;

	for (i = 0; i < MAX_SESSIONS; i++) {
		struct session *x = &s->slots[i];

		if (x->user == NULL || x->expires <= t)
			return x;
		if (x->expires < oldest->expires)
			oldest = x;
	}
	return oldest;
}

/* Start a session for user; id and csrf receive its fresh tokens. 0 on
 * success, -1 when out of memory or randomness. */
static int sessions_create(sessions *s, const char *user,
		char id[TOKEN_SIZE], char csrf[TOKEN_SIZE])
{
	struct session *slot;
	char *copy = strdup(user);

	char sid[TOKEN_SIZE];

	if (copy == NULL || new_token(id) != 0 || new_token(csrf) != 0 ||
			new_token(sid) != 0) {
		free(copy);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	slot = slot_for_new(s, now());
	clear(slot);
	memcpy(slot->id, id, TOKEN_SIZE);
	memcpy(slot->csrf, csrf, TOKEN_SIZE);
	memcpy(slot->sid, sid, TOKEN_SIZE);
	slot->user = copy;
	slot->expires = now() + SESSION_LIFETIME;
	slot->signed_in_at = (int64_t)time(NULL);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* The live session named id, in *login (its user a copy). 0 if found,
 * -1 if not (or out of memory). */
static int sessions_find(sessions *s, const char *id, struct login *login)
{
	time_t t = now();
	int rc = -1;
	size_t i;

	login->user = NULL;
	if (id == NULL || strlen(id) != TOKEN_SIZE - 1)
		return -1;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < MAX_SESSIONS; i++) {
		struct session *x = &s->slots[i];

		if (x->user == NULL || !proauth2_secret_equal(x->id, id))
			continue;
		if (x->expires <= t) {
			clear(x);
			break;
		}
		login->user = strdup(x->user);
		if (login->user != NULL) {
			memcpy(login->csrf, x->csrf, TOKEN_SIZE);
			memcpy(login->sid, x->sid, TOKEN_SIZE);
			login->signed_in_at = x->signed_in_at;
			rc = 0;
		}
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* End the live session named id; 0 if there was one. */
static int sessions_end(sessions *s, const char *id)
{
	int rc = -1;
	size_t i;

	if (id == NULL || strlen(id) != TOKEN_SIZE - 1)
		return -1;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < MAX_SESSIONS; i++)
		if (s->slots[i].user != NULL &&
				proauth2_secret_equal(s->slots[i].id, id)) {
			clear(&s->slots[i]);
			rc = 0;
			break;
		}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* The three steps: GET /authorize, POST /login, POST /consent. */

static enum MHD_Result message(struct MHD_Connection *c, unsigned status,
		const char *title, const char *text)
{
	return reply_html(c, status, page_message(title, text), NULL);
}

/* The browser's live session in *login: its user (free() it, NULL when
 * signed out), CSRF token, sid and sign-in time. */
static char *session_login(struct demo_app *app, struct MHD_Connection *c,
		struct login *login)
{
	const char *id = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
			SESSION_COOKIE);

	login->user = NULL;
	if (id == NULL || sessions_find(app->sessions, id, login) != 0)
		return NULL;
	return login->user;
}

/* The posted form, or a response already queued: *form NULL then. */
static enum MHD_Result read_form(struct MHD_Connection *c,
		const proauth2_http_request *req, proauth2_form **form)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = sizeof(FORM_TYPE) - 1;
	proauth2_error err = {0};
	proauth2_status status;

	*form = NULL;
	if (type != NULL && (strncasecmp(type, FORM_TYPE, n) != 0 ||
			(type[n] != '\0' && type[n] != ';' && type[n] != ' ')))
		return message(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Bad request",
				"Expected a form (" FORM_TYPE ").");
	status = proauth2_form_parse(req->body, req->body_length, form, &err);
	if (status == PROAUTH2_ERR_NOMEM)
		return reply_html(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, NULL);
	if (status != PROAUTH2_OK)
		return message(c, MHD_HTTP_BAD_REQUEST, "Bad request",
				"The form is malformed.");
	return MHD_YES;
}

/* Load the pending request for ticket, or queue the page that says why
 * not: *a NULL then. */
static enum MHD_Result load_ticket(struct demo_app *app, struct MHD_Connection *c,
		const char *ticket, proauth2_authorization **a)
{
	proauth2_error err = {0};
	char text[PROAUTH2_ERROR_TEXT_SIZE + 64];
	proauth2_status status;

	status = proauth2_authorization_load(app->provider, ticket, a, &err);
	if (status == PROAUTH2_OK)
		return MHD_YES;
	*a = NULL;
	if (status == PROAUTH2_ERR_NOT_FOUND || status == PROAUTH2_ERR_INVALID_REQUEST)
		return message(c, MHD_HTTP_BAD_REQUEST, "Unknown request", STALE_TICKET);
	snprintf(text, sizeof(text), "The authorization server failed: %s", err.text);
	return message(c, status == PROAUTH2_ERR_UNAVAILABLE ?
			MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR,
			"Server error", text);
}

/* A login page with a fresh CSRF token, in the form and in its cookie;
 * retry_after > 0 adds a Retry-After. */
static enum MHD_Result show_login(struct demo_app *app, struct MHD_Connection *c,
		unsigned status, const char *ticket, const char *error,
		int64_t retry_after)
{
	char csrf[TOKEN_SIZE], cookie[160], seconds[24];

	if (new_token(csrf) != 0)
		return message(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "Server error",
				"Could not start a sign-in.");
	snprintf(cookie, sizeof(cookie), LOGIN_COOKIE "=%s; HttpOnly; "
			"SameSite=Strict; Path=/; Max-Age=%d%s", csrf, LOGIN_LIFETIME,
			strncmp(app->issuer, "https:", 6) == 0 ? "; Secure" : "");
	snprintf(seconds, sizeof(seconds), "%lld", (long long)retry_after);
	return reply_page(c, status, page_login(app, ticket, csrf, error), cookie,
			retry_after > 0 ? seconds : NULL);
}

/* A form POST from another site carries that site's Origin (or "null");
 * ours carries ours, the authorization endpoint's scheme://host[:port].
 * Browsers that send none are let through: the CSRF token still holds. */
static bool origin_ok(const struct demo_app *app, struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *ours = proauth2_provider_endpoint(app->provider,
			PROAUTH2_ENDPOINT_AUTHORIZATION);
	const char *host = strstr(ours, "://");
	size_t n;

	if (origin == NULL)
		return true;
	if (host == NULL)
		return false;
	n = (size_t)(host + 3 - ours) + strcspn(host + 3, "/?#");
	return strlen(origin) == n && strncasecmp(origin, ours, n) == 0;
}

static enum MHD_Result forbidden(struct MHD_Connection *c)
{
	return message(c, MHD_HTTP_FORBIDDEN, "Forbidden", "This form was not "
			"issued to your browser. Start again from the application.");
}

/* A throttle call that failed: the datastore's trouble, not the user's. */
static enum MHD_Result throttle_failed(struct MHD_Connection *c,
		proauth2_status status)
{
	return message(c, status == PROAUTH2_ERR_UNAVAILABLE ?
			MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR,
			"Server error", "The sign-in could not be checked. Try again.");
}

/*
 * Check the credentials behind the library's throttle, counted under
 * "user:<name>" as the password grant counts them, whether or not the user
 * exists. 1 when they are right; 0 with a page queued (*ret) otherwise.
 */
static int sign_in_allowed(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_form *f, const char *ticket, enum MHD_Result *ret)
{
	const char *user = proauth2_form_get(f, "username");
	char subject[USER_NAME_MAX + 8], text[96];
	proauth2_error err = {0};
	proauth2_status status;
	int64_t retry_after = 0;
	bool ok;

	if (user == NULL)
		user = "";
	if (strlen(user) > USER_NAME_MAX) {
		*ret = show_login(app, c, MHD_HTTP_UNAUTHORIZED, ticket,
				"Wrong user name or password.", 0);
		return 0;
	}
	snprintf(subject, sizeof(subject), "user:%s", user);
	status = proauth2_throttle_check(app->provider, subject, &retry_after, &err);
	if (status != PROAUTH2_OK) {
		*ret = throttle_failed(c, status);
		return 0;
	}
	if (retry_after > 0) {
		snprintf(text, sizeof(text), "Too many failed sign-ins for this "
				"user name. Try again in %lld s.", (long long)retry_after);
		*ret = show_login(app, c, MHD_HTTP_UNAUTHORIZED, ticket, text,
				retry_after);
		return 0;
	}
	ok = app_credentials_ok(app, user, proauth2_form_get(f, "password"));
	status = proauth2_throttle_record(app->provider, subject, ok, &err);
	if (status != PROAUTH2_OK) {
		*ret = throttle_failed(c, status);
		return 0;
	}
	if (!ok)
		*ret = show_login(app, c, MHD_HTTP_UNAUTHORIZED, ticket,
				"Wrong user name or password.", 0);
	return ok;
}

static proauth2_status approve(struct demo_app *app, const proauth2_authorization *a,
		const struct login *login, proauth2_http_response **resp);

/* Whether the user's remembered consent covers what a asks. It remembers
 * client and scopes only: a request that asks more (a Domain Connect
 * domain and host, an RFC 8707 resource, claims by name) shows its page
 * every time. */
static bool consented(struct demo_app *app, const proauth2_authorization *a,
		const char *user)
{
	char *attributes = NULL;
	bool covered = false;

	if (proauth2_authorization_param(a, "resource") != NULL ||
			proauth2_authorization_claims(a) != NULL ||
			!domain_connect_attributes(app, a, &attributes) ||
			attributes != NULL) {
		free(attributes);
		return false;
	}
	return proauth2_consent_covers(app->provider, user,
			proauth2_authorization_client_id(a),
			proauth2_authorization_scope(a), &covered, NULL) == PROAUTH2_OK &&
		covered;
}

/* Signed in: the consent page, or straight back to the client when the
 * user consented to as much before (and the client did not ask again). */
static enum MHD_Result consent_or_approve(struct demo_app *app,
		struct MHD_Connection *c, const proauth2_authorization *a,
		const struct login *login)
{
	proauth2_http_response *resp = NULL;
	proauth2_status status;

	if (proauth2_authorization_prompts(a, "consent") ||
			!consented(app, a, login->user))
		return reply_html(c, MHD_HTTP_OK, page_consent(app, a, login->user,
				login->csrf), NULL);
	status = approve(app, a, login, &resp);
	return reply_oauth(c, status, resp);
}

/* OpenID Connect's prompt=none (Core 3.1.2.6): no page at all; the code,
 * or the error saying what the user would have to do. */
static enum MHD_Result answer_silently(struct demo_app *app,
		struct MHD_Connection *c, const proauth2_authorization *a,
		const struct login *login)
{
	const char *hint = proauth2_authorization_hint_subject(a);
	proauth2_http_response *resp = NULL;
	proauth2_status status, why = PROAUTH2_OK;

	/* A hint that no longer verifies (its key retired) names nobody we
	 * can vouch for. */
	if (proauth2_authorization_param(a, "id_token_hint") != NULL && hint == NULL)
		why = PROAUTH2_ERR_LOGIN_REQUIRED;
	else if (login == NULL || (hint != NULL && !app_subject_is_user(app,
				proauth2_authorization_client_id(a), hint, login->user)) ||
			proauth2_authorization_login_needed(app->provider, a,
				login->signed_in_at))
		why = PROAUTH2_ERR_LOGIN_REQUIRED;
	else if (!consented(app, a, login->user))
		why = PROAUTH2_ERR_CONSENT_REQUIRED;
	if (why != PROAUTH2_OK)
		status = proauth2_http_authorize_refuse(app->provider,
				proauth2_authorization_ticket(a), why, &resp);
	else
		status = approve(app, a, login, &resp);
	return reply_oauth(c, status, resp);
}

enum MHD_Result flow_authorize(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	return flow_authorize_with(app, c, req, NULL);
}

enum MHD_Result flow_authorize_with(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, const proauth2_http_options *options)
{
	proauth2_authorization *a = NULL;
	proauth2_http_response *resp = NULL;
	struct login login;
	proauth2_status status;
	enum MHD_Result ret;
	char *user;

	status = proauth2_http_authorize_begin_with(app->provider, req, options,
			&a, &resp);
	if (status != PROAUTH2_OK)  /* the client's mistake, or ours */
		return reply_oauth(c, status, resp);
	proauth2_http_response_free(resp);
	user = session_login(app, c, &login);
	if (proauth2_authorization_prompts(a, "none"))
		ret = answer_silently(app, c, a, user != NULL ? &login : NULL);
	else if (user != NULL && !proauth2_authorization_login_needed(app->provider,
			a, login.signed_in_at) &&
			!proauth2_authorization_prompts(a, "select_account"))
		ret = consent_or_approve(app, c, a, &login);
	else
		ret = show_login(app, c, MHD_HTTP_OK,
				proauth2_authorization_ticket(a), NULL, 0);
	free(user);
	OPENSSL_cleanse(&login, sizeof(login));
	proauth2_authorization_free(a);
	return ret;
}

enum MHD_Result flow_login(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_authorization *a = NULL;
	char id[TOKEN_SIZE], csrf[TOKEN_SIZE], cookie[160];
	const char *ticket;
	enum MHD_Result ret;
	proauth2_form *f;

	ret = read_form(c, req, &f);
	if (f == NULL)
		return ret;
	ticket = proauth2_form_get(f, "ticket");
	/* Login CSRF: a form another site posts signs nobody in. */
	if (!origin_ok(app, c) || !proauth2_secret_equal(proauth2_form_get(f, "csrf"),
			MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LOGIN_COOKIE)))
		ret = forbidden(c);
	else if (ticket == NULL)
		ret = message(c, MHD_HTTP_BAD_REQUEST, "Unknown request", STALE_TICKET);
	else if (!sign_in_allowed(app, c, f, ticket, &ret))
		;  /* the page saying why is queued */
	else if ((ret = load_ticket(app, c, ticket, &a)) == MHD_YES && a != NULL) {
		const char *user = app_user(app, proauth2_form_get(f, "username"));

		if (user == NULL || sessions_create(app->sessions, user, id, csrf) != 0) {
			ret = message(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "Server error",
					"Could not start a session.");
		} else {
			/* A fresh id at every sign-in: no session fixation. */
			snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=%s; HttpOnly; "
					"SameSite=Lax; Path=/; Max-Age=%d%s", id,
					SESSION_LIFETIME, strncmp(app->issuer, "https:", 6) == 0 ?
					"; Secure" : "");
			ret = reply_html(c, MHD_HTTP_OK,
					page_consent(app, a, user, csrf), cookie);
		}
	}
	proauth2_authorization_free(a);
	proauth2_form_free(f);
	return ret;
}

/* Issue the code, with when and how the user signed in (an id_token's
 * auth_time, amr and sid); a Domain Connect request's consented domain
 * and host go with it as grant attributes, for the apply endpoint to
 * check. */
static proauth2_status approve(struct demo_app *app, const proauth2_authorization *a,
		const struct login *login, proauth2_http_response **resp)
{
	proauth2_approval approval;
	char *attributes;
	proauth2_status status;

	if (!domain_connect_attributes(app, a, &attributes))
		return PROAUTH2_ERR_NOMEM;
	proauth2_approval_init(&approval);
	approval.user_id = login->user;
	approval.attributes = attributes;
	approval.auth_time = login->signed_in_at;
	approval.amr = "pwd";
	approval.session_id = login->sid;
	/* Named claims come this far only through the consent page, which
	 * showed them. */
	approval.claims = proauth2_authorization_claims(a);
	status = proauth2_http_authorize_issue_with(app->provider,
			proauth2_authorization_ticket(a), &approval, resp);
	free(attributes);
	return status;
}

/* Allowed on the consent page: remembered (an OpenID Provider's users
 * are asked once per client and scope), then approved. */
static proauth2_status remember_and_approve(struct demo_app *app,
		const proauth2_authorization *a, const struct login *login,
		proauth2_http_response **resp)
{
	proauth2_error err = {0};

	if (app->opt->openid && proauth2_consent_remember(app->provider,
			login->user, proauth2_authorization_client_id(a),
			proauth2_authorization_scope(a), &err) != PROAUTH2_OK)
		fprintf(stderr, "provider_demo: consent not remembered: %s\n", err.text);
	return approve(app, a, login, resp);
}

enum MHD_Result flow_consent(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_authorization *a = NULL;
	proauth2_http_response *resp = NULL;
	struct login login;
	const char *ticket, *decision;
	proauth2_status status;
	enum MHD_Result ret;
	proauth2_form *f;
	char *user;

	ret = read_form(c, req, &f);
	if (f == NULL)
		return ret;
	user = session_login(app, c, &login);
	ticket = proauth2_form_get(f, "ticket");
	decision = proauth2_form_get(f, "decision");
	if (!origin_ok(app, c))
		ret = forbidden(c);
	else if (user == NULL)
		ret = show_login(app, c, MHD_HTTP_UNAUTHORIZED, ticket,
				"Your session has ended. Please sign in again.", 0);
	else if (ticket == NULL)
		ret = message(c, MHD_HTTP_BAD_REQUEST, "Unknown request", STALE_TICKET);
	else if (!proauth2_secret_equal(proauth2_form_get(f, "csrf"), login.csrf))
		ret = message(c, MHD_HTTP_FORBIDDEN, "Forbidden", "This form was not "
				"issued to your session. Start again from the application.");
	else if (decision == NULL || (strcmp(decision, "allow") != 0 &&
			strcmp(decision, "deny") != 0))
		ret = message(c, MHD_HTTP_BAD_REQUEST, "Bad request",
				"Choose allow or deny.");
	else if ((ret = load_ticket(app, c, ticket, &a)) == MHD_YES && a != NULL) {
		/* Issue and deny spend the ticket; of two racing answers one
		 * wins, and the library answers the other. */
		if (strcmp(decision, "allow") == 0)
			status = remember_and_approve(app, a, &login, &resp);
		else
			status = proauth2_http_authorize_deny(app->provider, ticket, &resp);
		ret = reply_oauth(c, status, resp);
	}
	proauth2_authorization_free(a);
	free(user);
	OPENSSL_cleanse(&login, sizeof(login));
	proauth2_form_free(f);
	return ret;
}

/* The user agreed on our confirmation page (its form, this session's
 * CSRF token): the session ends, and every client it signed in to is
 * told (Back-Channel Logout), its grants ended. */
static bool confirmed(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, const struct login *login)
{
	proauth2_form *f = NULL;
	bool ok;

	if (strcmp(req->method, "POST") != 0 || !origin_ok(app, c) ||
			proauth2_form_parse(req->body, req->body_length, &f, NULL) !=
			PROAUTH2_OK)
		return false;
	ok = proauth2_form_get(f, "confirm") != NULL &&
		proauth2_secret_equal(proauth2_form_get(f, "csrf"), login->csrf);
	proauth2_form_free(f);
	return ok;
}

/* Signed out (or never signed in): back to the client, or our page. */
static enum MHD_Result signed_out(struct MHD_Connection *c,
		const proauth2_end_session *es)
{
	proauth2_http_response *resp = NULL;
	proauth2_status status = proauth2_http_end_session_finish(es, &resp);

	if (status == PROAUTH2_OK && resp == NULL)
		return message(c, MHD_HTTP_OK, "Signed out", "You are signed out.");
	return reply_oauth(c, status, resp);
}

enum MHD_Result flow_logout(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_end_session *es = NULL;
	proauth2_http_response *resp = NULL;
	size_t told = 0, missed = 0;
	proauth2_error err = {0};
	struct login login;
	proauth2_status status;
	enum MHD_Result ret;
	char *user;

	if (!app->opt->openid)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not_found", NULL);
	status = proauth2_http_end_session_begin(app->provider, req, &es, &resp);
	if (status != PROAUTH2_OK)
		return reply_oauth(c, status, resp);
	user = session_login(app, c, &login);
	if (user == NULL) {
		ret = signed_out(c, es);
	} else if (!confirmed(app, c, req, &login)) {
		ret = reply_html(c, MHD_HTTP_OK, page_logout(app, es, user,
				login.csrf), NULL);
	} else {
		sessions_end(app->sessions, MHD_lookup_connection_value(c,
				MHD_COOKIE_KIND, SESSION_COOKIE));
		status = proauth2_logout(app->provider, user, login.sid, &told,
				&missed, &err);
		if (status != PROAUTH2_OK)
			fprintf(stderr, "provider_demo: logout: %s\n", err.text);
		else if (told + missed > 0)
			fprintf(stderr, "provider_demo: logout told %zu client(s), "
					"%zu did not answer\n", told, missed);
		ret = signed_out(c, es);
	}
	free(user);
	OPENSSL_cleanse(&login, sizeof(login));
	proauth2_end_session_free(es);
	return ret;
}
