/*
 * OpenID Connect logout: Back-Channel Logout 1.0's logout tokens (who is
 * sent one, what it says, its signature through the JWKS), the grants a
 * logout ends and those it leaves (offline_access), undelivered tokens
 * reported, a consent's revocation telling its client; RP-Initiated
 * Logout 1.0's end-session request checks and redirect; and the OpenID
 * client metadata of both (and default_max_age) at registration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_support.h"
#include "jws_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
#define ISSUER "https://auth.example.com"
#define LOGOUT_URI "https://client.example.com/backchannel"
#define AFTER_LOGOUT "https://client.example.com/bye"
#define MAX_DELIVERIES 64

static const unsigned char kek[PROAUTH2_KEK_SIZE] = "0123456789abcdef0123456789abcde";

/* What the host's delivery callback was handed. */
static struct delivery {
	char client_id[128];
	char uri[256];
	char *token;
} deliveries[MAX_DELIVERIES];
static size_t n_deliveries;
static const char *refusing_client;  /* its endpoint answers 500 */
static size_t undelivered_events;

static int deliver(void *arg, const char *client_id, const char *uri,
		const char *logout_token)
{
	struct delivery *d = &deliveries[n_deliveries];

	(void)arg;
	if (refusing_client != NULL && strcmp(client_id, refusing_client) == 0)
		return 1;
	ck_assert_uint_lt(n_deliveries, MAX_DELIVERIES);
	snprintf(d->client_id, sizeof(d->client_id), "%s", client_id);
	snprintf(d->uri, sizeof(d->uri), "%s", uri);
	d->token = strdup(logout_token);
	n_deliveries++;
	return 0;
}

static void log_event(void *arg, const proauth2_event *e)
{
	(void)arg;
	if (e->kind == PROAUTH2_EVENT_LOGOUT_UNDELIVERED) {
		ck_assert_str_eq(e->client_id, refusing_client);
		undelivered_events++;
	}
}

static void forget_deliveries(void)
{
	size_t i;

	for (i = 0; i < n_deliveries; i++)
		free(deliveries[i].token);
	n_deliveries = 0;
}

static void openid_config(proauth2_config *cfg)
{
	cfg->openid = true;
	cfg->key_encryption_key = kek;
	cfg->backchannel_logout = deliver;
	cfg->log = log_event;
	cfg->supported_scopes = "read profile offline_access";
}

static void setup(void)
{
	env_setup();
	env_reconfigure(openid_config);
	refusing_client = NULL;
	undelivered_events = 0;
}

static void teardown(void)
{
	forget_deliveries();
	env_teardown();
}

/* A confidential code-flow client with logout metadata: uri (NULL: no
 * back-channel), whether its tokens need sid. */
static proauth2_client *logout_client_after(const char *uri,
		bool session_required, const char *after_logout)
{
	const char *redirects[] = {REDIRECT_URI};
	const char *after[] = {after_logout, AFTER_LOGOUT "?lang=en"};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init(&params);
	params.type = CONF;
	params.redirect_uris = redirects;
	params.n_redirect_uris = 1;
	params.grant_types = CODE_AND_REFRESH;
	params.scope = "openid read offline_access";
	params.name = "Logout Client";
	params.post_logout_redirect_uris = after;
	params.n_post_logout_redirect_uris = 2;
	params.backchannel_logout_uri = uri;
	params.backchannel_logout_session_required = session_required;
	ck_assert_msg(proauth2_client_register(env.provider, &params, &c, &err) ==
			PROAUTH2_OK, "%s", err.text);
	return c;
}

static proauth2_client *logout_client(const char *uri, bool session_required)
{
	return logout_client_after(uri, session_required, AFTER_LOGOUT);
}

