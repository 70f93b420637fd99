/* Authorization server metadata (RFC 8414). */
#include <stdio.h>
#include <string.h>

#include <proauth2/client.h>
#include <proauth2/http.h>

#include "request.h"
#include "response.h"
#include "routes.h"

/* issuer + path, or NULL past the buffer. */
static const char *endpoint(const char *issuer, const char *path, char *buf,
		size_t size)
{
	int n = snprintf(buf, size, "%s%s", issuer, path);

	return n > 0 && (size_t)n < size ? buf : NULL;
}

static json_t *split_scopes(const char *scopes)
{
	json_t *list = json_array();
	const char *s = scopes;

	while (list != NULL && s != NULL && *s != '\0') {
		size_t n = strcspn(s, " ");

		if (json_array_append_new(list, json_stringn(s, n)) != 0) {
			json_decref(list);
			return NULL;
		}
		s += n;
		s += strspn(s, " ");
	}
	return list;
}

/* Every grant type, the password grant only when the provider enables it:
 * what registration accepts too (password with the initial access token). */
static json_t *grant_types(const proauth2_provider *p)
{
	static const unsigned bits[] = {
		PROAUTH2_GRANT_AUTHORIZATION_CODE, PROAUTH2_GRANT_REFRESH_TOKEN,
		PROAUTH2_GRANT_CLIENT_CREDENTIALS, PROAUTH2_GRANT_PASSWORD,
	};
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (bits[i] == PROAUTH2_GRANT_PASSWORD &&
				!proauth2_provider_password_grant_enabled(p))
			continue;
		if (json_array_append_new(list,
				json_string(proauth2_grant_type_name(bits[i]))) != 0) {
			json_decref(list);
			list = NULL;
		}
	}
	return list;
}

proauth2_status proauth2_http_metadata(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	const char *issuer = proauth2_provider_issuer(p);
	const char *scopes = proauth2_provider_supported_scopes(p);
	char authorize[1024], token[1024], revoke[1024], introspect[1024], reg[1024];
	json_t *doc, *grants;
	proauth2_error err = {0};

	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, 0, out);
	if (req->method == NULL || (strcmp(req->method, "GET") != 0 &&
			strcmp(req->method, "HEAD") != 0))
		return error_response(p, proauth2_error_set(&err,
				PROAUTH2_ERR_INVALID_REQUEST, "metadata is read with GET"),
				&err, 0, out);
	if (issuer == NULL || strlen(issuer) > 900)
		return error_response(p, proauth2_error_set(&err, PROAUTH2_ERR_DATASTORE,
				"the provider has no issuer"), &err, 0, out);
	grants = grant_types(p);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:o, s:[s, s, s],"
			" s:[s, s], s:[s, s], s:b}",
			"issuer", issuer,
			"authorization_endpoint", endpoint(issuer, ROUTE_AUTHORIZE, authorize, sizeof(authorize)),
			"token_endpoint", endpoint(issuer, ROUTE_TOKEN, token, sizeof(token)),
			"revocation_endpoint", endpoint(issuer, ROUTE_REVOKE, revoke, sizeof(revoke)),
			"introspection_endpoint", endpoint(issuer, ROUTE_INTROSPECT, introspect, sizeof(introspect)),
			"response_types_supported", "code",
			"response_modes_supported", "query",
			"grant_types_supported", grants,
			"token_endpoint_auth_methods_supported",
				"client_secret_basic", "client_secret_post", "none",
			"revocation_endpoint_auth_methods_supported",
				"client_secret_basic", "client_secret_post",
			"introspection_endpoint_auth_methods_supported",
				"client_secret_basic", "client_secret_post",
			"authorization_response_iss_parameter_supported", 1);
	if (doc != NULL && json_object_set_new(doc, "code_challenge_methods_supported",
			proauth2_provider_plain_pkce_allowed(p) ? json_pack("[s, s]", "S256", "plain") :
			json_pack("[s]", "S256")) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL && scopes != NULL)
		json_object_set_new(doc, "scopes_supported", split_scopes(scopes));
	if (doc != NULL && proauth2_provider_registration_enabled(p))
		json_object_set_new(doc, "registration_endpoint",
				json_string(endpoint(issuer, ROUTE_REGISTER, reg, sizeof(reg))));
	return respond(response_json(200, doc), PROAUTH2_OK, out);
}
