/* Client registration, management and authentication. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <uuid/uuid.h>

#include "crypto.h"
#include "event.h"
#include "client_document.h"
#include "internal.h"
#include "pairwise.h"
#include "redirect_uri.h"
#include "scope.h"
#include "struct_size.h"
#include "throttle_int.h"

#define ALL_GRANTS 0xfu

#define DEFAULT_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)

static const char *type_name(proauth2_client_type type)
{
	return type == PROAUTH2_CLIENT_PUBLIC ? "public" : "confidential";
}

static unsigned grants_from_record(const json_t *client)
{
	json_t *item;
	size_t i;
	unsigned grants = 0;

	json_array_foreach(json_object_get(client, "grant_types"), i, item)
		grants |= proauth2_grant_type_parse(json_string_value(item));
	return grants;
}

bool client_record_allows(const json_t *client, unsigned grant)
{
	return (grants_from_record(client) & grant) != 0;
}

static const char *const origin_names[] = {
	[PROAUTH2_REGISTERED_BY_HOST] = "host",
	[PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN] = "initial_access_token",
	[PROAUTH2_REGISTERED_ANONYMOUSLY] = "anonymous",
	[PROAUTH2_REGISTERED_BY_DOCUMENT] = "metadata_document",
};

proauth2_client_origin client_record_origin(const json_t *client)
{
	const char *name = record_string(client, "registered_by");
	size_t i;

	for (i = 0; name != NULL && i < sizeof(origin_names) / sizeof(origin_names[0]); i++)
		if (strcmp(name, origin_names[i]) == 0)
			return (proauth2_client_origin)i;
	/* Stored before the field: only dynamic registration set a token. */
	return name == NULL && record_string(client, "registration_token_hash") == NULL ?
		PROAUTH2_REGISTERED_BY_HOST : PROAUTH2_REGISTERED_ANONYMOUSLY;
}

bool client_record_pkce_optional(const json_t *client)
{
	return json_integer_value(json_object_get(client, "pkce_optional")) != 0;
}

/* Who vouches for a client of origin: the host, or the token it handed. */
static bool origin_trusted(proauth2_client_origin origin)
{
	return origin == PROAUTH2_REGISTERED_BY_HOST ||
		origin == PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN;
}

bool client_record_trusted(const json_t *client)
{
	return origin_trusted(client_record_origin(client));
}

/* What one registration may store. */
struct limits {
	size_t redirect_uris, uri_length, name_length;
};

/* The host's clients: what the schema holds. */
static const struct limits host_limits = {32, 2048, 256};

static struct limits limits_for(const proauth2_provider *p,
		proauth2_client_origin origin)
{
	struct limits l = {p->registration_max_redirect_uris,
		p->registration_max_uri_length, p->registration_max_name_length};

	return origin == PROAUTH2_REGISTERED_BY_HOST ? host_limits : l;
}

/* The longest resource identifier, as long as a host's redirect URI. */
#define RESOURCE_MAX 2048

/*
 * params as the caller compiled it, copied whole into *out with the
 * fields it lacks at their defaults. A dynamically registered client that
 * names no scope gets the provider's supported scopes (all it could ask
 * for by naming them; "" when the provider keeps no list), so that it
 * can ask for any of them rather than for nothing.
 */
static proauth2_status params_read(const proauth2_provider *p,
		const proauth2_client_params *params, proauth2_client_origin origin,
		proauth2_client_params *out, proauth2_error *err)
{
	/* Known up to sizeof: padding need not be zero in a copy (see
	 * token.c's REQUEST_CHECK). */
	proauth2_status status = sized_check(params,
			SIZED_END(proauth2_client_params, name),
			sizeof(proauth2_client_params),
			"proauth2_client_params", err);

	if (status != PROAUTH2_OK)
		return status;
	proauth2_client_params_init(out);
	out->type = params->type;
	out->redirect_uris = params->redirect_uris;
	out->n_redirect_uris = params->n_redirect_uris;
	out->grant_types = params->grant_types;
	out->scope = params->scope;
	out->name = params->name;
	if (SIZED_HAS(params, proauth2_client_params, resource))
		out->resource = params->resource;
	if (SIZED_HAS(params, proauth2_client_params, token_endpoint_auth_method))
		out->token_endpoint_auth_method = params->token_endpoint_auth_method;
	if (SIZED_HAS(params, proauth2_client_params, client_id))
		out->client_id = params->client_id;
	if (SIZED_HAS(params, proauth2_client_params, pkce_optional))
		out->pkce_optional = params->pkce_optional;
	if (SIZED_HAS(params, proauth2_client_params, id_token_signed_response_alg))
		out->id_token_signed_response_alg = params->id_token_signed_response_alg;
	if (SIZED_HAS(params, proauth2_client_params,
			backchannel_logout_session_required)) {
		out->post_logout_redirect_uris = params->post_logout_redirect_uris;
		out->n_post_logout_redirect_uris = params->n_post_logout_redirect_uris;
		out->backchannel_logout_uri = params->backchannel_logout_uri;
		out->default_max_age = params->default_max_age;
		out->backchannel_logout_session_required =
			params->backchannel_logout_session_required;
	}
	if (SIZED_HAS(params, proauth2_client_params, sector_identifier_uri)) {
		out->pairwise_subject = params->pairwise_subject;
		out->sector_identifier_uri = params->sector_identifier_uri;
	}
	if (out->scope == NULL && origin != PROAUTH2_REGISTERED_BY_HOST)
		out->scope = p->supported_scopes;
	return PROAUTH2_OK;
}

