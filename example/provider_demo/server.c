/* The libmicrohttpd glue: the socket, the requests, the responses, and
 * the router between them. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "domain_connect.h"
#include "flow.h"
#include "lenient.h"
#include "mcp.h"
#include "pages.h"
#include "server.h"

/*
 * Each connection's libmicrohttpd memory pool. It holds the request head
 * whole, a copy of the Cookie header and some 64 bytes per header, then
 * the answer's head; when that does not fit, libmicrohttpd 0.9.75 closes
 * the connection unanswered (a head too large for the pool it answers 431
 * itself). No size closes that gap: 80 KiB puts it past heads of 38 KiB
 * made of a long Cookie or of 64-byte headers (tests/e2e/test_headers.py),
 * above nginx's default of 32 KiB, though a smaller head of thousands of
 * tiny headers still reaches it. Every request pays for the size:
 * libmicrohttpd zeroes the whole pool and half of it again per request
 * (160 KiB cost ~2 us of CPU a request more, docs/BENCHMARKS.md).
 */
#define POOL_SIZE (80 * 1024)

/* File descriptors kept for the database, logs and the listening socket
 * when the connection limit is fitted under RLIMIT_NOFILE. */
#define FD_RESERVE 64

/*
 * Every open connection, for the request deadline. libmicrohttpd's own
 * timeout is an idle timeout: any byte restarts it, so a client that
 * sends a header line every few seconds holds its connection (and a
 * worker's slot) for ever. Here each connection gets request_timeout
 * seconds, from its accept or its last response, for a request to arrive
 * whole; the watchdog thread shuts down the socket of one that has not,
 * and libmicrohttpd then closes it as a peer that went away.
 */
struct watched {
	struct watched *prev, *next;
	int fd;
	time_t deadline;
	bool answering;     /* the request is in: its deadline does not run */
	bool cut;           /* shut down once already */
};

struct server {
	struct MHD_Daemon *daemon;
	struct demo_app *app;
	unsigned request_timeout;
	pthread_mutex_t lock;   /* guards the list and stopping */
	pthread_cond_t wake;
	struct watched *head;
	bool stopping;
	bool watchdog_started;
	pthread_t watchdog;
};

static time_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* MHD_OPTION_NOTIFY_CONNECTION: watch a connection from its accept to
 * its close. libmicrohttpd reports the close before it closes the socket,
 * so a shutdown() under the lock never hits a reused descriptor. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
		enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	struct watched *w = *socket_context;
	const union MHD_ConnectionInfo *info;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = calloc(1, sizeof(*w));
		if (w == NULL || info == NULL) {
			free(w);
			return;  /* unwatched: only MHD's idle timeout applies */
		}
		w->fd = info->connect_fd;
		pthread_mutex_lock(&s->lock);
		w->deadline = monotonic_seconds() + (time_t)s->request_timeout;
		w->next = s->head;
		if (s->head != NULL)
			s->head->prev = w;
		s->head = w;
		pthread_mutex_unlock(&s->lock);
		*socket_context = w;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w != NULL) {
		pthread_mutex_lock(&s->lock);
		if (w->prev != NULL)
			w->prev->next = w->next;
		else
			s->head = w->next;
		if (w->next != NULL)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&s->lock);
		free(w);
		*socket_context = NULL;
	}
}

static struct watched *watched_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL ? info->socket_context : NULL;
}

/* The request is in (answering) or answered (its deadline starts again). */
static void set_answering(struct server *s, struct MHD_Connection *c, bool answering)
{
	struct watched *w = watched_of(c);

	if (w == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	w->answering = answering;
	w->deadline = monotonic_seconds() + (time_t)s->request_timeout;
	pthread_mutex_unlock(&s->lock);
}

/* Once a second, cut the connections past their deadline. */
static void *watchdog(void *arg)
{
	struct server *s = arg;
	struct timespec until;
	struct watched *w;
	time_t now;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		now = monotonic_seconds();
		for (w = s->head; w != NULL; w = w->next)
			if (!w->answering && !w->cut && w->deadline <= now) {
				shutdown(w->fd, SHUT_RDWR);
				w->cut = true;
			}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock,
				&until) == 0)
			;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Responses onto MHD connections. */

