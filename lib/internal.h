/* What the library's own files share; nothing here is public. */
#ifndef PROAUTH2_LIB_INTERNAL_H
#define PROAUTH2_LIB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <proauth2/backend.h>
#include <proauth2/client.h>
#include <proauth2/provider.h>
#include <proauth2/token.h>

#include "crypto.h"
#include "tables.h"

struct proauth2_provider {
	char *issuer;
	proauth2_datastore *datastore;
	int64_t code_lifetime;
	int64_t access_token_lifetime;
	int64_t refresh_token_lifetime;
	char *supported_scopes;
	bool require_pkce;
	bool allow_plain_pkce;
	proauth2_clock_fn clock;
	void *clock_arg;
	bool enable_password_grant;
	proauth2_password_fn check_password;
	void *password_arg;
	bool enable_registration;
	proauth2_error_redirects error_redirects;
	proauth2_log_fn log;
	void *log_arg;
	unsigned auth_failure_limit;
	int64_t auth_failure_window;
	int64_t auth_lockout_max;
	/* Dynamic registration: limits, initial access token, anonymous count. */
	size_t registration_max_metadata;
	size_t registration_max_redirect_uris;
	size_t registration_max_uri_length;
	size_t registration_max_name_length;
	bool has_initial_token;
	char initial_token_hash[HASH_SIZE];
	unsigned registration_anonymous_max;
	int64_t registration_anonymous_window;
	bool allow_http_redirect_uris;
	proauth2_registration_client_ids registration_client_ids;
	int64_t authorization_lifetime;
	size_t max_authorizations;             /* 0: no cap */
	size_t max_authorizations_per_client;  /* 0: no cap */
	/* Every endpoint's URL and, pointing into it, its path: made once. */
	char *endpoint_urls[PROAUTH2_ENDPOINT_END_SESSION + 1];
	const char *endpoint_paths[PROAUTH2_ENDPOINT_END_SESSION + 1];
	/* Registered resources (lib/resource.c): the one mutable part. */
	struct resource_registry *resources;
	/* JWT access tokens and their signing keys (lib/key_set.c, jwt.c). */
	bool jwt_access_tokens;
	proauth2_signing_alg signing_alg;
	bool has_kek;
	unsigned char kek[PROAUTH2_KEK_SIZE];
	bool has_pairwise_key;  /* config.pairwise_subject_key (pairwise.h) */
	unsigned char pairwise_key[PROAUTH2_KEK_SIZE];
	int64_t jwt_access_token_lifetime;
	int64_t key_rotation_period;
	int64_t key_propagation_period;
	int64_t key_cache_lifetime;
	bool jwt_revocation_check;
	int64_t refresh_reuse_grace;  /* 0: every reuse revokes */
	/* Client ID Metadata Documents (lib/client_document.c). */
	proauth2_client_document_fetch_fn client_document_fetch;
	void *client_document_fetch_arg;
	int64_t client_document_cache_max;
	struct record_cache *documents;  /* behind its own lock */
	/* Stored clients, kept client_cache_lifetime s; NULL: none kept. */
	int64_t client_cache_lifetime;
	struct record_cache *stored_clients;
	/* OpenID Connect (lib/id_token.c, lib/userinfo.c). */
	bool openid;
	int64_t id_token_lifetime;
	proauth2_user_claims_fn user_claims;
	void *user_claims_arg;
	/* The longest a token the keys sign lives: a key stays published
	 * that long after it stops signing. */
	int64_t signed_lifetime_max;
	int64_t consent_lifetime;  /* lib/consent.c */
	proauth2_backchannel_logout_fn backchannel_logout;  /* lib/logout.c */
	void *backchannel_logout_arg;
	struct key_set *keys;  /* a cache, behind its own lock */
	struct record_cache *verified_jwts;  /* lib/jwt.c; NULL without keys */
};


/* Longest code, token, secret or verifier the core looks at. Real ones are
 * 43 characters; anything much longer is not ours. */
#define PRESENTED_SECRET_MAX 512

