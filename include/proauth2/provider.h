/** \file
 * proauth2 — the provider: configuration and lifetime.
 *
 * A provider keeps no state of its own outside its datastore, so any number
 * of providers (threads, processes, machines) may share one datastore.
 * Every provider function may be called from many threads at once.
 */
#ifndef PROAUTH2_PROVIDER_H
#define PROAUTH2_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proauth2/common.h>
#include <proauth2/datastore.h>
#include <proauth2/error.h>
#include <proauth2/event.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An authorization server: a configuration over a datastore. Opaque. */
typedef struct proauth2_provider proauth2_provider;

/** Returns the current time in seconds since the Unix epoch. */
typedef int64_t (*proauth2_clock_fn)(void *arg);

/** Whether password is username's; for the password grant. */
typedef bool (*proauth2_password_fn)(void *arg, const char *username,
		const char *password);

/** Which clients an error at the authorization endpoint is redirected to
 * (RFC 9700 §4.11.2: never an open redirector); the others' errors are a
 * page the host shows, with the redirect as a link for the user to follow. */
typedef enum proauth2_error_redirects {
	/** Only clients the provider trusts: those the host registered
	 * (proauth2_client_register()), not those registered dynamically
	 * (RFC 7591). The default. */
	PROAUTH2_ERROR_REDIRECTS_TRUSTED = 0,
	/** Every client with a registered redirect URI (RFC 6749 §4.1.2.1). */
	PROAUTH2_ERROR_REDIRECTS_ALWAYS,
	/** No client: every error is a page. */
	PROAUTH2_ERROR_REDIRECTS_NEVER
} proauth2_error_redirects;

/** Who may choose a client's client_id at dynamic registration (RFC 7591
 * §2 leaves the id to the server). A chosen id can squat another party's
 * well-known id (a Domain Connect providerId, a vendor's fixed app id)
 * before that party is onboarded: let only registrants you vouch for
 * choose. */
typedef enum proauth2_registration_client_ids {
	/** Nobody: a client_id in the metadata is refused. The default. */
	PROAUTH2_REGISTRATION_CLIENT_IDS_NEVER = 0,
	/** Registrations presenting the initial access token. */
	PROAUTH2_REGISTRATION_CLIENT_IDS_WITH_INITIAL_TOKEN,
	/** Anyone, anonymous registrations too: first come, first served. */
	PROAUTH2_REGISTRATION_CLIENT_IDS_ANYONE
} proauth2_registration_client_ids;

/** How the provider signs JWT access tokens (RFC 9068) with its keys. */
typedef enum proauth2_signing_alg {
	PROAUTH2_SIGNING_ES256 = 0,  /**< ECDSA P-256 with SHA-256: the default */
	PROAUTH2_SIGNING_EDDSA,      /**< Ed25519 (RFC 8037) */
	PROAUTH2_SIGNING_RS256       /**< RSA 2048 PKCS#1 v1.5 with SHA-256 */
} proauth2_signing_alg;

/** The size of config.key_encryption_key in bytes. */
#define PROAUTH2_KEK_SIZE 32

/** The longest config.refresh_reuse_grace, in seconds. */
#define PROAUTH2_REFRESH_REUSE_GRACE_MAX 300

/**
 * Fetches a Client ID Metadata Document for the provider
 * (config.client_document_fetch): GET url (https, never followed through
 * a redirect) and, on a 200 answer whose body fits, copy the body into
 * body (body_max bytes at most, not NUL-terminated), its length into
 * *body_len, and into *max_age how many seconds the answer may be cached
 * (Cache-Control max-age; 0 for no-store or no-cache; -1 when it does not
 * say). Return 0 then, anything else on any failure (no answer, another
 * status, a body too large). The url comes from an anonymous request: the
 * host decides which hosts it may reach (never its own private network)
 * and bounds the time the fetch takes. Called from any thread.
 */
typedef int (*proauth2_client_document_fetch_fn)(void *arg, const char *url,
		char *body, size_t body_max, size_t *body_len, int64_t *max_age);

