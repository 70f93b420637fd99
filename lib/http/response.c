/* Building endpoint responses. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include <proauth2/throttle.h>

#include "request.h"
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

void description_clean(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	while (*s != '\0' && o + 1 < size) {
		if (*s >= 0x20 && *s <= 0x7e && *s != '"' && *s != '\\') {
			out[o++] = (char)*s++;
			continue;
		}
		/* One '?' for a whole UTF-8 sequence. */
		out[o++] = '?';
		if (*s++ >= 0xc0)
			while (*s >= 0x80 && *s < 0xc0)
				s++;
	}
	out[o] = '\0';
}

/* Whatever built it, no error_description leaves out of the charset. */
static int clean_description(json_t *body)
{
	const char *text = json_string_value(json_object_get(body, "error_description"));
	char clean[PROAUTH2_ERROR_TEXT_SIZE];

	if (text == NULL)
		return 0;
	description_clean(text, clean, sizeof(clean));
	return strcmp(clean, text) == 0 ? 0 :
		json_object_set_new(body, "error_description", json_string(clean));
}

proauth2_http_response *response_json(int status, json_t *body)
{
	proauth2_http_response *r = body ? response_new(status) : NULL;
	char *text = body && clean_description(body) == 0 ?
		json_dumps(body, JSON_COMPACT) : NULL;

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
		proauth2_status status, const proauth2_error *err,
		proauth2_http_response **out)
{
	return error_page(p, status, err, NULL, out);
}

/* The Basic challenge of an invalid_client answer, naming the error
 * (RFC 6749 §5.2; description is within the charset already, so a valid
 * quoted-string). */
static int add_basic_challenge(proauth2_http_response *r, const char *description)
{
	char value[sizeof("Basic realm=\"proauth2\", charset=\"UTF-8\", "
			"error=\"invalid_client\", error_description=\"\"") +
			PROAUTH2_ERROR_TEXT_SIZE];

	snprintf(value, sizeof(value), "Basic realm=\"proauth2\", charset=\"UTF-8\", "
			"error=\"invalid_client\"%s%s%s",
			description != NULL ? ", error_description=\"" : "",
			description != NULL ? description : "",
			description != NULL ? "\"" : "");
	return response_add_header(r, "WWW-Authenticate", value);
}

proauth2_status error_page(const proauth2_provider *p,
		proauth2_status status, const proauth2_error *err,
		const char *link, proauth2_http_response **out)
{
	const char *code = proauth2_status_oauth_error(status);
	int http = status_http_code(status);
	char description[PROAUTH2_ERROR_TEXT_SIZE];
	bool described = err != NULL && err->text[0] != '\0';
	proauth2_http_response *r;
	json_t *body;

	/* An invalid argument here is the host's mistake (a request it did
	 * not initialize) or ours, never the client's. */
	if (status == PROAUTH2_ERR_INVALID_ARGUMENT) {
		code = "server_error";
		http = 500;
	}
	/* Don't tell clients about our internals. */
	if (http >= 500) {
		report_server_error(p, http, status, err);
		described = false;
	}
	description_clean(http >= 500 ? "the server could not complete the request" :
			described ? err->text : code, description, sizeof(description));
	body = json_pack("{s:s, s:s}", "error", code, "error_description", description);
	if (body != NULL && link != NULL && http < 500 &&
			json_object_set_new(body, "redirect_uri", json_string(link)) != 0) {
		json_decref(body);
		body = NULL;
	}
	r = response_json(http, body);
	if (r != NULL && status == PROAUTH2_ERR_INVALID_CLIENT &&
			add_basic_challenge(r, described ? description : NULL) != 0) {
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

/* Whether got is one of methods ("GET" or "GET, POST"). */
static bool method_listed(const char *methods, const char *got)
{
	size_t n = strlen(got);

	while (*methods != '\0') {
		size_t len = strcspn(methods, ",");

		if (len == n && n > 0 && strncmp(methods, got, n) == 0)
			return true;
		methods += len;
		methods += strspn(methods, ", ");
	}
	return false;
}

proauth2_status response_method_check(const proauth2_http_request *req,
		const char *method, proauth2_http_response **out)
{
	const char *got;
	proauth2_http_response *r;

	if (request_check(req, NULL) != PROAUTH2_OK)
		return PROAUTH2_OK;  /* the endpoint reports it */
	got = req->method != NULL ? req->method : "";
	if (method_listed(method, got) ||
			(method_listed(method, "GET") && strcmp(got, "HEAD") == 0))
		return PROAUTH2_OK;
	r = response_json(405, json_pack("{s:s}", "error", "method_not_allowed"));
	if (r != NULL && response_add_header(r, "Allow",
			strcmp(method, "GET") == 0 ? "GET, HEAD" :
			strcmp(method, "GET, POST") == 0 ? "GET, HEAD, POST" : method) != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return respond(r, PROAUTH2_ERR_INVALID_REQUEST, out);
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
