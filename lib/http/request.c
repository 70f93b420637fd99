/* Reading what endpoints share from a request: the form and the client's
 * credentials. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "base64_digit.h"
#include "request.h"
#include "struct_size.h"

proauth2_status request_check(const proauth2_http_request *req,
		proauth2_error *err)
{
	if (req == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the request is NULL");
	return SIZED_CHECK(req, proauth2_http_request, client_certificate, err);
}

const char *request_header(const proauth2_http_request *req, const char *name)
{
	return req->header != NULL ? req->header(req->header_arg, name) : NULL;
}

/* The media type, without parameters such as "; charset=UTF-8". */
static bool is_form_content(const char *content_type)
{
	static const char form_type[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(form_type) - 1;

	return content_type != NULL && strncasecmp(content_type, form_type, n) == 0 &&
		(content_type[n] == '\0' || content_type[n] == ';' ||
		 content_type[n] == ' ');
}

static bool is_json_content(const char *content_type)
{
	static const char json_type[] = "application/json";
	size_t n = sizeof(json_type) - 1;

	return content_type != NULL && strncasecmp(content_type, json_type, n) == 0 &&
		(content_type[n] == '\0' || content_type[n] == ';' ||
		 content_type[n] == ' ');
}

proauth2_status request_options_check(const proauth2_http_options *o,
		proauth2_error *err)
{
	proauth2_status status;

	if (o == NULL)
		return PROAUTH2_OK;
	status = SIZED_CHECK(o, proauth2_http_options, response_type_optional, err);
	if (status == PROAUTH2_OK && (o->params_from &
			~(PROAUTH2_HTTP_PARAMS_QUERY | PROAUTH2_HTTP_PARAMS_JSON)) != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"options.params_from holds an unknown source");
	return status;
}

/* The body's parameters: a form, or where allowed a JSON object or (with
 * the query as source) nothing at all. */
static proauth2_status read_body(const proauth2_http_request *req,
		unsigned from, form *f, proauth2_error *err)
{
	const char *type = request_header(req, "Content-Type");

	if (req->body != NULL && memchr(req->body, '\0', req->body_length) != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"the body holds a NUL byte");
	if (is_form_content(type))
		return form_parse(req->body, req->body_length, f, err);
	if ((from & PROAUTH2_HTTP_PARAMS_JSON) && is_json_content(type))
		return form_parse_json(req->body, req->body_length, f, err);
	if ((from & PROAUTH2_HTTP_PARAMS_QUERY) && req->body_length == 0)
		return PROAUTH2_OK;
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
			(from & PROAUTH2_HTTP_PARAMS_JSON) ?
			"the body must be application/x-www-form-urlencoded or application/json" :
			"the body must be application/x-www-form-urlencoded");
}

proauth2_status request_read_params(const proauth2_http_request *req,
		unsigned from, form *f, proauth2_error *err)
{
	proauth2_status status = request_check(req, err);
	form query;

	f->n = 0;
	if (status != PROAUTH2_OK)
		return status;
	if (req->method == NULL || strcmp(req->method, "POST") != 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"this endpoint takes POST");
	status = read_body(req, from, f, err);
	if (status != PROAUTH2_OK || !(from & PROAUTH2_HTTP_PARAMS_QUERY) ||
			req->query == NULL)
		return status;
	status = form_parse(req->query, strlen(req->query), &query, err);
	if (status == PROAUTH2_OK)
		status = form_merge(f, &query, err);
	form_clear(&query);
	if (status != PROAUTH2_OK)
		form_clear(f);
	return status;
}

proauth2_status request_read_form(const proauth2_http_request *req, form *f,
		proauth2_error *err)
{
	return request_read_params(req, 0, f, err);
}

