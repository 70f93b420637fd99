/* RFC 7591 §2 client metadata, read from its JSON object. */
#include <string.h>

#include "client_metadata.h"

bool client_metadata_read(const json_t *doc, proauth2_auth_method default_method,
		unsigned allowed, client_metadata *m, const char **problem)
{
	json_t *uris, *grants, *item;
	proauth2_auth_method method = default_method;
	size_t i;

	memset(m, 0, sizeof(*m));
	proauth2_client_params_init(&m->params);
	*problem = "the body must be a JSON object (application/json)";
	if (!json_is_object(doc))
		return false;
	uris = json_object_get(doc, "redirect_uris");
	grants = json_object_get(doc, "grant_types");
	item = json_object_get(doc, "token_endpoint_auth_method");
	*problem = "token_endpoint_auth_method must be client_secret_basic, "
		"client_secret_post or none";
	if (item != NULL && (method = proauth2_auth_method_parse(
			json_string_value(item))) == PROAUTH2_AUTH_METHOD_ANY)
		return false;
	m->params.token_endpoint_auth_method = method;
	m->params.type = method == PROAUTH2_AUTH_METHOD_NONE ?
		PROAUTH2_CLIENT_PUBLIC : PROAUTH2_CLIENT_CONFIDENTIAL;
	*problem = "redirect_uris must be an array of at most 64 strings";
	if (uris != NULL && (!json_is_array(uris) ||
			json_array_size(uris) > CLIENT_METADATA_MAX_URIS))
		return false;
	json_array_foreach(uris, i, item) {
		if ((m->uris[i] = json_string_value(item)) == NULL)
			return false;
	}
	m->params.redirect_uris = m->uris;
	m->params.n_redirect_uris = json_array_size(uris);
	*problem = "grant_types names a grant this client may not have";
	if (grants == NULL)
		m->params.grant_types = PROAUTH2_GRANT_AUTHORIZATION_CODE;  /* §2 */
	else if (!json_is_array(grants) || json_array_size(grants) == 0)
		return false;
	json_array_foreach(grants, i, item) {
		unsigned bit = proauth2_grant_type_parse(json_string_value(item));

		if ((bit & allowed) == 0)
			return false;
		m->params.grant_types |= bit;
	}
	*problem = "scope, client_name and id_token_signed_response_alg must "
		"be strings";
	item = json_object_get(doc, "scope");
	if (item != NULL && (m->params.scope = json_string_value(item)) == NULL)
		return false;
	item = json_object_get(doc, "client_name");
	if (item != NULL && (m->params.name = json_string_value(item)) == NULL)
		return false;
	/* OpenID Connect Registration §2; the engine checks the value. */
	item = json_object_get(doc, "id_token_signed_response_alg");
	if (item != NULL && (m->params.id_token_signed_response_alg =
			json_string_value(item)) == NULL)
		return false;
	return true;
}