/**
 * Deliver a logout token (OpenID Connect Back-Channel Logout 1.0 §2.5;
 * config.backchannel_logout): POST it to uri, client_id's
 * backchannel_logout_uri, as the form body "logout_token=" followed by the
 * token (application/x-www-form-urlencoded; the token needs no escaping),
 * and return 0 when the client answered 200 (or 204), anything else when
 * it did not take it. Called by proauth2_logout() and
 * proauth2_consent_revoke() in the caller's thread, one client after
 * another: bound the time each delivery takes (a few seconds). The URI is
 * the client's: where anyone may register, refuse addresses of your own
 * network as for client documents. Called from any thread.
 */
typedef int (*proauth2_backchannel_logout_fn)(void *arg, const char *client_id,
		const char *uri, const char *logout_token);

/**
 * The claims the host holds about a user (config.user_claims), for the
 * UserInfo endpoint (OpenID Connect Core §5.3): write into *claims the
 * text of a JSON object (malloc(); the library frees it) with the user's
 * claims, standard (Core §5.1: name, email, email_verified, address,
 * phone_number, ...) or the host's own. scope is what the user granted
 * client_id: the library passes on a standard claim only when a granted
 * scope asks for it (Core §5.4: profile, email, address, phone) or the
 * request named it in its claims parameter (§5.5), the host's own as
 * given (it saw the scope), and sets sub itself; so give every claim the
 * user would share with client_id. Also called when an id_token is made
 * for a request that named claims for it. Return 0,
 * or anything else for a user the host no longer knows (UserInfo then
 * answers 401 invalid_token). Called from any thread.
 */
typedef int (*proauth2_user_claims_fn)(void *arg, const char *user_id,
		const char *client_id, const char *scope, char **claims);

/** The longest id_token lifetime, in seconds (config.id_token_lifetime). */
#define PROAUTH2_ID_TOKEN_LIFETIME_MAX 86400

/** The longest client_id that names a Client ID Metadata Document. */
#define PROAUTH2_CLIENT_DOCUMENT_URL_MAX 512
/** The largest Client ID Metadata Document read, in bytes. */
#define PROAUTH2_CLIENT_DOCUMENT_MAX 5120
/** The longest config.client_document_cache_max, in seconds. */
#define PROAUTH2_CLIENT_DOCUMENT_CACHE_MAX 86400

/** The longest config.client_cache_lifetime, in seconds. */
#define PROAUTH2_CLIENT_CACHE_LIFETIME_MAX 60

/** Fill with proauth2_config_init(), which sets the defaults below; it grows
 * as common.h describes. */
