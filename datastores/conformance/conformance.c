/*
 * The datastore conformance suite: the contract of proauth2/backend.h
 * (datastores/README.md), one test per promise. It uses only the public
 * API, as the provider does, and the ops table itself for write groups,
 * which the core keeps to itself; so any backend, in this tree or not, can
 * be held to it.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <check.h>
#include <jansson.h>

#include <proauth2/backend.h>
#include <proauth2/conformance.h>
#include <proauth2/backend.h>
#include <proauth2/error.h>

#define N_THREADS 64
#define RACE_ROUNDS 4          /* one lucky schedule proves little */
#define N_READERS 8
#define N_REPLACES 200
#define TIMEOUT_SECONDS 60.0

/* Times below count from an epoch set at each test's start, in seconds: a
 * backend may also reap expired records by the real clock, as a MongoDB TTL
 * index does, so what a test means to be alive must be alive in real time. */
#define NOW ((int64_t)1000000) /* the clock of a fetch unless a test says */
#define LATER (NOW + 3600)     /* an expiry still ahead at NOW */
#define BEFORE_ALL ((int64_t)0) /* before every expiry: sees all not purged */

/* Check test functions take no arguments: the suite's state lives here. */
static int64_t epoch;
static const proauth2_conformance_target *target;
static char *uri;
static proauth2_datastore *ds;
/* The detail of the test thread's last call; racing threads use their own. */
static proauth2_error err;

/* The connection of the write group tests, opened by ops->init on uri, and
 * how many of its begin_writes have not been ended. */
static void *group_cls;
static unsigned group_depth;

/* The target's members that its struct_size covers. */
#define TARGET_HAS(member) (target->struct_size >= \
		offsetof(proauth2_conformance_target, member) + sizeof(target->member))

/* ---- Failing a check: say which, on what target, and what was wanted. ---- */

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static void check_failed(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* The failure of the running check: its name, the target, then fmt. */
static void check_failed(const char *fmt, ...)
{
	const char *name = tcase_name();
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (name != NULL && strncmp(name, "test_", 5) == 0)
		name += 5;
	ck_abort_msg("conformance check '%s' on %s failed: %s",
			name != NULL ? name : "?", target->name, what);
}

#define expect(cond, ...) do { \
	if (!(cond)) \
		check_failed(__VA_ARGS__); \
} while (0)

#define expect_true(cond) expect(cond, "expected %s", #cond)

#define expect_str(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	expect(strcmp(g_, w_) == 0, "%s is \"%.200s\", expected \"%.200s\"", \
			#got, g_, w_); \
} while (0)

#define expect_uint(got, want) do { \
	uintmax_t g_ = (got), w_ = (want); \
	expect(g_ == w_, "%s is %ju, expected %ju", #got, g_, w_); \
} while (0)

#define expect_int(got, want) do { \
	intmax_t g_ = (got), w_ = (want); \
	expect(g_ == w_, "%s is %jd, expected %jd", #got, g_, w_); \
} while (0)

#define expect_absent(got) \
	expect((got) == NULL, "%s is there, expected nothing", #got)

#define expect_memory(got) expect((got) != NULL, "out of memory: %s", #got)

#define expect_mem(got, want, len) expect(memcmp(got, want, len) == 0, \
		"%s differs from the %zu bytes expected", #got, (size_t)(len))

/* So that a check of err sees what the last call filled in. */
static void reset_err(void)
{
	err.status = PROAUTH2_OK;
	err.text[0] = '\0';
}

/* call returns want, and a failure also fills err with want. */
#define assert_status(call, want) do { \
	proauth2_status got_, want_ = (want); \
	reset_err(); \
	got_ = (call); \
	expect(got_ == want_, "%s: %s (%s), expected %s", #call, \
			proauth2_status_str(got_), err.text, \
			proauth2_status_str(want_)); \
	expect(want_ == PROAUTH2_OK || err.status == want_, \
			"%s: err holds %s, expected %s", #call, \
			proauth2_status_str(err.status), proauth2_status_str(want_)); \
} while (0)

#define assert_ok(call) assert_status(call, PROAUTH2_OK)

/* ---- Building records and queries. ---- */

static json_t *checked(json_t *json)
{
	expect(json != NULL, "could not build a JSON value");
	return json;
}

/* JSON text with ' for ", to keep literals readable. New reference. */
static json_t *parse(const char *text)
{
	char *copy = strdup(text), *c;
	json_error_t jerr;
	json_t *json;

	expect_memory(copy);
	for (c = copy; *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	json = json_loads(copy, JSON_DECODE_ANY, &jerr);
	expect(json != NULL, "bad test JSON %s: %s", copy, jerr.text);
	free(copy);
	return json;
}

/* The query {field: value}. New reference. */
static json_t *by(const char *field, const char *value)
{
	return checked(json_pack("{s:s}", field, value));
}

/* The query {key: value} on table's key. New reference. */
static json_t *by_key(const char *table, const char *value)
{
	return by(proauth2_schema_table(table)->fields[0].name, value);
}

/* Test time t as the datastore sees it. */
static int64_t at(int64_t t)
{
	return t >= INT64_MAX - epoch ? INT64_MAX : epoch + t;
}

/* A client with every required field and no optional one. */
static json_t *client(const char *client_id, const char *scope)
{
	return checked(json_pack("{s:s, s:s, s:[s], s:[s], s:s, s:I}",
			"client_id", client_id, "client_type", "public",
			"redirect_uris", "https://client.example/cb",
			"grant_types", "authorization_code",
			"scope", scope, "created_at", (json_int_t)NOW));
}

static json_t *code(const char *code_hash, const char *client_id,
		int64_t expires_at)
{
	return checked(json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
			"code_hash", code_hash, "client_id", client_id,
			"user_id", "alice", "grant_id", "grant-1", "scope", "read",
			"expires_at", (json_int_t)at(expires_at)));
}

/* An access or refresh token, without the optional user_id. */
static json_t *token(const char *token_hash, const char *client_id,
		const char *grant_id, int64_t issued_at)
{
	return checked(json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}",
			"token_hash", token_hash, "client_id", client_id,
			"grant_id", grant_id, "scope", "read",
			"issued_at", (json_int_t)issued_at,
			"expires_at", (json_int_t)at(LATER)));
}

static json_t *spent(const char *token_hash, const char *grant_id,
		int64_t expires_at)
{
	return checked(json_pack("{s:s, s:s, s:I}", "token_hash", token_hash,
			"grant_id", grant_id, "expires_at", (json_int_t)at(expires_at)));
}

/* A record of any expiring table, keyed key, expiring at expires_at. */
static json_t *expiring(const char *table, const char *key, int64_t expires_at)
{
	json_t *record;

	if (strcmp(table, "codes") == 0)
		return code(key, "client-1", expires_at);
	if (strcmp(table, "spent_tokens") == 0)
		return spent(key, "grant-1", expires_at);
	if (strcmp(table, "revoked_grants") == 0)
		return checked(json_pack("{s:s, s:I}", "grant_id", key,
				"expires_at", (json_int_t)at(expires_at)));
	record = token(key, "client-1", "grant-1", 1);
	json_object_set_new(record, "expires_at", json_integer(at(expires_at)));
	return record;
}

/* ---- The operations, for tests to check with assert_status. ---- */

/* Store record (stolen) in table. */
static proauth2_status store_record(const char *table, json_t *record)
{
	proauth2_status status;

	reset_err();
	status = proauth2_datastore_store(ds, table, record, &err);
	json_decref(record);
	return status;
}

/* Replace by record (stolen) in table. */
static proauth2_status replace_record(const char *table, json_t *record)
{
	proauth2_status status;

	reset_err();
	status = proauth2_datastore_replace(ds, table, record, &err);
	json_decref(record);
	return status;
}

/* Fetch by query (stolen) at now; *record gets the match, else NULL. */
static proauth2_status fetch_record(const char *table, json_t *query,
		int64_t now, json_t **record)
{
	proauth2_status status;

	*record = json_null();  /* a sentinel the fetch must overwrite */
	reset_err();
	status = proauth2_datastore_fetch(ds, table, query, at(now), record, &err);
	json_decref(query);
	if (status != PROAUTH2_OK)
		expect(*record == NULL, "a failed fetch left *record set");
	return status;
}

/* Remove by query (stolen); *removed gets the count. */
static proauth2_status remove_records(const char *table, json_t *query,
		size_t *removed)
{
	proauth2_status status;

	*removed = (size_t)-1;
	reset_err();
	status = proauth2_datastore_remove(ds, table, query, removed, &err);
	json_decref(query);
	return status;
}

/* The one record matching query (stolen) at now. New reference. */
static json_t *fetch_one(const char *table, json_t *query, int64_t now)
{
	char *text = json_dumps(query, JSON_COMPACT);
	json_t *record;
	proauth2_status status = fetch_record(table, query, now, &record);

	expect(status == PROAUTH2_OK,
			"fetch %s %.100s at %" PRId64 ": %s (%s), expected ok",
			table, text, now, proauth2_status_str(status), err.text);
	expect(json_is_object(record), "fetch returned no object");
	free(text);
	return record;
}

/* No record matches query (stolen) at now. */
static void expect_missing(const char *table, json_t *query, int64_t now)
{
	char *text = json_dumps(query, JSON_COMPACT);
	json_t *record;
	proauth2_status status = fetch_record(table, query, now, &record);

	expect(status == PROAUTH2_ERR_NOT_FOUND,
			"fetch %s %.100s at %" PRId64 ": %s, expected not found",
			table, text, now, proauth2_status_str(status));
	expect(err.status == PROAUTH2_ERR_NOT_FOUND,
			"a fetch that found nothing did not fill err");
	json_decref(record);
	free(text);
}

/* The count remove reports for query (stolen), which must succeed. */
static size_t count_removed(const char *table, json_t *query)
{
	size_t removed;

	assert_ok(remove_records(table, query, &removed));
	return removed;
}

