/*
 * Several processes writing one SQLite file: how long a write waits when
 * other processes hold the file's write lock, and whether each process
 * gets its share.
 *
 *   sqlite_processes [--seconds S] [--threads T] [--max-processes P] [--uri-query Q]
 *
 * For 1 to P processes (default 3), each with T threads (default 16), every
 * thread issues an authorization code and exchanges it (a write group of
 * four statements) for S seconds (default 3). Printed per process: the
 * exchanges done, those refused (and with which status), and the latency
 * of an exchange at the median, the 99th percentile and the slowest.
 * Figures are printed, never asserted. Q is appended to the file's URI
 * (e.g. "synchronous=normal" or "busy_timeout=1000").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <proauth2/proauth2.h>

#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT_URI "https://client.example.com/cb"
#define MAX_THREADS 64
#define MAX_PROCESSES 8

struct options {
	double seconds;
	int threads, max_processes;
	char uri[1024];
};

static void die(const char *what, const proauth2_error *err)
{
	fprintf(stderr, "sqlite_processes: %s: %s\n", what, err != NULL ? err->text : "");
	exit(1);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static proauth2_provider *open_provider(const char *uri, proauth2_datastore **ds)
{
	proauth2_provider *p;
	proauth2_config cfg;
	proauth2_error err = {0};

	if (proauth2_datastore_open(proauth2_sqlite_ops(), uri, ds, &err) != PROAUTH2_OK)
		die(uri, &err);
	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = *ds;
	cfg.supported_scopes = "read";
	if (proauth2_provider_new(&cfg, &p, &err) != PROAUTH2_OK)
		die("provider", &err);
	return p;
}

static proauth2_client *register_client(const char *uri)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_datastore *ds;
	proauth2_provider *p = open_provider(uri, &ds);
	proauth2_client *c;
	proauth2_error err = {0};

	proauth2_client_params_init(&params);
	params.type = PROAUTH2_CLIENT_CONFIDENTIAL;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.grant_types = PROAUTH2_GRANT_AUTHORIZATION_CODE;
	params.scope = "read";
	params.name = "bench";
	if (proauth2_client_register(p, &params, &c, &err) != PROAUTH2_OK)
		die("register", &err);
	proauth2_provider_free(p);
	proauth2_datastore_close(ds);
	return c;
}

/* One thread's exchanges: their latencies, and the refusals by status. */
struct worker {
	proauth2_provider *provider;
	const proauth2_client *client;
	double until;
	double *latency;
	size_t n, cap;
	size_t unavailable, other;
};

static void note(struct worker *w, double latency)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 1024;
		w->latency = realloc(w->latency, w->cap * sizeof(double));
		if (w->latency == NULL)
			die("out of memory", NULL);
	}
	w->latency[w->n++] = latency;
}

static void refused(struct worker *w, proauth2_status status)
{
	if (status == PROAUTH2_ERR_UNAVAILABLE)
		w->unavailable++;
	else
		w->other++;
}

