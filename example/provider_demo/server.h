/*
 * The libmicrohttpd glue: a listening socket, a small thread pool, request
 * bodies collected up to a limit, and each complete request handed on as a
 * proauth2_http_request.
 */
#ifndef DEMO_SERVER_H
#define DEMO_SERVER_H

#include <microhttpd.h>

#include <proauth2/http.h>

/* Workers mostly wait for the database's commit; with many of them, the
 * SQLite backend's group commit lets their writes share one fsync. The
 * HTTP benchmark's floor (bench/http_floor.c) runs as many. */
#define SERVER_THREADS 16

/* Larger bodies are answered 413. */
#define SERVER_MAX_BODY (64 * 1024)

/* Answer one complete request: queue a response on c. req and what it
 * points to live until the handler returns. */
typedef enum MHD_Result (*server_handler)(void *cls, struct MHD_Connection *c,
		const proauth2_http_request *req);

typedef struct server server;

/* A listening TCP socket on the numeric address addr; *bound receives the
 * port really bound (port 0 picks a free one). -1 with a message on stderr
 * on failure. */
int server_listen(const char *addr, unsigned port, unsigned *bound);

/* Serve listen_fd (the server owns it from now on) with
 * handler. NULL with a message on stderr on failure. */
server *server_start(int listen_fd, server_handler handler, void *cls);

/* Close every connection, wait for the threads, free. Accepts NULL. */
void server_stop(server *s);

#endif
