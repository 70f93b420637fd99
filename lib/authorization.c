/*
 * Pending authorization requests: validated, parked under a ticket until
 * the user decides, then spent once. Only the ticket's hash is stored; the
 * request's parameters are kept as a JSON array of [name, value] pairs.
 */
#include <stdlib.h>
#include <string.h>

#include <proauth2/authorization.h>

#include "claims_request.h"
#include "client_document.h"
#include "code.h"
#include "crypto.h"
#include "id_token.h"
#include "internal.h"
#include "params.h"
#include "resources.h"
#include "scope.h"
#include "struct_size.h"

struct proauth2_authorization {
	char *ticket;
	char *client_id;
	char *client_name;
	char *scope;
	char **names;
	char **values;
	size_t n;
	bool spent;  /* by proauth2_authorization_spend, not yet approved */
	int64_t begun_at;    /* when the client's request arrived */
	char *hint_subject;  /* id_token_hint's sub, verified; NULL: none */
	/* What the claims parameter names, for UserInfo, for the id_token,
	 * and both; NULL: none. */
	char *userinfo_claims, *id_token_claims, *claims;
	int64_t default_max_age;  /* the client's (Registration §2); 0: none */
};

/* The request's parameters as stored: [[name, value], ...]. */
static char *encode_params(const char *const *names, const char *const *values,
		size_t n)
{
	json_t *list = json_array();
	char *text;
	size_t i;

	for (i = 0; list != NULL && i < n; i++)
		if (json_array_append_new(list, json_pack("[s, s]", names[i],
				values[i])) != 0) {
			json_decref(list);
			list = NULL;
		}
	text = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
	json_decref(list);
	return text;
}

/* Copy the stored parameters into a; false when they are unreadable. */
static bool decode_params(proauth2_authorization *a, const char *text, bool *ok)
{
	json_t *list = text != NULL ? json_loads(text, 0, NULL) : NULL, *pair;
	size_t i, n = json_array_size(list);
	bool readable = json_is_array(list) && n <= PARAMS_MAX;

	a->names = calloc(n + 1, sizeof(char *));
	a->values = calloc(n + 1, sizeof(char *));
	if (a->names == NULL || a->values == NULL)
		*ok = false;
	json_array_foreach(list, i, pair) {
		const char *name = json_string_value(json_array_get(pair, 0));
		const char *value = json_string_value(json_array_get(pair, 1));

		if (!*ok || !readable)
			break;
		if (json_array_size(pair) != 2 || name == NULL || value == NULL) {
			readable = false;
			break;
		}
		a->names[a->n] = dup_or_null(name, ok);
		a->values[a->n++] = dup_or_null(value, ok);
	}
	json_decref(list);
	return readable;
}

static bool login_stale(proauth2_provider *p, const proauth2_authorization *a,
		int64_t auth_time, bool approving);
static int64_t max_age_of(const proauth2_authorization *a);

/* RFC 7636 §4.3: a challenge without a method is plain. */
static const char *challenge_method(const char *challenge, const char *method)
{
	return challenge != NULL && method == NULL ? "plain" : method;
}

/* The modes the metadata advertises (response_modes_supported); any other
 * would go unheeded, the code landing where the client does not look. */
static bool response_mode_supported(const char *mode)
{
	return mode == NULL || strcmp(mode, "query") == 0 ||
		strcmp(mode, "form_post") == 0;
}

/* What an OpenID Connect request's id_token_hint says of its user, when it
 * still verifies (a key it was signed with may have retired since). */
static bool take_hint(proauth2_provider *p, proauth2_authorization *a)
{
	const char *hint = proauth2_authorization_param(a, "id_token_hint");

	if (hint == NULL || !id_token_wanted(p, a->scope))
		return true;
	return id_token_hint_subject(p, hint, &a->hint_subject, NULL) !=
		PROAUTH2_ERR_NOMEM;
}

/* The claims an OpenID Connect request names (checked when it was
 * parked), for the host to ask the user about. */
static bool take_claims(proauth2_provider *p, proauth2_authorization *a)
{
	if (!id_token_wanted(p, a->scope) || claims_request_read(
			proauth2_authorization_param(a, "claims"), &a->userinfo_claims,
			&a->id_token_claims, NULL) != PROAUTH2_OK)
		return true;
	return claims_names_union(a->userinfo_claims, a->id_token_claims,
			&a->claims);
}