static const char *str(const json_t *record, const char *name)
{
	json_t *value = json_object_get(record, name);

	expect(json_is_string(value), "field %s is not a string", name);
	return json_string_value(value);
}

static json_int_t integer(const json_t *record, const char *name)
{
	json_t *value = json_object_get(record, name);

	expect(json_is_integer(value), "field %s is not an integer", name);
	return json_integer_value(value);
}

static size_t array_size(const json_t *record, const char *name)
{
	json_t *value = json_object_get(record, name);

	expect(json_is_array(value), "field %s is not an array", name);
	return json_array_size(value);
}

/* value is a string of exactly the len bytes of want. */
static void assert_bytes(const json_t *value, const char *want, size_t len)
{
	expect(json_is_string(value), "not a string");
	expect_uint(json_string_length(value), len);
	expect_mem(json_string_value(value), want, len);
}

/* ---- Round trips and keys. ---- */

START_TEST(test_round_trip)
{
	json_t *full, *record, *uris, *grants;

	full = checked(json_pack("{s:s, s:s, s:s, s:[s,s,s], s:[s,s], s:s, s:I}",
			"client_id", "client-1", "secret_hash", "c2VjcmV0LWhhc2g",
			"client_type", "confidential",
			"redirect_uris", "https://a.example/cb",
			"https://b.example/cb?x=1&y=2", "http://127.0.0.1:8080/",
			"grant_types", "authorization_code", "refresh_token",
			"scope", "read write",
			/* Beyond 32 bits: integers are int64. */
			"created_at", (json_int_t)1700000000123));
	assert_ok(proauth2_datastore_store(ds, "clients", full, &err));

	record = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_str(str(record, "client_id"), "client-1");
	expect_str(str(record, "secret_hash"), "c2VjcmV0LWhhc2g");
	expect_str(str(record, "client_type"), "confidential");
	expect_str(str(record, "scope"), "read write");
	expect_int(integer(record, "created_at"), 1700000000123);
	expect_uint(array_size(record, "redirect_uris"), 3);
	uris = json_object_get(record, "redirect_uris");
	expect_str(json_string_value(json_array_get(uris, 0)),
			"https://a.example/cb");
	expect_str(json_string_value(json_array_get(uris, 1)),
			"https://b.example/cb?x=1&y=2");
	expect_str(json_string_value(json_array_get(uris, 2)),
			"http://127.0.0.1:8080/");
	expect_uint(array_size(record, "grant_types"), 2);
	grants = json_object_get(record, "grant_types");
	expect_str(json_string_value(json_array_get(grants, 0)),
			"authorization_code");
	expect_str(json_string_value(json_array_get(grants, 1)),
			"refresh_token");
	/* An optional field left out stays out: not null, not "". */
	expect_absent(json_object_get(record, "name"));
	expect_uint(json_object_size(record), 7);
	expect_true(json_equal(record, full));
	json_decref(record);
	json_decref(full);

	/* The edges: an empty array, an empty string, optional fields
	 * present (schema 4's among them), the int64 extremes. */
	assert_ok(store_record("clients", parse("{'client_id': 'client-2',"
			" 'client_type': 'public', 'redirect_uris': [],"
			" 'grant_types': ['client_credentials'], 'scope': '',"
			" 'name': 'Client Two', 'resource': 'https://api.example/',"
			" 'token_endpoint_auth_method': 'none',"
			" 'created_at': 9223372036854775807}")));
	assert_ok(store_record("clients", parse("{'client_id': 'client-3',"
			" 'client_type': 'public', 'redirect_uris': ['x:y'],"
			" 'grant_types': [], 'scope': 'a',"
			" 'created_at': -9223372036854775808}")));
	record = fetch_one("clients", by("client_id", "client-2"), NOW);
	expect_uint(array_size(record, "redirect_uris"), 0);
	expect_str(str(record, "scope"), "");
	expect_str(str(record, "name"), "Client Two");
	expect_str(str(record, "resource"), "https://api.example/");
	expect_str(str(record, "token_endpoint_auth_method"), "none");
	expect_int(integer(record, "created_at"), INT64_MAX);
	expect_uint(json_object_size(record), 9);
	json_decref(record);
	record = fetch_one("clients", by("client_id", "client-3"), NOW);
	expect_int(integer(record, "created_at"), INT64_MIN);
	expect_uint(array_size(record, "grant_types"), 0);
	json_decref(record);

	/* Schema 5: grant attributes, a JSON object's text, kept byte for
	 * byte on codes and tokens alike. */
	full = code("code-attr", "client-1", LATER);
	json_object_set_new(full, "attributes", json_string(
			"{\"domain\":\"connect.domains\",\"hosts\":[\"async\",\"\"],"
			"\"n\":{\"x\":1.5,\"\u00e9\":null}}"));
	assert_ok(proauth2_datastore_store(ds, "codes", full, &err));
	record = fetch_one("codes", by("code_hash", "code-attr"), NOW);
	expect_true(json_equal(record, full));
	json_decref(record);
	json_decref(full);
	full = token("token-attr", "client-1", "grant-1", NOW);
	json_object_set_new(full, "attributes", json_string("{}"));
	assert_ok(proauth2_datastore_store(ds, "refresh_tokens", full, &err));
	record = fetch_one("refresh_tokens", by("token_hash", "token-attr"), NOW);
	expect_str(str(record, "attributes"), "{}");
	expect_true(json_equal(record, full));
	json_decref(record);
	json_decref(full);
}
END_TEST

/* A key no error text should ever show. */
#define SECRET_KEY "hash-of-a-secret-Zq3kV9"

START_TEST(test_duplicate_key)
{
	json_t *record;

	assert_ok(store_record("clients", client("client-1", "read")));
	assert_status(store_record("clients", client("client-1", "admin")),
			PROAUTH2_ERR_CONFLICT);
	/* A wholly different record with the same key conflicts too. */
	assert_status(store_record("clients", parse("{'client_id': 'client-1',"
			" 'client_type': 'confidential', 'secret_hash': 'h',"
			" 'redirect_uris': [], 'grant_types': [], 'scope': 'x',"
			" 'name': 'other', 'created_at': 5}")),
			PROAUTH2_ERR_CONFLICT);

	record = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_str(str(record, "scope"), "read");
	expect_str(str(record, "client_type"), "public");
	expect_absent(json_object_get(record, "name"));
	json_decref(record);

	/* Keys are per table. */
	assert_ok(store_record("codes", code("client-1", "client-1", LATER)));
	assert_ok(store_record("access_tokens", token("t1", "client-1", "g", 1)));
	assert_ok(store_record("refresh_tokens", token("t1", "client-1", "g", 1)));
	assert_ok(store_record("spent_tokens", spent("t1", "g", LATER)));
	assert_status(store_record("refresh_tokens", token("t1", "c", "g", 2)),
			PROAUTH2_ERR_CONFLICT);
	/* Keys are hashes of secrets: no error text may quote one. */
	assert_ok(store_record("access_tokens", token(SECRET_KEY, "c", "g", 1)));
	assert_status(store_record("access_tokens", token(SECRET_KEY, "c", "g", 2)),
			PROAUTH2_ERR_CONFLICT);
	expect(strstr(err.text, SECRET_KEY) == NULL,
			"the conflict's error text \"%s\" quotes the key", err.text);
}
END_TEST

START_TEST(test_fetch_missing)
{
	expect_missing("clients", by("client_id", "client-1"), NOW);
	assert_ok(store_record("clients", client("client-1", "read")));
	expect_missing("clients", by("client_id", "client-2"), NOW);
	/* Neither a prefix nor an extension of a key is the key. */
	expect_missing("clients", by("client_id", "client-"), NOW);
	expect_missing("clients", by("client_id", "client-10"), NOW);
	expect_missing("clients", by("scope", "write"), NOW);
	/* Nor is a key of another table. */
	expect_missing("codes", by("code_hash", "client-1"), BEFORE_ALL);
}
END_TEST

START_TEST(test_fetch_by_field)
{
	json_t *record, *t1;

	t1 = token("t1", "a", "g1", 1001);
	json_object_set_new(t1, "user_id", json_string("alice"));
	assert_ok(store_record("access_tokens", t1));
	assert_ok(store_record("access_tokens", token("t2", "a", "g2", 1002)));
	assert_ok(store_record("access_tokens", token("t3", "b", "g1", 1003)));

	record = fetch_one("access_tokens", by("client_id", "b"), NOW);
	expect_str(str(record, "token_hash"), "t3");
	json_decref(record);
	record = fetch_one("access_tokens", by("user_id", "alice"), NOW);
	expect_str(str(record, "token_hash"), "t1");
	json_decref(record);

	/* Every member of the query must match, not any one of them. */
	record = fetch_one("access_tokens",
			parse("{'client_id': 'a', 'grant_id': 'g2'}"), NOW);
	expect_str(str(record, "token_hash"), "t2");
	json_decref(record);
	record = fetch_one("access_tokens",
			parse("{'client_id': 'a', 'grant_id': 'g1'}"), NOW);
	expect_str(str(record, "token_hash"), "t1");
	json_decref(record);
	expect_missing("access_tokens",
			parse("{'client_id': 'b', 'grant_id': 'g2'}"), NOW);

	/* Integers are queried by value. */
	record = fetch_one("access_tokens", parse("{'issued_at': 1002}"), NOW);
	expect_str(str(record, "token_hash"), "t2");
	json_decref(record);
	expect_missing("access_tokens", parse("{'issued_at': 1004}"), NOW);

	/* A field the record lacks matches no value. */
	record = fetch_one("access_tokens",
			parse("{'grant_id': 'g1', 'user_id': 'alice'}"), NOW);
	expect_str(str(record, "token_hash"), "t1");
	json_decref(record);
	expect_missing("access_tokens",
			parse("{'client_id': 'b', 'user_id': 'alice'}"), NOW);
}
END_TEST

