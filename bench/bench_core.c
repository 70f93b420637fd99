/*
 * In-process benchmark: operations per second of the grant engine, per
 * backend, on one thread and on two, beside the raw cost of the work no
 * implementation can skip (32 random bytes, SHA-256, base64url).
 *
 *   bench_core [--count N] [--threads N] [--backend NAME]... [--quick]
 *
 * Backends: sqlite-file (WAL, synchronous=FULL: every commit fsynced),
 * sqlite-normal (WAL, synchronous=NORMAL), sqlite-memory, and mongodb when
 * MONGODB_URI names a server. Each operation runs N times
 * (default 20000) on inputs the previous step made: register, issue codes,
 * exchange them, validate the access tokens, refresh, revoke, and
 * client_credentials tokens (again with the client kept in memory,
 * config.client_cache_lifetime); then JWT access tokens (RFC 9068, ES256):
 * client_credentials for a JWT resource and their validation, against
 * the raw cost of one ES256 signature and one verification measured in
 * the same run. Figures are printed, never asserted.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <proauth2/proauth2.h>
#ifdef PROAUTH2_BENCH_MONGODB
#include <mongoc/mongoc.h>
#include <proauth2/mongodb.h>
#endif

#include "crypto.h"
#include "jwk.h"
#include "jws.h"

#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT_URI "https://client.example.com/cb"
#define MAX_THREADS 2
#define JWT_RESOURCE "https://api.example.com"
#define DOCUMENT_URL "https://app.example.com/clients/"
#define DOCUMENTS 1024

static const unsigned char kek[PROAUTH2_KEK_SIZE] = "bench key-encryption key, 32 B.";
/* The raw signature's key and a JWT-sized input (header.claims). */
static EVP_PKEY *raw_key;
static jws_signer *raw_signer;
static unsigned char raw_input[320];
static unsigned char raw_sig[JWS_SIGNATURE_MAX];
static size_t raw_sig_len;

/* One benchmark run: a provider, a client, and the items each step makes
 * for the next. */
struct run {
	proauth2_provider *provider;
	proauth2_provider *cached;  /* the same, with config.client_cache_lifetime */
	proauth2_client *client;
	size_t n;
	char **codes;
	char **access;
	char **refresh;
	char **jwt;
};

typedef void (*step_fn)(struct run *run, size_t i);

static void die(const char *what, const proauth2_error *err)
{
	fprintf(stderr, "bench_core: %s: %s\n", what, err != NULL ? err->text : "");
	exit(1);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the steps, one item each ---- */

static void step_raw(struct run *run, size_t i)
{
	char *secret, hash[HASH_SIZE];

	(void)run;
	(void)i;
	if (proauth2_secret_new(&secret, NULL) != PROAUTH2_OK ||
			sha256_base64url(secret, hash, NULL) != PROAUTH2_OK)
		die("raw", NULL);
	proauth2_secret_free(secret);
}

/* One ES256 signature, and one verification, of a JWT's size. */
static void step_raw_sign(struct run *run, size_t i)
{
	unsigned char sig[JWS_SIGNATURE_MAX];
	size_t len;

	(void)run;
	(void)i;
	if (jws_sign_bytes(raw_signer, raw_input, sizeof(raw_input), sig, &len,
			NULL) != PROAUTH2_OK)
		die("raw sign", NULL);
}

static void step_raw_verify(struct run *run, size_t i)
{
	(void)run;
	(void)i;
	if (jws_verify_bytes(JWS_ES256, raw_key, raw_input, sizeof(raw_input),
			raw_sig, raw_sig_len, NULL) != PROAUTH2_OK)
		die("raw verify", NULL);
}

/* A confidential client with every grant the steps use. */
static proauth2_client *register_client(proauth2_provider *provider)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_client *c;
	proauth2_error err = {0};

	proauth2_client_params_init(&params);
	params.type = PROAUTH2_CLIENT_CONFIDENTIAL;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.grant_types = PROAUTH2_GRANT_AUTHORIZATION_CODE |
		PROAUTH2_GRANT_REFRESH_TOKEN | PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	params.scope = "read write";
	params.name = "bench";
	if (proauth2_client_register(provider, &params, &c, &err) != PROAUTH2_OK)
		die("register", &err);
	return c;
}

static void step_register(struct run *run, size_t i)
{
	(void)i;
	proauth2_client_free(register_client(run->provider));
}