/* Pages run no script, load nothing and may not be framed: the consent
 * page must not be clickjacked. */
#define PAGE_CSP "default-src 'none'; style-src 'unsafe-inline'; " \
	"frame-ancestors 'none'; base-uri 'none'"

static const char out_of_memory[] =
	"{\"error\":\"server_error\",\"error_description\":\"out of memory\"}";

/* Queue r (which may be NULL) and drop our reference to it. */
static enum MHD_Result queue(struct MHD_Connection *c, unsigned status,
		struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (r == NULL) {
		/* Nothing left to say it with: close the connection. */
		r = MHD_create_response_from_buffer(sizeof(out_of_memory) - 1,
				(void *)out_of_memory, MHD_RESPMEM_PERSISTENT);
		if (r == NULL)
			return MHD_NO;
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json") != MHD_YES) {
			MHD_destroy_response(r);
			return MHD_NO;
		}
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A response holding a copy of body, with these name/value header pairs
 * (NULL-terminated); NULL on failure. */
static struct MHD_Response *make(const char *body, size_t len,
		const char *const *headers)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
			(void *)body, MHD_RESPMEM_MUST_COPY);

	for (; r != NULL && headers[0] != NULL; headers += 2)
		if (headers[1] != NULL &&
				MHD_add_response_header(r, headers[0], headers[1]) != MHD_YES) {
			MHD_destroy_response(r);
			r = NULL;
		}
	return r;
}

enum MHD_Result reply_html(struct MHD_Connection *c, unsigned status,
		char *html, const char *cookie)
{
	return reply_page(c, status, html, cookie, NULL);
}

enum MHD_Result reply_page(struct MHD_Connection *c, unsigned status,
		char *html, const char *cookie, const char *retry_after)
{
	const char *headers[] = {
		MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8",
		MHD_HTTP_HEADER_CACHE_CONTROL, "no-store",
		MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, PAGE_CSP,
		MHD_HTTP_HEADER_X_FRAME_OPTIONS, "DENY",
		"X-Content-Type-Options", "nosniff",
		/* Not no-referrer: a browser then sends "Origin: null" with
		 * the page's own form posts, which the Origin check refuses. */
		"Referrer-Policy", "same-origin",
		MHD_HTTP_HEADER_SET_COOKIE, cookie,
		MHD_HTTP_HEADER_RETRY_AFTER, retry_after,
		NULL,
	};
	struct MHD_Response *r = html != NULL ? make(html, strlen(html), headers) : NULL;

	free(html);
	return queue(c, status, r);
}

/* body, not cached, with an Allow header when allow is not NULL; steals
 * body (NULL: 500). */
static enum MHD_Result json_reply(struct MHD_Connection *c, unsigned status,
		json_t *body, const char *allow)
{
	const char *headers[] = {
		MHD_HTTP_HEADER_CONTENT_TYPE, "application/json",
		MHD_HTTP_HEADER_CACHE_CONTROL, "no-store",
		MHD_HTTP_HEADER_ALLOW, allow,
		NULL,
	};
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	struct MHD_Response *r = text != NULL ? make(text, strlen(text), headers) : NULL;

	free(text);
	json_decref(body);
	return queue(c, status, r);
}

enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
	return json_reply(c, status, body, NULL);
}

enum MHD_Result reply_empty(struct MHD_Connection *c, unsigned status)
{
	const char *headers[] = {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store", NULL};

	return queue(c, status, make("", 0, headers));
}

enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status,
		const char *code, const char *allow)
{
	return json_reply(c, status, json_pack("{s:s}", "error", code), allow);
}