START_TEST(test_fetch_conflict)
{
	json_t *record;

	assert_ok(store_record("access_tokens", token("t1", "a", "g1", 1)));
	assert_ok(store_record("access_tokens", token("t2", "a", "g2", 2)));
	assert_ok(store_record("access_tokens", token("t3", "b", "g1", 3)));

	assert_status(fetch_record("access_tokens", by("client_id", "a"), NOW,
			&record), PROAUTH2_ERR_CONFLICT);
	assert_status(fetch_record("access_tokens", by("grant_id", "g1"), NOW,
			&record), PROAUTH2_ERR_CONFLICT);
	assert_status(fetch_record("access_tokens", by("scope", "read"), NOW,
			&record), PROAUTH2_ERR_CONFLICT);
	/* Each is still found on its own. */
	record = fetch_one("access_tokens", by("token_hash", "t2"), NOW);
	expect_str(str(record, "client_id"), "a");
	expect_str(str(record, "grant_id"), "g2");
	json_decref(record);
}
END_TEST

/* ---- Remove. ---- */

START_TEST(test_remove_counts)
{
	const char *table;
	json_t *record;

	assert_ok(store_record("access_tokens", token("c1-t1", "c1", "g1", 1)));
	assert_ok(store_record("access_tokens", token("c1-t2", "c1", "g1", 2)));
	assert_ok(store_record("access_tokens", token("c1-t3", "c1", "g2", 3)));
	assert_ok(store_record("access_tokens", token("c2-t1", "c2", "g3", 4)));
	assert_ok(store_record("access_tokens", token("c2-t2", "c2", "g3", 5)));
	assert_ok(store_record("refresh_tokens", token("c1-r1", "c1", "g1", 1)));

	table = "access_tokens";
	expect_uint(count_removed(table, by("client_id", "nobody")), 0);
	expect_uint(count_removed(table, by("token_hash", "c2-t1")), 1);
	expect_uint(count_removed(table, by("client_id", "c1")), 3);
	expect_uint(count_removed(table, by("client_id", "c1")), 0);
	/* Every member of the query must match. */
	expect_uint(count_removed("access_tokens",
			parse("{'client_id': 'c2', 'grant_id': 'g1'}")), 0);

	/* Only what matched went. */
	expect_missing("access_tokens", by("token_hash", "c1-t1"), BEFORE_ALL);
	expect_missing("access_tokens", by("token_hash", "c1-t3"), BEFORE_ALL);
	expect_missing("access_tokens", by("token_hash", "c2-t1"), BEFORE_ALL);
	record = fetch_one("access_tokens", by("token_hash", "c2-t2"), NOW);
	expect_str(str(record, "client_id"), "c2");
	json_decref(record);
	record = fetch_one("refresh_tokens", by("client_id", "c1"), NOW);
	expect_str(str(record, "token_hash"), "c1-r1");
	json_decref(record);

	expect_uint(count_removed("access_tokens",
			parse("{'client_id': 'c2', 'grant_id': 'g3'}")), 1);
	expect_missing("access_tokens", by("client_id", "c2"), BEFORE_ALL);
}
END_TEST

START_TEST(test_remove_then_fetch)
{
	json_t *record;

	assert_ok(store_record("codes", code("k1", "client-1", LATER)));
	assert_ok(store_record("codes", code("k2", "client-1", LATER)));
	expect_uint(count_removed("codes", by("code_hash", "k1")), 1);
	expect_missing("codes", by("code_hash", "k1"), NOW);
	expect_missing("codes", by("code_hash", "k1"), BEFORE_ALL);
	record = fetch_one("codes", by("client_id", "client-1"), NOW);
	expect_str(str(record, "code_hash"), "k2");
	json_decref(record);

	/* The key is free again. */
	assert_ok(store_record("codes", code("k1", "client-2", LATER)));
	record = fetch_one("codes", by("code_hash", "k1"), NOW);
	expect_str(str(record, "client_id"), "client-2");
	json_decref(record);
}
END_TEST

/* ---- Expiry. ---- */

static const char *const expiring_tables[] = {
	"codes", "access_tokens", "refresh_tokens", "spent_tokens",
	"revoked_grants",
};
#define N_EXPIRING (sizeof(expiring_tables) / sizeof(expiring_tables[0]))

START_TEST(test_expired_not_found)
{
	const char *table = expiring_tables[_i];
	json_t *record;

	assert_ok(store_record(table, expiring(table, "old", 100)));
	expect_missing(table, by_key(table, "old"), 100);
	expect_missing(table, by_key(table, "old"), 200);
	expect_missing(table, by_key(table, "old"), INT64_MAX);
	record = fetch_one(table, by_key(table, "old"), 99);
	expect_int(integer(record, "expires_at"), at(100));
	json_decref(record);

	/* The ends of int64: never expires, and expired since always. */
	assert_ok(store_record(table, expiring(table, "forever", INT64_MAX)));
	record = fetch_one(table, by_key(table, "forever"), NOW);
	expect_int(integer(record, "expires_at"), INT64_MAX);
	json_decref(record);
	assert_ok(store_record(table, expiring(table, "never", INT64_MIN)));
	expect_missing(table, by_key(table, "never"), BEFORE_ALL);
}
END_TEST

/* The backend implements the optional purge_expired. */
static int has_purge(const proauth2_datastore_ops *ops)
{
	return ops->struct_size >= offsetof(proauth2_datastore_ops, purge_expired) +
		sizeof(ops->purge_expired) && ops->purge_expired != NULL;
}

START_TEST(test_purge_expired)
{
	static const struct {
		const char *table, *key;
		int64_t expires_at;
	} gone[] = {
		{"codes", "gone-100", 100},
		{"codes", "gone-200", 200},  /* expires_at == now is expired */
		{"access_tokens", "gone", 150},
		{"spent_tokens", "gone", 1},
	}, live[] = {
		{"codes", "live", 201},
		{"access_tokens", "live", LATER},
		{"refresh_tokens", "live", 300},
		{"revoked_grants", "live", 300},
	};
	size_t i, removed;
	json_t *record;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		assert_ok(store_record(gone[i].table, expiring(gone[i].table,
				gone[i].key, gone[i].expires_at)));
	for (i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		assert_ok(store_record(live[i].table, expiring(live[i].table,
				live[i].key, live[i].expires_at)));
	assert_ok(store_record("clients", client("client-1", "read")));

	assert_ok(proauth2_datastore_purge_expired(ds, at(200), &removed, &err));
	if (has_purge(target->ops)) {
		expect_uint(removed, 4);
		/* Gone from the backend, not just hidden by the core. */
		for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
			expect_missing(gone[i].table,
					by_key(gone[i].table, gone[i].key), BEFORE_ALL);
	} else {
		/* Nothing to purge with: nothing may have been removed. */
		expect_uint(removed, 0);
		for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
			json_decref(fetch_one(gone[i].table,
					by_key(gone[i].table, gone[i].key), BEFORE_ALL));
	}
	for (i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
		record = fetch_one(live[i].table,
				by_key(live[i].table, live[i].key), 200);
		expect_int(integer(record, "expires_at"), at(live[i].expires_at));
		json_decref(record);
	}
	/* Records without expires_at never expire. */
	json_decref(fetch_one("clients", by("client_id", "client-1"), INT64_MAX));

	assert_ok(proauth2_datastore_purge_expired(ds, at(200), &removed, &err));
	expect_uint(removed, 0);
}
END_TEST

/* ---- Invalid records never reach the backend. ---- */

/* Each lacks something or holds something the schema refuses. */
static const struct {
	const char *table, *json;
} invalid_records[] = {
	/* missing required fields: the key, then another */
	{"codes", "{'client_id': 'intruder', 'user_id': 'u', 'grant_id': 'g',"
		" 'scope': 's', 'expires_at': 2000000}"},
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'expires_at': 2000000}"},
	/* an unknown field */
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 's', 'expires_at': 2000000,"
		" 'colour': 'red'}"},
	/* wrong types */
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 's', 'expires_at': '2000000'}"},
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 's', 'expires_at': 2000000.0}"},
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 's', 'expires_at': true}"},
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 7, 'expires_at': 2000000}"},
	{"codes", "{'code_hash': 7, 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 's', 'expires_at': 2000000}"},
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': {'a': 'b'}, 'expires_at': 2000000}"},
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 's', 'expires_at': 2000000,"
		" 'redirect_uri': null}"},
	{"codes", "{'code_hash': 'bad', 'client_id': 'intruder', 'user_id': 'u',"
		" 'grant_id': 'g', 'scope': 's', 'expires_at': 2000000,"
		" 'redirect_uri': ['https://x.example/']}"},
	/* string arrays holding something else, or not arrays */
	{"clients", "{'client_id': 'bad', 'client_type': 'public',"
		" 'redirect_uris': ['https://x.example/', 5], 'grant_types': [],"
		" 'scope': '', 'name': 'intruder', 'created_at': 1}"},
	{"clients", "{'client_id': 'bad', 'client_type': 'public',"
		" 'redirect_uris': [], 'grant_types': [null],"
		" 'scope': '', 'name': 'intruder', 'created_at': 1}"},
	{"clients", "{'client_id': 'bad', 'client_type': 'public',"
		" 'redirect_uris': [['https://x.example/']], 'grant_types': [],"
		" 'scope': '', 'name': 'intruder', 'created_at': 1}"},
	{"clients", "{'client_id': 'bad', 'client_type': 'public',"
		" 'redirect_uris': 'https://x.example/', 'grant_types': [],"
		" 'scope': '', 'name': 'intruder', 'created_at': 1}"},
};
#define N_INVALID (sizeof(invalid_records) / sizeof(invalid_records[0]))

/* Nothing the invalid records carry reached the backend. */
static void expect_no_intruders(void)
{
	/* remove counts what is there, expired or not. */
	expect_uint(count_removed("codes", by("client_id", "intruder")), 0);
	expect_uint(count_removed("clients", by("name", "intruder")), 0);
	expect_missing("codes", by("code_hash", "bad"), BEFORE_ALL);
	expect_missing("clients", by("client_id", "bad"), BEFORE_ALL);
}