static void step_issue_code(struct run *run, size_t i)
{
	proauth2_code_request req;
	proauth2_error err = {0};

	proauth2_code_request_init(&req);
	req.client_id = run->client->client_id;
	req.user_id = "alice";
	req.redirect_uri = REDIRECT_URI;
	req.scope = "read";
	req.code_challenge = CHALLENGE;
	req.code_challenge_method = "S256";
	if (proauth2_code_issue(run->provider, &req, &run->codes[i], &err) != PROAUTH2_OK)
		die("code issue", &err);
}

/* Keep a response's tokens for the next steps. */
static void keep(struct run *run, size_t i, proauth2_token_response *t)
{
	free(run->access[i]);
	free(run->refresh[i]);
	run->access[i] = strdup(t->access_token);
	run->refresh[i] = t->refresh_token != NULL ? strdup(t->refresh_token) : NULL;
	proauth2_token_response_free(t);
}

static void step_exchange(struct run *run, size_t i)
{
	proauth2_code_exchange ex;
	proauth2_token_response *t;
	proauth2_error err = {0};

	proauth2_code_exchange_init(&ex);
	ex.client_id = run->client->client_id;
	ex.client_secret = run->client->client_secret;
	ex.code = run->codes[i];
	ex.redirect_uri = REDIRECT_URI;
	ex.code_verifier = VERIFIER;
	if (proauth2_token_exchange_code(run->provider, &ex, &t, &err) != PROAUTH2_OK)
		die("exchange", &err);
	keep(run, i, t);
}

static void step_validate(struct run *run, size_t i)
{
	proauth2_error err = {0};

	if (proauth2_token_validate(run->provider, run->access[i], NULL, &err) != PROAUTH2_OK)
		die("validate", &err);
}

static void step_refresh(struct run *run, size_t i)
{
	proauth2_refresh_request req;
	proauth2_token_response *t;
	proauth2_error err = {0};

	proauth2_refresh_request_init(&req);
	req.client_id = run->client->client_id;
	req.client_secret = run->client->client_secret;
	req.refresh_token = run->refresh[i];
	if (proauth2_token_refresh(run->provider, &req, &t, &err) != PROAUTH2_OK)
		die("refresh", &err);
	keep(run, i, t);
}

static void step_revoke(struct run *run, size_t i)
{
	proauth2_error err = {0};

	if (proauth2_token_revoke(run->provider, run->client->client_id,
			run->access[i], PROAUTH2_HINT_ACCESS_TOKEN, &err) != PROAUTH2_OK)
		die("revoke", &err);
}

/* A client_credentials token from provider p. */
static void client_credentials_from(proauth2_provider *p, const struct run *run)
{
	proauth2_client_credentials_request req;
	proauth2_token_response *t;
	proauth2_error err = {0};

	proauth2_client_credentials_request_init(&req);
	req.client_id = run->client->client_id;
	req.client_secret = run->client->client_secret;
	req.scope = "read";
	if (proauth2_token_client_credentials(p, &req, &t, &err) != PROAUTH2_OK)
		die("client_credentials", &err);
	proauth2_token_response_free(t);
}

static void step_client_credentials(struct run *run, size_t i)
{
	(void)i;
	client_credentials_from(run->provider, run);
}

/* The same, the client kept in memory (config.client_cache_lifetime). */
static void step_client_credentials_cached(struct run *run, size_t i)
{
	(void)i;
	client_credentials_from(run->cached, run);
}

/* client_credentials for the JWT resource: signed, nothing stored. */
static void step_jwt_issue(struct run *run, size_t i)
{
	proauth2_client_credentials_request req;
	proauth2_token_response *t;
	proauth2_error err = {0};

	proauth2_client_credentials_request_init(&req);
	req.client_id = run->client->client_id;
	req.client_secret = run->client->client_secret;
	req.scope = "read";
	req.resource = JWT_RESOURCE;
	if (proauth2_token_client_credentials(run->provider, &req, &t, &err) != PROAUTH2_OK)
		die("jwt client_credentials", &err);
	free(run->jwt[i]);
	run->jwt[i] = strdup(t->access_token);
	proauth2_token_response_free(t);
}

static void step_jwt_validate(struct run *run, size_t i)
{
	proauth2_error err = {0};

	if (proauth2_token_validate_for(run->provider, run->jwt[i], JWT_RESOURCE,
			NULL, &err) != PROAUTH2_OK)
		die("jwt validate", &err);
}