/* The password grant hands the client a user's password (RFC 6749 §4.3.2):
 * only for a client the host vouches for, on a provider that enables it;
 * registered dynamically, only a confidential one (a public client's
 * password grant would authenticate no client at all). */
static proauth2_status check_password_grant(const proauth2_provider *p,
		unsigned grants, const proauth2_client_params *params,
		proauth2_client_origin origin, proauth2_error *err)
{
	if (!(grants & PROAUTH2_GRANT_PASSWORD) || origin == PROAUTH2_REGISTERED_BY_HOST)
		return PROAUTH2_OK;
	if (params->type == PROAUTH2_CLIENT_PUBLIC)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"the password grant is registered only for a "
				"confidential client");
	if (!p->enable_password_grant)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"this provider does not enable the password grant");
	if (origin == PROAUTH2_REGISTERED_ANONYMOUSLY)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"the password grant is registered only with the initial "
				"access token");
	return PROAUTH2_OK;
}

/* A chosen client_id: RFC 3986 unreserved characters only, so that it is
 * the same in a form, a path, Basic credentials (no ':'), a header and a
 * log line, with nothing to escape or inject. */
static proauth2_status check_client_id(const char *id, proauth2_error *err)
{
	static const char extra[] = "-._~";
	size_t n;

	for (n = 0; id[n] != '\0' && n <= PROAUTH2_CLIENT_ID_MAX_LENGTH; n++)
		if (!((id[n] >= 'a' && id[n] <= 'z') || (id[n] >= 'A' && id[n] <= 'Z') ||
				(id[n] >= '0' && id[n] <= '9') || strchr(extra, id[n]) != NULL))
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"client_id may hold only A-Z a-z 0-9 - . _ ~");
	if (n == 0 || n > PROAUTH2_CLIENT_ID_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id must be 1 to %d bytes", PROAUTH2_CLIENT_ID_MAX_LENGTH);
	return PROAUTH2_OK;
}

/* Whether a registration of origin may choose its client_id. */
static proauth2_status check_chosen_id(const proauth2_provider *p,
		const char *id, proauth2_client_origin origin, proauth2_error *err)
{
	proauth2_registration_client_ids allowed = p->registration_client_ids;

	if (id == NULL)
		return PROAUTH2_OK;
	if (origin == PROAUTH2_REGISTERED_ANONYMOUSLY ?
			allowed != PROAUTH2_REGISTRATION_CLIENT_IDS_ANYONE :
			origin == PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN &&
			allowed == PROAUTH2_REGISTRATION_CLIENT_IDS_NEVER)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"this provider assigns client_id itself");
	return check_client_id(id, err);
}

/* The client's type allows its auth method; a resource is well formed. */
static proauth2_status check_auth_and_resource(const proauth2_client_params *params,
		proauth2_error *err)
{
	proauth2_auth_method m = params->token_endpoint_auth_method;
	const char *why;

	if (m != PROAUTH2_AUTH_METHOD_ANY && proauth2_auth_method_name(m) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"unknown token_endpoint_auth_method");
	if ((m == PROAUTH2_AUTH_METHOD_NONE) != (params->type == PROAUTH2_CLIENT_PUBLIC) &&
			m != PROAUTH2_AUTH_METHOD_ANY)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				params->type == PROAUTH2_CLIENT_PUBLIC ?
				"a public client authenticates with none" :
				"a confidential client authenticates with its secret");
	if (params->resource == NULL)
		return PROAUTH2_OK;
	/* Introspection must authenticate its caller (RFC 7662 §2.1). */
	if (params->type == PROAUTH2_CLIENT_PUBLIC)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"a resource server is a confidential client");
	if (strlen(params->resource) > RESOURCE_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"resource is longer than %d bytes", RESOURCE_MAX);
	why = resource_uri_refusal(params->resource);
	if (why != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"resource %s", why);
	return PROAUTH2_OK;
}

/* An id_token alg the provider signs with (a word of its list). */
static proauth2_status check_id_token_alg(const proauth2_provider *p,
		const char *alg, proauth2_error *err)
{
	const char *algs = proauth2_provider_id_token_algs(p);

	if (alg == NULL)
		return PROAUTH2_OK;
	if (algs == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"id_token_signed_response_alg needs an OpenID Provider "
				"(config.openid)");
	if (alg[0] == '\0' || strchr(alg, ' ') != NULL ||
			!scope_has_token(algs, alg, strlen(alg)))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"id_token_signed_response_alg must be one of %s", algs);
	return PROAUTH2_OK;
}

