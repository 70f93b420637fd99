/* Building endpoint responses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include <proauth2/throttle.h>

#include "response.h"

proauth2_http_response *response_new(int status)
{
	proauth2_http_response *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->status = status;
	r->body = strdup("");
	if (r->body == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

int response_add_header(proauth2_http_response *r, const char *name,
		const char *value)
{
	proauth2_http_header *headers = realloc(r->headers,
			(r->n_headers + 1) * sizeof(*headers));
	char *n, *v;

	if (headers == NULL)
		return -1;
	r->headers = headers;
	n = strdup(name);
	v = strdup(value);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return -1;
	}
	headers[r->n_headers].name = n;
	headers[r->n_headers].value = v;
	r->n_headers++;
	return 0;
}

proauth2_http_response *response_json(int status, json_t *body)
{
	proauth2_http_response *r = body ? response_new(status) : NULL;
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	if (r == NULL || text == NULL ||
			response_add_header(r, "Content-Type", "application/json") != 0 ||
			response_add_header(r, "Cache-Control", "no-store") != 0 ||
			response_add_header(r, "Pragma", "no-cache") != 0) {
		free(text);
		proauth2_http_response_free(r);
		return NULL;
	}
	free(r->body);
	r->body = text;
	r->body_length = strlen(text);
	return r;
}

int status_http_code(proauth2_status status)
{
	switch (status) {
	case PROAUTH2_OK:
		return 200;
	case PROAUTH2_ERR_INVALID_CLIENT:
	case PROAUTH2_ERR_INVALID_TOKEN:
		return 401;
	case PROAUTH2_ERR_UNAVAILABLE:
	case PROAUTH2_ERR_OUTCOME_UNKNOWN:
		return 503;
	case PROAUTH2_ERR_TOO_MANY_REQUESTS:
		return 429;
	default:
		/* A client's mistake is a 400; the server's own a 500. */
		return strcmp(proauth2_status_oauth_error(status), "server_error") == 0 ?
			500 : 400;
	}
}

/* The host sees what the client is not told. */
static void report_server_error(const proauth2_provider *p, int http,
		proauth2_status status, const proauth2_error *err)
{
	proauth2_event event = {
		.kind = PROAUTH2_EVENT_SERVER_ERROR,
		.level = PROAUTH2_LEVEL_ERROR,
		.status = status,
		.message = err != NULL && err->text[0] != '\0' ? err->text :
			proauth2_status_str(status),
		.http_status = http,
	};

	proauth2_provider_report(p, &event);
}

int response_add_retry_after(proauth2_http_response *r, const proauth2_error *err)
{
	int64_t retry_after = proauth2_throttle_retry_after(err);
	char seconds[24];

	if (retry_after <= 0)
		return 0;
	snprintf(seconds, sizeof(seconds), "%lld", (long long)retry_after);
	return response_add_header(r, "Retry-After", seconds);
}

proauth2_status error_response(const proauth2_provider *p,
		proauth2_status status, const proauth2_error *err, int basic_auth,
		proauth2_http_response **out)
{
	return error_page(p, status, err, basic_auth, NULL, out);
}

proauth2_status error_page(const proauth2_provider *p,
		proauth2_status status, const proauth2_error *err, int basic_auth,
		const char *link, proauth2_http_response **out)
{
	const char *code = proauth2_status_oauth_error(status);
	int http = status_http_code(status);
	proauth2_http_response *r;
	json_t *body;

	/* §5.2: invalid_client is a 401 only when the client tried an
	 * Authorization header; otherwise a 400. */
	if (status == PROAUTH2_ERR_INVALID_CLIENT && !basic_auth)
		http = 400;
	/* An invalid argument here is the host's mistake (a request it did
	 * not initialize) or ours, never the client's. */
	if (status == PROAUTH2_ERR_INVALID_ARGUMENT) {
		code = "server_error";
		http = 500;
	}
	/* Don't tell clients about our internals. */
	if (http >= 500)
		report_server_error(p, http, status, err);
	body = json_pack("{s:s, s:s}", "error", code, "error_description",
			http >= 500 ? "the server could not complete the request" :
			err != NULL && err->text[0] != '\0' ? err->text : code);
	if (body != NULL && link != NULL && http < 500 &&
			json_object_set_new(body, "redirect_uri", json_string(link)) != 0) {
		json_decref(body);
		body = NULL;
	}
	r = response_json(http, body);
	if (r != NULL && status == PROAUTH2_ERR_INVALID_CLIENT && basic_auth &&
			response_add_header(r, "WWW-Authenticate",
				"Basic realm=\"proauth2\", charset=\"UTF-8\"") != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	if (r != NULL && http == 503 &&
			response_add_header(r, "Retry-After", "1") != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	if (r != NULL && response_add_retry_after(r, err) != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return respond(r, status, out);
}

proauth2_http_response *response_redirect(const char *location)
{
	proauth2_http_response *r = response_new(303);

	if (r != NULL && (response_add_header(r, "Location", location) != 0 ||
			response_add_header(r, "Cache-Control", "no-store") != 0)) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return r;
}

proauth2_status respond(proauth2_http_response *r, proauth2_status status,
		proauth2_http_response **out)
{
	*out = r;
	return r == NULL ? PROAUTH2_ERR_NOMEM : status;
}

const char *proauth2_http_response_header(const proauth2_http_response *r,
		const char *name)
{
	size_t i;

	for (i = 0; r != NULL && i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

void proauth2_http_response_free(proauth2_http_response *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	/* Bodies carry tokens. */
	OPENSSL_cleanse(r->body, r->body_length);
	free(r->body);
	free(r);
}
