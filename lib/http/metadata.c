/* Authorization server metadata (RFC 8414). */
#include <stdio.h>
#include <string.h>

#include <proauth2/client.h>
#include <proauth2/http.h>

#include "request.h"
#include "response.h"
#include "words.h"

/* The URL the provider derived (or was given) for which. */
static const char *endpoint(const proauth2_provider *p, proauth2_endpoint which)
{
	return proauth2_provider_endpoint(p, which);
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

/* The claims an id_token or UserInfo may carry (Core §2, §5.1). */
static const char *const openid_claims[] = {
	"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr",
	"sid", "at_hash", "name", "family_name", "given_name", "middle_name",
	"nickname", "preferred_username", "profile", "picture", "website",
	"gender", "birthdate", "zoneinfo", "locale", "updated_at", "email",
	"email_verified", "address", "phone_number", "phone_number_verified",
};

static json_t *string_list(const char *const *items, size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < n; i++)
		if (json_array_append_new(list, json_string(items[i])) != 0) {
			json_decref(list);
			list = NULL;
		}
	return list;
}

/* OpenID Connect Discovery §3's members beside RFC 8414's: one document
 * serves both. */
static int add_openid(const proauth2_provider *p, json_t *doc)
{
	bool backchannel = proauth2_provider_backchannel_logout_enabled(p);
	json_t *members = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:b,"
			" s:b, s:b}",
			"userinfo_endpoint", endpoint(p, PROAUTH2_ENDPOINT_USERINFO),
			"end_session_endpoint", endpoint(p, PROAUTH2_ENDPOINT_END_SESSION),
			"subject_types_supported", words_array(
				proauth2_provider_pairwise_enabled(p) ? "public pairwise" :
				"public"),
			"id_token_signing_alg_values_supported",
				words_array(proauth2_provider_id_token_algs(p)),
			"claims_supported", string_list(openid_claims,
				sizeof(openid_claims) / sizeof(openid_claims[0])),
			"claims_parameter_supported", 1,
			/* Discovery's defaults for these are true: we have none. */
			"request_parameter_supported", 0,
			"request_uri_parameter_supported", 0,
			/* Back-Channel Logout §2.1: sid comes with a session_id. */
			"backchannel_logout_supported", backchannel,
			"backchannel_logout_session_supported", backchannel);

	return members != NULL ? json_object_update_new(doc, members) : -1;
}

proauth2_status proauth2_http_metadata(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	const char *issuer = proauth2_provider_issuer(p);
	const char *scopes = proauth2_provider_supported_scopes(p);
	json_t *doc, *grants;
	proauth2_error err = {0};

	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, out);
	if (response_method_check(req, "GET", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	grants = grant_types(p);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:[s, s], s:o, s:[s, s, s],"
			" s:[s, s, s], s:[s, s, s], s:b}",
			/* As configured: clients compare it byte for byte
			 * (RFC 8414 §3.3), trailing slash included. */
			"issuer", issuer,
			"authorization_endpoint", endpoint(p, PROAUTH2_ENDPOINT_AUTHORIZATION),
			"token_endpoint", endpoint(p, PROAUTH2_ENDPOINT_TOKEN),
			"revocation_endpoint", endpoint(p, PROAUTH2_ENDPOINT_REVOCATION),
			"introspection_endpoint", endpoint(p, PROAUTH2_ENDPOINT_INTROSPECTION),
			"response_types_supported", "code",
			"response_modes_supported", "query", "form_post",
			"grant_types_supported", grants,
			"token_endpoint_auth_methods_supported",
				"client_secret_basic", "client_secret_post", "none",
			/* Public clients authenticate with client_id alone
			 * (revoke_endpoint.c). */
			"revocation_endpoint_auth_methods_supported",
				"client_secret_basic", "client_secret_post", "none",
			"introspection_endpoint_auth_methods_supported",
				"client_secret_basic", "client_secret_post", "none",
			"authorization_response_iss_parameter_supported", 1);
	if (doc != NULL && json_object_set_new(doc, "code_challenge_methods_supported",
			proauth2_provider_plain_pkce_allowed(p) ? json_pack("[s, s]", "S256", "plain") :
			json_pack("[s]", "S256")) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL && scopes != NULL)
		json_object_set_new(doc, "scopes_supported", words_array(scopes));
	if (doc != NULL && proauth2_provider_has_signing_keys(p))
		json_object_set_new(doc, "jwks_uri",
				json_string(endpoint(p, PROAUTH2_ENDPOINT_JWKS)));
	if (doc != NULL && proauth2_provider_client_documents_enabled(p))
		json_object_set_new(doc, "client_id_metadata_document_supported",
				json_true());
	if (doc != NULL && proauth2_provider_openid_enabled(p) &&
			add_openid(p, doc) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL && proauth2_provider_registration_enabled(p))
		json_object_set_new(doc, "registration_endpoint",
				json_string(endpoint(p, PROAUTH2_ENDPOINT_REGISTRATION)));
	return respond(response_json(200, doc), PROAUTH2_OK, out);
}
