/* Building endpoint responses. */
#ifndef PROAUTH2_LIB_HTTP_RESPONSE_H
#define PROAUTH2_LIB_HTTP_RESPONSE_H

#include <jansson.h>

#include <proauth2/http.h>

/* A response with status and no body; NULL when memory ran out. */
proauth2_http_response *response_new(int status);

/* Add a header (copied); 0 on success. */
int response_add_header(proauth2_http_response *r, const char *name,
		const char *value);

/* A JSON response (steals body) with Cache-Control: no-store (RFC 6749
 * §5.1, RFC 7662 §2.2); NULL when memory ran out. */
proauth2_http_response *response_json(int status, json_t *body);

/* Throttled (proauth2/throttle.h): the answer a wrong secret gets, and a
 * Retry-After saying when to come back. 0 also when err is no such refusal. */
int response_add_retry_after(proauth2_http_response *r, const proauth2_error *err);

/* The HTTP status an OAuth error is answered with (RFC 6749 §5.2). */
int status_http_code(proauth2_status status);

/* in as an RFC 6749 §5.2 error_description (%x20-21 / %x23-5B / %x5D-7E,
 * hence also a quoted-string): each byte or UTF-8 sequence outside becomes
 * '?'; truncated to size. response_json() applies it to any
 * error_description, so no endpoint can forget. */
void description_clean(const char *in, char *out, size_t size);

/*
 * The RFC 6749 §5.2 error response for status, with err's text as
 * error_description. invalid_client is a 401 with WWW-Authenticate: Basic
 * naming the error, however the client authenticated (RFC 7662 §2.3
 * and strict clients expect 401 for post too). A 5xx hides err's text from the
 * client and reports it to p's log instead. Returns status so endpoints
 * can `return error_response(...)`.
 */
proauth2_status error_response(const proauth2_provider *p,
		proauth2_status status, const proauth2_error *err,
		proauth2_http_response **out);

/* error_response() with, when link is not NULL and the error is the
 * client's, "redirect_uri": link in the body: where the host's page may let
 * the user go back to the client, instead of a 303 there. */
proauth2_status error_page(const proauth2_provider *p,
		proauth2_status status, const proauth2_error *err,
		const char *link, proauth2_http_response **out);

/* Whether req's method is method, or one of "GET, POST" (HEAD counting
 * as GET): PROAUTH2_OK with
 * *out untouched, or the 405 with Allow in *out and
 * PROAUTH2_ERR_INVALID_REQUEST. Every entry point calls it first, so
 * that each answers a wrong method alike, routed or not. */
proauth2_status response_method_check(const proauth2_http_request *req,
		const char *method, proauth2_http_response **out);

/* A 303 See Other to location. */
proauth2_http_response *response_redirect(const char *location);

/* Shortcut for the endpoints' common tail: *out = r, and PROAUTH2_ERR_NOMEM
 * when r is NULL, else status. */
proauth2_status respond(proauth2_http_response *r, proauth2_status status,
		proauth2_http_response **out);

#endif