/* A string member of a record, or NULL when absent. Borrowed. */
const char *record_string(const json_t *record, const char *field);

/* strdup that keeps NULL as NULL; *ok is cleared when memory runs out. */
char *dup_or_null(const char *s, bool *ok);

/* Shortcuts to the provider's datastore with its clock. */
proauth2_status store_record(proauth2_provider *p, const char *table,
		json_t *record, proauth2_error *err);
proauth2_status fetch_one(proauth2_provider *p, const char *table,
		const char *field, const char *value, json_t **record,
		proauth2_error *err);
/* fetch_one, unless marks (a table whose key is a field of table) marks
 * the record (datastore_fetch_unmarked); *joined as there. */
proauth2_status fetch_one_unmarked(proauth2_provider *p, const char *table,
		const char *field, const char *value, const char *marks,
		json_t **record, bool *joined, proauth2_error *err);
proauth2_status remove_where(proauth2_provider *p, const char *table,
		json_t *query, size_t *removed, proauth2_error *err);

/* How many of table's unexpired records at now match query (borrowed;
 * NULL: all), up to limit, into *n (proauth2_datastore_ops.count).
 * *counted is false, and *n 0, when the backend cannot count. */
proauth2_status datastore_count(proauth2_datastore *ds, const char *table,
		json_t *query, int64_t now, size_t limit, size_t *n,
		bool *counted, proauth2_error *err);

/* proauth2_datastore_fetch(), unless marks (a table whose key is a field
 * of table) marks the record: PROAUTH2_ERR_NOT_FOUND then, in one read
 * (proauth2_datastore_ops.fetch_unmarked). A backend without that method:
 * *joined false, and the record fetched whether marked or not. */
proauth2_status datastore_fetch_unmarked(proauth2_datastore *ds,
		const char *table, json_t *query, const char *marks, int64_t now,
		json_t **record, bool *joined, proauth2_error *err);

/* Writes made durable together (proauth2_datastore_ops.begin_writes); a
 * backend without that method makes each durable alone. */
proauth2_status datastore_begin_writes(proauth2_datastore *ds, proauth2_error *err);
proauth2_status datastore_end_writes(proauth2_datastore *ds, proauth2_error *err);

/* Fill err with PROAUTH2_ERR_NOMEM and return it: what to do when an
 * allocation (json_pack's included) gave NULL. */
#define NO_MEMORY(err) proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory")

/* status in place of err's, its text kept (err may be NULL). */
proauth2_status error_recode(proauth2_error *err, proauth2_status status);

/* Load client_id and check its secret and the method it came by (see
 * proauth2_client_authenticate_method); *record receives the stored
 * client record. */
proauth2_status client_authenticate_record(proauth2_provider *p,
		const char *client_id, const char *client_secret,
		proauth2_auth_method method, json_t **record, proauth2_error *err);

/* proauth2_client_register by origin, also recording the hash of an RFC
 * 7592 registration access token (may be NULL). A dynamic origin holds
 * params to the configured limits; an anonymous one takes a slot of
 * registration_take_anonymous_slot() once params are valid. */
proauth2_status client_register_with(proauth2_provider *p,
		const proauth2_client_params *params, proauth2_client_origin origin,
		const char *registration_token_hash, proauth2_client **out,
		proauth2_error *err);

/* Who registered a stored client record (proauth2_client.registered_by). */
proauth2_client_origin client_record_origin(const json_t *client);

/* Whether a stored client record is trusted (proauth2_client_is_trusted). */
bool client_record_trusted(const json_t *client);

/* Whether the host let a stored client go without PKCE
 * (proauth2_client_params.pkce_optional). */
bool client_record_pkce_optional(const json_t *client);

/* Count one anonymous registration against the current window's limit:
 * PROAUTH2_ERR_TOO_MANY_REQUESTS when it is reached. */
proauth2_status registration_take_anonymous_slot(proauth2_provider *p,
		proauth2_error *err);

/* Whether a stored client record allows grant (a PROAUTH2_GRANT_* bit). */
bool client_record_allows(const json_t *client, unsigned grant);

#endif
