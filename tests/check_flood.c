/*
 * An anonymous flood on a real SQLite file: GET /authorize from a public
 * client with a long state, and client_credentials with one-second access
 * tokens, for three periods of FLOOD_PERIOD_S seconds. The file (with its
 * -wal) is sampled every second and the sizes printed. It must plateau:
 * expired tokens are reclaimed by the writes, and pending authorizations
 * stop at their cap (refused 503) instead of piling up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "http_support.h"

#define FLOOD_PERIOD_S 3
#define STATE_LENGTH PROAUTH2_HTTP_STATE_MAX_LENGTH  /* the longest accepted */
#define PER_CLIENT_CAP 500
/* The last period may outgrow the first by this much: pages freed by a
 * purge are reused, but the WAL and a step's backlog move a little. */
#define GROWTH_ALLOWED 1.25

static char state[STATE_LENGTH + 1];

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* The database and its -wal, in bytes. */
static long long store_size(void)
{
	char wal[128];

	snprintf(wal, sizeof(wal), "%s-wal", env.uri);
	return file_size(env.uri) + file_size(wal);
}

/* Rows of table, all or (expired_before != 0) those expired before it. */
static long long rows(const char *table, int64_t expired_before)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char sql[128];
	long long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"%s", table,
			expired_before != 0 ? " WHERE expires_at <= ?" : "");
	ck_assert_int_eq(sqlite3_open_v2(env.uri, &db, SQLITE_OPEN_READONLY, NULL),
			SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		if (expired_before != 0)
			sqlite3_bind_int64(stmt, 1, expired_before);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
	return n;
}

static void short_lifetimes(proauth2_config *cfg)
{
	cfg->access_token_lifetime = 1;
	cfg->refresh_token_lifetime = 0;
	cfg->clock = NULL;  /* the real clock, which the purge goes by */
	cfg->max_authorizations_per_client = PER_CLIENT_CAP;
}

/* One unauthenticated authorization request; 1: parked, 0: refused. */
static int authorize(const char *client_id)
{
	char *query = NULL;
	proauth2_http_request req;
	proauth2_http_response *r = NULL;
	proauth2_authorization *a = NULL;
	proauth2_status status;

	ck_assert_int_gt(asprintf(&query, "response_type=code&client_id=%s"
			"&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256"
			"&state=%s", client_id, state), 0);
	proauth2_http_request_init(&req);
	req.method = "GET";
	req.path = "/authorize";
	req.query = query;
	status = proauth2_http_authorize_begin(env.provider, &req, &a, &r);
	/* Refused at the cap with a page saying so, never a redirect. */
	if (status != PROAUTH2_OK)
		ck_assert_msg(r != NULL && r->status == 503 && proauth2_http_response_header(r,
				"Location") == NULL, "authorize: %d %s", r->status, r->body);
	proauth2_authorization_free(a);
	proauth2_http_response_free(r);
	free(query);
	return status == PROAUTH2_OK;
}

static void client_credentials(const char *authorization)
{
	proauth2_http_response *r = post_form("/token",
			"grant_type=client_credentials&scope=read", authorization);

	ck_assert_msg(r->status == 200, "token: %d %s", r->status, r->body);
	proauth2_http_response_free(r);
}

