/* Building endpoint requests and reading their responses in tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "http_support.h"

const char *http_headers_lookup(void *arg, const char *name)
{
	const struct http_headers *h = arg;

	if (strcasecmp(name, "Content-Type") == 0)
		return h->content_type;
	if (strcasecmp(name, "Authorization") == 0)
		return h->authorization;
	return NULL;
}

proauth2_http_response *http_any(const char *method, const char *path,
		const char *content_type, const char *body, const char *authorization)
{
	struct http_headers h = {content_type, authorization};
	const char *q = strchr(path, '?');
	char path_only[256];
	proauth2_http_request req = {
		.struct_size = sizeof(proauth2_http_request),
		.method = method,
		.path = path_only,
		.query = q ? q + 1 : NULL,
		.body = body,
		.body_length = body ? strlen(body) : 0,
		.header = http_headers_lookup,
		.header_arg = &h,
	};
	proauth2_http_response *r = NULL;
	proauth2_status status;

	snprintf(path_only, sizeof(path_only), "%.*s",
			(int)(q ? (size_t)(q - path) : strlen(path)), path);
	status = proauth2_http_handle(env.provider, &req, &r);
	ck_assert_ptr_nonnull(r);
	/* A granted request is never answered with an error. */
	if (status == PROAUTH2_OK)
		ck_assert_int_lt(r->status, 400);
	return r;
}

proauth2_http_response *begin_fails(const char *query)
{
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = query};
	proauth2_authorization *a = (proauth2_authorization *)&a;
	proauth2_http_response *r = NULL;

	ck_assert_int_ne(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_OK);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_lt(r->status, 500);
	return r;
}

proauth2_http_response *http(const char *method, const char *path,
		const char *content_type, const char *body, const char *authorization)
{
	proauth2_http_response *r = http_any(method, path, content_type, body,
			authorization);

	ck_assert_int_lt(r->status, 500);  /* a client's mistake is never ours */
	return r;
}

proauth2_http_response *post_form(const char *path, const char *body,
		const char *authorization)
{
	return http("POST", path, FORM, body, authorization);
}

proauth2_status bearer(const char *authorization, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **r)
{
	struct http_headers h = {NULL, authorization};
	proauth2_http_request req = {
		.struct_size = sizeof(proauth2_http_request),
		.method = "GET",
		.path = "/api",
		.header = http_headers_lookup,
		.header_arg = &h,
	};

	return proauth2_http_bearer(env.provider, &req, required_scope, info, r);
}

const char *basic(const char *id, const char *secret)
{
	static char header[512];
	char plain[300];
	int n = snprintf(plain, sizeof(plain), "%s:%s", id, secret);

	strcpy(header, "Basic ");
	EVP_EncodeBlock((unsigned char *)header + 6, (const unsigned char *)plain, n);
	return header;
}

json_t *body_json(const proauth2_http_response *r)
{
	json_t *doc = json_loadb(r->body, r->body_length, 0, NULL);

	ck_assert_msg(doc != NULL, "body is not JSON: %s", r->body);
	ck_assert_str_eq(proauth2_http_response_header(r, "Content-Type"),
			"application/json");
	return doc;
}

void assert_error(proauth2_http_response *r, int status, const char *code)
{
	json_t *doc = body_json(r);

	ck_assert_msg(r->status == status, "status %d, wanted %d: %s", r->status,
			status, r->body);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "error")), code);
	json_decref(doc);
	proauth2_http_response_free(r);
}

char *location_param(const proauth2_http_response *r, const char *name)
{
	const char *loc = proauth2_http_response_header(r, "Location");
	const char *q = loc ? strchr(loc, '?') : NULL;
	size_t n = strlen(name);

	while (q != NULL) {
		q++;
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			size_t len = strcspn(q + n + 1, "&");
			char *out = malloc(len + 1), *o = out;
			const char *s = q + n + 1, *end = s + len;

			for (; s < end; s++) {
				if (*s == '%' && s + 2 < end + 1) {
					char hex[3] = {s[1], s[2], 0};
					*o++ = (char)strtol(hex, NULL, 16);
					s += 2;
				} else {
					*o++ = *s;
				}
			}
			*o = '\0';
			return out;
		}
		q = strchr(q, '&');
	}
	return NULL;
}