/* n URIs of what kind, each one redirect_uri_refusal() takes, within limits. */
static proauth2_status check_uris(const proauth2_provider *p,
		const char *const *uris, size_t n, const struct limits *limits,
		const char *what, proauth2_error *err)
{
	const char *why;
	size_t i;

	if (n > 0 && uris == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the %ss are NULL", what);
	if (n > limits->redirect_uris)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REDIRECT_URI,
				"at most %zu of each kind of redirect URI",
				limits->redirect_uris);
	for (i = 0; i < n; i++) {
		if (uris[i] == NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REDIRECT_URI,
					"%s %zu is NULL", what, i);
		if (strlen(uris[i]) > limits->uri_length)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REDIRECT_URI,
					"%s %zu is longer than %zu bytes", what, i,
					limits->uri_length);
		why = redirect_uri_refusal(uris[i], p->allow_http_redirect_uris);
		if (why != NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REDIRECT_URI,
					"%s %zu %s", what, i, why);
	}
	return PROAUTH2_OK;
}

/* The longest default_max_age: what id_max_age() reads. */
#define DEFAULT_MAX_AGE_MAX 999999999

/* OpenID Connect's client metadata, only for an OpenID Provider: logout's
 * (RP-Initiated, Back-Channel) and default_max_age. */
static proauth2_status check_openid_params(const proauth2_provider *p,
		const proauth2_client_params *params, proauth2_error *err)
{
	const char *uri = params->backchannel_logout_uri, *why;

	if (!p->openid && (params->n_post_logout_redirect_uris > 0 || uri != NULL ||
			params->default_max_age != 0 ||
			params->backchannel_logout_session_required))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"post_logout_redirect_uris, backchannel_logout_uri and "
				"default_max_age need an OpenID Provider (config.openid)");
	if (params->default_max_age < 0 ||
			params->default_max_age > DEFAULT_MAX_AGE_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"default_max_age must be 0 to %d seconds",
				DEFAULT_MAX_AGE_MAX);
	if (params->backchannel_logout_session_required && uri == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"backchannel_logout_session_required needs a "
				"backchannel_logout_uri");
	if (uri == NULL)
		return PROAUTH2_OK;
	if (strlen(uri) > RESOURCE_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"backchannel_logout_uri is longer than %d bytes", RESOURCE_MAX);
	why = resource_uri_refusal(uri);
	if (why != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"backchannel_logout_uri %s", why);
	return PROAUTH2_OK;
}

/* params as params_read() gave them, for a client of origin. */
static proauth2_status check_params(const proauth2_provider *p,
		const proauth2_client_params *params, proauth2_client_origin origin,
		proauth2_error *err)
{
	struct limits limits = limits_for(p, origin);
	unsigned grants = params->grant_types ? params->grant_types : DEFAULT_GRANTS;
	const char *scope = params->scope ? params->scope : "";
	proauth2_status status = check_auth_and_resource(params, err);

	if (status == PROAUTH2_OK)
		status = check_id_token_alg(p, params->id_token_signed_response_alg, err);
	if (status == PROAUTH2_OK)
		status = check_openid_params(p, params, err);

	if (status == PROAUTH2_OK)
		status = check_password_grant(p, grants, params, origin, err);
	if (status != PROAUTH2_OK)
		return status;

	if (params->type != PROAUTH2_CLIENT_CONFIDENTIAL &&
			params->type != PROAUTH2_CLIENT_PUBLIC)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"unknown client type");
	if (grants & ~ALL_GRANTS)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"unknown grant type bits 0x%x", grants & ~ALL_GRANTS);
	if (params->type == PROAUTH2_CLIENT_PUBLIC &&
			(grants & PROAUTH2_GRANT_CLIENT_CREDENTIALS))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"a public client cannot use client_credentials");
	if ((grants & PROAUTH2_GRANT_AUTHORIZATION_CODE) && params->n_redirect_uris == 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REDIRECT_URI,
				"authorization_code needs a redirect URI");
	status = check_uris(p, params->redirect_uris, params->n_redirect_uris,
			&limits, "redirect URI", err);
	if (status == PROAUTH2_OK)
		status = check_uris(p, params->post_logout_redirect_uris,
				params->n_post_logout_redirect_uris, &limits,
				"post_logout_redirect_uri", err);
	if (status != PROAUTH2_OK)
		return status;
	if (strlen(scope) > PROAUTH2_FIELD_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope is longer than %d bytes", PROAUTH2_FIELD_MAX_LENGTH);
	if (scope[0] != '\0' && !scope_is_valid(scope))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope is malformed");
	if (p->supported_scopes != NULL && !scope_is_subset(scope, p->supported_scopes))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope names a scope this provider does not support");
	if (params->name != NULL && strlen(params->name) > limits.name_length)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"name is longer than %zu bytes", limits.name_length);
	return PROAUTH2_OK;
}