START_TEST(an_anonymous_flood_leaves_the_store_at_a_plateau)
{
	proauth2_client *app, *service;
	char authorization[256], uri[160];
	long long sizes[3 * FLOOD_PERIOD_S + 1], parked = 0, requests = 0;
	long long parked_at_first = 0;
	long long expired, tokens, tickets;
	time_t start, second;
	int i;

	if (strcmp(env_backend(), "sqlite") != 0)
		return;  /* the flood needs a file to measure */
	memset(state, 'x', STATE_LENGTH);
	/* synchronous=normal: more requests in the time, as a busy server
	 * with group commit would write. */
	snprintf(uri, sizeof(uri), "file:%s?synchronous=normal", env.uri);
	proauth2_provider_free(env.provider);
	env.provider = NULL;
	proauth2_datastore_close(env.ds);
	ck_assert_int_eq(proauth2_datastore_open(env.ops, uri, &env.ds, NULL), PROAUTH2_OK);
	env_reconfigure(short_lifetimes);
	app = register_client(PROAUTH2_CLIENT_PUBLIC, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	service = register_client(PROAUTH2_CLIENT_CONFIDENTIAL,
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	snprintf(authorization, sizeof(authorization), "%s",
			basic(service->client_id, service->client_secret));

	sizes[0] = store_size();
	start = second = time(NULL);
	for (i = 1; i <= 3 * FLOOD_PERIOD_S; ) {
		parked += authorize(app->client_id);
		client_credentials(authorization);
		requests++;
		if (time(NULL) != second) {
			second = time(NULL);
			sizes[i] = store_size();
			if (i == FLOOD_PERIOD_S)
				parked_at_first = parked;
			printf("flood: %2lds %6lld requests %6lld parked: %8lld bytes\n",
					(long)(second - start), requests, parked, sizes[i]);
			i++;
		}
	}
	tokens = rows("access_tokens", 0);
	tickets = rows("authorizations", 0);
	/* Expired two seconds ago: a step (a second apart at most) has run. */
	expired = rows("access_tokens", (int64_t)time(NULL) - 2);
	printf("flood: %lld requests; rows: %lld access tokens (%lld expired"
			" 2 s ago), %lld authorizations\n", requests, tokens,
			expired, tickets);
	fflush(stdout);
	proauth2_client_free(app);
	proauth2_client_free(service);

	ck_assert_msg(expired <= 2 * 256, "%lld expired access tokens stay", expired);
	ck_assert_msg(tickets <= PER_CLIENT_CAP, "%lld authorizations parked", tickets);
	/* The plateau shows once the cap is reached in the first period; a
	 * run too slow for that (valgrind) still checks the rest. */
	if (parked_at_first < PER_CLIENT_CAP) {
		printf("flood: the cap was not reached in %d s: no plateau to judge\n",
				FLOOD_PERIOD_S);
		return;
	}
	ck_assert_msg(sizes[3 * FLOOD_PERIOD_S] <= sizes[FLOOD_PERIOD_S] * GROWTH_ALLOWED,
			"the store grew from %lld to %lld bytes", sizes[FLOOD_PERIOD_S],
			sizes[3 * FLOOD_PERIOD_S]);
	ck_assert_int_eq(parked, PER_CLIENT_CAP);
}
END_TEST

/* ---- the caps and the lifetime of pending requests ---- */

static int64_t env_clock(void *arg)
{
	(void)arg;
	return env.now;
}

#define CLIENT_CAP 3
#define GLOBAL_CAP 5

static void small_caps(proauth2_config *cfg)
{
	cfg->max_authorizations_per_client = CLIENT_CAP;
	cfg->max_authorizations = GLOBAL_CAP;
	cfg->authorization_lifetime = 30;
	cfg->code_lifetime = 600;  /* the ticket's lifetime is its own */
}

/* proauth2_authorization_begin for client with the RFC 7636 challenge and
 * state; *a receives the request on success. */
static proauth2_status begin(proauth2_provider *p, const char *client_id,
		const char *state_value, proauth2_authorization **a)
{
	const char *names[] = {"response_type", "client_id", "redirect_uri",
		"code_challenge", "code_challenge_method", "state"};
	const char *values[] = {"code", client_id, REDIRECT_URI,
		RFC7636_CHALLENGE, "S256", state_value};

	return proauth2_authorization_begin(p, names, values, 6, a, NULL);
}

static void begin_ok(proauth2_provider *p, const char *client_id)
{
	proauth2_authorization *a = NULL;

	ck_assert_int_eq(begin(p, client_id, "s", &a), PROAUTH2_OK);
	proauth2_authorization_free(a);
}

static long long stored_authorizations(void)
{
	return strcmp(env_backend(), "sqlite") == 0 ? rows("authorizations", 0) : -1;
}

START_TEST(pending_requests_stop_at_the_client_cap_then_the_global_one)
{
	proauth2_client *one, *two, *three;
	proauth2_authorization *a = NULL;
	proauth2_provider *other;
	proauth2_datastore *other_ds;
	int i;

	env_reconfigure(small_caps);
	one = register_client(PROAUTH2_CLIENT_PUBLIC, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	two = register_client(PROAUTH2_CLIENT_PUBLIC, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	three = register_client(PROAUTH2_CLIENT_PUBLIC, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	for (i = 0; i < CLIENT_CAP; i++)
		begin_ok(env.provider, one->client_id);
	ck_assert_int_eq(begin(env.provider, one->client_id, "s", &a),
			PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_ptr_null(a);
	/* Another datastore and provider on the same store (as another
	 * process would be) count the same records. */
	if (strcmp(env_backend(), "sqlite-memory") != 0) {
		proauth2_config cfg;

		ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &other_ds,
				NULL), PROAUTH2_OK);
		proauth2_config_init(&cfg);
		cfg.issuer = "https://auth.example.com";
		cfg.datastore = other_ds;
		cfg.clock = env_clock;
		small_caps(&cfg);
		ck_assert_int_eq(proauth2_provider_new(&cfg, &other, NULL), PROAUTH2_OK);
		ck_assert_int_eq(begin(other, one->client_id, "s", &a),
				PROAUTH2_ERR_UNAVAILABLE);
		proauth2_provider_free(other);
		proauth2_datastore_close(other_ds);
	}
	/* Other clients have room till the global cap. */
	begin_ok(env.provider, two->client_id);
	begin_ok(env.provider, two->client_id);
	ck_assert_int_eq(begin(env.provider, three->client_id, "s", &a),
			PROAUTH2_ERR_UNAVAILABLE);
	if (stored_authorizations() >= 0)
		ck_assert_int_eq(stored_authorizations(), GLOBAL_CAP);
	/* A spent ticket makes room; so does time. */
	env.now += 31;
	begin_ok(env.provider, three->client_id);
	proauth2_client_free(one);
	proauth2_client_free(two);
	proauth2_client_free(three);
}
END_TEST

/* At the cap, /authorize answers a page, not a redirect: 503 with
 * Retry-After and temporarily_unavailable. */
START_TEST(at_the_cap_authorize_answers_503_without_a_redirect)
{
	proauth2_client *app;
	proauth2_http_request req;
	proauth2_http_response *r = NULL;
	proauth2_authorization *a = NULL;
	char query[512];
	int i;

	env_reconfigure(small_caps);
	app = register_client(PROAUTH2_CLIENT_PUBLIC, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	for (i = 0; i < CLIENT_CAP; i++)
		begin_ok(env.provider, app->client_id);
	snprintf(query, sizeof(query), "response_type=code&client_id=%s"
			"&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256"
			"&state=xyz", app->client_id);
	proauth2_http_request_init(&req);
	req.method = "GET";
	req.path = "/authorize";
	req.query = query;
	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(r->status, 503);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	ck_assert_ptr_nonnull(proauth2_http_response_header(r, "Retry-After"));
	ck_assert_ptr_nonnull(strstr(r->body, "temporarily_unavailable"));
	proauth2_http_response_free(r);
	proauth2_client_free(app);
}
END_TEST

/* A request too long to store is refused before anything is stored. */
START_TEST(a_refused_request_stores_nothing)
{
	proauth2_client *app;
	proauth2_authorization *a = NULL;
	char *long_state = malloc(PROAUTH2_FIELD_MAX_LENGTH + 1);

	ck_assert_ptr_nonnull(long_state);
	memset(long_state, 'x', PROAUTH2_FIELD_MAX_LENGTH);
	long_state[PROAUTH2_FIELD_MAX_LENGTH] = '\0';
	env_reconfigure(small_caps);
	app = register_client(PROAUTH2_CLIENT_PUBLIC, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	ck_assert_int_eq(begin(env.provider, app->client_id, long_state, &a),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(a);
	if (stored_authorizations() >= 0)
		ck_assert_int_eq(stored_authorizations(), 0);
	/* Nor did it use a place under the cap. */
	begin_ok(env.provider, app->client_id);
	begin_ok(env.provider, app->client_id);
	begin_ok(env.provider, app->client_id);
	free(long_state);
	proauth2_client_free(app);
}
END_TEST

/* A ticket lives authorization_lifetime, not ten code lifetimes. */
START_TEST(a_ticket_lives_its_own_lifetime)
{
	proauth2_client *app;
	proauth2_authorization *a = NULL, *again = NULL;
	char *ticket;

	env_reconfigure(small_caps);
	app = register_client(PROAUTH2_CLIENT_PUBLIC, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	ck_assert_int_eq(begin(env.provider, app->client_id, "s", &a), PROAUTH2_OK);
	ticket = strdup(proauth2_authorization_ticket(a));
	env.now += 29;
	ck_assert_int_eq(proauth2_authorization_load(env.provider, ticket, &again, NULL),
			PROAUTH2_OK);
	proauth2_authorization_free(again);
	again = NULL;
	env.now += 1;
	ck_assert_int_eq(proauth2_authorization_load(env.provider, ticket, &again, NULL),
			PROAUTH2_ERR_NOT_FOUND);
	free(ticket);
	proauth2_authorization_free(a);
	proauth2_client_free(app);
}
END_TEST

/* The defaults: a lifetime of its own and both caps on. */
START_TEST(the_defaults_cap_pending_requests)
{
	proauth2_config cfg;

	proauth2_config_init(&cfg);
	ck_assert_int_eq(cfg.authorization_lifetime, 300);
	ck_assert_uint_eq(cfg.max_authorizations, 10000);
	ck_assert_uint_eq(cfg.max_authorizations_per_client, 1000);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("flood");
	TCase *tc = tcase_create("flood");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, an_anonymous_flood_leaves_the_store_at_a_plateau);
	tcase_add_test(tc, pending_requests_stop_at_the_client_cap_then_the_global_one);
	tcase_add_test(tc, at_the_cap_authorize_answers_503_without_a_redirect);
	tcase_add_test(tc, a_refused_request_stores_nothing);
	tcase_add_test(tc, a_ticket_lives_its_own_lifetime);
	tcase_add_test(tc, the_defaults_cap_pending_requests);
	suite_add_tcase(suite, tc);
	return run_suite(suite) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