START_TEST(test_invalid_records)
{
	json_t *record, *kept;
	size_t i;

	for (i = 0; i < N_INVALID; i++) {
		proauth2_status status = store_record(invalid_records[i].table,
				parse(invalid_records[i].json));

		expect(status == PROAUTH2_ERR_INVALID_RECORD,
				"store %s %s: %s, expected invalid record",
				invalid_records[i].table, invalid_records[i].json,
				proauth2_status_str(status));
	}

	/* Embedded NUL: a C-string backend would store a truncated string. */
	record = code("bad", "intruder", LATER);
	json_object_set_new(record, "scope", json_stringn("read\0write", 10));
	assert_status(store_record("codes", record), PROAUTH2_ERR_INVALID_RECORD);
	record = code("bad", "intruder", LATER);
	json_object_set_new(record, "code_hash", json_stringn("bad\0x", 5));
	assert_status(store_record("codes", record), PROAUTH2_ERR_INVALID_RECORD);
	record = client("bad", "read");
	json_object_set_new(record, "name", json_string("intruder"));
	json_array_append_new(json_object_get(record, "redirect_uris"),
			json_stringn("https://x.example/\0evil", 23));
	assert_status(store_record("clients", record), PROAUTH2_ERR_INVALID_RECORD);
#if JANSSON_VERSION_HEX >= 0x020e00
	/* A key with a NUL after a field's name reads as that field; it does
	 * not stand in for a required field the record lacks. */
	record = code("bad", "intruder", LATER);
	json_object_del(record, "scope");
	json_object_setn_new(record, "client_id\0x", 11, json_string("intruder"));
	assert_status(store_record("codes", record), PROAUTH2_ERR_INVALID_RECORD);
#endif

	/* Schema 5's attributes hold a JSON object's text, nothing else. */
	{
		static const char *const not_objects[] = {
			"", "[1]", "\"a\"", "7", "null", "{", "{\"a\":1} x",
			"{\"a\":1,\"a\":2}",
			"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}",
		};

		for (i = 0; i < sizeof(not_objects) / sizeof(not_objects[0]); i++) {
			record = code("bad", "intruder", LATER);
			json_object_set_new(record, "attributes",
					json_string(not_objects[i]));
			expect(store_record("codes", record) == PROAUTH2_ERR_INVALID_RECORD,
					"store codes with attributes %s: expected invalid "
					"record", not_objects[i]);
		}
		record = token("bad", "intruder", "g", NOW);
		json_object_set_new(record, "attributes", json_pack("{s:s}", "a", "b"));
		assert_status(store_record("access_tokens", record),
				PROAUTH2_ERR_INVALID_RECORD);
	}

	expect_no_intruders();

	/* replace validates as store does, and leaves the record alone. */
	kept = code("keep", "client-1", LATER);
	assert_ok(proauth2_datastore_store(ds, "codes", kept, &err));
	record = code("keep", "intruder", LATER);
	json_object_set_new(record, "colour", json_string("red"));
	assert_status(replace_record("codes", record), PROAUTH2_ERR_INVALID_RECORD);
	record = fetch_one("codes", by("code_hash", "keep"), NOW);
	expect_true(json_equal(record, kept));
	json_decref(record);
	json_decref(kept);
}
END_TEST

START_TEST(test_invalid_shapes)
{
	static const char *const bad_tables[] = {"nosuch", "", "Codes", "codes "};
	json_t *record;
	size_t i, removed;

	/* Not an object. */
	assert_status(store_record("codes", checked(json_array())),
			PROAUTH2_ERR_INVALID_RECORD);
	assert_status(store_record("codes", checked(json_string("bad"))),
			PROAUTH2_ERR_INVALID_RECORD);
	assert_status(store_record("codes", checked(json_integer(1))),
			PROAUTH2_ERR_INVALID_RECORD);
	assert_status(store_record("codes", json_null()),
			PROAUTH2_ERR_INVALID_RECORD);
	assert_status(store_record("codes", NULL), PROAUTH2_ERR_INVALID_RECORD);

	/* Not a table. */
	for (i = 0; i < sizeof(bad_tables) / sizeof(bad_tables[0]); i++) {
		assert_status(store_record(bad_tables[i],
				code("bad", "intruder", LATER)),
				PROAUTH2_ERR_INVALID_RECORD);
		assert_status(fetch_record(bad_tables[i], by("code_hash", "bad"),
				NOW, &record), PROAUTH2_ERR_INVALID_RECORD);
		assert_status(remove_records(bad_tables[i], by("code_hash", "bad"),
				&removed), PROAUTH2_ERR_INVALID_RECORD);
		assert_status(replace_record(bad_tables[i],
				code("bad", "intruder", LATER)),
				PROAUTH2_ERR_INVALID_RECORD);
	}
	assert_status(store_record(NULL, code("bad", "intruder", LATER)),
			PROAUTH2_ERR_INVALID_RECORD);

	expect_no_intruders();
}
END_TEST

/* Queries the core refuses, on codes unless they say clients. */
static json_t *invalid_query(size_t i, const char **table)
{
	*table = "codes";
	switch (i) {
	case 0: return checked(json_object());  /* would match everything */
	case 1: return parse("{'colour': 'red'}");
	case 2: return parse("{'code_hash': ['keep']}");
	case 3: return parse("{'expires_at': '2000000'}");
	case 4: return parse("{'code_hash': null}");
	case 5: return parse("{'code_hash': 'keep', 'scope': 7}");
	case 6: return checked(json_string("keep"));
	case 7: return checked(json_array());
	case 8: return NULL;
	/* A C-string backend would look for "keep". */
	case 9: return checked(json_pack("{s:s%}", "code_hash", "keep\0x",
			(size_t)6));
	}
	*table = "clients";
	switch (i) {
	/* Array-valued queries, though one would match exactly. */
	case 10: return parse("{'redirect_uris': ['https://client.example/cb']}");
	case 11: return parse("{'client_id': 'client-1',"
			" 'grant_types': ['authorization_code']}");
	}
	return NULL;
}
#define N_INVALID_QUERIES 12

START_TEST(test_invalid_queries)
{
	json_t *record;
	size_t i, removed;

	assert_ok(store_record("codes", code("keep", "client-1", LATER)));
	assert_ok(store_record("clients", client("client-1", "read")));

	for (i = 0; i < N_INVALID_QUERIES; i++) {
		const char *table;
		json_t *query = invalid_query(i, &table);
		char *text = json_dumps(query, JSON_COMPACT | JSON_ENCODE_ANY);
		const char *shown = text != NULL ? text : "NULL";
		proauth2_status status;

		status = fetch_record(table, json_incref(query), NOW, &record);
		expect(status == PROAUTH2_ERR_INVALID_RECORD,
				"fetch %s %s: %s, expected invalid record", table,
				shown, proauth2_status_str(status));
		status = remove_records(table, query, &removed);
		expect(status == PROAUTH2_ERR_INVALID_RECORD,
				"remove %s %s: %s, expected invalid record", table,
				shown, proauth2_status_str(status));
		free(text);
	}

	/* Nothing was removed. */
	record = fetch_one("codes", by("code_hash", "keep"), NOW);
	expect_str(str(record, "client_id"), "client-1");
	json_decref(record);
	record = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_str(str(record, "scope"), "read");
	json_decref(record);
}
END_TEST

/* ---- Ownership and content. ---- */

START_TEST(test_stored_independently)
{
	json_t *record, *fetched, *again;

	/* Change the caller's record, deep inside too, after the store. */
	record = client("client-1", "read");
	assert_ok(proauth2_datastore_store(ds, "clients", record, &err));
	json_object_set_new(record, "scope", json_string("admin"));
	json_object_del(record, "client_type");
	json_object_set_new(record, "name", json_string("changed"));
	json_array_append_new(json_object_get(record, "redirect_uris"),
			json_string("https://evil.example/"));
	json_array_clear(json_object_get(record, "grant_types"));
	json_decref(record);

	fetched = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_str(str(fetched, "scope"), "read");
	expect_str(str(fetched, "client_type"), "public");
	expect_absent(json_object_get(fetched, "name"));
	expect_uint(array_size(fetched, "redirect_uris"), 1);
	expect_uint(array_size(fetched, "grant_types"), 1);

	/* Change what fetch returned: the store does not see it either. */
	json_object_set_new(fetched, "scope", json_string("admin"));
	json_array_append_new(json_object_get(fetched, "redirect_uris"),
			json_string("https://evil.example/"));
	again = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_str(str(again, "scope"), "read");
	expect_uint(array_size(again, "redirect_uris"), 1);
	json_decref(again);

	/* A fetched record outlives its removal. */
	again = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_uint(count_removed("clients", by("client_id", "client-1")), 1);
	expect_str(str(again, "client_id"), "client-1");
	expect_str(str(again, "scope"), "read");
	json_decref(again);
	expect_str(str(fetched, "scope"), "admin");
	json_decref(fetched);
}
END_TEST

/* len bytes of varied ASCII, so a cut or a shift shows. */
static char *long_string(size_t len)
{
	char *s = malloc(len + 1);
	size_t i;

	expect_memory(s);
	for (i = 0; i < len; i++)
		s[i] = (char)('a' + (i * 7 + i / 26) % 26);
	s[len] = '\0';
	return s;
}

/* n two-byte characters (é): 2n bytes. */
static char *long_utf8(size_t n)
{
	char *s = malloc(2 * n + 1);
	size_t i;

	expect_memory(s);
	for (i = 0; i < n; i++) {
		s[2 * i] = '\xc3';
		s[2 * i + 1] = '\xa9';
	}
	s[2 * n] = '\0';
	return s;
}