typedef struct proauth2_config {
	/** sizeof(proauth2_config) as the caller was compiled; set by init. */
	size_t struct_size;
	/** The issuer identifier (RFC 8414 §2), required: an absolute https
	 * URL with a host, or http on loopback (127.0.0.1, [::1], localhost)
	 * for development; a path is allowed, a query, fragment or user
	 * information is not; at most PROAUTH2_URL_MAX_LENGTH bytes of
	 * printable ASCII. The metadata's "issuer" and the "iss" of RFC 9207
	 * are this value exactly as given, trailing slash included (clients
	 * compare it byte for byte); the endpoints' URLs drop a trailing
	 * slash (issuer http://h/ gives http://h/token). */
	const char *issuer;
	/** The datastore every record goes to. Borrowed: it must outlive the
	 * provider. Required. */
	proauth2_datastore *datastore;
	/** @name Lifetimes in seconds */
	/** @{ */
	int64_t code_lifetime;          /**< default 60 */
	int64_t access_token_lifetime;  /**< default 3600 */
	int64_t refresh_token_lifetime; /**< default 30 days; 0: no refresh tokens */
	/** @} */
	/** Space-delimited scopes the provider knows; NULL accepts any
	 * syntactically valid scope a client was registered with. */
	const char *supported_scopes;
	/** Require PKCE from confidential clients too (public ones always). */
	bool require_pkce;
	/** Accept code_challenge_method=plain (RFC 7636 §4.2). Off: S256 only. */
	bool allow_plain_pkce;
	/** Time source; NULL uses the system clock. For tests. */
	proauth2_clock_fn clock;
	void *clock_arg;  /**< passed to clock */
	/** The resource owner password grant (RFC 6749 §4.3), for legacy
	 * clients: off unless enabled here, check_password is set, and the
	 * client was registered with PROAUTH2_GRANT_PASSWORD. */
	bool enable_password_grant;
	proauth2_password_fn check_password;  /**< judges the credentials */
	void *password_arg;                   /**< passed to check_password */
	/** Dynamic client registration (RFC 7591, RFC 7592) at the
	 * registration endpoint (by default the issuer's path + /register). */
	bool enable_registration;
	/** Events a host must see (see event.h): called with log_arg. NULL:
	 * the library stays silent. */
	proauth2_log_fn log;
	void *log_arg;  /**< passed to log */
	/** @name Throttling failed secrets (proauth2/throttle.h)
	 * A caller compiled before these fields gets their defaults. */
	/** @{ */
	/** Failures in a run before each further one locks; default 5.
	 * 0 turns throttling off. */
	unsigned auth_failure_limit;
	/** Seconds within which failures join a run; default 900. */
	int64_t auth_failure_window;
	/** Longest lock in seconds; default 900. */
	int64_t auth_lockout_max;
	/** @} */
	/** @name Dynamic registration limits
	 * Bounds on what a client registering itself (RFC 7591) may store:
	 * a client registered by the host through proauth2_client_register()
	 * is held only to the schema's bounds (32 redirect URIs of 2048
	 * bytes, a 256-byte name). A program built before these fields gets
	 * the defaults; 0 in a size also means the default. */
	/** @{ */
	size_t registration_max_metadata;      /**< bytes of a /register body; default 16384 */
	size_t registration_max_redirect_uris; /**< default 10, at most 64 */
	size_t registration_max_uri_length;    /**< bytes per redirect URI; default 2048 */
	size_t registration_max_name_length;   /**< bytes of client_name; default 256 */
	/** @} */
	/** RFC 7591 §3's initial access token. NULL (default): registration
	 * is open to anyone, counted by registration_anonymous_max. Set:
	 * every dynamic registration must present it (at /register as
	 * "Authorization: Bearer <token>"), and anonymous ones are refused.
	 * Copied as its SHA-256 only; compared in constant time. Clients so
	 * registered are trusted (proauth2_client_is_trusted()). */
	const char *registration_initial_access_token;
	/** Most anonymous registrations (no initial access token) per
	 * registration_anonymous_window, counted in the datastore so that
	 * every process on it shares the count; beyond it
	 * PROAUTH2_ERR_TOO_MANY_REQUESTS. Default 100; 0 refuses anonymous
	 * registration; at most 100000. */
	unsigned registration_anonymous_max;
	/** The window of registration_anonymous_max, in seconds; default
	 * (and when 0) 3600. */
	int64_t registration_anonymous_window;
	/** Development only: accept plain http redirect URIs on any host at
	 * registration. Off (default): http only on loopback, as RFC 8252
	 * §7.3 and RFC 9700 §2.1 allow; see proauth2_client_params. */
	bool allow_http_redirect_uris;
	/** How long a pending authorization request (its ticket) waits for
	 * the user's decision, in seconds; default 300. */
	int64_t authorization_lifetime;
	/** Most pending authorization requests alive at once, all clients
	 * together; default 10000, 0: no cap. Beyond it
	 * proauth2_authorization_begin() refuses a new one with
	 * PROAUTH2_ERR_UNAVAILABLE (HTTP 503 temporarily_unavailable) and
	 * stores nothing. Counted through the datastore, so the cap holds
	 * across processes; a backend without the count method (ops version
	 * 3) cannot be capped. */
	size_t max_authorizations;
	/** The same cap for one client; default 1000, 0: no cap. */
	size_t max_authorizations_per_client;
	/** Which clients authorization errors are redirected to; default
	 * PROAUTH2_ERROR_REDIRECTS_TRUSTED. */
	proauth2_error_redirects error_redirects;
	/** @name Endpoint URLs
	 * Where the host serves the endpoints, as RFC 8414 metadata
	 * advertises them and proauth2_http_handle() routes them (by their
	 * path). Each is an absolute URL checked as the issuer is, a trailing
	 * slash dropped. A caller
	 * compiled before these fields gets the defaults. */
	/** @{ */
	/** The URL the endpoints live under; NULL (default): the issuer
	 * without its trailing slash. A trailing slash is dropped. */
	const char *endpoint_base;
	/** NULL (default): endpoint_base + "/authorize". */
	const char *authorization_endpoint;
	/** NULL (default): endpoint_base + "/token". */
	const char *token_endpoint;
	/** NULL (default): endpoint_base + "/revoke". */
	const char *revocation_endpoint;
	/** NULL (default): endpoint_base + "/introspect". */
	const char *introspection_endpoint;
	/** NULL (default): endpoint_base + "/register"; a client's RFC 7592
	 * configuration endpoint is this + "/" + client_id. */
	const char *registration_endpoint;
	/** @} */
	/** Whether dynamic registration may take the client_id the metadata
	 * asks for; default PROAUTH2_REGISTRATION_CLIENT_IDS_NEVER. */
	proauth2_registration_client_ids registration_client_ids;
	/** @name JWT access tokens (RFC 9068) and their signing keys
	 * A caller compiled before these fields gets opaque tokens only. */
	/** @{ */
	/** Access tokens for registered resources are JWTs, unless the
	 * resource says opaque (proauth2_resource_params.token_format). A
	 * token with no audience is always opaque (RFC 9068 §3 needs an
	 * aud). Needs key_encryption_key. Off (default): opaque. */
	bool jwt_access_tokens;
	/** The algorithm of new signing keys; default ES256. */
	proauth2_signing_alg signing_alg;
	/** PROAUTH2_KEK_SIZE secret bytes the host keeps outside the
	 * datastore (a file, a secret manager): every private signing key is
	 * stored sealed under it (AES-256-GCM), never in clear. Copied. NULL
	 * (default): no signing keys, no JWTs, no JWKS. Every process of a
	 * shared datastore needs the same one. */
	const unsigned char *key_encryption_key;
	/** Lifetime of a JWT access token in seconds; default 300. A JWT is
	 * checked without a datastore read, so it stays good until it
	 * expires unless jwt_revocation_check is set: keep it short. */
	int64_t jwt_access_token_lifetime;
	/** How long a signing key signs, in seconds; default 30 days. */
	int64_t key_rotation_period;
	/** How long a new key is published before it signs, in seconds, so
	 * that resource servers caching the JWKS see it first; default one
	 * day, less than key_rotation_period. */
	int64_t key_propagation_period;
	/** How long a process trusts the key set it read, in seconds, before
	 * reading it again; default 60. Another process's rotation, or a
	 * proauth2_signing_keys_rotate_now() there, reaches this one within
	 * that time. */
	int64_t key_cache_lifetime;
	/** Validation of a JWT access token also reads its grant's revocation
	 * mark (one datastore read), so that revoking the grant (a refresh
	 * token's revocation, a replay, proauth2_token_revoke() of the JWT)
	 * ends it at once. Off (default): a JWT lives until it expires. */
	bool jwt_revocation_check;
	/** @} */
	/**
	 * Seconds after a refresh token is spent during which its own client
	 * may present it again and get a fresh pair, in place of the one
	 * whose answer it never received (a timeout, a lost connection, two
	 * tabs refreshing at once): only the newest refresh token of the
	 * grant stays live, and each retry is reported
	 * (PROAUTH2_EVENT_REFRESH_RETRY). A reuse later, or by another
	 * client, revokes the grant as ever. Whoever stole the spent token
	 * could retry it too within this time: keep it short. 0 (default):
	 * every reuse revokes the grant (RFC 9700 §4.14.2). At most
	 * PROAUTH2_REFRESH_REUSE_GRACE_MAX. A caller compiled before this
	 * field gets 0.
	 */
	int64_t refresh_reuse_grace;
	/** @name Client ID Metadata Documents
	 * (draft-ietf-oauth-client-id-metadata-document). A caller compiled
	 * before these fields has none. */
	/** @{ */
	/** Set, a client_id that is no stored client but an https URL with a
	 * path names the client's own metadata document: the provider fetches
	 * it through this callback, checks it (a JSON object of at most
	 * PROAUTH2_CLIENT_DOCUMENT_MAX bytes whose client_id is the URL,
	 * redirect_uris, a public client: token_endpoint_auth_method none,
	 * grants authorization_code and refresh_token only), and uses it at
	 * the authorization and token endpoints as an anonymously registered
	 * client (PROAUTH2_REGISTERED_BY_DOCUMENT). Nothing of it is stored.
	 * The metadata says client_id_metadata_document_supported. NULL
	 * (default): such a client_id is unknown. */
	proauth2_client_document_fetch_fn client_document_fetch;
	void *client_document_fetch_arg;  /**< passed to client_document_fetch */
	/** The longest a fetched document is kept, in seconds, whatever its
	 * max-age says; default 3600, at most
	 * PROAUTH2_CLIENT_DOCUMENT_CACHE_MAX. 0 fetches it for every use. */
	int64_t client_document_cache_max;
	/** @} */
	/** @name OpenID Connect (Core 1.0)
	 * A caller compiled before these fields is no OpenID Provider. */
	/** @{ */
	/** The code flow with the openid scope authenticates the user as well:
	 * the token response carries an id_token signed with the provider's
	 * keys (RS256, which Core requires every provider to offer, or
	 * signing_alg), a refresh returns a new one (Core §12.2), the
	 * metadata is OpenID Connect Discovery's too and is also served at
	 * the issuer's /.well-known/openid-configuration, and the UserInfo
	 * endpoint answers with user_claims. openid is then a supported scope,
	 * whatever supported_scopes says. Needs key_encryption_key. Every
	 * process of one datastore needs the same openid and
	 * id_token_lifetime (each publishes keys as long as it knows tokens
	 * live). Off (default). */
	bool openid;
	/** Lifetime of an id_token in seconds; default 3600, at most
	 * PROAUTH2_ID_TOKEN_LIFETIME_MAX. A signing key stays published until
	 * the last id_token it signed has expired. */
	int64_t id_token_lifetime;
	/** The users' claims for UserInfo; NULL (default): UserInfo answers
	 * sub alone. */
	proauth2_user_claims_fn user_claims;
	void *user_claims_arg;  /**< passed to user_claims */
	/** How long a remembered consent (proauth2/consent.h) lasts, in
	 * seconds; default 90 days. */
	int64_t consent_lifetime;
	/** Back-Channel Logout 1.0 (proauth2/logout.h): how logout tokens
	 * reach the clients with a backchannel_logout_uri. NULL (default):
	 * none are sent, and the metadata does not offer it. */
	proauth2_backchannel_logout_fn backchannel_logout;
	void *backchannel_logout_arg;  /**< passed to backchannel_logout */
	/** Pairwise subject identifiers (Core §8.1): PROAUTH2_KEK_SIZE secret
	 * random bytes (copied) under which the sub of a client registered
	 * with pairwise_subject is made from its sector and the user id. Keep
	 * it, as the issuer: another key gives every such client new subs, and
	 * their users become strangers to them. Every process of one provider
	 * shares it. NULL (default): public subjects only, and registration
	 * refuses subject_type pairwise. */
	const unsigned char *pairwise_subject_key;
	/** @} */
	/** @name Speed
	 * @{ */
	/** How long, in seconds, a stored client read from the datastore is
	 * kept in memory, so that a request authenticating it (every token,
	 * introspection and revocation request) does not read it again. This
	 * provider's own proauth2_client_update(), _rotate_secret() and
	 * _delete() take effect at once; a change made through another
	 * process on the same datastore reaches this one only when its copy
	 * expires: until then an old secret still authenticates here, and a
	 * deleted client is still served (tokens it gets then outlive it).
	 * 0 (default): every request reads the client. At most
	 * PROAUTH2_CLIENT_CACHE_LIFETIME_MAX. */
	int64_t client_cache_lifetime;
	/** @} */
} proauth2_config;

