/*
 * RP-Initiated Logout 1.0 §2-§3: a logout request checked before the
 * host signs the user out, and where the user goes afterwards. Nothing
 * is stored: the request's facts come from its parameters and the hint.
 */
#include <stdlib.h>
#include <string.h>

#include <proauth2/http.h>
#include <proauth2/logout.h>

#include "client_document.h"
#include "id_token.h"
#include "internal.h"
#include "params.h"

struct proauth2_end_session {
	char *client_id, *client_name, *subject, *session_id, *redirect;
	char **names, **values;
	size_t n;
};

void proauth2_end_session_free(proauth2_end_session *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
	free(r->names);
	free(r->values);
	free(r->client_id);
	free(r->client_name);
	free(r->subject);
	free(r->session_id);
	free(r->redirect);
	free(r);
}


/* Whether uri is one of client's post_logout_redirect_uris, exactly. */
static bool registered(const json_t *client, const char *uri)
{
	json_t *uris = json_object_get(client, "post_logout_redirect_uris"), *item;
	size_t i;

	json_array_foreach(uris, i, item)
		if (json_string_value(item) != NULL &&
				strcmp(json_string_value(item), uri) == 0)
			return true;
	return false;
}

/* The hint (may be NULL) and client_id agree on a client, which exists
 * when named: its record in *client (NULL when none is named). */
static proauth2_status identify(proauth2_provider *p, const char *hint,
		const char *client_id, proauth2_end_session *r, json_t **client,
		proauth2_error *err)
{
	json_t *claims = NULL;
	const char *aud = NULL;
	bool ok = true;
	proauth2_status status = PROAUTH2_OK;

	*client = NULL;
	if (hint != NULL) {
		status = id_token_hint_read(p, hint, &claims, err);
		if (status != PROAUTH2_OK)
			return status;
		/* Ours name one client, as a string. */
		aud = json_string_value(json_object_get(claims, "aud"));
		if (aud == NULL)
			status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"id_token_hint names no one client");
		r->subject = dup_or_null(json_string_value(json_object_get(claims,
				"sub")), &ok);
		r->session_id = dup_or_null(json_string_value(json_object_get(claims,
				"sid")), &ok);
	}
	if (status == PROAUTH2_OK && aud != NULL && client_id != NULL &&
			strcmp(aud, client_id) != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id is not the audience of id_token_hint");
	if (client_id == NULL)
		client_id = aud;
	if (status == PROAUTH2_OK && client_id != NULL) {
		status = client_lookup(p, client_id, client, err);
		if (status == PROAUTH2_ERR_NOT_FOUND ||
				status == PROAUTH2_ERR_INVALID_CLIENT)
			status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"unknown client_id");
	}
	if (status == PROAUTH2_OK) {
		r->client_id = dup_or_null(client_id, &ok);
		r->client_name = dup_or_null(record_string(*client, "name"), &ok);
	}
	json_decref(claims);
	if (status == PROAUTH2_OK && !ok)
		status = NO_MEMORY(err);
	return status;
}

/* The redirect after the logout: uri, registered for client, with state.
 * Without a hint only for a client the provider vouches for: anyone may
 * register a client, and its URI, and have the end-session endpoint send
 * whoever follows a link there (an open redirector). */
static proauth2_status redirect_of(const json_t *client, bool hinted,
		const char *uri, const char *state, proauth2_end_session *r,
		proauth2_error *err)
{
	if (uri == NULL)
		return PROAUTH2_OK;
	if (client == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"post_logout_redirect_uri needs client_id or id_token_hint");
	if (!registered(client, uri))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"post_logout_redirect_uri is not registered for this client");
	if (!hinted && !client_record_trusted(client))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"post_logout_redirect_uri needs id_token_hint for a client "
				"that registered itself");
	if ((r->redirect = strdup(uri)) == NULL ||
			(state != NULL && params_append_query(&r->redirect, "state",
				state) != 0))
		return NO_MEMORY(err);
	return PROAUTH2_OK;
}

static bool copy_params(proauth2_end_session *r, const char *const *names,
		const char *const *values, size_t n)
{
	bool ok = true;

	r->names = calloc(n + 1, sizeof(char *));
	r->values = calloc(n + 1, sizeof(char *));
	if (r->names == NULL || r->values == NULL)
		return false;
	for (r->n = 0; r->n < n; r->n++) {
		r->names[r->n] = dup_or_null(names[r->n], &ok);
		r->values[r->n] = dup_or_null(values[r->n], &ok);
	}
	return ok;
}

proauth2_status proauth2_end_session_begin(proauth2_provider *p,
		const char *const *names, const char *const *values, size_t n,
		proauth2_end_session **out, proauth2_error *err)
{
	proauth2_end_session *r;
	json_t *client = NULL;
	const char *state;
	proauth2_status status;

	if (p == NULL || out == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and out are required");
	*out = NULL;
	if (!p->openid)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"logout needs an OpenID Provider (config.openid)");
	status = params_check(names, values, n, err);
	if (status != PROAUTH2_OK)
		return status;
	state = params_get(names, values, n, "state");
	if (state != NULL && strlen(state) > PROAUTH2_HTTP_STATE_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"state is longer than %d bytes", PROAUTH2_HTTP_STATE_MAX_LENGTH);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NO_MEMORY(err);
	status = identify(p, params_get(names, values, n, "id_token_hint"),
			params_get(names, values, n, "client_id"), r, &client, err);
	if (status == PROAUTH2_OK)
		status = redirect_of(client, r->subject != NULL, params_get(names,
				values, n, "post_logout_redirect_uri"), state, r, err);
	if (status == PROAUTH2_OK && !copy_params(r, names, values, n))
		status = NO_MEMORY(err);
	json_decref(client);
	if (status != PROAUTH2_OK) {
		proauth2_end_session_free(r);
		return status;
	}
	*out = r;
	return PROAUTH2_OK;
}

const char *proauth2_end_session_client_id(const proauth2_end_session *r)
{
	return r != NULL ? r->client_id : NULL;
}

const char *proauth2_end_session_client_name(const proauth2_end_session *r)
{
	return r != NULL ? r->client_name : NULL;
}

const char *proauth2_end_session_subject(const proauth2_end_session *r)
{
	return r != NULL ? r->subject : NULL;
}

const char *proauth2_end_session_session_id(const proauth2_end_session *r)
{
	return r != NULL ? r->session_id : NULL;
}

const char *proauth2_end_session_param(const proauth2_end_session *r,
		const char *name)
{
	if (r == NULL)
		return NULL;
	return params_get((const char *const *)r->names,
			(const char *const *)r->values, r->n, name);
}

const char *proauth2_end_session_redirect(const proauth2_end_session *r)
{
	return r != NULL ? r->redirect : NULL;
}