/* A new authorization for client with ticket, scope and parameters. */
static proauth2_authorization *authorization_new(const json_t *client,
		const char *ticket, const char *scope, bool *ok)
{
	proauth2_authorization *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		*ok = false;
		return NULL;
	}
	a->ticket = dup_or_null(ticket, ok);
	a->client_id = dup_or_null(record_string(client, "client_id"), ok);
	a->client_name = dup_or_null(record_string(client, "name"), ok);
	a->scope = dup_or_null(scope, ok);
	a->default_max_age = json_integer_value(json_object_get(client,
			"default_max_age"));
	return a;
}

/*
 * Room for one more pending request: fewer than the caps unexpired, for
 * the client and in all, counted by the datastore (ops count, which stops
 * at the cap) so that every process sharing it sees the same. Count and
 * store are two steps: requests in flight together may pass a cap by as
 * many as they are, which bounds it still. A backend that cannot count is
 * not capped; the lifetime and the purge still bound it.
 */
static proauth2_status check_room(proauth2_provider *p, const char *client_id,
		proauth2_error *err)
{
	int64_t now = proauth2_provider_now(p);
	json_t *query = NULL;
	proauth2_status status = PROAUTH2_OK;
	size_t n = 0;
	bool counted = false;

	if (p->max_authorizations_per_client > 0) {
		query = json_pack("{s:s}", "client_id", client_id);
		status = query == NULL ? NO_MEMORY(err) : datastore_count(p->datastore,
				TABLE_AUTHORIZATIONS, query, now,
				p->max_authorizations_per_client, &n, &counted, err);
		json_decref(query);
		if (status == PROAUTH2_OK && counted && n >= p->max_authorizations_per_client)
			return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
					"too many pending authorization requests for"
					" this client");
	}
	if (status == PROAUTH2_OK && p->max_authorizations > 0) {
		status = datastore_count(p->datastore, TABLE_AUTHORIZATIONS, NULL, now,
				p->max_authorizations, &n, &counted, err);
		if (status == PROAUTH2_OK && counted && n >= p->max_authorizations)
			return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
					"too many pending authorization requests");
	}
	return status;
}

static proauth2_status park(proauth2_provider *p, const json_t *client,
		const char *const *names, const char *const *values, size_t n,
		const char *scope, proauth2_authorization **out, proauth2_error *err)
{
	char hash[HASH_SIZE];
	char *ticket = NULL, *request = encode_params(names, values, n);
	proauth2_authorization *a = NULL;
	proauth2_status status;
	bool ok = request != NULL;

	/* What one request may store is bounded before anything is stored:
	 * the request by the field limit, the scope by the client's. */
	status = ok ? PROAUTH2_OK : NO_MEMORY(err);
	if (status == PROAUTH2_OK && strlen(request) > PROAUTH2_FIELD_MAX_LENGTH)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"the authorization request is too long");
	if (status == PROAUTH2_OK)
		status = check_room(p, record_string(client, "client_id"), err);
	if (status == PROAUTH2_OK)
		status = proauth2_secret_new(&ticket, err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(ticket, hash, err);
	if (status == PROAUTH2_OK)
		status = store_record(p, TABLE_AUTHORIZATIONS, json_pack(
				"{s:s, s:s, s:s, s:s, s:I}",
				"ticket_hash", hash,
				"client_id", record_string(client, "client_id"),
				"request", request,
				"scope", scope,
				"expires_at", (json_int_t)(proauth2_provider_now(p) +
					p->authorization_lifetime)), err);
	if (status == PROAUTH2_OK) {
		a = authorization_new(client, ticket, scope, &ok);
		if (a != NULL && (!decode_params(a, request, &ok) || !take_hint(p, a) ||
				!take_claims(p, a)))
			ok = false;
		if (!ok)
			status = NO_MEMORY(err);
		else
			a->begun_at = proauth2_provider_now(p);
	}
	free(request);
	proauth2_secret_free(ticket);
	if (status != PROAUTH2_OK) {
		proauth2_authorization_free(a);
		return status;
	}
	*out = a;
	return PROAUTH2_OK;
}

/* RFC 8707 §2: each resource registered; checked again at approval. */
static proauth2_status check_resource(proauth2_provider *p,
		const char *resource, proauth2_error *err)
{
	char *audience;
	proauth2_status status = resources_resolve(p, resource, &audience, err);

	free(audience);
	return status;
}