/* A JWT used again, as a client uses its token until it expires: its
 * signature was checked on the first use (lib/jwt.c keeps it). */
static void step_jwt_validate_again(struct run *run, size_t i)
{
	(void)i;
	step_jwt_validate(run, 0);
}

/* A client read by id: the stored one, and one that a Client ID Metadata
 * Document describes, from the provider's cache after the first use. */
static void get_client(struct run *run, const char *client_id)
{
	proauth2_client *c;
	proauth2_error err = {0};

	if (proauth2_client_get(run->provider, client_id, &c, &err) != PROAUTH2_OK)
		die("client_get", &err);
	proauth2_client_free(c);
}

static void step_get_stored(struct run *run, size_t i)
{
	(void)i;
	get_client(run, run->client->client_id);
}

/* The i-th of DOCUMENTS clients named by documents, all cached (the
 * cache's bound): a lookup searches half of it on average. */
static void step_get_document(struct run *run, size_t i)
{
	char url[64];

	snprintf(url, sizeof(url), DOCUMENT_URL "%zu", i % DOCUMENTS);
	get_client(run, url);
}

static void cache_documents(struct run *run)
{
	size_t i;

	for (i = 0; i < DOCUMENTS; i++)
		step_get_document(run, i);
}

/* The host's fetch: every document under DOCUMENT_URL, from memory. */
static int fetch_document(void *arg, const char *url, char *body,
		size_t body_max, size_t *body_len, int64_t *max_age)
{
	int n;

	(void)arg;
	if (strncmp(url, DOCUMENT_URL, strlen(DOCUMENT_URL)) != 0)
		return -1;
	n = snprintf(body, body_max, "{\"client_id\": \"%s\", \"client_name\": "
			"\"Bench\", \"redirect_uris\": [\"https://client.example.com/cb\"], "
			"\"grant_types\": [\"authorization_code\", \"refresh_token\"], "
			"\"token_endpoint_auth_method\": \"none\"}", url);
	if (n < 0 || (size_t)n >= body_max)
		return -1;
	*body_len = (size_t)n;
	*max_age = 3600;
	return 0;
}

/* ---- timing ---- */

struct worker {
	struct run *run;
	step_fn step;
	size_t first, stride;
	pthread_barrier_t *start;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	size_t i;

	pthread_barrier_wait(w->start);
	for (i = w->first; i < w->run->n; i += w->stride)
		w->step(w->run, i);
	return NULL;
}

/* Run step over every item on threads threads; operations per second. */
static double measure(struct run *run, step_fn step, int threads)
{
	pthread_t tid[MAX_THREADS];
	struct worker w[MAX_THREADS];
	pthread_barrier_t start;
	double t0;
	int k;

	pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
	for (k = 0; k < threads; k++) {
		w[k] = (struct worker){run, step, (size_t)k, (size_t)threads, &start};
		pthread_create(&tid[k], NULL, work, &w[k]);
	}
	t0 = now_seconds();
	pthread_barrier_wait(&start);
	for (k = 0; k < threads; k++)
		pthread_join(tid[k], NULL);
	pthread_barrier_destroy(&start);
	return (double)run->n / (now_seconds() - t0);
}

/* ---- backends ---- */

struct backend {
	const char *name;
	const proauth2_datastore_ops *ops;
	char uri[512];
};

static bool backend_named(const char *name, const char *dir, struct backend *b)
{
	b->name = name;
	b->ops = proauth2_sqlite_ops();
	if (strcmp(name, "sqlite-file") == 0) {
		snprintf(b->uri, sizeof(b->uri), "%s/bench.db", dir);
		return true;
	}
	if (strcmp(name, "sqlite-normal") == 0) {
		snprintf(b->uri, sizeof(b->uri), "file:%s/normal.db?synchronous=normal", dir);
		return true;
	}
	if (strcmp(name, "sqlite-memory") == 0) {
		snprintf(b->uri, sizeof(b->uri), ":memory:");
		return true;
	}
#ifdef PROAUTH2_BENCH_MONGODB
	if (strcmp(name, "mongodb") == 0 && getenv("MONGODB_URI") != NULL) {
		b->ops = proauth2_mongodb_ops();
		snprintf(b->uri, sizeof(b->uri), "%s", getenv("MONGODB_URI"));
		return true;
	}
#endif
	return false;
}

