/* Queueing responses on an MHD connection: pages, JSON, and what proauth2's
 * endpoints answer. Each returns what the access handler should. */
#ifndef DEMO_REPLY_H
#define DEMO_REPLY_H

#include <jansson.h>
#include <microhttpd.h>

#include <proauth2/http.h>

/* An HTML page; takes html (NULL: out of memory, answered 500). cookie,
 * if not NULL, is a Set-Cookie value. */
enum MHD_Result reply_html(struct MHD_Connection *c, unsigned status,
		char *html, const char *cookie);

/* A JSON document, not cached; steals body (NULL: 500). */
enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *body);

/* {"error": code}, with an Allow header when allow is not NULL. */
enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status,
		const char *code, const char *allow);

/* Send a proauth2 response with all its headers, and free it (NULL: the
 * library ran out of memory, answered 500). */
enum MHD_Result reply_oauth(struct MHD_Connection *c, proauth2_http_response *r);

#endif
