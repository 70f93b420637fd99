/** \file
 * proauth2 — client registration and management.
 */
#ifndef PROAUTH2_CLIENT_H
#define PROAUTH2_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a client can keep secret (RFC 6749 §2.1). */
typedef enum proauth2_client_type {
	/** Holds a secret: authenticates at the token endpoint. */
	PROAUTH2_CLIENT_CONFIDENTIAL,
	/** Cannot keep a secret (native, browser apps): must use PKCE. */
	PROAUTH2_CLIENT_PUBLIC
} proauth2_client_type;

/** @name Grant types, as a bit set
 * Each bit is a grant_type of RFC 6749; see proauth2_grant_type_name(). */
/** @{ */
#define PROAUTH2_GRANT_AUTHORIZATION_CODE 0x1u  /**< "authorization_code" */
#define PROAUTH2_GRANT_REFRESH_TOKEN      0x2u  /**< "refresh_token" */
#define PROAUTH2_GRANT_CLIENT_CREDENTIALS 0x4u  /**< "client_credentials" */
#define PROAUTH2_GRANT_PASSWORD           0x8u  /**< "password" */
/** @} */

/** The RFC 6749 grant_type name of one PROAUTH2_GRANT_* bit
 * ("authorization_code", "refresh_token", "client_credentials",
 * "password"); NULL for anything else, several bits included. Static. */
PROAUTH2_EXPORT const char *proauth2_grant_type_name(unsigned grant);

/** The PROAUTH2_GRANT_* bit a grant_type name stands for; 0 when the name
 * is unknown or NULL. Case-sensitive, as RFC 6749 §3.2 is. */
PROAUTH2_EXPORT unsigned proauth2_grant_type_parse(const char *name);

/** How a client authenticates at the token, revocation and introspection
 * endpoints: RFC 7591 §2's token_endpoint_auth_method. */
typedef enum proauth2_auth_method {
	/** Whatever suits its type: client_secret_basic or client_secret_post
	 * for a confidential client, none for a public one. The default of
	 * clients the host registers. */
	PROAUTH2_AUTH_METHOD_ANY = 0,
	/** "client_secret_basic": the secret in Authorization: Basic only
	 * (RFC 6749 §2.3.1). Confidential clients. */
	PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC,
	/** "client_secret_post": the secret in the form body only. */
	PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST,
	/** "none": client_id alone, no secret. Public clients. */
	PROAUTH2_AUTH_METHOD_NONE
} proauth2_auth_method;

/** The RFC 7591 name of method ("client_secret_basic",
 * "client_secret_post", "none"); NULL for PROAUTH2_AUTH_METHOD_ANY and
 * anything else. Static. */
PROAUTH2_EXPORT const char *proauth2_auth_method_name(proauth2_auth_method method);

/** The method an RFC 7591 name stands for; PROAUTH2_AUTH_METHOD_ANY when
 * the name is unknown or NULL (no name means it). Case-sensitive. */
PROAUTH2_EXPORT proauth2_auth_method proauth2_auth_method_parse(const char *name);

/** What the caller gives to register or update a client. Fill with
 * proauth2_client_params_init() first (confidential, every field empty);
 * it grows as common.h describes. */