/* n strings as a JSON array; NULL when memory ran out. */
static json_t *string_array(const char *const *items, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n && a != NULL; i++)
		if (json_array_append_new(a, json_string(items[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/* A new NULL-ended copy of the strings of JSON array a, their count in *n. */
static char **strings_of(const json_t *a, size_t *n, bool *ok)
{
	char **out = calloc(json_array_size(a) + 1, sizeof(char *));
	json_t *item;
	size_t i;

	*n = 0;
	if (out == NULL) {
		*ok = false;
		return NULL;
	}
	json_array_foreach(a, i, item)
		out[(*n)++] = dup_or_null(json_string_value(item), ok);
	return out;
}

/* The record for params, its pairwise sector (pairwise.h) sector; the
 * other fields come from the caller. */
static json_t *client_record(const char *client_id, const char *secret_hash,
		const proauth2_client_params *params, const char *sector,
		int64_t created_at, const char *registration_token_hash,
		proauth2_client_origin origin)
{
	unsigned grants = params->grant_types ? params->grant_types : DEFAULT_GRANTS;
	json_t *uris = string_array(params->redirect_uris, params->n_redirect_uris),
		*grant_list = json_array(), *logout_uris = NULL;
	unsigned bit;

	if (params->n_post_logout_redirect_uris > 0 && (logout_uris = string_array(
			params->post_logout_redirect_uris,
			params->n_post_logout_redirect_uris)) == NULL) {
		json_decref(uris);
		uris = NULL;
	}
	for (bit = 1; bit & ALL_GRANTS && grant_list != NULL; bit <<= 1)
		if ((grants & bit) && json_array_append_new(grant_list,
				json_string(proauth2_grant_type_name(bit))) != 0)
			json_decref(grant_list), grant_list = NULL;
	if (uris == NULL || grant_list == NULL) {
		json_decref(uris);
		json_decref(grant_list);
		json_decref(logout_uris);
		return NULL;
	}
	/* json_pack steals the o arguments even when it fails. */
	return json_pack("{s:s, s:s*, s:s, s:o, s:o, s:s, s:s*, s:I, s:s*, s:s,"
			" s:s*, s:s*, s:o*, s:s*, s:o*, s:s*, s:o*, s:o*, s:s*, s:s*}",
			"client_id", client_id,
			"secret_hash", secret_hash,
			"client_type", type_name(params->type),
			"redirect_uris", uris,
			"grant_types", grant_list,
			"scope", params->scope ? params->scope : "",
			"name", params->name,
			"created_at", (json_int_t)created_at,
			"registration_token_hash", registration_token_hash,
			"registered_by", origin_names[origin],
			"resource", params->resource,
			"token_endpoint_auth_method",
				proauth2_auth_method_name(params->token_endpoint_auth_method),
			/* Absent unless set: the record of every other client as
			 * before. */
			"pkce_optional", params->pkce_optional ? json_integer(1) : NULL,
			"id_token_signed_response_alg",
				params->id_token_signed_response_alg,
			"post_logout_redirect_uris", logout_uris,
			"backchannel_logout_uri", params->backchannel_logout_uri,
			"backchannel_logout_session_required",
				params->backchannel_logout_session_required ?
				json_integer(1) : NULL,
			"default_max_age", params->default_max_age > 0 ?
				json_integer(params->default_max_age) : NULL,
			"subject_sector", sector,
			"sector_identifier_uri", sector != NULL ?
				params->sector_identifier_uri : NULL);
}

proauth2_status client_document_record(const proauth2_provider *p,
		const char *url, const proauth2_client_params *params,
		json_t **record, proauth2_error *err)
{
	proauth2_client_origin origin = PROAUTH2_REGISTERED_BY_DOCUMENT;
	proauth2_client_params given;
	proauth2_status status = params_read(p, params, origin, &given, err);

	char *sector = NULL;

	*record = NULL;
	if (status == PROAUTH2_OK)
		status = check_params(p, &given, origin, err);
	if (status == PROAUTH2_OK)
		status = pairwise_sector(p, &given, &sector, err);
	/* The document may change at any fetch; its URL cannot: the sector
	 * is its host, or the subs would move with the document. */
	if (status == PROAUTH2_OK && sector != NULL &&
			!pairwise_sector_of(sector, url))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"pairwise subjects: a client document's sector must be "
				"its client_id's host");
	if (status != PROAUTH2_OK) {
		free(sector);
		return status;
	}
	*record = client_record(url, NULL, &given, sector,
			proauth2_provider_now(p), NULL, origin);
	free(sector);
	return *record != NULL ? PROAUTH2_OK : NO_MEMORY(err);
}

/* A proauth2_client from a stored record (and a secret in clear or NULL). */
static proauth2_status client_from_record(const json_t *record,
		const char *secret, proauth2_client **out, proauth2_error *err)
{
	json_t *uris = json_object_get(record, "redirect_uris");
	proauth2_client *c = calloc(1, sizeof(*c));
	bool ok = c != NULL;

	*out = NULL;
	if (c == NULL)
		return NO_MEMORY(err);
	c->client_id = dup_or_null(record_string(record, "client_id"), &ok);
	c->client_secret = dup_or_null(secret, &ok);
	c->type = strcmp(record_string(record, "client_type"), "public") == 0 ?
		PROAUTH2_CLIENT_PUBLIC : PROAUTH2_CLIENT_CONFIDENTIAL;
	c->grant_types = grants_from_record(record);
	c->scope = dup_or_null(record_string(record, "scope"), &ok);
	c->name = dup_or_null(record_string(record, "name"), &ok);
	c->created_at = json_integer_value(json_object_get(record, "created_at"));
	c->registered_by = client_record_origin(record);
	c->resource = dup_or_null(record_string(record, "resource"), &ok);
	c->token_endpoint_auth_method = proauth2_auth_method_parse(
			record_string(record, "token_endpoint_auth_method"));
	c->pkce_optional = client_record_pkce_optional(record);
	c->id_token_signed_response_alg = dup_or_null(record_string(record,
			"id_token_signed_response_alg"), &ok);
	c->redirect_uris = strings_of(uris, &c->n_redirect_uris, &ok);
	c->post_logout_redirect_uris = strings_of(json_object_get(record,
			"post_logout_redirect_uris"), &c->n_post_logout_redirect_uris, &ok);
	c->backchannel_logout_uri = dup_or_null(record_string(record,
			"backchannel_logout_uri"), &ok);
	c->backchannel_logout_session_required = json_integer_value(json_object_get(
			record, "backchannel_logout_session_required")) == 1;
	c->default_max_age = json_integer_value(json_object_get(record,
			"default_max_age"));
	c->pairwise_subject = record_string(record, "subject_sector") != NULL;
	c->sector_identifier_uri = dup_or_null(record_string(record,
			"sector_identifier_uri"), &ok);
	if (!ok) {
		proauth2_client_free(c);
		return NO_MEMORY(err);
	}
	*out = c;
	return PROAUTH2_OK;
}

/* A new secret and its hash, for a confidential client. */
static proauth2_status new_secret(char **secret, char hash[HASH_SIZE],
		proauth2_error *err)
{
	proauth2_status status = proauth2_secret_new(secret, err);

	if (status == PROAUTH2_OK)
		status = sha256_base64url(*secret, hash, err);
	if (status != PROAUTH2_OK) {
		proauth2_secret_free(*secret);
		*secret = NULL;
	}
	return status;
}

proauth2_status proauth2_client_register(proauth2_provider *p,
		const proauth2_client_params *params, proauth2_client **out,
		proauth2_error *err)
{
	if (out == NULL || p == NULL || params == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, params and out are required");
	return client_register_with(p, params, PROAUTH2_REGISTERED_BY_HOST, NULL,
			out, err);
}

proauth2_status client_register_with(proauth2_provider *p,
		const proauth2_client_params *params, proauth2_client_origin origin,
		const char *registration_token_hash, proauth2_client **out,
		proauth2_error *err)
{
	char client_id[37], hash[HASH_SIZE];
	char *secret = NULL, *sector = NULL;
	uuid_t uuid;
	json_t *record;
	proauth2_client_params given;
	proauth2_status status;

	*out = NULL;
	status = params_read(p, params, origin, &given, err);
	if (status == PROAUTH2_OK && given.resource != NULL &&
			origin != PROAUTH2_REGISTERED_BY_HOST)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"only the host makes a client a resource server");
	if (status == PROAUTH2_OK)
		status = check_chosen_id(p, given.client_id, origin, err);
	if (status == PROAUTH2_OK && given.pkce_optional &&
			origin != PROAUTH2_REGISTERED_BY_HOST)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"only the host lets a client go without PKCE");
	params = &given;
	if (status == PROAUTH2_OK)
		status = check_params(p, params, origin, err);
	/* Only a valid registration counts against the limit; the sector's
	 * fetch comes after, so that anyone's fetches are held to it too. */
	if (status == PROAUTH2_OK && origin == PROAUTH2_REGISTERED_ANONYMOUSLY)
		status = registration_take_anonymous_slot(p, err);
	if (status == PROAUTH2_OK)
		status = pairwise_sector(p, params, &sector, err);
	if (status == PROAUTH2_OK && params->type == PROAUTH2_CLIENT_CONFIDENTIAL)
		status = new_secret(&secret, hash, err);
	if (status != PROAUTH2_OK) {
		free(sector);
		return status;
	}
	uuid_random(uuid);
	uuid_unparse_lower(uuid, client_id);
	record = client_record(params->client_id ? params->client_id : client_id,
			secret ? hash : NULL, params, sector, proauth2_provider_now(p),
			registration_token_hash, origin);
	free(sector);
	if (record == NULL) {
		proauth2_secret_free(secret);
		return NO_MEMORY(err);
	}
	status = report_datastore(p, proauth2_datastore_store(p->datastore,
			TABLE_CLIENTS, record, err), err);
	/* The insert refuses a taken key atomically: no check-then-store. */
	if (status == PROAUTH2_ERR_CONFLICT)
		status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"client_id '%s' is taken", record_string(record, "client_id"));
	if (status == PROAUTH2_OK)
		status = client_from_record(record, secret, out, err);
	json_decref(record);
	proauth2_secret_free(secret);
	return status;
}

proauth2_status proauth2_client_get(proauth2_provider *p, const char *client_id,
		proauth2_client **out, proauth2_error *err)
{
	json_t *record;
	proauth2_status status;

	if (out == NULL || p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, client_id and out are required");
	*out = NULL;
	status = client_lookup(p, client_id, &record, err);
	if (status != PROAUTH2_OK)
		return status;
	status = client_from_record(record, NULL, out, err);
	json_decref(record);
	return status;
}

/* Whether two sectors (NULL: public subjects) are one. */
static bool same_sector(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Store a changed copy of client_id's record: new params and/or secret. */
static proauth2_status client_rewrite(proauth2_provider *p, const char *client_id,
		const proauth2_client_params *params, bool rotate_secret,
		proauth2_client **out, proauth2_error *err)
{
	proauth2_client *old = NULL;
	proauth2_client_params kept, given;
	json_t *stored = NULL, *record = NULL;
	char hash[HASH_SIZE];
	char *secret = NULL, *sector = NULL;
	const char *secret_hash, *sector_kept = NULL;
	proauth2_status status;

	status = fetch_one(p, TABLE_CLIENTS, "client_id", client_id, &stored, err);
	if (status == PROAUTH2_OK)
		status = client_from_record(stored, NULL, &old, err);
	if (status != PROAUTH2_OK)
		goto done;
	if (params == NULL) {
		/* Unchanged: a client registered under older rules keeps its
		 * URIs when its secret is rotated. */
		kept = (proauth2_client_params){
			.struct_size = sizeof(kept),
			.type = old->type,
			.redirect_uris = (const char *const *)old->redirect_uris,
			.n_redirect_uris = old->n_redirect_uris,
			.grant_types = old->grant_types,
			.scope = old->scope,
			.name = old->name,
			.token_endpoint_auth_method = old->token_endpoint_auth_method,
			.resource = old->resource,
			.pkce_optional = old->pkce_optional,
			.id_token_signed_response_alg = old->id_token_signed_response_alg,
			.post_logout_redirect_uris =
				(const char *const *)old->post_logout_redirect_uris,
			.n_post_logout_redirect_uris = old->n_post_logout_redirect_uris,
			.backchannel_logout_uri = old->backchannel_logout_uri,
			.default_max_age = old->default_max_age,
			.backchannel_logout_session_required =
				old->backchannel_logout_session_required,
			.pairwise_subject = old->pairwise_subject,
			.sector_identifier_uri = old->sector_identifier_uri,
		};
		params = &kept;
	} else {
		status = params_read(p, params, old->registered_by, &given, err);
		if (status == PROAUTH2_OK && given.type != old->type)
			status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"a client's type cannot change");
		params = &given;
		if (status == PROAUTH2_OK)
			status = check_params(p, params, old->registered_by, err);
		if (status != PROAUTH2_OK)
			goto done;
	}
	secret_hash = record_string(stored, "secret_hash");
	if (rotate_secret) {
		if (old->type != PROAUTH2_CLIENT_CONFIDENTIAL) {
			status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"a public client has no secret");
			goto done;
		}
		status = new_secret(&secret, hash, err);
		if (status != PROAUTH2_OK)
			goto done;
		secret_hash = hash;
	}
	/* The sector kept when its rules did not change: a sub never moves
	 * under a client's users (and no fetch for a rotated secret). */
	sector_kept = record_string(stored, "subject_sector");
	if (params != &kept)
		status = pairwise_sector(p, params, &sector, err);
	if (status == PROAUTH2_OK && params != &kept && !same_sector(sector,
			sector_kept))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"a client's subject type and sector cannot change: its "
				"users' subs would");
	if (status != PROAUTH2_OK)
		goto done;
	record = client_record(client_id, secret_hash, params,
			sector != NULL ? sector : sector_kept, old->created_at,
			record_string(stored, "registration_token_hash"), old->registered_by);
	if (record == NULL) {
		status = NO_MEMORY(err);
		goto done;
	}
	status = report_datastore(p, proauth2_datastore_replace(p->datastore,
			TABLE_CLIENTS, record, err), err);
	client_cache_forget(p, client_id);
	if (status == PROAUTH2_OK && out != NULL)
		status = client_from_record(record, secret, out, err);
done:
	free(sector);
	proauth2_secret_free(secret);
	proauth2_client_free(old);
	json_decref(stored);
	json_decref(record);
	return status;
}