/* The tokens of c's login for scope in session sid (NULL: none). */
static proauth2_token_response *login(const proauth2_client *c,
		const char *scope, const char *sid)
{
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method"};
	const char *values[] = {c->client_id, REDIRECT_URI, "code", scope,
		RFC7636_CHALLENGE, "S256"};
	proauth2_authorization *a = NULL, *spent = NULL;
	proauth2_approval approval;
	proauth2_error err = {0};
	proauth2_token_response *r;
	char *code = NULL;

	ck_assert_msg(proauth2_authorization_begin(env.provider, names, values, 6,
			&a, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	proauth2_approval_init(&approval);
	approval.user_id = USER;
	approval.session_id = sid;
	ck_assert_msg(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, &err) == PROAUTH2_OK, "%s", err.text);
	r = exchange_code(c, code, 1);
	proauth2_secret_free(code);
	proauth2_authorization_free(a);
	proauth2_authorization_free(spent);
	return r;
}

static size_t logout(const char *sid, size_t *undelivered)
{
	size_t notified = 99, missed = 99;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_logout(env.provider, USER, sid, &notified, &missed,
			&err) == PROAUTH2_OK, "%s", err.text);
	if (undelivered != NULL)
		*undelivered = missed;
	else
		ck_assert_uint_eq(missed, 0);
	return notified;
}

static const struct delivery *delivery_to(const proauth2_client *c)
{
	size_t i;

	for (i = 0; i < n_deliveries; i++)
		if (strcmp(deliveries[i].client_id, c->client_id) == 0)
			return &deliveries[i];
	return NULL;
}

/* The checks of Back-Channel Logout §2.6 a client makes, and sid. */
static void assert_logout_token(const char *token, const proauth2_client *c,
		const char *sid)
{
	json_t *header = jws_part(token, 0), *claims = jws_part(token, 1);
	json_t *events = json_object_get(claims, "events");
	json_t *event = json_object_get(events,
			"http://schemas.openid.net/event/backchannel-logout");

	ck_assert_str_eq(member(header, "typ"), "logout+jwt");
	ck_assert(signature_verifies(token));
	ck_assert_str_eq(member(claims, "iss"), ISSUER);
	ck_assert_str_eq(member(claims, "aud"), c->client_id);
	ck_assert_str_eq(member(claims, "sub"), USER);
	ck_assert_ptr_nonnull(member(claims, "jti"));
	ck_assert_int_eq(json_integer_value(json_object_get(claims, "iat")), env.now);
	ck_assert_int_eq(json_integer_value(json_object_get(claims, "exp")),
			env.now + PROAUTH2_LOGOUT_TOKEN_LIFETIME);
	ck_assert(json_is_object(event) && json_object_size(event) == 0);
	ck_assert_ptr_null(json_object_get(claims, "nonce"));
	if (sid != NULL)
		ck_assert_str_eq(member(claims, "sid"), sid);
	else
		ck_assert_ptr_null(json_object_get(claims, "sid"));
	json_decref(header);
	json_decref(claims);
}