enum MHD_Result reply_oauth(struct MHD_Connection *c, proauth2_status outcome,
		proauth2_http_response *resp)
{
	struct MHD_Response *r = NULL;
	unsigned status = outcome == PROAUTH2_ERR_UNAVAILABLE ? 503 : 500;
	size_t i;

	if (resp != NULL) {
		status = resp->status >= 100 && resp->status <= 599 ?
			(unsigned)resp->status : 500;
		r = MHD_create_response_from_buffer(resp->body_length,
				resp->body, MHD_RESPMEM_MUST_COPY);
	}
	for (i = 0; r != NULL && i < resp->n_headers; i++) {
		const proauth2_http_header *h = &resp->headers[i];

		/* MHD computes the length itself and refuses to be told. */
		if (strcasecmp(h->name, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
			continue;
		if (MHD_add_response_header(r, h->name, h->value) != MHD_YES) {
			MHD_destroy_response(r);
			r = NULL;
		}
	}
	proauth2_http_response_free(resp);
	return queue(c, status, r);
}

/* The start page, and the page the demo clients' redirect URI shows. */

static enum MHD_Result show_index(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	return reply_html(c, MHD_HTTP_OK, page_index(app), NULL);
}

/* A query parameter of the request, decoded. */
static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* The answer as a query (GET), or as a form the provider's page posts
 * (response_mode=form_post). */
static enum MHD_Result show_callback(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_form *f = NULL;
	enum MHD_Result ret;

	if (strcmp(req->method, "POST") != 0)
		return reply_html(c, MHD_HTTP_OK, page_callback(app, arg(c, "code"),
				arg(c, "state"), arg(c, "iss"), arg(c, "error"),
				arg(c, "error_description")), NULL);
	if (proauth2_form_parse(req->body, req->body_length, &f, NULL) != PROAUTH2_OK)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "invalid_request", NULL);
	ret = reply_html(c, MHD_HTTP_OK, page_callback(app,
			proauth2_form_get(f, "code"), proauth2_form_get(f, "state"),
			proauth2_form_get(f, "iss"), proauth2_form_get(f, "error"),
			proauth2_form_get(f, "error_description")), NULL);
	proauth2_form_free(f);
	return ret;
}

/* Which handler answers a request: the demo's own pages first, then
 * whatever proauth2_http_handle routes (and its 404 for the rest). */

enum { GET = 1, POST = 2 };

typedef enum MHD_Result (*route_fn)(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

/* Each path is a member of struct demo_app (setup.h), made at startup. */
#define PATH(member) offsetof(struct demo_app, member)

static const struct {
	size_t path;
	unsigned methods;
	const char *allow;
	route_fn handle;
} routes[] = {
	{PATH(index_path), GET, "GET, HEAD", show_index},
	{PATH(authorize_path), GET | POST, "GET, HEAD, POST", flow_authorize},
	{PATH(login_path), POST, "POST", flow_login},
	{PATH(consent_path), POST, "POST", flow_consent},
	{PATH(logout_path), GET | POST, "GET, HEAD, POST", flow_logout},
	{PATH(callback_path), GET | POST, "GET, HEAD, POST", show_callback},
	{PATH(api_path), GET, "GET, HEAD", api_me},
	/* No event stream on GET, no session to DELETE: both are 405. */
	{PATH(mcp_path), POST, "POST", mcp_post},
};

static unsigned method_bit(const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return GET;
	if (strcmp(method, "POST") == 0)
		return POST;
	return 0;
}

static enum MHD_Result route(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_http_response *resp = NULL;
	proauth2_status status;
	enum MHD_Result ret;
	size_t i;

	if (domain_connect_route(app, c, req, &ret) ||
			lenient_route(app, c, req, &ret))
		return ret;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(req->path, *(char **)((char *)app + routes[i].path)) != 0)
			continue;
		if (!(method_bit(req->method) & routes[i].methods))
			return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
					"method_not_allowed", routes[i].allow);
		return routes[i].handle(app, c, req);
	}
	status = proauth2_http_handle(app->provider, req, &resp);
	return reply_oauth(c, status, resp);
}

/* Requests, from the socket to the router. */

