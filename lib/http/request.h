/* Reading what endpoints share from a request: the form and the client's
 * credentials. */
#ifndef PROAUTH2_LIB_HTTP_REQUEST_H
#define PROAUTH2_LIB_HTTP_REQUEST_H

#include <stdbool.h>

#include <proauth2/client.h>
#include <proauth2/http.h>

#include "form.h"

/* Whether req was filled after proauth2_http_request_init() (see
 * <proauth2/common.h>); PROAUTH2_ERR_INVALID_ARGUMENT if not, or if it
 * sets fields this library does not know. */
proauth2_status request_check(const proauth2_http_request *req,
		proauth2_error *err);

/* A request header, or NULL. */
const char *request_header(const proauth2_http_request *req, const char *name);

/* The Authorization header in *value (NULL when absent); sent twice it is
 * PROAUTH2_ERR_INVALID_REQUEST, never taken as one of the two. */
proauth2_status request_authorization(const proauth2_http_request *req,
		const char **value, proauth2_error *err);

/* The POST body as application/x-www-form-urlencoded (RFC 6749 §3.2);
 * PROAUTH2_ERR_INVALID_REQUEST for another method, content type or a
 * malformed body. */
proauth2_status request_read_form(const proauth2_http_request *req, form *f,
		proauth2_error *err);

/* The parameters of a GET's query, or a POST's form body (an
 * authorization or end-session request: RFC 6749 §3.1). */
proauth2_status request_read_query_or_form(const proauth2_http_request *req,
		form *f, proauth2_error *err);

/* request_read_form(), also taking the sources in from
 * (PROAUTH2_HTTP_PARAMS_*): the query string merged in (a parameter in
 * both with two values is an invalid_request), a JSON object body, and
 * with the query an empty body of any type. */
proauth2_status request_read_params(const proauth2_http_request *req,
		unsigned from, form *f, proauth2_error *err);

/* Whether o (NULL: strict) was made by proauth2_http_options_init() and
 * names only known sources; PROAUTH2_ERR_INVALID_ARGUMENT if not. */
proauth2_status request_options_check(const proauth2_http_options *o,
		proauth2_error *err);

/* The sources o adds (0 for NULL); check o first. */
#define OPTIONS_SOURCES(o) ((o) != NULL ? (o)->params_from : 0u)

/* How the client authenticated (RFC 6749 §2.3). */
typedef struct client_credentials {
	char *client_id;      /* NULL when the request named no client */
	char *client_secret;  /* NULL for public clients; never "" */
	bool basic;           /* sent in Authorization: Basic */
} client_credentials;

/* Take the client's credentials from the Basic header or the form; using
 * both is an invalid_request (§2.3). Basic "id:" is client_id alone
 * (§2.3.1), as client_secret= is (an empty form value is none, §3.1).
 * Free with credentials_clear(). */
proauth2_status request_client_credentials(const proauth2_http_request *req,
		const form *f, client_credentials *c, proauth2_error *err);

void credentials_clear(client_credentials *c);

/* How c came, for proauth2_client_authenticate_method(): Basic, a secret
 * in the form, or client_id alone (also Basic with an empty password). */
proauth2_auth_method credentials_method(const client_credentials *c);

/* Decode strict base64 (with padding); NULL when malformed. *len receives
 * the decoded length; the result is NUL-terminated. */
char *base64_decode(const char *s, size_t *len);

#endif