proauth2_status proauth2_authorization_begin(proauth2_provider *p,
		const char *const *names, const char *const *values, size_t n,
		proauth2_authorization **out, proauth2_error *err)
{
	const char *client_id, *response_type, *method;
	json_t *client = NULL;
	char *scope = NULL;
	proauth2_status status;

	if (out == NULL || p == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and out are required");
	*out = NULL;
	status = params_check(names, values, n, err);
	if (status != PROAUTH2_OK)
		return status;
	client_id = params_get(names, values, n, "client_id");
	if (client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id is missing");
	status = client_lookup(p, client_id, &client, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"unknown client_id");
	else if (status == PROAUTH2_ERR_INVALID_CLIENT)
		status = error_recode(err, PROAUTH2_ERR_INVALID_REQUEST);
	if (status == PROAUTH2_OK && code_redirect_target(client,
			params_get(names, values, n, "redirect_uri")) == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"redirect_uri is missing or not registered for this client");
	response_type = params_get(names, values, n, "response_type");
	if (status == PROAUTH2_OK && response_type == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"response_type is missing");
	else if (status == PROAUTH2_OK && strcmp(response_type, "code") != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_UNSUPPORTED_RESPONSE_TYPE,
				"response_type must be code");
	if (status == PROAUTH2_OK &&
			!response_mode_supported(params_get(names, values, n, "response_mode")))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"response_mode must be query or form_post");
	if (status == PROAUTH2_OK) {
		proauth2_code_request cr = {
			.struct_size = sizeof(proauth2_code_request),
			.client_id = client_id,
			.redirect_uri = params_get(names, values, n, "redirect_uri"),
			.code_challenge = params_get(names, values, n, "code_challenge"),
			.code_challenge_method = challenge_method(
					params_get(names, values, n, "code_challenge"),
					params_get(names, values, n, "code_challenge_method")),
		};
		if (cr.code_challenge != NULL && params_get(names, values, n,
				"code_challenge_method") == NULL && !p->allow_plain_pkce)
			status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"code_challenge_method is missing, which means plain"
					" (RFC 7636 section 4.3): send code_challenge_method=S256");
		else
			status = code_check_request(p, client, &cr, &method, err);
	}
	if (status == PROAUTH2_OK)
		status = scope_resolve(p, params_get(names, values, n, "scope"),
				record_string(client, "scope"), &scope, err);
	if (status == PROAUTH2_OK)
		status = check_resource(p, params_get(names, values, n, "resource"), err);
	if (status == PROAUTH2_OK) {
		id_request_params oidc = {
			.nonce = params_get(names, values, n, "nonce"),
			.prompt = params_get(names, values, n, "prompt"),
			.max_age = params_get(names, values, n, "max_age"),
			.id_token_hint = params_get(names, values, n, "id_token_hint"),
			.request = params_get(names, values, n, "request"),
			.request_uri = params_get(names, values, n, "request_uri"),
			.registration = params_get(names, values, n, "registration"),
			.claims = params_get(names, values, n, "claims"),
		};
		status = id_request_check(p, scope, &oidc, err);
	}
	if (status == PROAUTH2_OK)
		status = park(p, client, names, values, n, scope, out, err);
	free(scope);
	json_decref(client);
	return status;
}

static proauth2_status load(proauth2_provider *p, const char *ticket,
		bool spend, proauth2_authorization **out, proauth2_error *err)
{
	char hash[HASH_SIZE];
	json_t *record = NULL, *client = NULL;
	proauth2_authorization *a = NULL;
	proauth2_status status;
	size_t removed = 0;
	bool ok = true;

	if (out == NULL || p == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and out are required");
	*out = NULL;
	if (ticket == NULL || strlen(ticket) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND, "unknown ticket");
	status = sha256_base64url(ticket, hash, err);
	if (status == PROAUTH2_OK)
		status = fetch_one(p, TABLE_AUTHORIZATIONS, "ticket_hash", hash, &record, err);
	/* A ticket is spent once: of concurrent decisions, one wins. */
	if (status == PROAUTH2_OK && spend) {
		status = remove_where(p, TABLE_AUTHORIZATIONS,
				json_pack("{s:s}", "ticket_hash", hash), &removed, err);
		if (status == PROAUTH2_OK && removed != 1)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
					"the ticket was already used");
	}
	if (status == PROAUTH2_OK)
		status = client_lookup(p, record_string(record, "client_id"),
				&client, err);
	if (status == PROAUTH2_OK) {
		a = authorization_new(client, ticket, record_string(record, "scope"), &ok);
		/* A request parked by an older version is as good as expired. */
		if (a != NULL && !decode_params(a, record_string(record, "request"), &ok))
			status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
					"the stored request is unreadable");
		else if (!ok || !take_hint(p, a) || !take_claims(p, a))
			status = NO_MEMORY(err);
		else
			a->begun_at = json_integer_value(json_object_get(record,
					"expires_at")) - p->authorization_lifetime;
	}
	json_decref(record);
	json_decref(client);
	if (status != PROAUTH2_OK) {
		proauth2_authorization_free(a);
		return status;
	}
	a->spent = spend;
	*out = a;
	return PROAUTH2_OK;
}