typedef struct proauth2_client_params {
	size_t struct_size;  /**< set by init */
	proauth2_client_type type;  /**< confidential unless set */
	/** Registered redirect URIs. Needed for the authorization_code
	 * grant. Each must be an absolute URI without fragment, one of:
	 * https with a host; http on loopback only (127.0.0.1, [::1] or
	 * localhost; RFC 8252 §8.3 prefers the IP literals) unless
	 * config.allow_http_redirect_uris; a private-use scheme in
	 * reverse-domain form for native apps (RFC 8252 §7.1:
	 * com.example.app:/cb). javascript:, data:, file: and vbscript: are
	 * never accepted. A refusal is PROAUTH2_ERR_INVALID_REDIRECT_URI
	 * saying why. A request's redirect_uri matches a registered one byte
	 * for byte, except that on http://127.0.0.1 and http://[::1] the
	 * port may differ (RFC 8252 §7.3). */
	const char *const *redirect_uris;
	size_t n_redirect_uris;  /**< how many redirect_uris there are */
	/** PROAUTH2_GRANT_* bits. 0 means authorization_code + refresh_token.
	 * PROAUTH2_GRANT_PASSWORD registers dynamically only on a provider
	 * that enables the password grant, only with the initial access
	 * token and only for a confidential client
	 * (PROAUTH2_ERR_INVALID_REQUEST otherwise): the client sees the
	 * user's password, so the host must vouch for it. */
	unsigned grant_types;
	/** Space-delimited scopes the client may ask for; also the default
	 * scope of requests that name none. NULL or "": no scope; but NULL
	 * at dynamic registration (and its updates) means the provider's
	 * supported_scopes, or "" when it has no list, so that a client
	 * registered without scope can ask for any scope it could have
	 * named. */
	const char *scope;
	/** Display name for consent pages. May be NULL. */
	const char *name;
	/** How the client must authenticate. ANY (the default) leaves it to
	 * the client's type; BASIC and POST need a confidential client, NONE
	 * a public one (PROAUTH2_ERR_INVALID_REQUEST otherwise). Before
	 * resource: the struct then ends without padding that a copy of it
	 * need not zero. */
	proauth2_auth_method token_endpoint_auth_method;
	/** Makes the client a resource server with this identifier: an
	 * absolute URI (RFC 8707 §2) of https, or http on loopback, without
	 * fragment, at most 2048 bytes (PROAUTH2_ERR_INVALID_REQUEST
	 * otherwise). Such a client may introspect the access tokens meant
	 * for that resource, whichever client they were issued to (see
	 * proauth2_token_introspect()). Only the host sets it:
	 * dynamic registration refuses it. NULL: no resource server. */
	const char *resource;
	/** The client_id to register under; NULL (the default): a random
	 * UUID. 1 to PROAUTH2_CLIENT_ID_MAX_LENGTH bytes of RFC 3986
	 * unreserved characters (A-Z a-z 0-9 - . _ ~), so that it needs no
	 * escaping in a form, a URL path (the RFC 7592 configuration
	 * endpoint), HTTP Basic (no ':', RFC 6749 §2.3.1), a header or a
	 * log line: "exampleservice.domainconnect.org",
	 * "dracoon_legacy_scripting". Else PROAUTH2_ERR_INVALID_REQUEST. An
	 * id already registered is PROAUTH2_ERR_CONFLICT, decided by the
	 * datastore's insert (of two racing registrations exactly one wins).
	 * Dynamic registration takes it only as
	 * proauth2_config.registration_client_ids allows. Updates ignore it:
	 * a client's id never changes. */
	const char *client_id;
	/** Let this client do the code flow without PKCE (RFC 7636), for a
	 * legacy client that cannot send code_challenge (DRACOON's scripting
	 * client). Off by default. Only the host sets it: dynamic
	 * registration refuses it (PROAUTH2_ERR_INVALID_REQUEST) and a
	 * client's own update (RFC 7592) keeps the host's say while its
	 * redirect URIs stay as they were; new ones end it. It exempts
	 * the client from the PKCE a public client always needs and from
	 * config.require_pkce; a request that sends code_challenge is held
	 * to it as ever, and its code needs its verifier.
	 *
	 * Weaker, and why RFC 9700 §2.1.1 requires PKCE of public clients: a
	 * code intercepted on its way to the redirect URI (another app
	 * claiming the URI scheme, a log, a Referer), or a stolen code
	 * injected into the client's own session, can be redeemed, as a
	 * public client has no secret that would stop either. Set it only
	 * for a client that cannot be changed, with redirect URIs the user's
	 * device alone can receive. No event is reported per request: the
	 * host chose this once, per client.
	 *
	 * A field appended after it must begin past the old sizeof (as a
	 * pointer does): a copy of the struct need not zero its padding. */
	bool pkce_optional;
	/** OpenID Connect Registration §2: the alg of the client's
	 * id_tokens, one the provider signs with
	 * (proauth2_provider_id_token_algs()), else
	 * PROAUTH2_ERR_INVALID_REQUEST; on a provider that is no OpenID
	 * Provider, refused likewise. NULL: RS256. */
	const char *id_token_signed_response_alg;
	/** RP-Initiated Logout §3.1: where the end-session endpoint may send
	 * the user back, matched exactly; the rules of redirect URIs (at most
	 * as many, as long; PROAUTH2_ERR_INVALID_REDIRECT_URI). Only on an
	 * OpenID Provider (PROAUTH2_ERR_INVALID_REQUEST otherwise). */
	const char *const *post_logout_redirect_uris;
	/** How many post_logout_redirect_uris there are. */
	size_t n_post_logout_redirect_uris;
	/** Back-Channel Logout §2.2: where the client takes logout tokens,
	 * an absolute URI of https, or http on loopback, without fragment,
	 * at most 2048 bytes. Only on an OpenID Provider. NULL: none. */
	const char *backchannel_logout_uri;
	/** OpenID Connect Registration §2: the max_age of a request that
	 * names none, in seconds (0: none). At most 999999999. */
	int64_t default_max_age;
	/** Back-Channel Logout §2.2: the client's logout tokens must carry
	 * sid; a logout of a user without a session (or of a login the host
	 * gave no session_id) then sends it none. Needs
	 * backchannel_logout_uri. */
	bool backchannel_logout_session_required;
	/** OpenID Connect Core §8.1 (subject_type pairwise): its id_tokens,
	 * UserInfo and logout tokens name users by a sub of their own for the
	 * client's sector, the host of sector_identifier_uri or else the one
	 * host of its redirect URIs. Needs config.pairwise_subject_key. */
	bool pairwise_subject;
	/** Registration §5: an https URL whose JSON array lists every redirect
	 * URI (fetched with config.client_document_fetch): the sector of
	 * clients whose redirect URIs are on several hosts. Only with
	 * pairwise_subject. NULL: none. */
	const char *sector_identifier_uri;
} proauth2_client_params;

