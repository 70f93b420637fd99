/* Provider configuration and lifetime. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client_document.h"
#include "endpoint_url.h"
#include "event.h"
#include "internal.h"
#include "jwt.h"
#include "key_set.h"
#include "record_cache.h"
#include "resources.h"
#include "scope.h"
#include "struct_size.h"
#include "throttle_int.h"

/* Dynamic registration: what one anonymous party may store. */
#define AUTHORIZATION_LIFETIME 300
#define MAX_AUTHORIZATIONS 10000
#define MAX_AUTHORIZATIONS_PER_CLIENT 1000
#define DEFAULT_MAX_METADATA 16384
#define DEFAULT_MAX_REDIRECT_URIS 10
#define DEFAULT_MAX_URI_LENGTH 2048
#define DEFAULT_MAX_NAME_LENGTH 256
#define DEFAULT_ANONYMOUS_MAX 100
#define DEFAULT_ANONYMOUS_WINDOW 3600
/* Beyond these the schema (or the slot table) is no bound at all. */
#define MOST_REDIRECT_URIS 64
#define MOST_ANONYMOUS 100000

#define DEFAULT_JWT_LIFETIME 300
#define DEFAULT_ROTATION_PERIOD (30 * 86400)
#define DEFAULT_PROPAGATION_PERIOD 86400
#define DEFAULT_KEY_CACHE_LIFETIME 60
#define DEFAULT_DOCUMENT_CACHE_MAX 3600
#define DEFAULT_ID_TOKEN_LIFETIME 3600
#define DEFAULT_CONSENT_LIFETIME (90 * 86400)

void proauth2_config_init_sized(proauth2_config *cfg, size_t struct_size)
{
	sized_init(cfg, struct_size);
	if (cfg == NULL || !SIZED_HAS(cfg, proauth2_config, refresh_token_lifetime))
		return;
	cfg->code_lifetime = 60;
	cfg->access_token_lifetime = 3600;
	cfg->refresh_token_lifetime = 30 * 24 * 3600;
	if (SIZED_HAS(cfg, proauth2_config, auth_lockout_max)) {
		cfg->auth_failure_limit = AUTH_FAILURE_LIMIT;
		cfg->auth_failure_window = AUTH_FAILURE_WINDOW;
		cfg->auth_lockout_max = AUTH_LOCKOUT_MAX;
	}
	if (SIZED_HAS(cfg, proauth2_config, allow_http_redirect_uris)) {
		cfg->registration_max_metadata = DEFAULT_MAX_METADATA;
		cfg->registration_max_redirect_uris = DEFAULT_MAX_REDIRECT_URIS;
		cfg->registration_max_uri_length = DEFAULT_MAX_URI_LENGTH;
		cfg->registration_max_name_length = DEFAULT_MAX_NAME_LENGTH;
		cfg->registration_anonymous_max = DEFAULT_ANONYMOUS_MAX;
		cfg->registration_anonymous_window = DEFAULT_ANONYMOUS_WINDOW;
	}
	if (SIZED_HAS(cfg, proauth2_config, max_authorizations_per_client)) {
		cfg->authorization_lifetime = AUTHORIZATION_LIFETIME;
		cfg->max_authorizations = MAX_AUTHORIZATIONS;
		cfg->max_authorizations_per_client = MAX_AUTHORIZATIONS_PER_CLIENT;
	}
	if (SIZED_HAS(cfg, proauth2_config, jwt_revocation_check)) {
		cfg->jwt_access_token_lifetime = DEFAULT_JWT_LIFETIME;
		cfg->key_rotation_period = DEFAULT_ROTATION_PERIOD;
		cfg->key_propagation_period = DEFAULT_PROPAGATION_PERIOD;
		cfg->key_cache_lifetime = DEFAULT_KEY_CACHE_LIFETIME;
	}
	if (SIZED_HAS(cfg, proauth2_config, client_document_cache_max))
		cfg->client_document_cache_max = DEFAULT_DOCUMENT_CACHE_MAX;
	if (SIZED_HAS(cfg, proauth2_config, consent_lifetime)) {
		cfg->id_token_lifetime = DEFAULT_ID_TOKEN_LIFETIME;
		cfg->consent_lifetime = DEFAULT_CONSENT_LIFETIME;
	}
}