/** The longest issuer, endpoint_base or endpoint URL accepted, in bytes. */
#define PROAUTH2_URL_MAX_LENGTH 1024

/** Fill cfg with the defaults above (datastore NULL) and its struct_size.
 * Call it first; see common.h. */
#define proauth2_config_init(cfg) \
	proauth2_config_init_sized((cfg), sizeof(proauth2_config))
/** What proauth2_config_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_config_init_sized(proauth2_config *cfg,
		size_t struct_size);

/**
 * Create a provider from cfg (copied: cfg's strings need not outlive the
 * call, the datastore must). On success *out receives the provider, freed
 * with proauth2_provider_free(); on failure *out is NULL.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_provider_new(
		const proauth2_config *cfg, proauth2_provider **out,
		proauth2_error *err);

/** Free a provider (not its datastore). Accepts NULL. */
PROAUTH2_EXPORT void proauth2_provider_free(proauth2_provider *provider);

/** The provider's current time, from its clock. */
PROAUTH2_EXPORT int64_t proauth2_provider_now(const proauth2_provider *provider);

/** The configured issuer, exactly as configured. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_provider_issuer(const proauth2_provider *provider);

/**
 * Retire the signing key in use at once (a key compromise): it leaves the
 * JWKS and every token it signed stops validating; a new key signs from
 * now, without propagation (resource servers refetch the JWKS when they
 * meet its kid). Other processes on the datastore follow within
 * config.key_cache_lifetime. PROAUTH2_ERR_INVALID_ARGUMENT without a
 * key_encryption_key.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_signing_keys_rotate_now(
		proauth2_provider *provider, proauth2_error *err);

/**
 * The provider's JWK Set (RFC 7517 §5) as JSON text in *json (free()): the
 * public keys that sign, will sign, or signed tokens still alive. A
 * provider without key_encryption_key has an empty set. The first call
 * creates the first key.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_signing_keys_jwks(
		proauth2_provider *provider, char **json, proauth2_error *err);

/** The provider's endpoints (proauth2_provider_endpoint()). */
typedef enum proauth2_endpoint {
	PROAUTH2_ENDPOINT_AUTHORIZATION = 0, /**< RFC 6749 §3.1 */
	PROAUTH2_ENDPOINT_TOKEN,             /**< RFC 6749 §3.2 */
	PROAUTH2_ENDPOINT_REVOCATION,        /**< RFC 7009 */
	PROAUTH2_ENDPOINT_INTROSPECTION,     /**< RFC 7662 */
	PROAUTH2_ENDPOINT_REGISTRATION,      /**< RFC 7591 */
	/** The metadata (RFC 8414 §3.1): the issuer's scheme and authority,
	 * "/.well-known/oauth-authorization-server", then the issuer's path
	 * without its trailing slash. */
	PROAUTH2_ENDPOINT_METADATA,
	/** The JWK Set of the signing keys (RFC 7517): endpoint_base +
	 * "/jwks"; advertised as jwks_uri when the provider has them. */
	PROAUTH2_ENDPOINT_JWKS,
	/** OpenID Connect Core §5.3 UserInfo: endpoint_base + "/userinfo";
	 * routed and advertised when config.openid is set. */
	PROAUTH2_ENDPOINT_USERINFO,
	/** OpenID Connect Discovery §4: the issuer without its trailing
	 * slash, then "/.well-known/openid-configuration"; the same document
	 * as the metadata, served when config.openid is set. */
	PROAUTH2_ENDPOINT_OPENID_CONFIGURATION,
	/** RP-Initiated Logout 1.0's end-session endpoint: endpoint_base +
	 * "/logout"; advertised when config.openid is set, served by the
	 * host (proauth2_http_end_session_begin()), as it signs the user
	 * out. */
	PROAUTH2_ENDPOINT_END_SESSION
} proauth2_endpoint;

