/* RFC 7591 §2 client metadata, read from its JSON object. */
#include <string.h>

#include "client_metadata.h"

/* A JSON array of at most CLIENT_METADATA_MAX_URIS strings (or absent)
 * into out, their count in *n. */
static bool read_uris(const json_t *a, const char **out, size_t *n)
{
	json_t *item;
	size_t i;

	*n = 0;
	if (a == NULL)
		return true;
	if (!json_is_array(a) || json_array_size(a) > CLIENT_METADATA_MAX_URIS)
		return false;
	json_array_foreach(a, i, item)
		if ((out[i] = json_string_value(item)) == NULL)
			return false;
	*n = json_array_size(a);
	return true;
}

/* The OpenID Connect metadata beyond the alg (Registration §2, RP-Initiated
 * Logout §3.1, Back-Channel Logout §2.2). require_auth_time is always met,
 * as every id_token carries auth_time: taken and not kept. */
static bool openid_read(const json_t *doc, client_metadata *m,
		const char **problem)
{
	json_t *item = json_object_get(doc, "subject_type");
	const char *type = json_string_value(item);

	*problem = "subject_type must be public or pairwise";
	if (item != NULL && (type == NULL || (strcmp(type, "public") != 0 &&
			strcmp(type, "pairwise") != 0)))
		return false;
	m->params.pairwise_subject = type != NULL && strcmp(type, "pairwise") == 0;
	*problem = "sector_identifier_uri must be a string";
	item = json_object_get(doc, "sector_identifier_uri");
	if (item != NULL && (m->params.sector_identifier_uri =
			json_string_value(item)) == NULL)
		return false;
	*problem = "require_auth_time and backchannel_logout_session_required "
		"must be booleans";
	item = json_object_get(doc, "require_auth_time");
	if (item != NULL && !json_is_boolean(item))
		return false;
	item = json_object_get(doc, "backchannel_logout_session_required");
	if (item != NULL && !json_is_boolean(item))
		return false;
	m->params.backchannel_logout_session_required = json_is_true(item);
	*problem = "default_max_age must be a number of seconds";
	item = json_object_get(doc, "default_max_age");
	if (item != NULL && (!json_is_integer(item) || json_integer_value(item) < 0))
		return false;
	m->params.default_max_age = json_integer_value(item);
	*problem = "backchannel_logout_uri must be a string";
	item = json_object_get(doc, "backchannel_logout_uri");
	if (item != NULL && (m->params.backchannel_logout_uri =
			json_string_value(item)) == NULL)
		return false;
	*problem = "post_logout_redirect_uris must be an array of at most 64 "
		"strings";
	if (!read_uris(json_object_get(doc, "post_logout_redirect_uris"),
			m->logout_uris, &m->params.n_post_logout_redirect_uris))
		return false;
	m->params.post_logout_redirect_uris = m->logout_uris;
	return true;
}

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
	if (!read_uris(uris, m->uris, &m->params.n_redirect_uris))
		return false;
	m->params.redirect_uris = m->uris;
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
	return openid_read(doc, m, problem);
}