static int64_t system_clock(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

/* cfg's endpoint URLs by proauth2_endpoint (NULL where it has none, as
 * its caller compiled it), and its endpoint_base. */
static const char *given_urls(const proauth2_config *cfg,
		const char *given[PROAUTH2_ENDPOINT_METADATA])
{
	memset(given, 0, PROAUTH2_ENDPOINT_METADATA * sizeof(given[0]));
	if (!SIZED_HAS(cfg, proauth2_config, registration_endpoint))
		return NULL;
	given[PROAUTH2_ENDPOINT_AUTHORIZATION] = cfg->authorization_endpoint;
	given[PROAUTH2_ENDPOINT_TOKEN] = cfg->token_endpoint;
	given[PROAUTH2_ENDPOINT_REVOCATION] = cfg->revocation_endpoint;
	given[PROAUTH2_ENDPOINT_INTROSPECTION] = cfg->introspection_endpoint;
	given[PROAUTH2_ENDPOINT_REGISTRATION] = cfg->registration_endpoint;
	return cfg->endpoint_base;
}

/* p's endpoint URLs and paths from cfg (checked by check_urls). */
static proauth2_status make_endpoints(proauth2_provider *p,
		const proauth2_config *cfg, proauth2_error *err)
{
	const char *given[PROAUTH2_ENDPOINT_METADATA];
	const char *base = given_urls(cfg, given);

	return endpoint_urls_make(p->issuer, base, given, p->endpoint_urls,
			p->endpoint_paths, err);
}

/* The issuer (required) and every URL configured, each as RFC 8414 wants. */
static proauth2_status check_urls(const proauth2_config *cfg, proauth2_error *err)
{
	static const char *const names[PROAUTH2_ENDPOINT_METADATA] = {
		"authorization_endpoint", "token_endpoint", "revocation_endpoint",
		"introspection_endpoint", "registration_endpoint",
	};
	const char *given[PROAUTH2_ENDPOINT_METADATA], *base, *why;
	size_t i;

	if (cfg->issuer == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.issuer is required: the server's https URL "
				"(RFC 8414 §2), such as https://auth.example.com");
	why = endpoint_url_refusal(cfg->issuer);
	if (why != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.issuer '%.200s' %s", cfg->issuer, why);
	base = given_urls(cfg, given);
	if (base != NULL && (why = endpoint_url_refusal(base)) != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.endpoint_base '%.200s' %s", base, why);
	for (i = 0; i < PROAUTH2_ENDPOINT_METADATA; i++)
		if (given[i] != NULL && (why = endpoint_url_refusal(given[i])) != NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
					"config.%s '%.200s' %s", names[i], given[i], why);
	return PROAUTH2_OK;
}

static proauth2_status check_config(const proauth2_config *cfg,
		proauth2_error *err)
{
	/* The first version ended at log_arg; later fields are appended. */
	proauth2_status status = sized_check(cfg,
			SIZED_END(proauth2_config, log_arg),
			SIZED_END(proauth2_config, client_cache_lifetime),
			"proauth2_config", err);

	if (status != PROAUTH2_OK)
		return status;
	status = check_urls(cfg, err);
	if (status != PROAUTH2_OK)
		return status;
	if (SIZED_HAS(cfg, proauth2_config, authorization_lifetime) &&
			cfg->authorization_lifetime <= 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.authorization_lifetime must be positive");
	if (cfg->datastore == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.datastore is required");
	if (cfg->code_lifetime <= 0 || cfg->access_token_lifetime <= 0 ||
			cfg->refresh_token_lifetime < 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"lifetimes must be positive (refresh: 0 disables it)");
	if (SIZED_HAS(cfg, proauth2_config, error_redirects) &&
			(cfg->error_redirects < PROAUTH2_ERROR_REDIRECTS_TRUSTED ||
			 cfg->error_redirects > PROAUTH2_ERROR_REDIRECTS_NEVER))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.error_redirects is not a known policy");
	if (SIZED_HAS(cfg, proauth2_config, registration_client_ids) &&
			(cfg->registration_client_ids < PROAUTH2_REGISTRATION_CLIENT_IDS_NEVER ||
			 cfg->registration_client_ids > PROAUTH2_REGISTRATION_CLIENT_IDS_ANYONE))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.registration_client_ids is not a known policy");
	if (cfg->supported_scopes != NULL && !scope_is_valid(cfg->supported_scopes))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.supported_scopes is not a valid scope list");
	if (SIZED_HAS(cfg, proauth2_config, auth_lockout_max) &&
			cfg->auth_failure_limit > 0 && (cfg->auth_failure_window <= 0 ||
			cfg->auth_lockout_max <= 0))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"auth_failure_window and auth_lockout_max must be positive");
	if (SIZED_HAS(cfg, proauth2_config, refresh_reuse_grace) &&
			(cfg->refresh_reuse_grace < 0 ||
			 cfg->refresh_reuse_grace > PROAUTH2_REFRESH_REUSE_GRACE_MAX))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.refresh_reuse_grace must be 0 to %d seconds",
				PROAUTH2_REFRESH_REUSE_GRACE_MAX);
	if (SIZED_HAS(cfg, proauth2_config, client_document_cache_max) &&
			(cfg->client_document_cache_max < 0 ||
			 cfg->client_document_cache_max > PROAUTH2_CLIENT_DOCUMENT_CACHE_MAX))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.client_document_cache_max must be 0 to %d seconds",
				PROAUTH2_CLIENT_DOCUMENT_CACHE_MAX);
	if (SIZED_HAS(cfg, proauth2_config, client_cache_lifetime) &&
			(cfg->client_cache_lifetime < 0 ||
			 cfg->client_cache_lifetime > PROAUTH2_CLIENT_CACHE_LIFETIME_MAX))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.client_cache_lifetime must be 0 to %d seconds",
				PROAUTH2_CLIENT_CACHE_LIFETIME_MAX);
	return PROAUTH2_OK;
}

/* cfg's Client ID Metadata Document fetch into p, with a cache for it,
 * and the cache of stored clients. */
static proauth2_status take_client_documents(proauth2_provider *p,
		const proauth2_config *cfg, proauth2_error *err)
{
	if (SIZED_HAS(cfg, proauth2_config, client_cache_lifetime) &&
			cfg->client_cache_lifetime > 0) {
		p->client_cache_lifetime = cfg->client_cache_lifetime;
		p->stored_clients = record_cache_new(CLIENT_CACHE_ENTRIES);
		if (p->stored_clients == NULL)
			return NO_MEMORY(err);
	}
	if (!SIZED_HAS(cfg, proauth2_config, client_document_cache_max) ||
			cfg->client_document_fetch == NULL)
		return PROAUTH2_OK;
	p->client_document_fetch = cfg->client_document_fetch;
	p->client_document_fetch_arg = cfg->client_document_fetch_arg;
	p->client_document_cache_max = cfg->client_document_cache_max;
	p->documents = record_cache_new(CLIENT_CACHE_ENTRIES);
	return p->documents != NULL ? PROAUTH2_OK : NO_MEMORY(err);
}

/* cfg's JWT and signing-key settings into p: defaults where cfg (as its
 * caller compiled it) has none or says 0. */
static proauth2_status take_jwt(proauth2_provider *p, const proauth2_config *cfg,
		proauth2_error *err)
{
	proauth2_config c;

	proauth2_config_init(&c);
	if (SIZED_HAS(cfg, proauth2_config, jwt_revocation_check))
		c = *cfg;
	p->jwt_access_tokens = c.jwt_access_tokens;
	p->signing_alg = c.signing_alg;
	p->jwt_revocation_check = c.jwt_revocation_check;
#define OR_DEFAULT(v, d) ((v) != 0 ? (v) : (d))
	p->jwt_access_token_lifetime = OR_DEFAULT(c.jwt_access_token_lifetime,
			DEFAULT_JWT_LIFETIME);
	p->key_rotation_period = OR_DEFAULT(c.key_rotation_period,
			DEFAULT_ROTATION_PERIOD);
	p->key_propagation_period = OR_DEFAULT(c.key_propagation_period,
			DEFAULT_PROPAGATION_PERIOD);
	p->key_cache_lifetime = OR_DEFAULT(c.key_cache_lifetime,
			DEFAULT_KEY_CACHE_LIFETIME);
#undef OR_DEFAULT
	if (c.key_encryption_key != NULL) {
		memcpy(p->kek, c.key_encryption_key, PROAUTH2_KEK_SIZE);
		p->has_kek = true;
		p->verified_jwts = record_cache_new(JWT_VERIFIED_ENTRIES);
		if (p->verified_jwts == NULL)
			return NO_MEMORY(err);
	}
	if (c.signing_alg < PROAUTH2_SIGNING_ES256 || c.signing_alg > PROAUTH2_SIGNING_RS256)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.signing_alg is not a known algorithm");
	if (p->jwt_access_tokens && !p->has_kek)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.jwt_access_tokens needs config.key_encryption_key");
	if (p->jwt_access_token_lifetime <= 0 || p->key_cache_lifetime <= 0 ||
			p->key_propagation_period < 0 ||
			p->key_propagation_period >= p->key_rotation_period)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config: JWT and key lifetimes must be positive, and "
				"key_propagation_period shorter than key_rotation_period");
	return PROAUTH2_OK;
}