START_TEST(logout_tells_the_session_clients_and_ends_their_grants)
{
	proauth2_client *a = logout_client(LOGOUT_URI, true);
	proauth2_client *b = logout_client(LOGOUT_URI "?tenant=2", false);
	proauth2_client *quiet = logout_client(NULL, false);
	proauth2_token_response *a1 = login(a, "openid read", "s1");
	proauth2_token_response *b1 = login(b, "openid read", "s1");
	proauth2_token_response *q1 = login(quiet, "openid read", "s1");
	proauth2_token_response *a2 = login(a, "openid read", "s2");

	ck_assert_uint_eq(logout("s1", NULL), 2);
	ck_assert_uint_eq(n_deliveries, 2);
	ck_assert_str_eq(delivery_to(a)->uri, LOGOUT_URI);
	ck_assert_str_eq(delivery_to(b)->uri, LOGOUT_URI "?tenant=2");
	assert_logout_token(delivery_to(a)->token, a, "s1");
	assert_logout_token(delivery_to(b)->token, b, "s1");
	/* Every grant of the session ends, the quiet client's too; the other
	 * session lives on. */
	ck_assert_int_eq(validate_status(a1->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(b1->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(q1->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(a2->access_token), PROAUTH2_OK);
	/* Forgotten: a second logout tells nobody. */
	forget_deliveries();
	ck_assert_uint_eq(logout("s1", NULL), 0);
	/* Every session: the rest. */
	ck_assert_uint_eq(logout(NULL, NULL), 1);
	assert_logout_token(delivery_to(a)->token, a, "s2");
	ck_assert_int_eq(validate_status(a2->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(a1);
	proauth2_token_response_free(b1);
	proauth2_token_response_free(q1);
	proauth2_token_response_free(a2);
	proauth2_client_free(a);
	proauth2_client_free(b);
	proauth2_client_free(quiet);
}
END_TEST

START_TEST(offline_access_outlives_a_logout)
{
	proauth2_client *c = logout_client(LOGOUT_URI, false);
	proauth2_token_response *offline = login(c, "openid offline_access", "s1");
	proauth2_token_response *online = login(c, "openid read", "s1");
	proauth2_token_response *r = NULL;

	ck_assert_uint_eq(logout("s1", NULL), 1);
	ck_assert_int_eq(validate_status(online->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(offline->access_token), PROAUTH2_OK);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			offline->refresh_token, NULL, &r), PROAUTH2_OK);
	proauth2_token_response_free(r);
	proauth2_token_response_free(offline);
	proauth2_token_response_free(online);
	proauth2_client_free(c);
}
END_TEST

START_TEST(login_without_session_id)
{
	proauth2_client *needs_sid = logout_client(LOGOUT_URI, true);
	proauth2_client *any = logout_client(LOGOUT_URI, false);
	proauth2_token_response *r1 = login(needs_sid, "openid", NULL);
	proauth2_token_response *r2 = login(any, "openid", NULL);

	/* A session's logout leaves logins of no session alone. */
	ck_assert_uint_eq(logout("s1", NULL), 0);
	ck_assert_int_eq(validate_status(r2->access_token), PROAUTH2_OK);
	ck_assert_uint_eq(logout(NULL, NULL), 1);
	ck_assert_ptr_null(delivery_to(needs_sid));
	assert_logout_token(delivery_to(any)->token, any, NULL);
	ck_assert_int_eq(validate_status(r1->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(r1);
	proauth2_token_response_free(r2);
	proauth2_client_free(needs_sid);
	proauth2_client_free(any);
}
END_TEST

START_TEST(undelivered_tokens_are_counted_and_reported)
{
	proauth2_client *down = logout_client(LOGOUT_URI, false);
	proauth2_client *up = logout_client(LOGOUT_URI, false);
	proauth2_token_response *r1 = login(down, "openid", "s1");
	proauth2_token_response *r2 = login(up, "openid", "s1");
	size_t undelivered = 0;

	refusing_client = down->client_id;
	ck_assert_uint_eq(logout("s1", &undelivered), 1);
	ck_assert_uint_eq(undelivered, 1);
	ck_assert_uint_eq(undelivered_events, 1);
	ck_assert_ptr_nonnull(delivery_to(up));
	/* Its grant ends all the same. */
	ck_assert_int_eq(validate_status(r1->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(r1);
	proauth2_token_response_free(r2);
	proauth2_client_free(down);
	proauth2_client_free(up);
}
END_TEST

START_TEST(revoked_consent_tells_its_client)
{
	proauth2_client *c = logout_client(LOGOUT_URI, false);
	proauth2_client *other = logout_client(LOGOUT_URI, false);
	proauth2_token_response *r = login(c, "openid read", "s1");
	proauth2_token_response *kept = login(other, "openid read", "s1");
	size_t removed = 0;

	ck_assert_int_eq(proauth2_consent_remember(env.provider, USER, c->client_id,
			"openid read", NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_consent_revoke(env.provider, USER, c->client_id,
			&removed, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(n_deliveries, 1);
	assert_logout_token(delivery_to(c)->token, c, "s1");
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	/* Out of the session: its logout tells the other client only. */
	forget_deliveries();
	ck_assert_uint_eq(logout("s1", NULL), 1);
	ck_assert_ptr_nonnull(delivery_to(other));
	/* Nothing left to revoke: nobody told. */
	forget_deliveries();
	ck_assert_int_eq(proauth2_consent_revoke(env.provider, USER, c->client_id,
			&removed, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(removed, 0);
	ck_assert_uint_eq(n_deliveries, 0);
	proauth2_token_response_free(r);
	/* Tokens of no login (no openid): told without sid. */
	r = login(c, "read", NULL);
	ck_assert_int_eq(proauth2_consent_revoke(env.provider, USER, c->client_id,
			&removed, NULL), PROAUTH2_OK);
	ck_assert_uint_gt(removed, 0);
	assert_logout_token(delivery_to(c)->token, c, NULL);
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(r);
	proauth2_token_response_free(kept);
	proauth2_client_free(c);
	proauth2_client_free(other);
}
END_TEST

START_TEST(refresh_keeps_the_session)
{
	proauth2_client *c = logout_client(LOGOUT_URI, false);
	proauth2_token_response *t = login(c, "openid read", "s1"), *r = NULL;
	int i;

	/* Past the first refresh token's lifetime, refreshed on the way. */
	for (i = 0; i < 3; i++) {
		env.now += 20 * 24 * 3600;
		ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
				t->refresh_token, NULL, &r), PROAUTH2_OK);
		proauth2_token_response_free(t);
		t = r;
	}
	ck_assert_uint_eq(logout("s1", NULL), 1);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_ne(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_client_free(c);
}
END_TEST

START_TEST(oldest_session_ends_to_make_room)
{
	proauth2_client *c = logout_client(LOGOUT_URI, false);
	proauth2_token_response *first = login(c, "openid", "s0"), *r;
	char sid[16];
	int i;

	for (i = 1; i < 16; i++) {
		snprintf(sid, sizeof(sid), "s%d", i);
		env.now++;
		proauth2_token_response_free(login(c, "openid", sid));
	}
	ck_assert_uint_eq(n_deliveries, 0);
	ck_assert_int_eq(validate_status(first->access_token), PROAUTH2_OK);
	/* The 17th session ends the oldest, as its logout would. */
	env.now++;
	r = login(c, "openid", "s16");
	ck_assert_uint_eq(n_deliveries, 1);
	assert_logout_token(delivery_to(c)->token, c, "s0");
	ck_assert_int_eq(validate_status(first->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_OK);
	forget_deliveries();
	ck_assert_uint_eq(logout(NULL, NULL), 16);
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(first);
	proauth2_token_response_free(r);
	proauth2_client_free(c);
}
END_TEST

#define CROWD 48

START_TEST(crowded_session_ends_its_oldest_clients)
{
	proauth2_client *clients[CROWD];
	proauth2_token_response *tokens[CROWD];
	int i;

	/* Every login succeeds; the session's first clients make room. */
	for (i = 0; i < CROWD; i++) {
		clients[i] = logout_client(LOGOUT_URI, false);
		tokens[i] = login(clients[i], "openid", "s1");
	}
	ck_assert_uint_gt(n_deliveries, 0);
	ck_assert_str_eq(deliveries[0].client_id, clients[0]->client_id);
	assert_logout_token(deliveries[0].token, clients[0], "s1");
	ck_assert_int_eq(validate_status(tokens[0]->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(tokens[CROWD - 1]->access_token), PROAUTH2_OK);
	/* The rest end with the session. */
	forget_deliveries();
	ck_assert_uint_gt(logout("s1", NULL), 0);
	ck_assert_int_eq(validate_status(tokens[CROWD - 1]->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	for (i = 0; i < CROWD; i++) {
		proauth2_token_response_free(tokens[i]);
		proauth2_client_free(clients[i]);
	}
}
END_TEST

START_TEST(a_clients_oldest_grant_in_a_session_ends)
{
	proauth2_client *c = logout_client(LOGOUT_URI, false);
	proauth2_token_response *t[5];
	int i;

	for (i = 0; i < 5; i++)
		t[i] = login(c, "openid", "s1");
	/* Four kept; the first ended, without a logout token: the session
	 * goes on. */
	ck_assert_int_eq(validate_status(t[0]->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(t[1]->access_token), PROAUTH2_OK);
	ck_assert_uint_eq(n_deliveries, 0);
	ck_assert_uint_eq(logout("s1", NULL), 1);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(validate_status(t[i]->access_token),
				PROAUTH2_ERR_INVALID_TOKEN);
		proauth2_token_response_free(t[i]);
	}
	proauth2_client_free(c);
}
END_TEST

/* proauth2_end_session_begin() on n parameters. */
static proauth2_status end_session(const char *const *names,
		const char *const *values, size_t n, proauth2_end_session **out)
{
	proauth2_end_session *r = NULL;
	proauth2_status status = proauth2_end_session_begin(env.provider, names,
			values, n, &r, NULL);

	if (out != NULL)
		*out = r;
	else
		proauth2_end_session_free(r);
	if (status != PROAUTH2_OK)
		ck_assert_ptr_null(r);
	return status;
}

START_TEST(end_session_request_is_checked)
{
	proauth2_client *c = logout_client(NULL, false);
	proauth2_client *other = logout_client_after(NULL, false,
			AFTER_LOGOUT "/other");
	proauth2_token_response *t = login(c, "openid", "s1");
	const char *names[] = {"id_token_hint", "post_logout_redirect_uri", "state",
		"ui_locales", "client_id"};
	const char *values[] = {t->id_token, AFTER_LOGOUT, "st/1 &x", "de en",
		c->client_id};
	proauth2_end_session *r = NULL;
	char tampered[4096], long_state[PROAUTH2_HTTP_STATE_MAX_LENGTH + 2];

	ck_assert_int_eq(end_session(names, values, 5, &r), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_end_session_client_id(r), c->client_id);
	ck_assert_str_eq(proauth2_end_session_client_name(r), "Logout Client");
	ck_assert_str_eq(proauth2_end_session_subject(r), USER);
	ck_assert_str_eq(proauth2_end_session_session_id(r), "s1");
	ck_assert_str_eq(proauth2_end_session_param(r, "ui_locales"), "de en");
	ck_assert_str_eq(proauth2_end_session_redirect(r),
			AFTER_LOGOUT "?state=st%2F1%20%26x");
	proauth2_end_session_free(r);
	/* A registered URI with a query keeps it. */
	values[1] = AFTER_LOGOUT "?lang=en";
	ck_assert_int_eq(end_session(names, values, 3, &r), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_end_session_redirect(r),
			AFTER_LOGOUT "?lang=en&state=st%2F1%20%26x");
	proauth2_end_session_free(r);
	/* Without a redirect, nowhere to go: the host's own page. */
	ck_assert_int_eq(end_session(names, values, 1, &r), PROAUTH2_OK);
	ck_assert_ptr_null(proauth2_end_session_redirect(r));
	proauth2_end_session_free(r);
	/* Nothing at all is a logout of whoever is signed in. */
	ck_assert_int_eq(end_session(names, values, 0, &r), PROAUTH2_OK);
	ck_assert_ptr_null(proauth2_end_session_client_id(r));
	ck_assert_ptr_null(proauth2_end_session_subject(r));
	proauth2_end_session_free(r);
	/* Without state, none comes back; state alone asks for nothing. */
	values[1] = AFTER_LOGOUT;
	ck_assert_int_eq(end_session(names, values, 2, &r), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_end_session_redirect(r), AFTER_LOGOUT);
	proauth2_end_session_free(r);
	ck_assert_int_eq(end_session(names + 2, values + 2, 1, &r), PROAUTH2_OK);
	ck_assert_ptr_null(proauth2_end_session_redirect(r));
	proauth2_end_session_free(r);
	/* A URI the client did not register (another path, a query added);
	 * one of another client; one without a client to match it against. */
	values[1] = AFTER_LOGOUT "/other";
	ck_assert_int_eq(end_session(names, values, 2, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	values[1] = AFTER_LOGOUT "?extra=1";
	ck_assert_int_eq(end_session(names, values, 2, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	values[1] = AFTER_LOGOUT;
	ck_assert_int_eq(end_session(names + 1, values + 1, 2, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* client_id not the hint's audience; another client's URI. */
	values[4] = other->client_id;
	ck_assert_int_eq(end_session(names, values, 5, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	values[1] = AFTER_LOGOUT "/other";
	ck_assert_int_eq(end_session(names, values, 2, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(end_session(names + 1, values + 1, 4, NULL), PROAUTH2_OK);
	values[1] = AFTER_LOGOUT;
	values[4] = "no-such-client";
	ck_assert_int_eq(end_session(names + 4, values + 4, 1, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	values[4] = c->client_id;
	/* A hint that is no id_token of ours: tampered, an access token. */
	snprintf(tampered, sizeof(tampered), "%s", t->id_token);
	tampered[strlen(tampered) - 2] ^= 1;
	values[0] = tampered;
	ck_assert_int_eq(end_session(names, values, 1, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	values[0] = t->access_token;
	ck_assert_int_eq(end_session(names, values, 1, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	values[0] = t->id_token;
	/* An expired hint still names its user (§2). */
	env.now += 2 * 3600;
	ck_assert_int_eq(end_session(names, values, 1, NULL), PROAUTH2_OK);
	/* Too long a state; a repeated parameter. */
	memset(long_state, 'x', sizeof(long_state) - 1);
	long_state[sizeof(long_state) - 1] = '\0';
	values[2] = long_state;
	ck_assert_int_eq(end_session(names, values, 3, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	names[2] = "id_token_hint";
	values[2] = t->id_token;
	ck_assert_int_eq(end_session(names, values, 3, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	proauth2_token_response_free(t);
	proauth2_client_free(c);
	proauth2_client_free(other);
}
END_TEST

/* GET the end-session endpoint with query. */
static proauth2_status http_end_session(const char *query,
		proauth2_end_session **r, proauth2_http_response **out)
{
	proauth2_http_request req;

	proauth2_http_request_init(&req);
	req.method = "GET";
	req.path = proauth2_provider_endpoint_path(env.provider,
			PROAUTH2_ENDPOINT_END_SESSION);
	req.query = query;
	return proauth2_http_end_session_begin(env.provider, &req, r, out);
}

START_TEST(end_session_endpoint_over_http)
{
	proauth2_client *c = logout_client(NULL, false);
	proauth2_token_response *t = login(c, "openid", "s1");
	proauth2_end_session *r = NULL;
	proauth2_http_response *out = NULL;
	char query[4096];

	ck_assert_str_eq(proauth2_provider_endpoint(env.provider,
			PROAUTH2_ENDPOINT_END_SESSION), ISSUER "/logout");
	snprintf(query, sizeof(query), "id_token_hint=%s&post_logout_redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fbye&state=abc", t->id_token);
	ck_assert_int_eq(http_end_session(query, &r, &out), PROAUTH2_OK);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(proauth2_http_end_session_finish(r, &out), PROAUTH2_OK);
	ck_assert_int_eq(out->status, 303);
	ck_assert_str_eq(proauth2_http_response_header(out, "Location"),
			AFTER_LOGOUT "?state=abc");
	proauth2_http_response_free(out);
	proauth2_end_session_free(r);
	/* No redirect asked for: the host's page. */
	ck_assert_int_eq(http_end_session("", &r, &out), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_http_end_session_finish(r, &out), PROAUTH2_OK);
	ck_assert_ptr_null(out);
	proauth2_end_session_free(r);
	/* Refused: a 400 page, never a redirect. */
	snprintf(query, sizeof(query), "client_id=%s&post_logout_redirect_uri="
			"https%%3A%%2F%%2Fevil.example%%2F", c->client_id);
	ck_assert_int_eq(http_end_session(query, &r, &out), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(r);
	ck_assert_ptr_null(proauth2_http_response_header(out, "Location"));
	assert_error(out, 400, "invalid_request");
	ck_assert_int_eq(http_end_session("state=%ZZ", &r, &out),
			PROAUTH2_ERR_INVALID_REQUEST);
	assert_error(out, 400, "invalid_request");
	proauth2_token_response_free(t);
	proauth2_client_free(c);
}
END_TEST

START_TEST(metadata_offers_logout)
{
	proauth2_http_response *r = http("GET", "/.well-known/openid-configuration",
			NULL, NULL, NULL);
	json_t *doc = body_json(r);

	ck_assert_str_eq(member(doc, "end_session_endpoint"), ISSUER "/logout");
	ck_assert(json_is_true(json_object_get(doc, "backchannel_logout_supported")));
	ck_assert(json_is_true(json_object_get(doc,
			"backchannel_logout_session_supported")));
	json_decref(doc);
	proauth2_http_response_free(r);
}
END_TEST

/* What registering a client with one change to good params says. */
static proauth2_status register_with(void (*change)(proauth2_client_params *))
{
	const char *redirects[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_status status;

	proauth2_client_params_init(&params);
	params.type = CONF;
	params.redirect_uris = redirects;
	params.n_redirect_uris = 1;
	params.scope = "openid";
	change(&params);
	status = proauth2_client_register(env.provider, &params, &c, NULL);
	proauth2_client_free(c);
	return status;
}

static const char *const plain_http[] = {"http://client.example.com/bye"};
static const char *const loopback[] = {"http://127.0.0.1:8080/bye"};
static void http_logout_uri(proauth2_client_params *p)
{
	p->post_logout_redirect_uris = plain_http;
	p->n_post_logout_redirect_uris = 1;
}
static void loopback_logout_uri(proauth2_client_params *p)
{
	p->post_logout_redirect_uris = loopback;
	p->n_post_logout_redirect_uris = 1;
}
static void fragment_backchannel(proauth2_client_params *p)
{
	p->backchannel_logout_uri = "https://client.example.com/bc#x";
}
static void session_without_uri(proauth2_client_params *p)
{
	p->backchannel_logout_session_required = true;
}
static void negative_max_age(proauth2_client_params *p)
{
	p->default_max_age = -1;
}
static void good_max_age(proauth2_client_params *p)
{
	p->default_max_age = 60;
}

START_TEST(logout_metadata_is_checked)
{
	ck_assert_int_eq(register_with(http_logout_uri), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	ck_assert_int_eq(register_with(loopback_logout_uri), PROAUTH2_OK);
	ck_assert_int_eq(register_with(fragment_backchannel), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_with(session_without_uri), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_with(negative_max_age), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_with(good_max_age), PROAUTH2_OK);
}
END_TEST

static void plain_oauth(proauth2_config *cfg)
{
	cfg->key_encryption_key = kek;
}

START_TEST(logout_needs_an_openid_provider)
{
	proauth2_end_session *r = NULL;

	env_reconfigure(plain_oauth);
	ck_assert_int_eq(register_with(loopback_logout_uri), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_with(good_max_age), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(proauth2_logout(env.provider, USER, NULL, NULL, NULL, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_end_session_begin(env.provider, NULL, NULL, 0,
			&r, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert(!proauth2_provider_backchannel_logout_enabled(env.provider));
}
END_TEST

START_TEST(default_max_age_asks_for_a_recent_login)
{
	const char *redirects[] = {REDIRECT_URI};
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "max_age"};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_authorization *a = NULL;
	proauth2_approval approval;
	char *code = NULL;

	proauth2_client_params_init(&params);
	params.type = CONF;
	params.redirect_uris = redirects;
	params.n_redirect_uris = 1;
	params.scope = "openid";
	params.default_max_age = 60;
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(c->default_max_age, 60);
	{
		const char *values[] = {c->client_id, REDIRECT_URI, "code", "openid",
			RFC7636_CHALLENGE, "S256", "600"};

		ck_assert_int_eq(proauth2_authorization_begin(env.provider, names,
				values, 6, &a, NULL), PROAUTH2_OK);
		ck_assert(proauth2_authorization_login_needed(env.provider, a,
				env.now - 120));
		ck_assert(!proauth2_authorization_login_needed(env.provider, a,
				env.now - 30));
		proauth2_authorization_free(a);
		/* The request's own max_age wins. */
		ck_assert_int_eq(proauth2_authorization_begin(env.provider, names,
				values, 7, &a, NULL), PROAUTH2_OK);
		ck_assert(!proauth2_authorization_login_needed(env.provider, a,
				env.now - 120));
		proauth2_authorization_free(a);
		/* An approval must say when the login was. */
		ck_assert_int_eq(proauth2_authorization_begin(env.provider, names,
				values, 6, &a, NULL), PROAUTH2_OK);
	}
	{
		proauth2_authorization *spent = NULL;

		ck_assert_int_eq(proauth2_authorization_spend(env.provider,
				proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
		proauth2_approval_init(&approval);
		approval.user_id = USER;
		ck_assert_int_eq(proauth2_authorization_approve_with(env.provider,
				spent, &approval, &code, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
		proauth2_authorization_free(spent);
	}
	proauth2_authorization_free(a);
	proauth2_client_free(c);
}
END_TEST

/* Dynamic registration of body, answered with status; the response's
 * JSON when 201. */
static json_t *registration(const char *body, int status)
{
	proauth2_http_response *r = http("POST", "/register", "application/json",
			body, NULL);
	json_t *doc = NULL;

	ck_assert_int_eq(r->status, status);
	if (status == 201)
		doc = body_json(r);
	else
		ck_assert_ptr_nonnull(strstr(r->body, "invalid_client_metadata"));
	proauth2_http_response_free(r);
	return doc;
}

static void open_registration(proauth2_config *cfg)
{
	openid_config(cfg);
	cfg->enable_registration = true;
}

START_TEST(dynamic_registration_takes_openid_metadata)
{
	json_t *doc;

	env_reconfigure(open_registration);
	doc = registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"token_endpoint_auth_method\":\"none\",\"scope\":\"openid\","
			"\"subject_type\":\"public\",\"require_auth_time\":true,"
			"\"default_max_age\":300,"
			"\"post_logout_redirect_uris\":[\"" AFTER_LOGOUT "\"],"
			"\"backchannel_logout_uri\":\"" LOGOUT_URI "\","
			"\"backchannel_logout_session_required\":true}", 201);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc,
			"post_logout_redirect_uris"), 0)), AFTER_LOGOUT);
	ck_assert_str_eq(member(doc, "backchannel_logout_uri"), LOGOUT_URI);
	ck_assert(json_is_true(json_object_get(doc,
			"backchannel_logout_session_required")));
	ck_assert_int_eq(json_integer_value(json_object_get(doc,
			"default_max_age")), 300);
	/* A client that registered itself is sent back only with a hint:
	 * anyone could register a URI and make us an open redirector. */
	{
		const char *names[] = {"client_id", "post_logout_redirect_uri"};
		const char *values[] = {member(doc, "client_id"), AFTER_LOGOUT};

		ck_assert_int_eq(end_session(names, values, 2, NULL),
				PROAUTH2_ERR_INVALID_REQUEST);
	}
	json_decref(doc);
	registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"subject_type\":\"pairwise\"}", 400);
	registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"require_auth_time\":\"yes\"}", 400);
	registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"default_max_age\":-5}", 400);
	registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"post_logout_redirect_uris\":\"" AFTER_LOGOUT "\"}", 400);
	registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"backchannel_logout_uri\":\"http://client.example.com/bc\"}", 400);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("logout");
	TCase *tc = tcase_create("logout");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* RSA keys are made in most tests: seconds under valgrind. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, logout_tells_the_session_clients_and_ends_their_grants);
	tcase_add_test(tc, offline_access_outlives_a_logout);
	tcase_add_test(tc, login_without_session_id);
	tcase_add_test(tc, undelivered_tokens_are_counted_and_reported);
	tcase_add_test(tc, revoked_consent_tells_its_client);
	tcase_add_test(tc, refresh_keeps_the_session);
	tcase_add_test(tc, oldest_session_ends_to_make_room);
	tcase_add_test(tc, crowded_session_ends_its_oldest_clients);
	tcase_add_test(tc, a_clients_oldest_grant_in_a_session_ends);
	tcase_add_test(tc, end_session_request_is_checked);
	tcase_add_test(tc, end_session_endpoint_over_http);
	tcase_add_test(tc, metadata_offers_logout);
	tcase_add_test(tc, logout_metadata_is_checked);
	tcase_add_test(tc, logout_needs_an_openid_provider);
	tcase_add_test(tc, default_max_age_asks_for_a_recent_login);
	tcase_add_test(tc, dynamic_registration_takes_openid_metadata);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