/** The longest client_id proauth2_client_params.client_id may choose. */
#define PROAUTH2_CLIENT_ID_MAX_LENGTH 128

/** Fill params with the defaults above and its struct_size; see common.h. */
#define proauth2_client_params_init(params) \
	proauth2_client_params_init_sized((params), sizeof(proauth2_client_params))
/** What proauth2_client_params_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_client_params_init_sized(
		proauth2_client_params *params, size_t struct_size);

/** Who registered a client: what makes it trusted (see
 * proauth2_client_is_trusted()). */
typedef enum proauth2_client_origin {
	/** The host, through proauth2_client_register(); stored as "host". */
	PROAUTH2_REGISTERED_BY_HOST,
	/** Dynamic registration presenting the configured initial access
	 * token (RFC 7591 §3); stored as "initial_access_token". */
	PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN,
	/** Dynamic registration by anyone; stored as "anonymous". */
	PROAUTH2_REGISTERED_ANONYMOUSLY,
	/** Nobody: its client_id is the URL of its own metadata document
	 * (config.client_document_fetch), read when needed and never stored.
	 * Untrusted, as an anonymous client. */
	PROAUTH2_REGISTERED_BY_DOCUMENT
} proauth2_client_origin;

/** A registered client, as read from the datastore. Every string is owned by
 * the struct; free it with proauth2_client_free(). */
typedef struct proauth2_client {
	char *client_id;  /**< a UUID, or the id the host chose */
	/** The secret in clear: set only by proauth2_client_register() and
	 * proauth2_client_rotate_secret() for confidential clients, NULL
	 * otherwise. It is not stored anywhere: hand it to the client now. */
	char *client_secret;
	proauth2_client_type type;  /**< as registered; never changes */
	char **redirect_uris;       /**< the registered redirect URIs */
	size_t n_redirect_uris;     /**< how many redirect_uris there are */
	unsigned grant_types;       /**< PROAUTH2_GRANT_* bits */
	char *scope;                /**< never NULL; "" for none */
	char *name;                 /**< may be NULL */
	int64_t created_at;         /**< when it registered, by the provider's clock */
	/** Who registered it. Clients stored before this field: anonymous
	 * when they have a registration access token, else the host. */
	proauth2_client_origin registered_by;
	/** The resource it serves (proauth2_client_params.resource); NULL
	 * when it is no resource server. */
	char *resource;
	/** How it must authenticate; ANY for clients stored before it. */
	proauth2_auth_method token_endpoint_auth_method;
	/** Its code flow may go without PKCE
	 * (proauth2_client_params.pkce_optional); false for clients stored
	 * before it. */
	bool pkce_optional;
	/** Its id_tokens' alg (proauth2_client_params); NULL: RS256. */
	char *id_token_signed_response_alg;
	/** Where logout may send the user back (proauth2_client_params). */
	char **post_logout_redirect_uris;
	/** How many post_logout_redirect_uris there are. */
	size_t n_post_logout_redirect_uris;
	/** Where it takes logout tokens; NULL: none. */
	char *backchannel_logout_uri;
	/** Its requests' max_age when they name none; 0: none. */
	int64_t default_max_age;
	/** Its logout tokens must carry sid. */
	bool backchannel_logout_session_required;
	/** Its users' subs are pairwise (proauth2_client_params). */
	bool pairwise_subject;
	/** Where its sector was read; NULL: its redirect URIs' host. */
	char *sector_identifier_uri;
} proauth2_client;