/* One request's state, from its first line to its completion. */
struct exchange {
	char *uri;              /* the request target as received */
	char *path;             /* its path, undecoded, as proauth2 wants it */
	char *body;
	size_t length;
	size_t capacity;
	bool started;
	bool too_large;
	bool out_of_memory;
};

int server_listen(const char *addr, unsigned port, unsigned *bound)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		len = sizeof(*v6);
	} else {
		fprintf(stderr, "provider_demo: '%s' is not a numeric address\n", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			bind(fd, (struct sockaddr *)&ss, len) != 0 ||
			listen(fd, SOMAXCONN) != 0 ||
			getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		fprintf(stderr, "provider_demo: cannot listen on %s port %u: %s\n",
				addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*bound = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
	return fd;
}

/* Called before the request is parsed: the raw target keeps the query
 * string undecoded, as proauth2 wants it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct exchange *x = calloc(1, sizeof(*x));

	if (x != NULL && ((x->uri = strdup(uri)) == NULL ||
			(x->path = strndup(uri, strcspn(uri, "?"))) == NULL)) {
		free(x->uri);
		free(x);
		x = NULL;
	}
	return x;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		enum MHD_RequestTerminationCode why)
{
	struct exchange *x = *con_cls;

	set_answering(cls, c, false);

	if (x == NULL)
		return;
	free(x->uri);
	free(x->path);
	free(x->body);
	free(x);
	*con_cls = NULL;
}

struct header_search {
	const char *name;
	char *joined;   /* the values seen so far, ", "-separated; NULL: none */
	bool failed;    /* out of memory */
};

static enum MHD_Result match_header(void *cls, enum MHD_ValueKind kind,
		const char *key, const char *value)
{
	struct header_search *hs = cls;
	size_t had = hs->joined != NULL ? strlen(hs->joined) : 0;
	char *grown;

	if (key == NULL || value == NULL || strcasecmp(key, hs->name) != 0 || hs->failed)
		return MHD_YES;
	grown = realloc(hs->joined, had + strlen(value) + 3);
	if (grown == NULL) {
		hs->failed = true;
		return MHD_YES;
	}
	sprintf(grown + had, "%s%s", had > 0 ? ", " : "", value);
	hs->joined = grown;
	return MHD_YES;
}

/* What lookup_header answers from; the strings it returned live until
 * the request is answered (proauth2_header_fn). */
struct header_lookup {
	struct MHD_Connection *c;
	char *returned[16];
	size_t n;
};

/* proauth2_header_fn: a header sent more than once comes back joined
 * (RFC 9110 §5.3), so the library sees the repetition and refuses two
 * Authorization headers. */
static const char *lookup_header(void *arg, const char *name)
{
	struct header_lookup *l = arg;
	struct header_search hs = {name, NULL, false};

	MHD_get_connection_values(l->c, MHD_HEADER_KIND, match_header, &hs);
	if (hs.failed || (hs.joined != NULL && l->n == sizeof(l->returned) /
			sizeof(l->returned[0]))) {
		free(hs.joined);
		return NULL;  /* as if absent: the request fails, safely */
	}
	if (hs.joined != NULL)
		l->returned[l->n++] = hs.joined;
	return hs.joined;
}

static void header_lookup_clear(struct header_lookup *l)
{
	while (l->n > 0)
		free(l->returned[--l->n]);
}

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind,
		const char *key, const char *value)
{
	size_t *total = cls;

	*total += (key != NULL ? strlen(key) : 0) + (value != NULL ? strlen(value) : 0);
	return MHD_YES;
}

/* Whether the target and the headers' names and values come to more than
 * SERVER_MAX_HEAD; known before any of the body is read. */
static bool head_too_large(struct MHD_Connection *c, const char *uri)
{
	size_t total = strlen(uri);

	MHD_get_connection_values(c, MHD_HEADER_KIND, add_header_size, &total);
	return total > SERVER_MAX_HEAD;
}

/* Whether the announced Content-Length already exceeds the limit. */
static bool announced_too_large(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (cl == NULL)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno != 0 || n > SERVER_MAX_BODY;
}

