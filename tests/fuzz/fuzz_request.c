/*
 * libFuzzer target for the request parsers: form bodies and query strings,
 * JSON bodies, Basic credentials, and whole token (strict and lenient) and
 * authorization requests against a provider on an in-memory SQLite
 * datastore. The first byte picks which.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <proauth2/proauth2.h>

#include "fuzz_common.h"

#include "http/form.h"
#include "http/request.h"

static proauth2_provider *provider;

static const char *header_value;

static const char *lookup(void *arg, const char *name)
{
	(void)arg;
	if (strcmp(name, "Content-Type") == 0)
		return "application/x-www-form-urlencoded";
	if (strcmp(name, "Authorization") == 0)
		return header_value;
	return NULL;
}

/* The shared provider, with the seeds' client "x": their authorization
 * and token requests get past the client's lookup. */
static void start(void)
{
	provider = fuzz_provider();
	free(fuzz_register_client(PROAUTH2_CLIENT_CONFIDENTIAL, "x", NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	form f;
	client_credentials c;
	proauth2_http_response *r = NULL;
	proauth2_authorization *a = NULL;
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "POST", .header = lookup};
	proauth2_status status = PROAUTH2_OK;

	if (size < 1)
		return 0;
	if (provider == NULL)
		start();
	header_value = NULL;  /* an earlier input's, freed: only case 1 sets one */
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:  /* a form body, which may hold NUL bytes */
		if (form_parse((const char *)data + 1, size - 1, &f, NULL) == PROAUTH2_OK)
			form_clear(&f);
		/* the same bytes as a lenient mount's JSON body */
		if (form_parse_json((const char *)data + 1, size - 1, &f, NULL) == PROAUTH2_OK)
			form_clear(&f);
		break;
	case 1:  /* an Authorization: Basic header */
		header_value = text;
		f.n = 0;
		request_client_credentials(&req, &f, &c, NULL);
		credentials_clear(&c);
		break;
	case 2:  /* a whole token request */
		req.path = "/token";
		req.body = (const char *)data + 1;
		req.body_length = size - 1;
		status = proauth2_http_handle(provider, &req, &r);
		if (status == PROAUTH2_OK || r == NULL || r->status < 500) {
			proauth2_http_options o;

			/* again at a lenient mount, the text as query too */
			proauth2_http_response_free(r);
			r = NULL;
			proauth2_http_options_init(&o);
			o.params_from = PROAUTH2_HTTP_PARAMS_QUERY | PROAUTH2_HTTP_PARAMS_JSON;
			req.query = text;
			status = proauth2_http_token_with(provider, &req, &o, &r);
		}
		break;
	case 3:  /* an authorization request's query */
		req.method = "GET";
		req.path = "/authorize";
		req.query = text;
		status = proauth2_http_authorize_begin(provider, &req, &a, &r);
		break;
	case 4:  /* a registration document */
		req.path = "/register";
		req.body = text;
		req.body_length = size - 1;
		status = proauth2_http_handle(provider, &req, &r);
		break;
	}
	/* Nothing a client sends is the server's fault. */
	if (r != NULL && r->status >= 500)
		abort();
	/* Nor is an error ever called a success. */
	if (status == PROAUTH2_OK && r != NULL && r->status >= 400)
		abort();
	proauth2_http_response_free(r);
	proauth2_authorization_free(a);
	free(text);
	return 0;
}
