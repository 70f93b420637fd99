/* Token revocation (RFC 7009) and introspection (RFC 7662) endpoints:
 * both authenticate the client, then look at one token. */
#include <stdlib.h>
#include <string.h>

#include <proauth2/client.h>
#include <proauth2/openid.h>

#include "request.h"
#include "response.h"

/* Read the form, authenticate the client and read token and its hint. */
static proauth2_status read_token_request(proauth2_provider *p,
		const proauth2_http_request *req, unsigned from, form *f,
		client_credentials *c, proauth2_token_hint *hint, proauth2_error *err)
{
	const char *hint_text;
	proauth2_status status = request_read_params(req, from, f, err);

	if (status == PROAUTH2_OK)
		status = request_client_credentials(req, f, c, err);
	if (status == PROAUTH2_OK)
		status = proauth2_client_authenticate_method(p, c->client_id,
				c->client_secret, credentials_method(c), NULL, err);
	if (status == PROAUTH2_OK && form_get(f, "token") == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"token is missing");
	hint_text = form_get(f, "token_type_hint");
	/* RFC 7009 §2.1: an unknown hint is only a hint; search everywhere. */
	*hint = hint_text == NULL ? PROAUTH2_HINT_NONE :
		strcmp(hint_text, "refresh_token") == 0 ? PROAUTH2_HINT_REFRESH_TOKEN :
		strcmp(hint_text, "access_token") == 0 ? PROAUTH2_HINT_ACCESS_TOKEN :
		PROAUTH2_HINT_NONE;
	return status;
}

proauth2_status proauth2_http_revoke(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	return proauth2_http_revoke_with(p, req, NULL, out);
}

proauth2_status proauth2_http_revoke_with(proauth2_provider *p,
		const proauth2_http_request *req, const proauth2_http_options *options,
		proauth2_http_response **out)
{
	proauth2_error err = {0};
	client_credentials c = {0};
	proauth2_token_hint hint;
	proauth2_status status;
	form f;

	if (response_method_check(req, "POST", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	f.n = 0;
	hint = PROAUTH2_HINT_NONE;
	status = request_options_check(options, &err);
	if (status == PROAUTH2_OK)
		status = read_token_request(p, req, OPTIONS_SOURCES(options), &f, &c,
				&hint, &err);
	if (status == PROAUTH2_OK)
		status = proauth2_token_revoke(p, c.client_id, form_get(&f, "token"),
				hint, &err);
	if (status == PROAUTH2_OK)
		status = respond(response_json(200, json_object()), PROAUTH2_OK, out);
	else
		error_response(p, status, &err, out);
	credentials_clear(&c);
	form_clear(&f);
	return status;
}

/* RFC 7662 §2.2 aud: an access token's audience (RFC 8707), a string for
 * one resource, an array for several; NULL for none. */
static json_t *audience_json(const proauth2_token_info *info)
{
	json_t *aud;
	const char *s;

	if (info->audience == NULL || info->is_refresh_token)
		return NULL;
	if (strchr(info->audience, ' ') == NULL)
		return json_string(info->audience);
	aud = json_array();
	for (s = info->audience; aud != NULL && *s != '\0'; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		json_array_append_new(aud, json_stringn(s, n));
		s += n;
	}
	return aud;
}

/* The token's user as the introspecting client may know them: the user
 * id for a resource server, the client's own sub (pairwise, perhaps) for
 * the token's client, without the username, which would tell it the user
 * id. */
static proauth2_status subject_for(proauth2_provider *p, const char *caller,
		const proauth2_token_info *info, char **sub, bool *own,
		proauth2_error *err)
{
	*sub = NULL;
	*own = caller != NULL && strcmp(caller, info->client_id) == 0;
	if (info->user_id == NULL)
		return PROAUTH2_OK;
	if (!*own)
		return (*sub = strdup(info->user_id)) != NULL ? PROAUTH2_OK :
			proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	return proauth2_client_subject(p, info->client_id, info->user_id, sub, err);
}

static json_t *introspection_json(const proauth2_provider *p,
		const proauth2_token_info *info, const char *sub, bool own)
{
	const char *issuer = proauth2_provider_issuer(p);
	/* The grant's attributes as a member of their own, never merged:
	 * they cannot shadow a member RFC 7662 defines, and RFC 9396's
	 * authorization_details can come beside them. Stored valid. */
	json_t *attributes = info->attributes != NULL ?
		json_loads(info->attributes, 0, NULL) : NULL;

	if (info->attributes != NULL && attributes == NULL)
		return NULL;
	return json_pack("{s:b, s:s, s:s, s:s*, s:s*, s:s, s:I, s:I, s:s*, s:o*, s:o*}",
			"active", 1,
			"scope", info->scope,
			"client_id", info->client_id,
			"username", own && sub != NULL &&
				strcmp(sub, info->user_id) != 0 ? NULL : info->user_id,
			"sub", sub,
			"token_type", info->is_refresh_token ? "refresh_token" : "Bearer",
			"exp", (json_int_t)info->expires_at,
			"iat", (json_int_t)info->issued_at,
			"iss", issuer,
			"aud", audience_json(info),
			"attributes", attributes);
}

proauth2_status proauth2_http_introspect(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	proauth2_error err = {0};
	client_credentials c = {0};
	proauth2_token_info *info = NULL;
	proauth2_token_hint hint;
	proauth2_status status;
	char *sub = NULL;
	bool own = false;
	form f;

	if (response_method_check(req, "POST", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	status = read_token_request(p, req, 0, &f, &c, &hint, &err);
	if (status == PROAUTH2_OK)
		status = proauth2_token_introspect(p, c.client_id,
				form_get(&f, "token"), hint, &info, &err);
	if (status == PROAUTH2_OK)
		status = subject_for(p, c.client_id, info, &sub, &own, &err);
	if (status == PROAUTH2_OK)
		status = respond(response_json(200, introspection_json(p, info, sub,
				own)), PROAUTH2_OK, out);
	else if (status == PROAUTH2_ERR_INVALID_TOKEN)  /* §2.2: not an error */
		status = respond(response_json(200, json_pack("{s:b}", "active", 0)),
				PROAUTH2_OK, out);
	else
		error_response(p, status, &err, out);
	free(sub);
	proauth2_token_info_free(info);
	credentials_clear(&c);
	form_clear(&f);
	return status;
}