/* cfg's OpenID Connect settings into p; openid joins a list of supported
 * scopes. */
static proauth2_status take_openid(proauth2_provider *p,
		const proauth2_config *cfg, proauth2_error *err)
{
	char *scopes;

	p->signed_lifetime_max = p->jwt_access_token_lifetime;
	p->consent_lifetime = DEFAULT_CONSENT_LIFETIME;
	if (SIZED_HAS(cfg, proauth2_config, consent_lifetime) &&
			cfg->consent_lifetime != 0)
		p->consent_lifetime = cfg->consent_lifetime;
	if (p->consent_lifetime < 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.consent_lifetime must be positive (0: the default)");
	if (!SIZED_HAS(cfg, proauth2_config, consent_lifetime) || !cfg->openid)
		return PROAUTH2_OK;
	if (!p->has_kek)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.openid needs config.key_encryption_key");
	if (cfg->id_token_lifetime < 0 ||
			cfg->id_token_lifetime > PROAUTH2_ID_TOKEN_LIFETIME_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.id_token_lifetime must be 0 (the default) to %d seconds",
				PROAUTH2_ID_TOKEN_LIFETIME_MAX);
	p->openid = true;
	p->id_token_lifetime = cfg->id_token_lifetime != 0 ?
		cfg->id_token_lifetime : DEFAULT_ID_TOKEN_LIFETIME;
	if (p->id_token_lifetime > p->signed_lifetime_max)
		p->signed_lifetime_max = p->id_token_lifetime;
	p->user_claims = cfg->user_claims;
	p->user_claims_arg = cfg->user_claims_arg;
	if (SIZED_HAS(cfg, proauth2_config, backchannel_logout_arg)) {
		p->backchannel_logout = cfg->backchannel_logout;
		p->backchannel_logout_arg = cfg->backchannel_logout_arg;
	}
	if (SIZED_HAS(cfg, proauth2_config, pairwise_subject_key) &&
			cfg->pairwise_subject_key != NULL) {
		memcpy(p->pairwise_key, cfg->pairwise_subject_key,
				sizeof(p->pairwise_key));
		p->has_pairwise_key = true;
	}
	if (p->supported_scopes == NULL ||
			scope_has_token(p->supported_scopes, "openid", 6))
		return PROAUTH2_OK;
	scopes = malloc(strlen(p->supported_scopes) + sizeof(" openid"));
	if (scopes == NULL)
		return NO_MEMORY(err);
	strcpy(scopes, p->supported_scopes);
	strcat(scopes, " openid");
	free(p->supported_scopes);
	p->supported_scopes = scopes;
	return PROAUTH2_OK;
}

/* cfg's registration settings into p: defaults where cfg (as its caller
 * compiled it) has none or says 0. */
static proauth2_status take_registration(proauth2_provider *p,
		const proauth2_config *cfg, proauth2_error *err)
{
	proauth2_config c;
	proauth2_status status = PROAUTH2_OK;

	proauth2_config_init(&c);
	if (SIZED_HAS(cfg, proauth2_config, allow_http_redirect_uris))
		c = *cfg;
#define OR_DEFAULT(v, d) ((v) != 0 ? (v) : (d))
	p->registration_max_metadata = OR_DEFAULT(c.registration_max_metadata,
			DEFAULT_MAX_METADATA);
	p->registration_max_redirect_uris = OR_DEFAULT(c.registration_max_redirect_uris,
			DEFAULT_MAX_REDIRECT_URIS);
	p->registration_max_uri_length = OR_DEFAULT(c.registration_max_uri_length,
			DEFAULT_MAX_URI_LENGTH);
	p->registration_max_name_length = OR_DEFAULT(c.registration_max_name_length,
			DEFAULT_MAX_NAME_LENGTH);
	p->registration_anonymous_window = OR_DEFAULT(c.registration_anonymous_window,
			DEFAULT_ANONYMOUS_WINDOW);
#undef OR_DEFAULT
	p->registration_anonymous_max = c.registration_anonymous_max;
	p->allow_http_redirect_uris = c.allow_http_redirect_uris;
	if (p->registration_max_redirect_uris > MOST_REDIRECT_URIS ||
			p->registration_max_uri_length > PROAUTH2_FIELD_MAX_LENGTH ||
			p->registration_max_name_length > PROAUTH2_FIELD_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.registration_max_*: at most %d redirect URIs of "
				"%d bytes", MOST_REDIRECT_URIS, PROAUTH2_FIELD_MAX_LENGTH);
	if (p->registration_anonymous_max > MOST_ANONYMOUS ||
			p->registration_anonymous_window < 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.registration_anonymous_max is at most %d, and "
				"its window positive", MOST_ANONYMOUS);
	if (c.registration_initial_access_token != NULL) {
		if (c.registration_initial_access_token[0] == '\0' ||
				strlen(c.registration_initial_access_token) > PRESENTED_SECRET_MAX)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
					"config.registration_initial_access_token must be "
					"1 to %d bytes", PRESENTED_SECRET_MAX);
		status = sha256_base64url(c.registration_initial_access_token,
				p->initial_token_hash, err);
		p->has_initial_token = status == PROAUTH2_OK;
	}
	return status;
}