proauth2_status proauth2_authorization_load(proauth2_provider *p,
		const char *ticket, proauth2_authorization **out, proauth2_error *err)
{
	return load(p, ticket, false, out, err);
}

proauth2_status proauth2_authorization_spend(proauth2_provider *p,
		const char *ticket, proauth2_authorization **out, proauth2_error *err)
{
	return load(p, ticket, true, out, err);
}

proauth2_status proauth2_authorization_approve(proauth2_provider *p,
		proauth2_authorization *a, const char *user_id,
		const char *granted_scope, char **code, proauth2_error *err)
{
	return proauth2_authorization_approve_with_attributes(p, a, user_id,
			granted_scope, NULL, code, err);
}

proauth2_status proauth2_authorization_approve_with_attributes(
		proauth2_provider *p, proauth2_authorization *a, const char *user_id,
		const char *granted_scope, const char *attributes, char **code,
		proauth2_error *err)
{
	proauth2_approval approval;

	proauth2_approval_init(&approval);
	approval.user_id = user_id;
	approval.granted_scope = granted_scope;
	approval.attributes = attributes;
	return proauth2_authorization_approve_with(p, a, &approval, code, err);
}

/* Of the claims a's request named for UserInfo and the id_token, those
 * the user agreed to (agreed, space-delimited), in *userinfo and
 * *id_token (free(); NULL: none). */
static proauth2_status agreed_claims(const proauth2_authorization *a,
		const char *agreed, char **userinfo, char **id_token,
		proauth2_error *err)
{
	if (claims_names_common(a->userinfo_claims, agreed, userinfo) &&
			claims_names_common(a->id_token_claims, agreed, id_token))
		return PROAUTH2_OK;
	free(*userinfo);
	*userinfo = NULL;
	return NO_MEMORY(err);
}

proauth2_status proauth2_authorization_approve_with(proauth2_provider *p,
		proauth2_authorization *a, const proauth2_approval *approval,
		char **code, proauth2_error *err)
{
	proauth2_code_request cr;
	const char *granted_scope;
	char *userinfo_claims = NULL, *id_token_claims = NULL;
	proauth2_status status;

	if (code == NULL || p == NULL || a == NULL || approval == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, authorization, approval and code are required");
	*code = NULL;
	status = sized_check(approval, SIZED_END(proauth2_approval, session_id),
			SIZED_END(proauth2_approval, claims), "proauth2_approval", err);
	if (status != PROAUTH2_OK)
		return status;
	if (!a->spent)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"only a spent authorization may be approved, once");
	granted_scope = approval->granted_scope;
	if (granted_scope != NULL && (!scope_is_valid(granted_scope) ||
			!scope_is_subset(granted_scope, a->scope)))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"the granted scope exceeds the request");
	/* A fresh login asked for needs the host to say when it was. */
	if (approval->auth_time == 0 && id_token_wanted(p, a->scope) &&
			(proauth2_authorization_prompts(a, "login") || max_age_of(a) >= 0))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the request has prompt=login or max_age: the approval "
				"must give auth_time");
	/* The host promised a fresh login where the client asked for one. */
	if (login_stale(p, a, approval->auth_time != 0 ? approval->auth_time :
			proauth2_provider_now(p), true))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the request needs a fresh login (prompt=login or "
				"max_age): auth_time is older");
	cr = (proauth2_code_request){
		.struct_size = sizeof(cr),
		.client_id = a->client_id,
		.user_id = approval->user_id,
		.redirect_uri = proauth2_authorization_param(a, "redirect_uri"),
		.scope = granted_scope != NULL ? granted_scope : a->scope,
		.code_challenge = proauth2_authorization_param(a, "code_challenge"),
		.code_challenge_method = challenge_method(
				proauth2_authorization_param(a, "code_challenge"),
				proauth2_authorization_param(a, "code_challenge_method")),
		.attributes = approval->attributes,
		.resource = proauth2_authorization_param(a, "resource"),
		.nonce = proauth2_authorization_param(a, "nonce"),
		.auth_time = approval->auth_time,
		.acr = approval->acr,
		.amr = approval->amr,
		.session_id = approval->session_id,
	};
	status = agreed_claims(a, SIZED_HAS(approval, proauth2_approval,
			claims) ? approval->claims : NULL, &userinfo_claims,
			&id_token_claims, err);
	cr.userinfo_claims = userinfo_claims;
	cr.id_token_claims = id_token_claims;
	if (status == PROAUTH2_OK)
		status = proauth2_code_issue(p, &cr, code, err);
	if (status == PROAUTH2_OK)
		a->spent = false;
	free(userinfo_claims);
	free(id_token_claims);
	return status;
}