/* A client whose name marks it as one that must not be stored. */
static json_t *oversized(const char *client_id, const char *field,
		json_t *value)
{
	json_t *record = client(client_id, "read");

	json_object_set_new(record, "name", json_string("over"));
	if (strcmp(field, "redirect_uris") == 0)
		json_array_append_new(json_object_get(record, field), value);
	else
		json_object_set_new(record, field, value);
	return record;
}

START_TEST(test_max_length)
{
	const size_t max = PROAUTH2_FIELD_MAX_LENGTH;
	char *big = long_string(max + 1), *wide = long_utf8(max / 2 + 1);
	json_t *record, *uris;

	/* Every kind of string at the limit, the key included. */
	record = client("placeholder", "read");
	json_object_set_new(record, "client_id", checked(json_stringn(big, max)));
	json_object_set_new(record, "scope", checked(json_stringn(big, max)));
	json_object_set_new(record, "name", checked(json_stringn(wide, max)));
	json_array_append_new(json_object_get(record, "redirect_uris"),
			checked(json_stringn(big, max)));
	assert_ok(store_record("clients", record));

	record = fetch_one("clients", checked(json_pack("{s:s%}", "client_id",
			big, max)), NOW);
	assert_bytes(json_object_get(record, "client_id"), big, max);
	assert_bytes(json_object_get(record, "scope"), big, max);
	assert_bytes(json_object_get(record, "name"), wide, max);
	expect_uint(array_size(record, "redirect_uris"), 2);
	uris = json_object_get(record, "redirect_uris");
	assert_bytes(json_array_get(uris, 1), big, max);
	json_decref(record);

	/* One byte over, wherever it is; the limit counts bytes, not
	 * characters. */
	assert_status(store_record("clients", oversized("over-1", "scope",
			checked(json_stringn(big, max + 1)))),
			PROAUTH2_ERR_INVALID_RECORD);
	assert_status(store_record("clients", oversized("over-2", "client_id",
			checked(json_stringn(big, max + 1)))),
			PROAUTH2_ERR_INVALID_RECORD);
	assert_status(store_record("clients", oversized("over-3", "redirect_uris",
			checked(json_stringn(big, max + 1)))),
			PROAUTH2_ERR_INVALID_RECORD);
	assert_status(store_record("clients", oversized("over-4", "scope",
			checked(json_stringn(wide, max + 2)))),
			PROAUTH2_ERR_INVALID_RECORD);
	expect_uint(count_removed("clients", by("name", "over")), 0);
	expect_missing("clients", by("client_id", "over-1"), BEFORE_ALL);

	/* Nor may a query hold more. */
	assert_status(fetch_record("clients", checked(json_pack("{s:s%}",
			"scope", big, max + 1)), NOW, &record),
			PROAUTH2_ERR_INVALID_RECORD);
	free(big);
	free(wide);
}
END_TEST

/* Each distinct, byte for byte: normalising, trimming or folding case would
 * merge some of them. */
static const char *const utf8_strings[] = {
	"h\xc3\xa9llo w\xc3\xb6rld",
	"\xc3\xa9",                              /* é, precomposed */
	"e\xcc\x81",                             /* é, e + combining acute */
	"\xc3\x89",                              /* É */
	"\xe8\xaa\x8d\xe5\x8f\xaf\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90",
	"\xf0\x9f\x94\x91 \xf0\x9f\x98\x80",     /* outside the BMP */
	"\xf4\x8f\xbf\xbf",                      /* U+10FFFF */
	("\xef\xbb\xbf" "bom"),                /* a byte order mark */
	"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",      /* right to left */
	"zero\xe2\x80\x8bwidth",
	"tab\there\nnew line\r\x01\x1f\x7f",
	"quote ' double \" backslash \\ ; -- /* */",
	"100% _like_ *glob* ?x [a-z] $ne",
	"  padded  ",
	"padded",
	"",
};
#define N_UTF8 (sizeof(utf8_strings) / sizeof(utf8_strings[0]))

START_TEST(test_utf8)
{
	char key[32];
	json_t *record;
	size_t i;

	for (i = 0; i < N_UTF8; i++) {
		snprintf(key, sizeof(key), "utf8-%zu", i);
		assert_ok(store_record("clients", checked(json_pack(
				"{s:s, s:s, s:[s], s:[], s:s, s:s, s:I}",
				"client_id", key, "client_type", "public",
				"redirect_uris", utf8_strings[i], "grant_types",
				"scope", utf8_strings[i], "name", utf8_strings[i],
				"created_at", (json_int_t)i))));
	}
	for (i = 0; i < N_UTF8; i++) {
		const char *s = utf8_strings[i];

		snprintf(key, sizeof(key), "utf8-%zu", i);
		record = fetch_one("clients", by("client_id", key), NOW);
		assert_bytes(json_object_get(record, "scope"), s, strlen(s));
		assert_bytes(json_object_get(record, "name"), s, strlen(s));
		assert_bytes(json_array_get(json_object_get(record,
				"redirect_uris"), 0), s, strlen(s));
		json_decref(record);

		/* Matching is byte for byte too. */
		record = fetch_one("clients", by("name", s), NOW);
		expect_str(str(record, "client_id"), key);
		json_decref(record);
	}
}
END_TEST

/* Bytes that are not UTF-8, each a different way: JSON text cannot carry
 * them, so the core refuses them before any backend sees them (jansson's
 * *_nocheck calls build such strings). */
static const char *const not_utf8[] = {
	"\xff",
	"a\x80" "b",                /* a lone continuation byte */
	"\xc0\xaf",                 /* an overlong '/' */
	"\xed\xa0\x80",             /* a surrogate, U+D800 */
	"\xf4\x90\x80\x80",         /* past U+10FFFF */
	"\xe2\x82",                 /* cut short */
};
#define N_NOT_UTF8 (sizeof(not_utf8) / sizeof(not_utf8[0]))

/* err names field, so the caller can tell which value was refused. */
#define expect_err_names(field) expect(strstr(err.text, "'" field "'") != NULL, \
		"err \"%s\" does not name the field '%s'", err.text, field)

/* Each of not_utf8 in an optional field, a required one, the key, an
 * array's item, a query and a replace. */
START_TEST(test_invalid_utf8)
{
	json_t *record, *kept, *query;
	size_t i, removed;

	kept = client("keep", "read");
	assert_ok(proauth2_datastore_store(ds, "clients", kept, &err));
	for (i = 0; i < N_NOT_UTF8; i++) {
		const char *bad = not_utf8[i];

		record = client("bad", "read");
		json_object_set_new(record, "name", json_string_nocheck(bad));
		assert_status(store_record("clients", record),
				PROAUTH2_ERR_INVALID_RECORD);
		expect_err_names("name");

		record = code("bad", "intruder", LATER);
		json_object_set_new(record, "scope", json_string_nocheck(bad));
		assert_status(store_record("codes", record),
				PROAUTH2_ERR_INVALID_RECORD);
		expect_err_names("scope");

		record = code("bad", "intruder", LATER);
		json_object_set_new(record, "code_hash", json_string_nocheck(bad));
		assert_status(store_record("codes", record),
				PROAUTH2_ERR_INVALID_RECORD);
		expect_err_names("code_hash");

		record = client("bad", "read");
		json_object_set_new(record, "name", json_string("intruder"));
		json_array_append_new(json_object_get(record, "redirect_uris"),
				json_string_nocheck(bad));
		assert_status(store_record("clients", record),
				PROAUTH2_ERR_INVALID_RECORD);
		expect_err_names("redirect_uris");

		/* Queries: no backend is asked to match what it could not hold. */
		query = json_object();
		json_object_set_new(query, "name", json_string_nocheck(bad));
		assert_status(fetch_record("clients", query, NOW, &record),
				PROAUTH2_ERR_INVALID_RECORD);
		expect_err_names("name");
		query = json_object();
		json_object_set_new(query, "client_id", json_string_nocheck(bad));
		assert_status(remove_records("codes", query, &removed),
				PROAUTH2_ERR_INVALID_RECORD);
		expect_err_names("client_id");

		/* replace refuses it too. */
		record = client("keep", "read");
		json_object_set_new(record, "name", json_string_nocheck(bad));
		assert_status(replace_record("clients", record),
				PROAUTH2_ERR_INVALID_RECORD);
		expect_err_names("name");
	}
	expect_no_intruders();
	/* And left the record as it was. */
	record = fetch_one("clients", by("client_id", "keep"), NOW);
	expect_true(json_equal(record, kept));
	json_decref(record);
	json_decref(kept);
}
END_TEST

START_TEST(test_keys_exact)
{
	static const char *const keys[] = {
		"client", "Client", "client ", " client", "clien",
		"a%", "ab", "a_", "\xc3\xa9", "e\xcc\x81", "\xc3\x89",
	};
	static const char *const strangers[] = {
		"CLIENT", "client  ", "cl%", "clie_t", "cl*", "a", "a%b",
		"E\xcc\x81",
	};
	char scope[16];
	json_t *record;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(scope, sizeof(scope), "scope-%zu", i);
		assert_ok(store_record("clients", client(keys[i], scope)));
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(scope, sizeof(scope), "scope-%zu", i);
		record = fetch_one("clients", by("client_id", keys[i]), NOW);
		expect_str(str(record, "scope"), scope);
		expect_str(str(record, "client_id"), keys[i]);
		json_decref(record);
	}
	for (i = 0; i < sizeof(strangers) / sizeof(strangers[0]); i++)
		expect_missing("clients", by("client_id", strangers[i]), NOW);

	expect_uint(count_removed("clients", by("client_id", "Client")), 1);
	expect_uint(count_removed("clients", by("client_id", "a%")), 1);
	expect_uint(count_removed("clients", by("client_id", "c_ient")), 0);
	record = fetch_one("clients", by("client_id", "client"), NOW);
	expect_str(str(record, "scope"), "scope-0");
	json_decref(record);
	record = fetch_one("clients", by("client_id", "ab"), NOW);
	expect_str(str(record, "scope"), "scope-6");
	json_decref(record);
}
END_TEST

