/*
 * The libmicrohttpd glue: a listening socket, a small thread pool, request
 * bodies collected up to a limit, each complete request routed as a
 * proauth2_http_request to the demo's pages or to proauth2_http_handle, and
 * the responses queued back.
 *
 * Against connection abuse (options max-connections, max-per-ip,
 * request-timeout): a limit on connections in all, fitted under the
 * open-file limit; a limit per client address; and a deadline for each
 * request to arrive whole, which trickling bytes do not extend. Heads over
 * SERVER_MAX_HEAD and bodies over SERVER_MAX_BODY are refused.
 */
#ifndef DEMO_SERVER_H
#define DEMO_SERVER_H

#include <jansson.h>
#include <microhttpd.h>

#include <proauth2/http.h>

/* Workers mostly wait for the database's commit; with many of them, the
 * SQLite backend's group commit lets their writes share one fsync. The
 * HTTP benchmark's floor (bench/http_floor.c) runs as many. */
#define SERVER_THREADS 16

/* Larger bodies are answered 413. */
#define SERVER_MAX_BODY (64 * 1024)

/* Larger request heads (the target and every header's name and value,
 * counted together) are answered 431, before any of the body is read: as
 * much as common servers take, and small enough that libmicrohttpd's pool
 * holds such a head and its answer many times over (server.c). */
#define SERVER_MAX_HEAD (8 * 1024)

struct demo_app;
typedef struct server server;

/* A listening TCP socket on the numeric address addr; *bound receives the
 * port really bound (port 0 picks a free one). -1 with a message on stderr
 * on failure. */
int server_listen(const char *addr, unsigned port, unsigned *bound);

/* Serve listen_fd (the server owns it from now on) for app. NULL with a
 * message on stderr on failure. */
server *server_start(int listen_fd, struct demo_app *app);

/* Close every connection, wait for the threads, free. Accepts NULL. */
void server_stop(server *s);

/* Queueing responses on an MHD connection: pages, JSON, and what proauth2's
 * endpoints answer. Each returns what the request handler should. */

/* An HTML page; takes html (NULL: out of memory, answered 500). cookie,
 * if not NULL, is a Set-Cookie value. */
enum MHD_Result reply_html(struct MHD_Connection *c, unsigned status,
		char *html, const char *cookie);
/* reply_html with a Retry-After of retry_after (if not NULL). */
enum MHD_Result reply_page(struct MHD_Connection *c, unsigned status,
		char *html, const char *cookie, const char *retry_after);

/* A JSON document, not cached; steals body (NULL: 500). */
enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *body);

/* No body, not cached: 202 Accepted, say. */
enum MHD_Result reply_empty(struct MHD_Connection *c, unsigned status);

/* {"error": code}, with an Allow header when allow is not NULL. */
enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status,
		const char *code, const char *allow);

/* Send what an endpoint answered, with all its headers, and free it. The
 * response speaks to the client whatever the endpoint's status; only when
 * there is none (out of memory) does the status choose 503 or 500. */
enum MHD_Result reply_oauth(struct MHD_Connection *c, proauth2_status status,
		proauth2_http_response *r);

#endif