/* ---- OpenID Connect ---- */

bool proauth2_authorization_prompts(const proauth2_authorization *a,
		const char *value)
{
	return a != NULL && value != NULL &&
		id_prompt_has(proauth2_authorization_param(a, "prompt"), value);
}

/* a's max_age, or its client's default_max_age when it names none; -1:
 * neither. */
static int64_t max_age_of(const proauth2_authorization *a)
{
	int64_t max_age = id_max_age(proauth2_authorization_param(a, "max_age"));

	return max_age < 0 && a->default_max_age > 0 ? a->default_max_age : max_age;
}

/* Whether a login at auth_time is too old for a: before the request (in
 * its very second too, unless approving: the page a host shows must not
 * take a login of that second for the fresh one asked for; the login it
 * then asks for may well happen in it), or older than max_age. */
static bool login_stale(proauth2_provider *p, const proauth2_authorization *a,
		int64_t auth_time, bool approving)
{
	int64_t max_age;

	if (p == NULL || a == NULL || !id_token_wanted(p, a->scope))
		return false;
	if (auth_time <= 0)
		return true;
	max_age = max_age_of(a);
	/* max_age=0, to the second, is prompt=login. */
	if ((proauth2_authorization_prompts(a, "login") || max_age == 0) &&
			(approving ? auth_time < a->begun_at : auth_time <= a->begun_at))
		return true;
	return max_age > 0 && proauth2_provider_now(p) - auth_time > max_age;
}

bool proauth2_authorization_login_needed(proauth2_provider *p,
		const proauth2_authorization *a, int64_t auth_time)
{
	return login_stale(p, a, auth_time, false);
}

const char *proauth2_authorization_claims(const proauth2_authorization *a)
{
	return a != NULL ? a->claims : NULL;
}

const char *proauth2_authorization_hint_subject(const proauth2_authorization *a)
{
	return a != NULL ? a->hint_subject : NULL;
}

/* ---- accessors ---- */

const char *proauth2_authorization_ticket(const proauth2_authorization *a)
{
	return a->ticket;
}

const char *proauth2_authorization_client_id(const proauth2_authorization *a)
{
	return a->client_id;
}

const char *proauth2_authorization_client_name(const proauth2_authorization *a)
{
	return a->client_name;
}

const char *proauth2_authorization_scope(const proauth2_authorization *a)
{
	return a->scope;
}

const char *proauth2_authorization_param(const proauth2_authorization *a,
		const char *name)
{
	return params_get((const char *const *)a->names,
			(const char *const *)a->values, a->n, name);
}

size_t proauth2_authorization_param_count(const proauth2_authorization *a)
{
	return a->n;
}

const char *proauth2_authorization_param_name(const proauth2_authorization *a,
		size_t i)
{
	return i < a->n ? a->names[i] : NULL;
}

void proauth2_authorization_free(proauth2_authorization *a)
{
	size_t i;

	if (a == NULL)
		return;
	proauth2_secret_free(a->ticket);
	free(a->client_id);
	free(a->client_name);
	free(a->scope);
	free(a->hint_subject);
	free(a->userinfo_claims);
	free(a->id_token_claims);
	free(a->claims);
	for (i = 0; i < a->n; i++) {
		free(a->names[i]);
		free(a->values[i]);
	}
	free(a->names);
	free(a->values);
	free(a);
}