static void collect(struct exchange *x, const char *data, size_t size)
{
	char *grown;

	if (x->too_large || x->out_of_memory)
		return;
	if (size > SERVER_MAX_BODY - x->length) {
		x->too_large = true;
		return;
	}
	if (x->length + size + 1 > x->capacity) {
		size_t capacity = x->capacity ? x->capacity : 1024;

		while (capacity < x->length + size + 1)
			capacity *= 2;
		grown = realloc(x->body, capacity);
		if (grown == NULL) {
			x->out_of_memory = true;
			return;
		}
		x->body = grown;
		x->capacity = capacity;
	}
	memcpy(x->body + x->length, data, size);
	x->length += size;
	x->body[x->length] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
		const char *url, const char *method, const char *version,
		const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct exchange *x = *con_cls;
	const char *query;

	if (x == NULL)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				"temporarily_unavailable", NULL);
	if (!x->started) {
		x->started = true;
		if (head_too_large(c, x->uri))
			return reply_error(c, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
					"request_header_fields_too_large", NULL);
		if (announced_too_large(c))
			return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
					"request_too_large", NULL);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		collect(x, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (x->too_large)
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
				"request_too_large", NULL);
	if (x->out_of_memory)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				"temporarily_unavailable", NULL);
	set_answering(s, c, true);
	query = strchr(x->uri, '?');
	struct header_lookup headers = {.c = c};
	proauth2_http_request req = {
		.struct_size = sizeof(proauth2_http_request),
		.method = method,
		.path = x->path,
		.query = query != NULL ? query + 1 : NULL,
		.body = x->body != NULL ? x->body : "",
		.body_length = x->length,
		.header = lookup_header,
		.header_arg = &headers,
	};
	enum MHD_Result ret = route(s->app, c, &req);

	header_lookup_clear(&headers);
	return ret;
}

/* max_connections, lowered to leave FD_RESERVE descriptors under the
 * open-file limit (raised first as far as the hard limit allows). */
static unsigned connection_limit(unsigned wanted)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)wanted + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return wanted;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
			need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		return rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) :
			(unsigned)(rl.rlim_cur / 2);
	return wanted;
}

server *server_start(int listen_fd, struct demo_app *app)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	pthread_condattr_t attr;
	unsigned limit;

	if (s == NULL) {
		fputs("provider_demo: out of memory\n", stderr);
		close(listen_fd);
		return NULL;
	}
	if (getsockname(listen_fd, (struct sockaddr *)&ss, &len) == 0 &&
			ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->app = app;
	s->request_timeout = app->opt->request_timeout;
	limit = connection_limit(app->opt->max_connections);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);  /* as the deadlines */
	pthread_cond_init(&s->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&s->watchdog, NULL, watchdog, s) != 0) {
		fputs("provider_demo: cannot start the request watchdog\n", stderr);
		close(listen_fd);
		server_stop(s);
		return NULL;
	}
	s->watchdog_started = true;
	/* The limits: connections in all (each worker takes its share),
	 * per client address, and an idle timeout as long as the request
	 * deadline the watchdog enforces. */
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
			MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd,
			MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SERVER_THREADS,
			MHD_OPTION_CONNECTION_LIMIT, limit,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, app->opt->max_per_ip,
			MHD_OPTION_CONNECTION_TIMEOUT, s->request_timeout,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)POOL_SIZE,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
			MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
			MHD_OPTION_END);
	if (s->daemon == NULL) {
		/* MHD may have closed listen_fd already: leave it be. */
		fputs("provider_demo: libmicrohttpd failed to start\n", stderr);
		server_stop(s);
		return NULL;
	}
	return s;
}

void server_stop(server *s)
{
	if (s == NULL)
		return;
	if (s->daemon != NULL)
		MHD_stop_daemon(s->daemon);
	if (s->watchdog_started) {
		pthread_mutex_lock(&s->lock);
		s->stopping = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->watchdog, NULL);
	}
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