/* A provider on ds, keeping clients client_cache_lifetime seconds. */
static proauth2_provider *new_provider(proauth2_datastore *ds,
		int64_t client_cache_lifetime)
{
	proauth2_provider *p;
	proauth2_config cfg;
	proauth2_error err = {0};

	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = ds;
	cfg.client_cache_lifetime = client_cache_lifetime;
	cfg.supported_scopes = "read write";
	cfg.code_lifetime = 3600;  /* codes wait while the issue step runs */
	cfg.key_encryption_key = kek;
	cfg.jwt_access_tokens = true;
	cfg.jwt_access_token_lifetime = 3600;  /* tokens wait for validation */
	cfg.client_document_fetch = fetch_document;
	if (proauth2_provider_new(&cfg, &p, &err) != PROAUTH2_OK)
		die("provider", &err);
	if (proauth2_resource_register(p, &(proauth2_resource_params){
			.struct_size = sizeof(proauth2_resource_params),
			.identifier = JWT_RESOURCE}, &err) != PROAUTH2_OK)
		die("resource", &err);
	return p;
}

static proauth2_provider *open_provider(const struct backend *b, proauth2_datastore **ds)
{
	proauth2_error err = {0};

	if (proauth2_datastore_open(b->ops, b->uri, ds, &err) != PROAUTH2_OK)
		die(b->uri, &err);
	return new_provider(*ds, 0);
}

/* What a step's cost is a multiple of. */
enum raw_kind { RAW_SECRET, RAW_SIGN, RAW_VERIFY };

static const struct {
	const char *name;
	step_fn step;
	enum raw_kind raw;
} steps[] = {
	{"register client", step_register, RAW_SECRET},
	{"issue code", step_issue_code, RAW_SECRET},
	{"exchange code", step_exchange, RAW_SECRET},
	{"validate token", step_validate, RAW_SECRET},
	{"refresh token", step_refresh, RAW_SECRET},
	{"revoke token", step_revoke, RAW_SECRET},
	{"client_credentials", step_client_credentials, RAW_SECRET},
	{"client_creds cached", step_client_credentials_cached, RAW_SECRET},
	{"jwt client_creds", step_jwt_issue, RAW_SIGN},
	{"jwt validate", step_jwt_validate, RAW_VERIFY},
	{"jwt validate again", step_jwt_validate_again, RAW_SECRET},
	{"client_get stored", step_get_stored, RAW_SECRET},
	{"client_get 1024 docs", step_get_document, RAW_SECRET},
};

static const char *const raw_names[] = {"raw", "raw sign", "raw verify"};

static void bench_backend(const struct backend *b, size_t n, int threads,
		const double raw[3])
{
	struct run run = {.n = n};
	proauth2_datastore *ds;
	size_t i, s;

	run.provider = open_provider(b, &ds);
	run.cached = new_provider(ds, PROAUTH2_CLIENT_CACHE_LIFETIME_MAX);
	run.client = register_client(run.provider);
	run.codes = calloc(n, sizeof(char *));
	run.access = calloc(n, sizeof(char *));
	run.refresh = calloc(n, sizeof(char *));
	run.jwt = calloc(n, sizeof(char *));
	cache_documents(&run);
	for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		double rate = measure(&run, steps[s].step, threads);

		printf("%-14s %d  %-20s %10.0f /s %9.2f us  %6.1f x %s\n", b->name,
				threads, steps[s].name, rate, 1e6 / rate,
				raw[steps[s].raw] / rate, raw_names[steps[s].raw]);
		fflush(stdout);
	}
	for (i = 0; i < n; i++) {
		proauth2_secret_free(run.codes[i]);
		free(run.access[i]);
		free(run.refresh[i]);
		free(run.jwt[i]);
	}
	free(run.jwt);
	free(run.codes);
	free(run.access);
	free(run.refresh);
	proauth2_client_free(run.client);
	proauth2_provider_free(run.cached);
	proauth2_provider_free(run.provider);
	proauth2_datastore_close(ds);
}

/* Bytes an SQLite file grows by per client_credentials token, WAL
 * checkpointed into the file. */