/** client->registered_by; PROAUTH2_REGISTERED_ANONYMOUSLY for NULL. */
PROAUTH2_EXPORT proauth2_client_origin proauth2_client_registered_by(
		const proauth2_client *client);

/** Whether the provider vouches for client: registered by the host or
 * with the initial access token, not anonymously. Only a trusted client
 * is sent an authorization error by automatic redirect. False for NULL. */
PROAUTH2_EXPORT bool proauth2_client_is_trusted(const proauth2_client *client);

/**
 * Register a new client: client_id is params->client_id, or a random UUID
 * (PROAUTH2_ERR_CONFLICT when the chosen one is taken); a confidential client
 * gets a 256-bit client_secret, stored only as its SHA-256. On success
 * *out receives the client (with its secret), freed with
 * proauth2_client_free(). Bad params: PROAUTH2_ERR_INVALID_REDIRECT_URI for
 * the redirect URIs (RFC 7591's invalid_redirect_uri), else
 * PROAUTH2_ERR_INVALID_REQUEST or PROAUTH2_ERR_INVALID_SCOPE; the same for
 * proauth2_client_update().
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_register(
		proauth2_provider *provider, const proauth2_client_params *params,
		proauth2_client **out, proauth2_error *err);

/** Read a client. PROAUTH2_ERR_NOT_FOUND if there is none. *out as above,
 * without the secret. With config.client_document_fetch set, an https
 * client_id is the client its metadata document describes
 * (PROAUTH2_REGISTERED_BY_DOCUMENT), fetched or from the cache, or
 * PROAUTH2_ERR_INVALID_CLIENT, err saying why, when that document could not
 * be fetched or describes no client this provider takes. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_get(
		proauth2_provider *provider, const char *client_id,
		proauth2_client **out, proauth2_error *err);

/** Replace a client's redirect URIs, grant types, scope and name (its type,
 * secret and origin stay). A dynamically registered client stays held to
 * config's registration limits. out may be NULL; else it receives the
 * updated client. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_update(
		proauth2_provider *provider, const char *client_id,
		const proauth2_client_params *params, proauth2_client **out,
		proauth2_error *err);

/** Give a confidential client a new secret; the old one stops working.
 * *out receives the client with its new secret. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_rotate_secret(
		proauth2_provider *provider, const char *client_id,
		proauth2_client **out, proauth2_error *err);

/** Delete a client and every code and token issued to it. A delete that
 * failed midway (any datastore error) leaves the client in place: call it
 * again, and it finishes. PROAUTH2_ERR_NOT_FOUND when there was no such
 * client and nothing of it was left, which a retry after a failure whose
 * outcome was unknown (PROAUTH2_ERR_OUTCOME_UNKNOWN) may also answer: the
 * client and its tokens are gone either way. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_delete(
		proauth2_provider *provider, const char *client_id,
		proauth2_error *err);

/**
 * Authenticate a client at the token endpoint. A confidential client must
 * present its secret (compared in constant time); a public client must
 * present none. PROAUTH2_ERR_INVALID_CLIENT on any failure, without saying
 * which. out may be NULL; else it receives the client. The client's
 * token_endpoint_auth_method is not looked at: this is
 * proauth2_client_authenticate_method() with PROAUTH2_AUTH_METHOD_ANY.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_authenticate(
		proauth2_provider *provider, const char *client_id,
		const char *client_secret, proauth2_client **out,
		proauth2_error *err);

/**
 * proauth2_client_authenticate() of credentials that came by method: Basic
 * (PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC), the form
 * (PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST) or client_id alone
 * (PROAUTH2_AUTH_METHOD_NONE). A client registered for one method that
 * used another is PROAUTH2_ERR_INVALID_CLIENT, as a wrong secret is; a
 * client registered with PROAUTH2_AUTH_METHOD_ANY takes what its type
 * allows. method PROAUTH2_AUTH_METHOD_ANY means the caller cannot say:
 * only the secret is checked. The HTTP endpoints always say.
 *
 * An empty client_secret ("") is no secret, whichever method brought it:
 * RFC 6749 §2.3.1 lets a client whose secret is empty leave it out, and
 * public clients' libraries send Basic with an empty password ("id:").
 * It counts as PROAUTH2_AUTH_METHOD_NONE, so it identifies a public
 * client registered with NONE or ANY, and never authenticates a
 * confidential client (PROAUTH2_ERR_INVALID_CLIENT).
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_authenticate_method(
		proauth2_provider *provider, const char *client_id,
		const char *client_secret, proauth2_auth_method method,
		proauth2_client **out, proauth2_error *err);

/* ---- Dynamic registration (RFC 7591) and its management (RFC 7592). ---- */