proauth2_status proauth2_client_update(proauth2_provider *p, const char *client_id,
		const proauth2_client_params *params, proauth2_client **out,
		proauth2_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (p == NULL || client_id == NULL || params == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, client_id and params are required");
	return client_rewrite(p, client_id, params, false, out, err);
}

proauth2_status proauth2_client_rotate_secret(proauth2_provider *p,
		const char *client_id, proauth2_client **out, proauth2_error *err)
{
	if (out == NULL || p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, client_id and out are required");
	*out = NULL;
	return client_rewrite(p, client_id, NULL, true, out, err);
}

/* Remove what was issued to client_id; *removed adds how much. */
static proauth2_status remove_issued(proauth2_provider *p, const char *client_id,
		size_t *removed, proauth2_error *err)
{
	static const char *const issued[] = {
		TABLE_CODES, TABLE_ACCESS_TOKENS, TABLE_REFRESH_TOKENS,
	};
	proauth2_status status = PROAUTH2_OK;
	size_t count, i;

	for (i = 0; i < sizeof(issued) / sizeof(issued[0]) &&
			status == PROAUTH2_OK; i++) {
		count = 0;
		status = remove_where(p, issued[i],
				json_pack("{s:s}", "client_id", client_id), &count, err);
		*removed += count;
	}
	return status;
}

proauth2_status proauth2_client_delete(proauth2_provider *p, const char *client_id,
		proauth2_error *err)
{
	size_t removed = 0, clients = 0;
	proauth2_status status;

	if (p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and client_id are required");
	/* What it was issued first, the client last: a delete that fails
	 * midway leaves the client, so that its retry finds it and finishes.
	 * Then once more, for a token stored meanwhile by a request that had
	 * authenticated the client before it went. */
	status = remove_issued(p, client_id, &removed, err);
	if (status == PROAUTH2_OK)
		status = remove_where(p, TABLE_CLIENTS,
				json_pack("{s:s}", "client_id", client_id), &clients, err);
	client_cache_forget(p, client_id);
	if (status == PROAUTH2_OK)
		status = remove_issued(p, client_id, &removed, err);
	if (status == PROAUTH2_OK && clients == 0 && removed == 0)
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"no such client");
	return status;
}

/* Whether a client of record may authenticate by used (ANY: not said). A
 * stored method this library does not know allows nothing. */
static bool method_allowed(const json_t *record, proauth2_auth_method used)
{
	const char *name = record_string(record, "token_endpoint_auth_method");
	proauth2_auth_method registered = proauth2_auth_method_parse(name);

	if (name != NULL && registered == PROAUTH2_AUTH_METHOD_ANY)
		return false;
	return used == PROAUTH2_AUTH_METHOD_ANY ||
		registered == PROAUTH2_AUTH_METHOD_ANY || registered == used;
}

/* The secret is client_id's (or both are none), and came as it must. */
static proauth2_status authenticate_record(proauth2_provider *p,
		const char *client_id, const char *client_secret,
		proauth2_auth_method method, json_t **record, proauth2_error *err)
{
	char hash[HASH_SIZE];
	const char *stored_hash;
	proauth2_status status;
	bool ok = false;

	*record = NULL;
	if (client_id == NULL || client_id[0] == '\0' ||
			strlen(client_id) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"client authentication failed");
	status = client_lookup(p, client_id, record, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"client authentication failed");
	if (status != PROAUTH2_OK)
		return status;
	stored_hash = record_string(*record, "secret_hash");
	if (stored_hash == NULL && client_secret == NULL)
		ok = true;  /* a public client */
	if (stored_hash != NULL && client_secret != NULL &&
			strlen(client_secret) <= PRESENTED_SECRET_MAX) {
		status = sha256_base64url(client_secret, hash, err);
		if (status != PROAUTH2_OK) {
			json_decref(*record);
			*record = NULL;
			return status;
		}
		ok = proauth2_secret_equal(hash, stored_hash);
	}
	/* The right secret by the wrong way is no authentication (RFC 7591
	 * §2): the one check every endpoint's authentication passes. */
	if (ok && method_allowed(*record, method))
		return PROAUTH2_OK;
	json_decref(*record);
	*record = NULL;
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
			"client authentication failed");
}

/* authenticate_record behind the throttle, when a secret is presented (a
 * public client's request guesses nothing). Unknown clients are counted
 * like known ones. */
static proauth2_status throttled_authenticate(proauth2_provider *p,
		const char *client_id, const char *client_secret,
		proauth2_auth_method method, json_t **record, proauth2_error *err)
{
	char subject[THROTTLE_SUBJECT_SIZE];
	int64_t retry_after;
	bool found;
	proauth2_status status, recorded;

	*record = NULL;
	if (client_secret == NULL || client_id == NULL ||
			throttle_subject(subject, sizeof(subject), "client", client_id,
				NULL) != PROAUTH2_OK)
		return authenticate_record(p, client_id, client_secret, method,
				record, err);
	status = throttle_check_found(p, subject, &retry_after, &found, err);
	if (status != PROAUTH2_OK)
		return status;
	if (retry_after > 0)
		return throttle_refused(retry_after, PROAUTH2_ERR_INVALID_CLIENT, err);
	status = authenticate_record(p, client_id, client_secret, method, record, err);
	if (status != PROAUTH2_OK && status != PROAUTH2_ERR_INVALID_CLIENT)
		return status;
	recorded = throttle_record_found(p, subject, status == PROAUTH2_OK, found,
			status == PROAUTH2_OK ? err : NULL);
	if (status == PROAUTH2_OK && recorded != PROAUTH2_OK) {
		json_decref(*record);
		*record = NULL;
		return recorded;
	}
	return status;
}

proauth2_status client_authenticate_record(proauth2_provider *p,
		const char *client_id, const char *client_secret,
		proauth2_auth_method method, json_t **record, proauth2_error *err)
{
	proauth2_status status;

	/* RFC 6749 §2.3.1 lets a client whose secret is empty leave it out:
	 * an empty secret, however it came, is client_id alone (none). No
	 * confidential client has one, so it never authenticates one. */
	if (client_secret != NULL && client_secret[0] == '\0') {
		client_secret = NULL;
		if (method != PROAUTH2_AUTH_METHOD_ANY)
			method = PROAUTH2_AUTH_METHOD_NONE;
	}
	status = throttled_authenticate(p, client_id, client_secret, method,
			record, err);

	if (status == PROAUTH2_ERR_INVALID_CLIENT)
		report_auth_failed(p, client_id,
				client_secret != NULL ? "client_secret" : "none");
	return status;
}

proauth2_status proauth2_client_authenticate(proauth2_provider *p,
		const char *client_id, const char *client_secret,
		proauth2_client **out, proauth2_error *err)
{
	return proauth2_client_authenticate_method(p, client_id, client_secret,
			PROAUTH2_AUTH_METHOD_ANY, out, err);
}

proauth2_status proauth2_client_authenticate_method(proauth2_provider *p,
		const char *client_id, const char *client_secret,
		proauth2_auth_method method, proauth2_client **out, proauth2_error *err)
{
	json_t *record;
	proauth2_status status;

	if (out != NULL)
		*out = NULL;
	if (p == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider is required");
	status = client_authenticate_record(p, client_id, client_secret, method,
			&record, err);
	if (status == PROAUTH2_OK && out != NULL)
		status = client_from_record(record, NULL, out, err);
	json_decref(record);
	return status;
}

bool proauth2_client_trusted_for_error_redirects(proauth2_provider *p,
		const proauth2_client *c)
{
	if (p == NULL || c == NULL || p->error_redirects == PROAUTH2_ERROR_REDIRECTS_NEVER)
		return false;
	if (p->error_redirects == PROAUTH2_ERROR_REDIRECTS_ALWAYS)
		return true;
	/* Anyone may register anonymously, so such a client is anyone's
	 * redirect target; the host vouches for the clients it registers
	 * and for those it gave an initial access token. */
	return proauth2_client_is_trusted(c);
}

const char *proauth2_client_redirect_target(const proauth2_client *c,
		const char *uri)
{
	size_t i;

	if (c == NULL)
		return NULL;
	if (uri == NULL)  /* only a single registered URI is implied */
		return c->n_redirect_uris == 1 ? c->redirect_uris[0] : NULL;
	for (i = 0; i < c->n_redirect_uris; i++)
		if (redirect_uri_matches(c->redirect_uris[i], uri))
			return uri;
	return NULL;
}

proauth2_client_origin proauth2_client_registered_by(const proauth2_client *c)
{
	return c != NULL ? c->registered_by : PROAUTH2_REGISTERED_ANONYMOUSLY;
}

bool proauth2_client_is_trusted(const proauth2_client *c)
{
	return origin_trusted(proauth2_client_registered_by(c));
}

void proauth2_client_free(proauth2_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->client_id);
	proauth2_secret_free(c->client_secret);
	for (i = 0; i < c->n_redirect_uris; i++)
		free(c->redirect_uris[i]);
	free(c->redirect_uris);
	for (i = 0; i < c->n_post_logout_redirect_uris; i++)
		free(c->post_logout_redirect_uris[i]);
	free(c->post_logout_redirect_uris);
	free(c->backchannel_logout_uri);
	free(c->sector_identifier_uri);
	free(c->scope);
	free(c->name);
	free(c->resource);
	free(c->id_token_signed_response_alg);
	free(c);
}