/** The absolute URL of endpoint which, as configured or derived at
 * creation (see proauth2_config's endpoint URLs); NULL for a value not in
 * the enum. Borrowed: valid as long as the provider. */
PROAUTH2_EXPORT const char *proauth2_provider_endpoint(
		const proauth2_provider *provider, proauth2_endpoint which);

/** The path of that URL ("/token", "/tenant/token", "/" for none), which
 * proauth2_http_handle() routes; a host routing requests itself compares
 * the raw request path with it byte for byte. NULL as above. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_provider_endpoint_path(
		const proauth2_provider *provider, proauth2_endpoint which);

/* What the configuration enabled, for the endpoint layer and hosts. */

/** Dynamic client registration (config.enable_registration). */
PROAUTH2_EXPORT bool proauth2_provider_registration_enabled(
		const proauth2_provider *provider);

/** The password grant: enabled and a check_password callback set. */
PROAUTH2_EXPORT bool proauth2_provider_password_grant_enabled(
		const proauth2_provider *provider);

/** The largest dynamic registration body the endpoint layer reads
 * (config.registration_max_metadata). */
PROAUTH2_EXPORT size_t proauth2_provider_registration_max_metadata(
		const proauth2_provider *provider);

/** code_challenge_method=plain is accepted (config.allow_plain_pkce). */
PROAUTH2_EXPORT bool proauth2_provider_plain_pkce_allowed(
		const proauth2_provider *provider);

