/* The token endpoint (RFC 6749 §3.2, §4.1.3, §4.3.2, §4.4.2, §6). */
#include <proauth2/client.h>

#include "request.h"
#include "response.h"

static proauth2_status run_grant(proauth2_provider *p, const char *grant_type,
		const form *f, const client_credentials *c,
		proauth2_token_response **tokens, proauth2_error *err)
{
	unsigned grant = proauth2_grant_type_parse(grant_type);

	if (grant == PROAUTH2_GRANT_AUTHORIZATION_CODE) {
		proauth2_code_exchange ex;

		proauth2_code_exchange_init(&ex);
		ex.client_id = c->client_id;
		ex.client_secret = c->client_secret;
		ex.auth_method = credentials_method(c);
		ex.code = form_get(f, "code");
		ex.redirect_uri = form_get(f, "redirect_uri");
		ex.code_verifier = form_get(f, "code_verifier");
		ex.resource = form_get(f, FORM_RESOURCE);
		return proauth2_token_exchange_code(p, &ex, tokens, err);
	}
	if (grant == PROAUTH2_GRANT_REFRESH_TOKEN) {
		proauth2_refresh_request rr;

		proauth2_refresh_request_init(&rr);
		rr.client_id = c->client_id;
		rr.client_secret = c->client_secret;
		rr.auth_method = credentials_method(c);
		rr.refresh_token = form_get(f, "refresh_token");
		rr.scope = form_get(f, "scope");
		rr.resource = form_get(f, FORM_RESOURCE);
		return proauth2_token_refresh(p, &rr, tokens, err);
	}
	if (grant == PROAUTH2_GRANT_CLIENT_CREDENTIALS) {
		proauth2_client_credentials_request cr;

		proauth2_client_credentials_request_init(&cr);
		cr.client_id = c->client_id;
		cr.client_secret = c->client_secret;
		cr.auth_method = credentials_method(c);
		cr.scope = form_get(f, "scope");
		cr.resource = form_get(f, FORM_RESOURCE);
		return proauth2_token_client_credentials(p, &cr, tokens, err);
	}
	if (grant == PROAUTH2_GRANT_PASSWORD) {
		proauth2_password_request pr;

		proauth2_password_request_init(&pr);
		pr.client_id = c->client_id;
		pr.client_secret = c->client_secret;
		pr.auth_method = credentials_method(c);
		pr.username = form_get(f, "username");
		pr.password = form_get(f, "password");
		pr.scope = form_get(f, "scope");
		pr.resource = form_get(f, FORM_RESOURCE);
		return proauth2_token_password(p, &pr, tokens, err);
	}
	return proauth2_error_set(err, PROAUTH2_ERR_UNSUPPORTED_GRANT_TYPE,
			"this grant_type is not supported: see the metadata's"
			" grant_types_supported");
}

static json_t *token_json(const proauth2_token_response *t)
{
	return json_pack("{s:s, s:s, s:I, s:s*, s:s, s:s*}",
			"access_token", t->access_token,
			"token_type", t->token_type,
			"expires_in", (json_int_t)t->expires_in,
			"refresh_token", t->refresh_token,
			"scope", t->scope,
			"id_token", t->id_token);
}

proauth2_status proauth2_http_token(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	return proauth2_http_token_with(p, req, NULL, out);
}

proauth2_status proauth2_http_token_with(proauth2_provider *p,
		const proauth2_http_request *req, const proauth2_http_options *options,
		proauth2_http_response **out)
{
	proauth2_error err = {0};
	client_credentials c = {0};
	proauth2_token_response *tokens = NULL;
	proauth2_status status;
	const char *grant_type = NULL;
	form f;

	if (response_method_check(req, "POST", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	f.n = 0;
	status = request_options_check(options, &err);
	if (status == PROAUTH2_OK)
		status = request_read_params(req, OPTIONS_SOURCES(options), &f, &err);
	if (status == PROAUTH2_OK) {
		grant_type = form_get(&f, "grant_type");
		if (grant_type == NULL)
			status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_REQUEST,
					"grant_type is missing");
	}
	if (status == PROAUTH2_OK)
		status = request_client_credentials(req, &f, &c, &err);
	if (status == PROAUTH2_OK)
		status = run_grant(p, grant_type, &f, &c, &tokens, &err);
	if (status == PROAUTH2_OK)
		status = respond(response_json(200, token_json(tokens)), PROAUTH2_OK, out);
	else
		error_response(p, status, &err, out);
	proauth2_token_response_free(tokens);
	credentials_clear(&c);
	form_clear(&f);
	return status;
}