/**
 * Register a client as proauth2_client_register() does, and give it a
 * registration access token (RFC 7592 §3) with which it may read, update
 * and delete itself; like its secret, the token is stored only as its
 * SHA-256. On success *out receives the client and *registration_token
 * the token (free with proauth2_secret_free()); on failure both are NULL.
 *
 * This is an anonymous registration:
 * proauth2_client_register_dynamic_with_token() with no token. Params are
 * held to config's registration limits (PROAUTH2_ERR_INVALID_REDIRECT_URI
 * or PROAUTH2_ERR_INVALID_REQUEST beyond them); when the config names an
 * initial access token it fails with PROAUTH2_ERR_INVALID_TOKEN; when
 * config.registration_anonymous_max registrations were made in the current
 * window, with PROAUTH2_ERR_TOO_MANY_REQUESTS. A NULL params->scope is
 * the provider's supported scopes; params->resource must be NULL (only the
 * host makes resource servers) and the password grant is refused
 * (PROAUTH2_ERR_INVALID_REQUEST both).
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_register_dynamic(
		proauth2_provider *provider, const proauth2_client_params *params,
		proauth2_client **out, char **registration_token, proauth2_error *err);

/**
 * proauth2_client_register_dynamic() presenting initial_access_token (RFC
 * 7591 §3; may be NULL for none). A token that is not the configured one
 * (or any token when none is configured) is PROAUTH2_ERR_INVALID_TOKEN. A
 * client registered with the right one is PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN
 * and is not counted against the anonymous limit, and may have the password
 * grant when the provider enables it and the client is confidential.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status
proauth2_client_register_dynamic_with_token(proauth2_provider *provider,
		const proauth2_client_params *params, const char *initial_access_token,
		proauth2_client **out, char **registration_token, proauth2_error *err);

/**
 * Whether an error at the authorization endpoint may be redirected to
 * client without the user's say (RFC 9700 §4.11.2): the rule of
 * proauth2_config.error_redirects. Under PROAUTH2_ERROR_REDIRECTS_TRUSTED
 * the clients proauth2_client_is_trusted() says are (registered by the
 * host, or dynamically with the initial access token) are, one registered
 * anonymously (RFC 7591 without an initial access token) is not. For the
 * others the endpoint answers with a page holding the redirect as a link.
 */
PROAUTH2_EXPORT bool proauth2_client_trusted_for_error_redirects(
		proauth2_provider *provider, const proauth2_client *client);

/**
 * PROAUTH2_OK when token is client_id's registration access token (compared
 * in constant time). PROAUTH2_ERR_INVALID_TOKEN when it is not, the client
 * is unknown or was registered without one (RFC 7592 §2: alike to the
 * caller); a datastore failure returns its own status.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_verify_registration_token(
		proauth2_provider *provider, const char *client_id, const char *token,
		proauth2_error *err);

/**
 * The redirect URI an authorization request with redirect_uri goes to:
 * redirect_uri itself when it matches a registered one (byte for byte, or
 * on http loopback IP literals all but the port: see
 * proauth2_client_params), the client's only URI when redirect_uri is NULL
 * (RFC 6749 §3.1.2.3); else NULL. Borrowed from client or redirect_uri.
 */
PROAUTH2_EXPORT const char *proauth2_client_redirect_target(
		const proauth2_client *client, const char *redirect_uri);

/** Free a client, wiping its secret. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_client_free(proauth2_client *client);

#ifdef __cplusplus
}
#endif

#endif