/** The provider resolves Client ID Metadata Documents
 * (config.client_document_fetch): its metadata says
 * client_id_metadata_document_supported. */
PROAUTH2_EXPORT bool proauth2_provider_client_documents_enabled(
		const proauth2_provider *provider);

/** The provider has signing keys (config.key_encryption_key): its
 * metadata names jwks_uri. */
PROAUTH2_EXPORT bool proauth2_provider_has_signing_keys(
		const proauth2_provider *provider);

/** The provider is an OpenID Provider (config.openid): its metadata is
 * OpenID Connect Discovery's too. */
PROAUTH2_EXPORT bool proauth2_provider_openid_enabled(
		const proauth2_provider *provider);

/** The provider sends Back-Channel Logout tokens
 * (config.backchannel_logout on an OpenID Provider). */
PROAUTH2_EXPORT bool proauth2_provider_backchannel_logout_enabled(
		const proauth2_provider *provider);

/** The provider issues pairwise subjects to the clients that ask
 * (config.pairwise_subject_key on an OpenID Provider). */
PROAUTH2_EXPORT bool proauth2_provider_pairwise_enabled(
		const proauth2_provider *provider);

/** The algorithms an OpenID Provider signs id_tokens with, space-delimited,
 * the default (RS256) first: "RS256 ES256", "RS256 EdDSA" or "RS256".
 * NULL for a provider that is none. Static. */
PROAUTH2_EXPORT const char *proauth2_provider_id_token_algs(
		const proauth2_provider *provider);

/** The space-delimited supported scopes, or NULL when any is. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_provider_supported_scopes(
		const proauth2_provider *provider);

/** Delete expired codes and tokens from the datastore (if the backend can);
 * removed (may be NULL) receives how many. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_provider_purge_expired(
		proauth2_provider *provider, size_t *removed, proauth2_error *err);

/**
 * Hand event to the provider's log callback, if it has one. For endpoint
 * layers built on the engine (the library's HTTP layer is one): the engine
 * reports its own events. event->message must not be NULL and no field
 * may hold a secret.
 */
PROAUTH2_EXPORT void proauth2_provider_report(const proauth2_provider *provider,
		const proauth2_event *event);

#ifdef __cplusplus
}
#endif

#endif