proauth2_status proauth2_provider_new(const proauth2_config *cfg,
		proauth2_provider **out, proauth2_error *err)
{
	proauth2_provider *p;
	proauth2_status status;
	bool ok = true;

	if (out == NULL || cfg == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config and out are required");
	*out = NULL;
	status = check_config(cfg, err);
	if (status != PROAUTH2_OK)
		return status;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NO_MEMORY(err);
	p->issuer = dup_or_null(cfg->issuer, &ok);
	p->supported_scopes = dup_or_null(cfg->supported_scopes, &ok);
	p->resources = resource_registry_new();
	p->keys = key_set_new();
	if (!ok || p->resources == NULL || p->keys == NULL) {
		proauth2_provider_free(p);
		return NO_MEMORY(err);
	}
	status = make_endpoints(p, cfg, err);
	if (status != PROAUTH2_OK) {
		proauth2_provider_free(p);
		return status;
	}
	p->datastore = cfg->datastore;
	p->code_lifetime = cfg->code_lifetime;
	p->access_token_lifetime = cfg->access_token_lifetime;
	p->refresh_token_lifetime = cfg->refresh_token_lifetime;
	p->require_pkce = cfg->require_pkce;
	p->allow_plain_pkce = cfg->allow_plain_pkce;
	p->clock = cfg->clock != NULL ? cfg->clock : system_clock;
	p->clock_arg = cfg->clock_arg;
	p->enable_password_grant = cfg->enable_password_grant;
	p->check_password = cfg->check_password;
	p->password_arg = cfg->password_arg;
	p->enable_registration = cfg->enable_registration;
	p->log = cfg->log;
	p->log_arg = cfg->log_arg;
	p->auth_failure_limit = AUTH_FAILURE_LIMIT;
	p->auth_failure_window = AUTH_FAILURE_WINDOW;
	p->auth_lockout_max = AUTH_LOCKOUT_MAX;
	/* An older caller's struct ends before these: it keeps the defaults. */
	if (SIZED_HAS(cfg, proauth2_config, auth_lockout_max)) {
		p->auth_failure_limit = cfg->auth_failure_limit;
		p->auth_failure_window = cfg->auth_failure_window;
		p->auth_lockout_max = cfg->auth_lockout_max;
	}
	status = take_registration(p, cfg, err);
	if (status == PROAUTH2_OK)
		status = take_jwt(p, cfg, err);
	if (status == PROAUTH2_OK)
		status = take_openid(p, cfg, err);
	if (status != PROAUTH2_OK) {
		proauth2_provider_free(p);
		return status;
	}
	/* A caller compiled before these fields gets their defaults. */
	p->authorization_lifetime = AUTHORIZATION_LIFETIME;
	p->max_authorizations = MAX_AUTHORIZATIONS;
	p->max_authorizations_per_client = MAX_AUTHORIZATIONS_PER_CLIENT;
	if (SIZED_HAS(cfg, proauth2_config, max_authorizations_per_client)) {
		p->authorization_lifetime = cfg->authorization_lifetime;
		p->max_authorizations = cfg->max_authorizations;
		p->max_authorizations_per_client = cfg->max_authorizations_per_client;
	}
	/* Fields a caller built before them may lack keep their defaults. */
	if (SIZED_HAS(cfg, proauth2_config, error_redirects))
		p->error_redirects = cfg->error_redirects;
	if (SIZED_HAS(cfg, proauth2_config, registration_client_ids))
		p->registration_client_ids = cfg->registration_client_ids;
	if (SIZED_HAS(cfg, proauth2_config, refresh_reuse_grace))
		p->refresh_reuse_grace = cfg->refresh_reuse_grace;
	status = take_client_documents(p, cfg, err);
	if (status != PROAUTH2_OK) {
		proauth2_provider_free(p);
		return status;
	}
	*out = p;
	return PROAUTH2_OK;
}

void proauth2_provider_free(proauth2_provider *p)
{
	if (p == NULL)
		return;
	free(p->issuer);
	free(p->supported_scopes);
	endpoint_urls_free(p->endpoint_urls);
	resource_registry_free(p->resources);
	key_set_free(p->keys);
	record_cache_free(p->documents);
	record_cache_free(p->stored_clients);
	record_cache_free(p->verified_jwts);
	OPENSSL_cleanse(p->kek, sizeof(p->kek));
	OPENSSL_cleanse(p->initial_token_hash, sizeof(p->initial_token_hash));
	free(p);
}

int64_t proauth2_provider_now(const proauth2_provider *p)
{
	return p->clock(p->clock_arg);
}

const char *proauth2_provider_issuer(const proauth2_provider *p)
{
	return p->issuer;
}

const char *proauth2_provider_endpoint(const proauth2_provider *p,
		proauth2_endpoint which)
{
	return (unsigned)which < ENDPOINT_COUNT ? p->endpoint_urls[which] : NULL;
}

const char *proauth2_provider_endpoint_path(const proauth2_provider *p,
		proauth2_endpoint which)
{
	return (unsigned)which < ENDPOINT_COUNT ? p->endpoint_paths[which] : NULL;
}

bool proauth2_provider_registration_enabled(const proauth2_provider *p)
{
	return p->enable_registration;
}

size_t proauth2_provider_registration_max_metadata(const proauth2_provider *p)
{
	return p->registration_max_metadata;
}

bool proauth2_provider_password_grant_enabled(const proauth2_provider *p)
{
	return p->enable_password_grant && p->check_password != NULL;
}

bool proauth2_provider_plain_pkce_allowed(const proauth2_provider *p)
{
	return p->allow_plain_pkce;
}

bool proauth2_provider_client_documents_enabled(const proauth2_provider *p)
{
	return p->client_document_fetch != NULL;
}

bool proauth2_provider_openid_enabled(const proauth2_provider *p)
{
	return p->openid;
}

bool proauth2_provider_backchannel_logout_enabled(const proauth2_provider *p)
{
	return p->openid && p->backchannel_logout != NULL;
}

bool proauth2_provider_pairwise_enabled(const proauth2_provider *p)
{
	return p->openid && p->has_pairwise_key;
}

const char *proauth2_provider_id_token_algs(const proauth2_provider *p)
{
	if (!p->openid)
		return NULL;
	switch (p->signing_alg) {
	case PROAUTH2_SIGNING_EDDSA:
		return "RS256 EdDSA";
	case PROAUTH2_SIGNING_RS256:
		return "RS256";
	default:
		return "RS256 ES256";
	}
}

bool proauth2_provider_has_signing_keys(const proauth2_provider *p)
{
	return p->has_kek;
}

const char *proauth2_provider_supported_scopes(const proauth2_provider *p)
{
	return p->supported_scopes;
}

proauth2_status proauth2_provider_purge_expired(proauth2_provider *p,
		size_t *removed, proauth2_error *err)
{
	return report_datastore(p, proauth2_datastore_purge_expired(p->datastore,
			proauth2_provider_now(p), removed, err), err);
}