proauth2_status request_read_query_or_form(const proauth2_http_request *req,
		form *f, proauth2_error *err)
{
	f->n = 0;
	if (request_check(req, err) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_ARGUMENT;
	if (req->method != NULL && strcmp(req->method, "POST") == 0)
		return request_read_form(req, f, err);
	return form_parse(req->query, req->query ? strlen(req->query) : 0, f, err);
}

char *base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), i, o = 0;
	char *out;

	if (n % 4 != 0 || n > 8192)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;

		for (k = 0; k < 4; k++) {
			/* '=' only as the last one or two characters. */
			if (s[i + k] == '=' && i + 4 == n && k >= 2 &&
					(k == 3 || s[i + 3] == '=')) {
				v[k] = 0;
				pad++;
			} else if ((v[k] = base64_digit((unsigned char)s[i + k], '+', '/')) < 0) {
				free(out);
				return NULL;
			}
		}
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* Authorization: Basic base64(urlencode(id) ":" urlencode(secret)). */
static proauth2_status read_basic(const char *value, client_credentials *c,
		proauth2_error *err)
{
	size_t len = 0;
	char *decoded, *colon;

	while (*value == ' ')
		value++;
	decoded = base64_decode(value, &len);
	colon = decoded ? memchr(decoded, ':', len) : NULL;
	if (colon != NULL && strlen(decoded) == len) {
		c->client_id = form_decode(decoded, (size_t)(colon - decoded), 1);
		c->client_secret = form_decode(colon + 1, len - (size_t)(colon - decoded) - 1, 1);
	}
	if (decoded != NULL) {
		OPENSSL_cleanse(decoded, len);
		free(decoded);
	}
	c->basic = true;
	if (c->client_id == NULL || c->client_secret == NULL || c->client_id[0] == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"malformed Basic credentials");
	/* "id:" is client_id alone: RFC 6749 §2.3.1 lets an empty secret be
	 * left out, and public clients' libraries send it so (DRACOON's). */
	if (c->client_secret[0] == '\0') {
		free(c->client_secret);
		c->client_secret = NULL;
	}
	return PROAUTH2_OK;
}

proauth2_status request_authorization(const proauth2_http_request *req,
		const char **value, proauth2_error *err)
{
	*value = request_header(req, "Authorization");
	/* Two headers, joined by the host (proauth2_header_fn): no
	 * credentials we take (token68, RFC 9110 §11.2) hold a comma. */
	if (*value != NULL && strchr(*value, ',') != NULL) {
		*value = NULL;
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"more than one Authorization header");
	}
	return PROAUTH2_OK;
}

proauth2_status request_client_credentials(const proauth2_http_request *req,
		const form *f, client_credentials *c, proauth2_error *err)
{
	const char *auth;
	const char *form_id = form_get(f, "client_id");
	const char *form_secret = form_get(f, "client_secret");
	proauth2_status status;

	memset(c, 0, sizeof(*c));
	status = request_authorization(req, &auth, err);
	if (status != PROAUTH2_OK)
		return status;
	if (auth != NULL && strncasecmp(auth, "Basic ", 6) == 0) {
		status = read_basic(auth + 6, c, err);
		if (status != PROAUTH2_OK)
			return status;
		if (form_secret != NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"use one client authentication method, not two");
		if (form_id != NULL && strcmp(form_id, c->client_id) != 0)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"client_id differs from the Basic credentials");
		return PROAUTH2_OK;
	}
	if (form_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"no client authentication");
	c->client_id = strdup(form_id);
	c->client_secret = form_secret ? strdup(form_secret) : NULL;
	if (c->client_id == NULL || (form_secret != NULL && c->client_secret == NULL))
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	return PROAUTH2_OK;
}

void credentials_clear(client_credentials *c)
{
	free(c->client_id);
	if (c->client_secret != NULL) {
		OPENSSL_cleanse(c->client_secret, strlen(c->client_secret));
		free(c->client_secret);
	}
	memset(c, 0, sizeof(*c));
}

proauth2_auth_method credentials_method(const client_credentials *c)
{
	if (c->client_secret == NULL)  /* Basic "id:" too */
		return PROAUTH2_AUTH_METHOD_NONE;
	return c->basic ? PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC :
		PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST;
}