START_TEST(test_replace)
{
	json_t *record, *replacement, *bystander;

	record = client("client-1", "read");
	json_object_set_new(record, "name", json_string("One"));
	assert_ok(store_record("clients", record));
	bystander = client("client-3", "admin");
	assert_ok(proauth2_datastore_store(ds, "clients", bystander, &err));

	/* The new record whole: a field it leaves out goes. */
	replacement = client("client-1", "read write");
	json_object_set_new(replacement, "secret_hash", json_string("h2"));
	assert_ok(proauth2_datastore_replace(ds, "clients", replacement, &err));
	record = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_true(json_equal(record, replacement));
	expect_str(str(record, "scope"), "read write");
	expect_absent(json_object_get(record, "name"));
	json_decref(record);
	json_decref(replacement);

	/* Nothing to replace: nothing is created. */
	assert_status(replace_record("clients", client("client-2", "read")),
			PROAUTH2_ERR_NOT_FOUND);
	expect_missing("clients", by("client_id", "client-2"), NOW);

	record = fetch_one("clients", by("client_id", "client-3"), NOW);
	expect_true(json_equal(record, bystander));
	json_decref(record);
	json_decref(bystander);
}
END_TEST

/* ---- Concurrency: 64 threads at once on one datastore. ---- */

struct racer {
	pthread_barrier_t *start;
	json_t *json;             /* the thread's own query or record */
	proauth2_status status;
	size_t removed;
	proauth2_error err;
};

static void *remove_racer(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->start);
	r->status = proauth2_datastore_remove(ds, "codes", r->json, &r->removed,
			&r->err);
	return NULL;
}

static void *store_racer(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->start);
	r->status = proauth2_datastore_store(ds, "spent_tokens", r->json, &r->err);
	return NULL;
}

/* Run fn in N_THREADS threads released together, each on racers[i]. */
static void race(struct racer *racers, void *(*fn)(void *))
{
	pthread_t threads[N_THREADS];
	pthread_barrier_t start;
	size_t i;

	expect_int(pthread_barrier_init(&start, NULL, N_THREADS), 0);
	for (i = 0; i < N_THREADS; i++) {
		racers[i].start = &start;
		racers[i].status = PROAUTH2_STATUS_COUNT;
		racers[i].removed = 0;
		expect_int(pthread_create(&threads[i], NULL, fn,
				&racers[i]), 0);
	}
	for (i = 0; i < N_THREADS; i++)
		expect_int(pthread_join(threads[i], NULL), 0);
	pthread_barrier_destroy(&start);
}

START_TEST(test_race_remove)
{
	struct racer racers[N_THREADS];
	char hash[32];
	size_t round, i, total, winners;
	json_t *record;

	assert_ok(store_record("codes", code("bystander", "client-1", LATER)));
	for (round = 0; round < RACE_ROUNDS; round++) {
		snprintf(hash, sizeof(hash), "race-%zu", round);
		assert_ok(store_record("codes", code(hash, "client-1", LATER)));
		for (i = 0; i < N_THREADS; i++)
			racers[i].json = by("code_hash", hash);
		race(racers, remove_racer);

		total = winners = 0;
		for (i = 0; i < N_THREADS; i++) {
			expect(racers[i].status == PROAUTH2_OK,
					"remove racer %zu: %s (%s)", i,
					proauth2_status_str(racers[i].status),
					racers[i].err.text);
			total += racers[i].removed;
			winners += racers[i].removed == 1;
			json_decref(racers[i].json);
		}
		expect_uint(total, 1);
		expect_uint(winners, 1);
		expect_missing("codes", by("code_hash", hash), BEFORE_ALL);
	}
	record = fetch_one("codes", by("code_hash", "bystander"), NOW);
	expect_str(str(record, "client_id"), "client-1");
	json_decref(record);
}
END_TEST

START_TEST(test_race_store)
{
	struct racer racers[N_THREADS];
	char hash[32], grant[32], winner[32] = "";
	size_t round, i, ok, conflicts;
	json_t *record;

	for (round = 0; round < RACE_ROUNDS; round++) {
		snprintf(hash, sizeof(hash), "spent-%zu", round);
		for (i = 0; i < N_THREADS; i++) {
			snprintf(grant, sizeof(grant), "grant-%zu", i);
			racers[i].json = spent(hash, grant, LATER);
		}
		race(racers, store_racer);

		ok = conflicts = 0;
		for (i = 0; i < N_THREADS; i++) {
			if (racers[i].status == PROAUTH2_OK) {
				ok++;
				snprintf(winner, sizeof(winner), "grant-%zu", i);
			} else if (racers[i].status == PROAUTH2_ERR_CONFLICT) {
				conflicts++;
			} else {
				check_failed("store racer %zu: %s (%s)", i,
						proauth2_status_str(racers[i].status),
						racers[i].err.text);
			}
			json_decref(racers[i].json);
		}
		expect_uint(ok, 1);
		expect_uint(conflicts, N_THREADS - 1);
		/* The losers changed nothing: the winner's record stands. */
		record = fetch_one("spent_tokens", by("token_hash", hash), NOW);
		expect_str(str(record, "grant_id"), winner);
		json_decref(record);
	}
}
END_TEST

struct replace_race {
	pthread_barrier_t start;
	proauth2_status writer_status;
	proauth2_error writer_err;
	size_t failures[N_READERS];
	proauth2_status failure_status[N_READERS];
};

static void *replace_writer(void *arg)
{
	struct replace_race *rr = arg;
	char scope[32];
	size_t i;

	pthread_barrier_wait(&rr->start);
	for (i = 1; i <= N_REPLACES && rr->writer_status == PROAUTH2_OK; i++) {
		json_t *record;

		snprintf(scope, sizeof(scope), "v%zu", i);
		record = json_pack("{s:s, s:s, s:[], s:[], s:s, s:I}",
				"client_id", "client-1", "client_type", "public",
				"redirect_uris", "grant_types", "scope", scope,
				"created_at", (json_int_t)i);
		rr->writer_status = record == NULL ? PROAUTH2_ERR_NOMEM :
			proauth2_datastore_replace(ds, "clients", record,
					&rr->writer_err);
		json_decref(record);
	}
	return NULL;
}

struct reader_arg {
	struct replace_race *rr;
	size_t id;
};

static void *replace_reader(void *arg)
{
	struct reader_arg *ra = arg;
	struct replace_race *rr = ra->rr;
	json_t *query = json_pack("{s:s}", "client_id", "client-1");
	size_t i;

	pthread_barrier_wait(&rr->start);
	for (i = 0; i < N_REPLACES && query != NULL; i++) {
		json_t *record = NULL;
		proauth2_status status = proauth2_datastore_fetch(ds, "clients",
				query, NOW, &record, NULL);

		/* Old or new, always whole: never missing, never torn. */
		if (status != PROAUTH2_OK || json_integer_value(json_object_get(
				record, "created_at")) != atoi(json_string_value(
				json_object_get(record, "scope")) + 1)) {
			rr->failures[ra->id]++;
			rr->failure_status[ra->id] = status;
		}
		json_decref(record);
	}
	if (query == NULL)
		rr->failures[ra->id]++;
	json_decref(query);
	return NULL;
}

START_TEST(test_race_replace)
{
	struct replace_race rr = {.writer_status = PROAUTH2_OK};
	struct reader_arg readers[N_READERS];
	pthread_t writer, threads[N_READERS];
	json_t *record;
	size_t i;

	record = client("client-1", "v0");
	json_object_set_new(record, "created_at", json_integer(0));
	assert_ok(store_record("clients", record));

	expect_int(pthread_barrier_init(&rr.start, NULL, N_READERS + 1), 0);
	expect_int(pthread_create(&writer, NULL, replace_writer, &rr), 0);
	for (i = 0; i < N_READERS; i++) {
		readers[i].rr = &rr;
		readers[i].id = i;
		expect_int(pthread_create(&threads[i], NULL, replace_reader,
				&readers[i]), 0);
	}
	expect_int(pthread_join(writer, NULL), 0);
	for (i = 0; i < N_READERS; i++)
		expect_int(pthread_join(threads[i], NULL), 0);
	pthread_barrier_destroy(&rr.start);

	expect(rr.writer_status == PROAUTH2_OK, "replace: %s (%s)",
			proauth2_status_str(rr.writer_status), rr.writer_err.text);
	for (i = 0; i < N_READERS; i++)
		expect(rr.failures[i] == 0,
				"reader %zu: %zu fetches missed or tore the record"
				" (last: %s)", i, rr.failures[i],
				proauth2_status_str(rr.failure_status[i]));
	record = fetch_one("clients", by("client_id", "client-1"), NOW);
	expect_str(str(record, "scope"), "v200");
	expect_int(integer(record, "created_at"), N_REPLACES);
	json_decref(record);
}
END_TEST

/* ---- Write groups (begin_writes/end_writes), on a second connection. ---- */

/* The backend groups writes: both methods, within its struct_size. */
static int has_groups(const proauth2_datastore_ops *ops)
{
	return ops->struct_size >= offsetof(proauth2_datastore_ops, end_writes) +
		sizeof(ops->end_writes) && ops->begin_writes != NULL &&
		ops->end_writes != NULL;
}

/* A check this target cannot take: say so, and pass. */
static void skip(const char *why)
{
	const char *name = tcase_name();

	if (name != NULL && strncmp(name, "test_", 5) == 0)
		name += 5;
	fprintf(stderr, "conformance check '%s' on %s: skipped: %s\n",
			name != NULL ? name : "?", target->name, why);
}

/* Open the group connection on the test's uri, or skip without groups.
 * Nonzero when the test goes on. */
static int open_group(void)
{
	proauth2_error open_err = {PROAUTH2_OK, ""};
	proauth2_status status;

	if (!has_groups(target->ops)) {
		skip("the backend has no write groups (ops lack begin_writes"
				" and end_writes)");
		return 0;
	}
	status = target->ops->init(uri, &group_cls, &open_err);
	expect(status == PROAUTH2_OK, "a second init on %s: %s (%s), expected ok",
			uri, proauth2_status_str(status), open_err.text);
	return 1;
}