static void sqlite_bytes_per_token(const char *dir, size_t n)
{
	struct backend b = {"sqlite-file", proauth2_sqlite_ops(), ""};
	struct run run = {.n = n};
	proauth2_datastore *ds;
	struct stat before, after;

	snprintf(b.uri, sizeof(b.uri), "%s/size.db", dir);
	run.provider = open_provider(&b, &ds);
	run.client = register_client(run.provider);
	proauth2_provider_free(run.provider);
	proauth2_datastore_close(ds);  /* closing checkpoints the WAL */
	stat(b.uri, &before);
	run.provider = open_provider(&b, &ds);
	measure(&run, step_client_credentials, 1);
	proauth2_provider_free(run.provider);
	proauth2_datastore_close(ds);
	stat(b.uri, &after);
	printf("sqlite-file: %.0f bytes stored per access token (%zu tokens)\n",
			(double)(after.st_size - before.st_size) / (double)n, n);
	proauth2_client_free(run.client);
}

int main(int argc, char **argv)
{
	const char *names[8] = {NULL};
	char dir[] = "/tmp/proauth2-bench-XXXXXX", cmd[64];
	struct run raw_run = {0};
	size_t n = 20000, n_names = 0, i;
	double raw[3];
	int threads, min_threads = 1, max_threads = MAX_THREADS, a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--count") == 0 && a + 1 < argc)
			n = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--threads") == 0 && a + 1 < argc)
			min_threads = max_threads = atoi(argv[++a]);
		else if (strcmp(argv[a], "--quick") == 0)
			n = 200;
		else if (strcmp(argv[a], "--backend") == 0 && a + 1 < argc && n_names < 8)
			names[n_names++] = argv[++a];
		else {
			fprintf(stderr, "usage: bench_core [--count N] [--threads N] "
					"[--backend NAME]... [--quick]\n");
			return 2;
		}
	}
	if (n == 0 || min_threads < 1 || max_threads > MAX_THREADS || mkdtemp(dir) == NULL)
		return 2;
	if (n_names == 0) {
		names[n_names++] = "sqlite-file";
		names[n_names++] = "sqlite-normal";
		names[n_names++] = "sqlite-memory";
		names[n_names++] = "mongodb";
	}
#ifdef PROAUTH2_BENCH_MONGODB
	mongoc_init();
#endif
	raw_run.n = n * 5;
	raw[RAW_SECRET] = measure(&raw_run, step_raw, 1);
	memset(raw_input, 'j', sizeof(raw_input));
	if (jwk_generate(JWS_ES256, &raw_key, NULL) != PROAUTH2_OK ||
			jws_signer_new(JWS_ES256, raw_key, &raw_signer, NULL) != PROAUTH2_OK ||
			jws_sign_bytes(raw_signer, raw_input, sizeof(raw_input),
				raw_sig, &raw_sig_len, NULL) != PROAUTH2_OK)
		die("raw key", NULL);
	raw_run.n = n;
	raw[RAW_SIGN] = measure(&raw_run, step_raw_sign, 1);
	raw[RAW_VERIFY] = measure(&raw_run, step_raw_verify, 1);
	printf("%d items per operation; raw work (32 random bytes + SHA-256 + "
			"base64url): %.0f /s, %.2f us\n", (int)n, raw[RAW_SECRET],
			1e6 / raw[RAW_SECRET]);
	printf("raw ES256 signature of %zu bytes: %.0f /s, %.2f us; verification: "
			"%.0f /s, %.2f us\n\n", sizeof(raw_input), raw[RAW_SIGN],
			1e6 / raw[RAW_SIGN], raw[RAW_VERIFY], 1e6 / raw[RAW_VERIFY]);
	printf("%-14s %s  %-20s %13s %12s %12s\n", "backend", "T", "operation",
			"rate", "latency", "cost");
	for (i = 0; i < n_names; i++) {
		struct backend b;

		if (!backend_named(names[i], dir, &b)) {
			printf("%-14s skipped (mongodb: set MONGODB_URI to a real server)\n",
					names[i]);
			continue;
		}
		for (threads = min_threads; threads <= max_threads; threads++) {
			if (strcmp(b.name, "sqlite-file") == 0)
				unlink(b.uri);
			if (strcmp(b.name, "sqlite-normal") == 0) {
				char path[512];

				snprintf(path, sizeof(path), "%s/normal.db", dir);
				unlink(path);
			}
			bench_backend(&b, n, threads, raw);
		}
	}
	for (i = 0; i < n_names; i++)
		if (strcmp(names[i], "sqlite-file") == 0)
			sqlite_bytes_per_token(dir, n);
#ifdef PROAUTH2_BENCH_MONGODB
	mongoc_cleanup();
#endif
	jws_signer_free(raw_signer);
	EVP_PKEY_free(raw_key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