static void *work(void *arg)
{
	struct worker *w = arg;

	while (now_seconds() < w->until) {
		proauth2_code_request req;
		proauth2_code_exchange ex;
		proauth2_token_response *t;
		proauth2_error err = {0};
		proauth2_status status;
		char *code;
		double t0;

		proauth2_code_request_init(&req);
		req.client_id = w->client->client_id;
		req.user_id = "alice";
		req.redirect_uri = REDIRECT_URI;
		req.scope = "read";
		req.code_challenge = CHALLENGE;
		req.code_challenge_method = "S256";
		status = proauth2_code_issue(w->provider, &req, &code, &err);
		if (status != PROAUTH2_OK) {
			refused(w, status);
			continue;
		}
		proauth2_code_exchange_init(&ex);
		ex.client_id = w->client->client_id;
		ex.client_secret = w->client->client_secret;
		ex.code = code;
		ex.redirect_uri = REDIRECT_URI;
		ex.code_verifier = VERIFIER;
		t0 = now_seconds();
		status = proauth2_token_exchange_code(w->provider, &ex, &t, &err);
		note(w, now_seconds() - t0);
		if (status == PROAUTH2_OK)
			proauth2_token_response_free(t);
		else
			refused(w, status);
		proauth2_secret_free(code);
	}
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* In a child: run the threads until the shared start time plus seconds,
 * and print this process's line. */
static void run_process(const struct options *o, const proauth2_client *c,
		int index, int processes, double start)
{
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	proauth2_datastore *ds;
	proauth2_provider *p = open_provider(o->uri, &ds);
	size_t n = 0, unavailable = 0, other = 0, k, i;
	double *all;

	while (now_seconds() < start)
		usleep(1000);
	for (k = 0; k < (size_t)o->threads; k++) {
		w[k] = (struct worker){.provider = p, .client = c,
			.until = start + o->seconds};
		pthread_create(&tid[k], NULL, work, &w[k]);
	}
	for (k = 0; k < (size_t)o->threads; k++) {
		pthread_join(tid[k], NULL);
		n += w[k].n;
		unavailable += w[k].unavailable;
		other += w[k].other;
	}
	all = malloc((n ? n : 1) * sizeof(double));
	if (all == NULL)
		die("out of memory", NULL);
	for (n = 0, k = 0; k < (size_t)o->threads; k++) {
		for (i = 0; i < w[k].n; i++)
			all[n++] = w[k].latency[i];
		free(w[k].latency);
	}
	qsort(all, n, sizeof(double), by_value);
	printf("%9d %7d %10zu %8.0f/s %11zu %6zu %9.2f %9.2f %9.2f\n", processes,
			index + 1, n, (double)n / o->seconds, unavailable, other,
			n ? 1e3 * all[n / 2] : 0.0, n ? 1e3 * all[n * 99 / 100] : 0.0,
			n ? 1e3 * all[n - 1] : 0.0);
	fflush(stdout);
	free(all);
	proauth2_provider_free(p);
	proauth2_datastore_close(ds);
}

static void run_processes(const struct options *o, const proauth2_client *c, int processes)
{
	pid_t pids[MAX_PROCESSES];
	double start = now_seconds() + 0.5;  /* time for every child to open */
	int k, wstatus;

	for (k = 0; k < processes; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			run_process(o, c, k, processes, start);
			_exit(0);
		}
	}
	for (k = 0; k < processes; k++)
		if (waitpid(pids[k], &wstatus, 0) < 0 || !WIFEXITED(wstatus) ||
				WEXITSTATUS(wstatus) != 0)
			die("a process failed", NULL);
}

int main(int argc, char **argv)
{
	struct options o = {.seconds = 3, .threads = 16, .max_processes = 3};
	char dir[] = "/tmp/proauth2-processes-XXXXXX";
	const char *query = NULL;
	proauth2_client *c;
	int a, processes;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc)
			o.seconds = atof(argv[++a]);
		else if (strcmp(argv[a], "--threads") == 0 && a + 1 < argc)
			o.threads = atoi(argv[++a]);
		else if (strcmp(argv[a], "--max-processes") == 0 && a + 1 < argc)
			o.max_processes = atoi(argv[++a]);
		else if (strcmp(argv[a], "--uri-query") == 0 && a + 1 < argc)
			query = argv[++a];
		else {
			fprintf(stderr, "usage: sqlite_processes [--seconds S] [--threads T]"
					" [--max-processes P] [--uri-query Q]\n");
			return 2;
		}
	}
	if (o.seconds <= 0 || o.threads < 1 || o.threads > MAX_THREADS ||
			o.max_processes < 1 || o.max_processes > MAX_PROCESSES ||
			mkdtemp(dir) == NULL)
		return 2;
	snprintf(o.uri, sizeof(o.uri), "file:%s/shared.db%s%s", dir,
			query != NULL ? "?" : "", query != NULL ? query : "");
	c = register_client(o.uri);
	printf("%d threads per process, each exchanging codes for %.1f s; latency in ms\n",
			o.threads, o.seconds);
	printf("%9s %7s %10s %10s %11s %6s %9s %9s %9s\n", "processes", "process",
			"exchanges", "rate", "unavailable", "other", "p50", "p99", "max");
	fflush(stdout);
	for (processes = 1; processes <= o.max_processes; processes++)
		run_processes(&o, c, processes);
	proauth2_client_free(c);
	snprintf(o.uri, sizeof(o.uri), "rm -rf %s", dir);
	return system(o.uri) == 0 ? 0 : 1;
}