/* The group connection's own calls, without the core's checks: the
 * records are valid, and there is no expiry to mind. */
static proauth2_status group_begin(void)
{
	proauth2_status status;

	reset_err();
	status = target->ops->begin_writes(group_cls, &err);
	if (status == PROAUTH2_OK)
		group_depth++;
	return status;
}

/* end_writes, called after every successful begin_writes, as the core does. */
static proauth2_status group_end(void)
{
	reset_err();
	if (group_depth > 0)
		group_depth--;
	return target->ops->end_writes(group_cls, &err);
}

/* Store record (stolen) on the group connection. */
static proauth2_status group_store(const char *table, json_t *record)
{
	proauth2_status status;

	reset_err();
	status = target->ops->store(group_cls, proauth2_schema_table(table),
			record, &err);
	json_decref(record);
	return status;
}

static proauth2_status group_replace(const char *table, json_t *record)
{
	proauth2_status status;

	reset_err();
	status = target->ops->replace(group_cls, proauth2_schema_table(table),
			record, &err);
	json_decref(record);
	return status;
}

static size_t group_remove(const char *table, json_t *query)
{
	size_t removed = (size_t)-1;

	assert_ok(target->ops->remove(group_cls, proauth2_schema_table(table),
			query, &removed, &err));
	json_decref(query);
	return removed;
}

/* Fetch by query (stolen) on the group connection; *record as fetch_record. */
static proauth2_status group_fetch(const char *table, json_t *query,
		json_t **record)
{
	proauth2_status status;

	*record = NULL;
	reset_err();
	status = target->ops->fetch(group_cls, proauth2_schema_table(table),
			query, record, &err);
	json_decref(query);
	if (status != PROAUTH2_OK) {
		expect(*record == NULL, "a failed fetch left *record set");
	}
	return status;
}

static json_t *mark(const char *grant_id)
{
	return checked(json_pack("{s:s, s:I}", "grant_id", grant_id,
			"expires_at", (json_int_t)at(LATER)));
}

START_TEST(test_group_reads_its_writes)
{
	json_t *record;

	if (!open_group())
		return;
	assert_ok(group_store("codes", code("before", "client-1", LATER)));
	assert_ok(group_store("clients", client("client-1", "read")));
	assert_ok(group_begin());
	assert_ok(group_store("revoked_grants", mark("g1")));
	assert_ok(group_replace("clients", client("client-1", "read write")));
	expect_uint(group_remove("codes", by("code_hash", "before")), 1);
	/* Not durable yet, but the group's fetches see all three. */
	assert_ok(group_fetch("revoked_grants", by("grant_id", "g1"), &record));
	json_decref(record);
	assert_ok(group_fetch("clients", by("client_id", "client-1"), &record));
	expect_str(str(record, "scope"), "read write");
	json_decref(record);
	assert_status(group_fetch("codes", by("code_hash", "before"), &record),
			PROAUTH2_ERR_NOT_FOUND);
	/* A key written in the group conflicts in the group. */
	assert_status(group_store("revoked_grants", mark("g1")),
			PROAUTH2_ERR_CONFLICT);
	assert_ok(group_end());
	assert_ok(group_fetch("revoked_grants", by("grant_id", "g1"), &record));
	json_decref(record);
}
END_TEST

START_TEST(test_group_hidden_from_others)
{
	json_t *record;

	if (!open_group())
		return;
	if (!TARGET_HAS(groups_isolated) || !target->groups_isolated) {
		skip("the target does not set groups_isolated (a second open"
				" of its URI is not the same store, or sees a group"
				" before its end)");
		return;
	}
	assert_ok(group_begin());
	assert_ok(group_store("revoked_grants", mark("g1")));
	/* ds is another connection on the same URI. */
	expect_missing("revoked_grants", by("grant_id", "g1"), NOW);
	assert_ok(group_end());
	record = fetch_one("revoked_grants", by("grant_id", "g1"), NOW);
	json_decref(record);
}
END_TEST

START_TEST(test_group_nests)
{
	json_t *record;
	int isolated = TARGET_HAS(groups_isolated) && target->groups_isolated;

	if (!open_group())
		return;
	assert_ok(group_begin());
	assert_ok(group_begin());
	assert_ok(group_store("revoked_grants", mark("g1")));
	assert_ok(group_end());
	/* The inner end does not end the group. */
	if (isolated)
		expect_missing("revoked_grants", by("grant_id", "g1"), NOW);
	assert_ok(group_fetch("revoked_grants", by("grant_id", "g1"), &record));
	json_decref(record);
	assert_ok(group_store("revoked_grants", mark("g2")));
	assert_ok(group_end());
	assert_ok(group_fetch("revoked_grants", by("grant_id", "g2"), &record));
	json_decref(record);
	if (isolated) {
		json_decref(fetch_one("revoked_grants", by("grant_id", "g1"), NOW));
		json_decref(fetch_one("revoked_grants", by("grant_id", "g2"), NOW));
	} else {
		skip("not checked that the inner end_writes leaves the writes"
				" unseen by others: the target does not set"
				" groups_isolated");
	}
	/* Ended: the next write is on its own again. */
	assert_ok(group_store("revoked_grants", mark("g3")));
	assert_ok(group_fetch("revoked_grants", by("grant_id", "g3"), &record));
	json_decref(record);
}
END_TEST

START_TEST(test_group_end_reports_a_lost_write)
{
	json_t *record;
	proauth2_status status;

	if (!open_group())
		return;
	if (!TARGET_HAS(fail_next_commit) || target->fail_next_commit == NULL) {
		skip("the target has no fail_next_commit hook to lose a commit"
				" with");
		return;
	}
	assert_ok(group_store("revoked_grants", mark("kept")));
	target->fail_next_commit(target->arg);
	assert_ok(group_begin());
	/* The write may report the loss itself, or leave it to end_writes. */
	(void)group_store("revoked_grants", mark("lost"));
	status = group_end();
	expect(status != PROAUTH2_OK, "end_writes of a group whose commit"
			" failed returned ok, expected a failure");
	expect(err.status == status, "end_writes failed with %s but err holds %s",
			proauth2_status_str(status), proauth2_status_str(err.status));
	/* The store that reported the loss does not show the lost write (after
	 * a crash it may come back: a failed commit's outcome is unknown);
	 * what came before stays, and the next write goes through. */
	assert_status(group_fetch("revoked_grants", by("grant_id", "lost"), &record),
			PROAUTH2_ERR_NOT_FOUND);
	assert_ok(group_fetch("revoked_grants", by("grant_id", "kept"), &record));
	json_decref(record);
	assert_ok(group_store("revoked_grants", mark("after")));
	assert_ok(group_fetch("revoked_grants", by("grant_id", "after"), &record));
	json_decref(record);
}
END_TEST

/* ---- The target itself. ---- */

START_TEST(test_target_initialised)
{
	expect(target->struct_size >= offsetof(proauth2_conformance_target, arg) +
			sizeof(target->arg) && target->struct_size <=
			sizeof(proauth2_conformance_target),
			"target struct_size is %zu, expected %zu: fill the target"
			" with proauth2_conformance_target_init() first",
			target->struct_size, sizeof(proauth2_conformance_target));
}
END_TEST

/* ---- The suite. ---- */

void proauth2_conformance_target_init(proauth2_conformance_target *t)
{
	memset(t, 0, sizeof(*t));
	t->struct_size = sizeof(*t);
}

/*
 * The URI of the test running, in memory shared with the process that runs
 * the tests: a test that fails in its fork (Check's default) dies before
 * its teardown, and leaves its URI here for the next setup, or the end of
 * its test case, to release.
 */
#define PENDING_MAX 4096
static char *pending;

/* Close what the last test opened and release its URI, whether it ended
 * in this process or died in a fork. */
static void release(void)
{
	/* A check that failed inside a group (without fork) ends it first. */
	for (; group_cls != NULL && group_depth > 0; group_depth--)
		target->ops->end_writes(group_cls, NULL);
	group_depth = 0;
	if (group_cls != NULL)
		target->ops->close(group_cls);
	group_cls = NULL;
	proauth2_datastore_close(ds);
	ds = NULL;
	if (uri == NULL && pending != NULL && pending[0] != '\0')
		uri = strdup(pending);
	if (pending != NULL)
		pending[0] = '\0';
	if (uri == NULL)
		return;
	if (target->free_uri != NULL)
		target->free_uri(uri, target->arg);
	else
		free(uri);
	uri = NULL;
}

static void setup(void)
{
	proauth2_error open_err = {PROAUTH2_OK, ""};
	proauth2_status status;

	release();
	/* A day ahead: nothing the test dates expires by the real clock while
	 * it runs, however slowly (valgrind). */
	epoch = (int64_t)time(NULL) + 86400;
	uri = target->new_uri(target->arg);
	ck_assert_msg(uri != NULL, "conformance setup on %s: new_uri returned"
			" NULL, expected a URI", target->name);
	ck_assert_msg(pending != NULL && strlen(uri) < PENDING_MAX,
			"conformance setup on %s: a URI of at most %d bytes expected",
			target->name, PENDING_MAX - 1);
	strcpy(pending, uri);
	status = proauth2_datastore_open(target->ops, uri, &ds, &open_err);
	ck_assert_msg(status == PROAUTH2_OK, "conformance setup on %s: open %s:"
			" %s (%s), expected ok", target->name, uri,
			proauth2_status_str(status), open_err.text);
}

static void teardown(void)
{
	release();
}

/* ---- count (version 3) ---- */

static int has_count(const proauth2_datastore_ops *ops)
{
	return ops->struct_size >= offsetof(proauth2_datastore_ops, count) +
		sizeof(ops->count) && ops->count != NULL;
}

/* The backend's own count on the second connection (opened by the test,
 * closed by release), with the query checked as the core does. */
static size_t count_of(const char *table, json_t *query, int64_t now, size_t limit)
{
	size_t n = (size_t)-1;

	reset_err();
	if (query != NULL)
		assert_ok(proauth2_query_validate(proauth2_schema_table(table), query, &err));
	assert_ok(target->ops->count(group_cls, proauth2_schema_table(table), query,
			at(now), limit, &n, &err));
	json_decref(query);
	return n;
}

/* Stored on the second connection; record stolen. */
static void store_direct(const char *table, json_t *record)
{
	reset_err();
	assert_ok(target->ops->store(group_cls, proauth2_schema_table(table),
			record, &err));
	json_decref(record);
}

START_TEST(test_count)
{
	static const char *const live[] = {"a1", "a2", "a3"};
	size_t i;

	proauth2_error open_err = {PROAUTH2_OK, ""};

	if (!has_count(target->ops)) {
		skip("the backend has no count");
		return;
	}
	expect(target->ops->init(uri, &group_cls, &open_err) == PROAUTH2_OK,
			"a second init on %s: %s", uri, open_err.text);
	for (i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		store_direct("codes", code(live[i], "client-a", LATER));
	store_direct("codes", code("a-gone", "client-a", NOW));
	store_direct("codes", code("b1", "client-b", LATER));

	/* Every field of the query, unexpired only (expires_at == now is
	 * expired), stopping at limit. */
	expect_uint(count_of("codes", by("client_id", "client-a"), NOW, 100), 3);
	expect_uint(count_of("codes", by("client_id", "client-a"), NOW, 2), 2);
	expect_uint(count_of("codes", by("client_id", "client-a"), NOW - 1, 100), 4);
	expect_uint(count_of("codes", by("client_id", "client-c"), NOW, 100), 0);
	expect_uint(count_of("codes", NULL, NOW, 100), 4);
	expect_uint(count_of("codes", NULL, NOW, 0), 0);
	expect_uint(count_of("codes", NULL, LATER, 100), 0);
	/* A table without expires_at counts every match. */
	store_direct("clients", client("client-1", "read"));
	expect_uint(count_of("clients", NULL, LATER, 100), 1);
}
END_TEST

/* ---- fetch_unmarked (version 4) ---- */

static int has_fetch_unmarked(const proauth2_datastore_ops *ops)
{
	return ops->struct_size >= offsetof(proauth2_datastore_ops, fetch_unmarked) +
		sizeof(ops->fetch_unmarked) && ops->fetch_unmarked != NULL;
}

/* The backend's own fetch_unmarked on the second connection, the query
 * (stolen) checked as the core does; *record as there. */
static proauth2_status fetch_unmarked_of(const char *table, json_t *query,
		const char *marks, int64_t now, json_t **record)
{
	proauth2_status status;

	reset_err();
	*record = NULL;
	assert_ok(proauth2_query_validate(proauth2_schema_table(table), query, &err));
	status = target->ops->fetch_unmarked(group_cls, proauth2_schema_table(table),
			query, proauth2_schema_table(marks), at(now), record, &err);
	json_decref(query);
	expect(status == PROAUTH2_OK || *record == NULL,
			"fetch_unmarked failed with %s and left a record",
			proauth2_status_str(status));
	return status;
}

/* The token hash of what fetch_unmarked found for query; "" when none. */
static const char *unmarked_hash(json_t *query, const char *marks, int64_t now)
{
	static char hash[64];
	json_t *record = NULL;
	proauth2_status status = fetch_unmarked_of("access_tokens", query, marks,
			now, &record);

	expect(status == PROAUTH2_OK || status == PROAUTH2_ERR_NOT_FOUND,
			"fetch_unmarked: %s (%s), expected ok or not_found",
			proauth2_status_str(status), err.text);
	hash[0] = '\0';
	if (record != NULL)
		snprintf(hash, sizeof(hash), "%s", str(record, "token_hash"));
	json_decref(record);
	return hash;
}

START_TEST(test_fetch_unmarked)
{
	proauth2_error open_err = {PROAUTH2_OK, ""};
	json_t *record = NULL;

	if (!has_fetch_unmarked(target->ops)) {
		skip("the backend has no fetch_unmarked");
		return;
	}
	expect(target->ops->init(uri, &group_cls, &open_err) == PROAUTH2_OK,
			"a second init on %s: %s", uri, open_err.text);
	store_direct("access_tokens", token("t1", "client-a", "g1", NOW));
	store_direct("access_tokens", token("t2", "client-a", "g2", NOW));
	store_direct("access_tokens", token("t3", "client-b", "g3", NOW));
	store_direct("revoked_grants", expiring("revoked_grants", "g2", LATER));
	store_direct("revoked_grants", expiring("revoked_grants", "g3", NOW));

	/* Unmarked: the record, whole, as fetch gives it. */
	expect(fetch_unmarked_of("access_tokens", by("token_hash", "t1"),
			"revoked_grants", NOW, &record) == PROAUTH2_OK,
			"fetch_unmarked of an unmarked record: %s", err.text);
	expect_str(str(record, "grant_id"), "g1");
	expect_str(str(record, "client_id"), "client-a");
	expect(json_integer_value(json_object_get(record, "expires_at")) == at(LATER),
			"the record's expires_at came back changed");
	json_decref(record);
	/* Marked, by a mark alive at now: no record. */
	expect_str(unmarked_hash(by("token_hash", "t2"), "revoked_grants", NOW), "");
	/* A mark that expired at now (expires_at == now is expired) marks
	 * nothing; a moment before, it did. */
	expect_str(unmarked_hash(by("token_hash", "t3"), "revoked_grants", NOW), "t3");
	expect_str(unmarked_hash(by("token_hash", "t3"), "revoked_grants", NOW - 1), "");
	expect_str(unmarked_hash(by("token_hash", "t9"), "revoked_grants", NOW), "");
	/* A query of two fields: now comes after both values. */
	expect_str(unmarked_hash(checked(json_pack("{s:s, s:s}", "client_id", "client-b",
			"token_hash", "t3")), "revoked_grants", NOW), "t3");
	expect_str(unmarked_hash(checked(json_pack("{s:s, s:s}", "client_id", "client-b",
			"token_hash", "t3")), "revoked_grants", NOW - 1), "");
	/* Marked records are left out before the matches are counted: of
	 * two, the unmarked one remains. */
	expect_str(unmarked_hash(by("client_id", "client-a"), "revoked_grants", NOW), "t1");
	store_direct("access_tokens", token("t4", "client-a", "g4", NOW));
	expect(fetch_unmarked_of("access_tokens", by("client_id", "client-a"),
			"revoked_grants", NOW, &record) == PROAUTH2_ERR_CONFLICT,
			"two unmarked matches: %s, expected conflict", err.text);
	/* Marks without expires_at mark by their key alone, whatever now:
	 * here a token whose client has a record. */
	store_direct("clients", client("client-b", "read"));
	expect_str(unmarked_hash(by("token_hash", "t3"), "clients", LATER), "");
	expect_str(unmarked_hash(by("token_hash", "t1"), "clients", LATER), "t1");
}
END_TEST

/* At least TIMEOUT_SECONDS, or CK_DEFAULT_TIMEOUT if that is longer;
 * tcase_set_timeout() would otherwise override it. */
static void set_timeout(TCase *tc)
{
	const char *env = getenv("CK_DEFAULT_TIMEOUT");
	double seconds = TIMEOUT_SECONDS;

	if (env != NULL) {
		char *end;
		double value = strtod(env, &end);

		if (end != env && *end == '\0' && value > seconds)
			seconds = value;
	}
	tcase_set_timeout(tc, seconds);
}

static TCase *new_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	/* Here, in the runner's process, after the last test of the case. */
	tcase_add_unchecked_fixture(tc, NULL, release);
	set_timeout(tc);
	return tc;
}

Suite *proauth2_conformance_suite(const proauth2_conformance_target *t)
{
	Suite *s = suite_create(t->name);
	TCase *tc;

	target = t;
	if (pending == NULL) {
		void *page = mmap(NULL, PENDING_MAX, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		/* Without it, a failed test in a fork leaves its store. */
		pending = page != MAP_FAILED ? page : NULL;
	}

	tc = new_tcase("target");
	tcase_add_test(tc, test_target_initialised);
	suite_add_tcase(s, tc);

	tc = new_tcase("records");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_fetch_missing);
	tcase_add_test(tc, test_fetch_by_field);
	tcase_add_test(tc, test_fetch_conflict);
	tcase_add_test(tc, test_remove_counts);
	tcase_add_test(tc, test_remove_then_fetch);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_stored_independently);
	tcase_add_test(tc, test_max_length);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_keys_exact);
	suite_add_tcase(s, tc);

	tc = new_tcase("expiry");
	tcase_add_loop_test(tc, test_expired_not_found, 0, N_EXPIRING);
	tcase_add_test(tc, test_purge_expired);
	tcase_add_test(tc, test_count);
	tcase_add_test(tc, test_fetch_unmarked);
	suite_add_tcase(s, tc);

	tc = new_tcase("validation");
	tcase_add_test(tc, test_invalid_records);
	tcase_add_test(tc, test_invalid_shapes);
	tcase_add_test(tc, test_invalid_queries);
	suite_add_tcase(s, tc);

	tc = new_tcase("concurrency");
	tcase_add_test(tc, test_race_remove);
	tcase_add_test(tc, test_race_store);
	tcase_add_test(tc, test_race_replace);
	suite_add_tcase(s, tc);

	tc = new_tcase("write groups");
	tcase_add_test(tc, test_group_reads_its_writes);
	tcase_add_test(tc, test_group_hidden_from_others);
	tcase_add_test(tc, test_group_nests);
	tcase_add_test(tc, test_group_end_reports_a_lost_write);
	suite_add_tcase(s, tc);

	return s;
}
