/** \file
 * proauth2 — authorization codes, token grants, validation and revocation.
 *
 * Codes and tokens are 256 random bits, base64url-encoded; only their
 * SHA-256 reaches the datastore.
 *
 * The request structs are filled by the caller and grow as common.h
 * describes: fill each with its init macro first (all fields NULL), e.g.
 * proauth2_refresh_request_init(&req). A token grant's request is named
 * proauth2_\<grant\>_request; the authorization_code grant's is
 * proauth2_code_exchange, as proauth2_code_request is the authorization
 * request the code is issued for.
 */
#ifndef PROAUTH2_TOKEN_H
#define PROAUTH2_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proauth2/client.h>
#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>
#include <proauth2/secret.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a token is said to be (RFC 7009 §2.1, RFC 7662 §2.1). */
typedef enum proauth2_token_hint {
	PROAUTH2_HINT_NONE,           /**< no token_type_hint: look it up as either */
	PROAUTH2_HINT_ACCESS_TOKEN,   /**< "access_token" */
	PROAUTH2_HINT_REFRESH_TOKEN   /**< "refresh_token" */
} proauth2_token_hint;

/** An authorization request the host has approved (RFC 6749 §4.1.1).
 * Fill with proauth2_code_request_init() first. */
typedef struct proauth2_code_request {
	size_t struct_size;  /**< set by init */
	const char *client_id;  /**< the client the code is for */
	/** The user who consented, as the host knows them. Required. */
	const char *user_id;
	/** Must be one of the client's registered URIs, exactly. NULL is
	 * allowed when the client registered exactly one. */
	const char *redirect_uri;
	/** Space-delimited; NULL: the client's registered scope. */
	const char *scope;
	/** RFC 7636: required for public clients (and for all clients when
	 * the provider's require_pkce is set). */
	const char *code_challenge;
	/** "S256" (the default when NULL) or, if allowed, "plain". */
	const char *code_challenge_method;
	/** Grant attributes: the text of a JSON object the host attaches to
	 * the grant (e.g. `{"domain":"connect.domains","hosts":["async",""]}`
	 * for what the user consented to beyond scopes). NULL: none. It goes,
	 * stored compact, with the code and every access and refresh token of
	 * the grant, refreshed ones too, and comes back in
	 * proauth2_token_info.attributes; no client request can set or change
	 * it, but the client and every resource server may read it at
	 * introspection: no secrets in it. At most PROAUTH2_ATTRIBUTES_MAX_LENGTH bytes compact, nested at
	 * most PROAUTH2_ATTRIBUTES_MAX_DEPTH deep, no repeated member: else
	 * PROAUTH2_ERR_INVALID_ARGUMENT. */
	const char *attributes;
	/** RFC 8707: the resources the grant is for, space-delimited (the
	 * request's `resource` parameters), each registered
	 * (proauth2/resource.h), else PROAUTH2_ERR_INVALID_TARGET. NULL: the
	 * default resource, or none. */
	const char *resource;
	/** @name OpenID Connect
	 * Used when the provider is an OpenID Provider (config.openid) and
	 * the scope holds openid; otherwise ignored. They go into the
	 * grant's id_tokens. */
	/** @{ */
	/** The authorization request's nonce, echoed exactly (at most
	 * PROAUTH2_ID_CLAIM_MAX_LENGTH bytes of UTF-8); NULL: none. */
	const char *nonce;
	/** When the user authenticated, seconds since the epoch (the login
	 * the host relied on, not the consent); 0: now. Not in the future. */
	int64_t auth_time;
	/** The Authentication Context Class the login satisfied; NULL: none. */
	const char *acr;
	/** The authentication methods used, space-delimited (RFC 8176:
	 * "pwd", "otp", "hwk", ...); NULL: none. */
	const char *amr;
	/** The host's login session, the sid of the id_token and of a
	 * logout token (Back-Channel Logout 1.0); NULL: none. */
	const char *session_id;
	/** Claims the user agreed to give beyond the scopes (Core §5.5: a
	 * request's claims parameter names them; proauth2_approval.claims),
	 * space-delimited names, at most PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS
	 * each: userinfo_claims at UserInfo (they come with the grant's access
	 * tokens), id_token_claims in its id_tokens, as far as
	 * config.user_claims gives them. Malformed:
	 * PROAUTH2_ERR_INVALID_ARGUMENT. NULL: none. */
	const char *userinfo_claims;
	const char *id_token_claims;  /**< see userinfo_claims */
	/** @} */
} proauth2_code_request;

/** The longest nonce, acr, amr or session_id, in bytes. */
#define PROAUTH2_ID_CLAIM_MAX_LENGTH 512

/** Longest grant attributes, in bytes of compact JSON. */
#define PROAUTH2_ATTRIBUTES_MAX_LENGTH 4096
/** How deep grant attributes may nest; the object itself is depth 1. */
#define PROAUTH2_ATTRIBUTES_MAX_DEPTH 8

/** Empty req and set its struct_size; see common.h. */
#define proauth2_code_request_init(req) \
	proauth2_code_request_init_sized((req), sizeof(proauth2_code_request))
/** What proauth2_code_request_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_code_request_init_sized(
		proauth2_code_request *request, size_t struct_size);

/** A token request with grant_type=authorization_code (RFC 6749 §4.1.3).
 * Fill with proauth2_code_exchange_init() first. */
typedef struct proauth2_code_exchange {
	size_t struct_size;         /**< set by init */
	const char *client_id;      /**< the client redeeming the code */
	const char *client_secret;  /**< NULL for public clients */
	const char *code;           /**< as proauth2_code_issue() gave it */
	const char *redirect_uri;   /**< as sent in the authorization request */
	const char *code_verifier;  /**< RFC 7636 */
	/** How the client sent client_secret: Basic, the form or none (see
	 * proauth2_client_authenticate_method(), which checks it against the
	 * client's registered method). PROAUTH2_AUTH_METHOD_ANY, the
	 * default: not said, and the registered method goes unchecked; a
	 * host with its own HTTP layer sets it. */
	proauth2_auth_method auth_method;
	/** RFC 8707: the resources the access token is for, space-delimited,
	 * each one of the grant's, else PROAUTH2_ERR_INVALID_TARGET. NULL:
	 * all of the grant's. */
	const char *resource;
} proauth2_code_exchange;

/** Empty req and set its struct_size; see common.h. */
#define proauth2_code_exchange_init(req) \
	proauth2_code_exchange_init_sized((req), sizeof(proauth2_code_exchange))
/** What proauth2_code_exchange_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_code_exchange_init_sized(
		proauth2_code_exchange *request, size_t struct_size);

/** A token request with grant_type=refresh_token (RFC 6749 §6). Fill with
 * proauth2_refresh_request_init() first. */
typedef struct proauth2_refresh_request {
	size_t struct_size;         /**< set by init */
	const char *client_id;      /**< the client the token was issued to */
	const char *client_secret;  /**< NULL for public clients */
	const char *refresh_token;  /**< the one to rotate */
	/** NULL: the grant's scope; else a subset of it. */
	const char *scope;
	/** How the client sent client_secret: Basic, the form or none (see
	 * proauth2_client_authenticate_method(), which checks it against the
	 * client's registered method). PROAUTH2_AUTH_METHOD_ANY, the
	 * default: not said, and the registered method goes unchecked; a
	 * host with its own HTTP layer sets it. */
	proauth2_auth_method auth_method;
	/** RFC 8707: the resources the access token is for, space-delimited,
	 * each one of the grant's, else PROAUTH2_ERR_INVALID_TARGET. NULL:
	 * all of the grant's. */
	const char *resource;
} proauth2_refresh_request;

/** Empty req and set its struct_size; see common.h. */
#define proauth2_refresh_request_init(req) \
	proauth2_refresh_request_init_sized((req), sizeof(proauth2_refresh_request))
/** What proauth2_refresh_request_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_refresh_request_init_sized(
		proauth2_refresh_request *request, size_t struct_size);

/** A token request with grant_type=client_credentials (RFC 6749 §4.4.2).
 * Fill with proauth2_client_credentials_request_init() first. */
typedef struct proauth2_client_credentials_request {
	size_t struct_size;         /**< set by init */
	const char *client_id;      /**< a confidential client */
	const char *client_secret;  /**< its secret */
	/** NULL: the client's registered scope. */
	const char *scope;
	/** How the client sent client_secret: Basic, the form or none (see
	 * proauth2_client_authenticate_method(), which checks it against the
	 * client's registered method). PROAUTH2_AUTH_METHOD_ANY, the
	 * default: not said, and the registered method goes unchecked; a
	 * host with its own HTTP layer sets it. */
	proauth2_auth_method auth_method;
	/** RFC 8707: the resources the access token is for, space-delimited,
	 * each registered, else PROAUTH2_ERR_INVALID_TARGET. NULL: the
	 * default resource, or none. */
	const char *resource;
} proauth2_client_credentials_request;

/** Empty req and set its struct_size; see common.h. */
#define proauth2_client_credentials_request_init(req) \
	proauth2_client_credentials_request_init_sized((req), \
			sizeof(proauth2_client_credentials_request))
/** What proauth2_client_credentials_request_init() calls, with the
 * caller's sizeof. */
PROAUTH2_EXPORT void proauth2_client_credentials_request_init_sized(
		proauth2_client_credentials_request *request, size_t struct_size);

/** A token request with grant_type=password (RFC 6749 §4.3.2). Fill with
 * proauth2_password_request_init() first. */
typedef struct proauth2_password_request {
	size_t struct_size;         /**< set by init */
	const char *client_id;      /**< the client asking */
	const char *client_secret;  /**< NULL for public clients */
	const char *username;       /**< the resource owner, for check_password */
	const char *password;       /**< their password, for check_password */
	/** NULL: the client's registered scope. */
	const char *scope;
	/** How the client sent client_secret: Basic, the form or none (see
	 * proauth2_client_authenticate_method(), which checks it against the
	 * client's registered method). PROAUTH2_AUTH_METHOD_ANY, the
	 * default: not said, and the registered method goes unchecked; a
	 * host with its own HTTP layer sets it. */
	proauth2_auth_method auth_method;
	/** RFC 8707: the resources the access token is for, space-delimited,
	 * each registered, else PROAUTH2_ERR_INVALID_TARGET. NULL: the
	 * default resource, or none. */
	const char *resource;
} proauth2_password_request;

/** Empty req and set its struct_size; see common.h. */
#define proauth2_password_request_init(req) \
	proauth2_password_request_init_sized((req), sizeof(proauth2_password_request))
/** What proauth2_password_request_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_password_request_init_sized(
		proauth2_password_request *request, size_t struct_size);

/** A successful token response (RFC 6749 §5.1). Owned strings; free with
 * proauth2_token_response_free(), which wipes them. */
typedef struct proauth2_token_response {
	char *access_token;      /**< the new access token */
	const char *token_type;  /**< "Bearer" (static) */
	int64_t expires_in;      /**< seconds the access token is valid for */
	char *refresh_token;     /**< NULL when none was issued */
	char *scope;             /**< the granted scope; "" for none */
	/** OpenID Connect: the id_token of a grant whose scope holds openid
	 * (config.openid), on the code exchange and on refresh; else NULL. */
	char *id_token;
} proauth2_token_response;

/** What an access token stands for. Free with proauth2_token_info_free(). */
typedef struct proauth2_token_info {
	char *client_id;   /**< the client it was issued to */
	char *user_id;     /**< NULL for a client_credentials token */
	char *scope;       /**< "" for none */
	int64_t issued_at;   /**< seconds since the epoch, by the provider's clock */
	int64_t expires_at;  /**< when it stops being valid, likewise */
	bool is_refresh_token; /**< set by proauth2_token_introspect() */
	/** The grant's attributes (proauth2_code_request.attributes), compact
	 * JSON object text; NULL when the grant has none. */
	char *attributes;
	/** RFC 8707: the resources the token is for, space-delimited (a
	 * refresh token: those its grant may ask for); NULL: no audience. */
	char *audience;
	/** OpenID Connect: the claims the authorization request asked for by
	 * name for UserInfo (the claims parameter, Core §5.5),
	 * space-delimited; NULL: none. */
	char *userinfo_claims;
} proauth2_token_info;

/**
 * Issue a one-time authorization code for an approved request. Checks the
 * client, its grant types, the redirect URI, the scope and PKCE. On success
 * *code receives the code (free with proauth2_secret_free()).
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_code_issue(
		proauth2_provider *provider, const proauth2_code_request *request,
		char **code, proauth2_error *err);

/**
 * grant_type=authorization_code: authenticate the client, redeem the code
 * once, check redirect_uri and the PKCE verifier, and issue an access token
 * (and a refresh token if the client may refresh). Among concurrent
 * redemptions of one code exactly one succeeds; a replayed code is refused
 * and revokes every token issued from it. A datastore failure
 * (PROAUTH2_ERR_UNAVAILABLE, PROAUTH2_ERR_OUTCOME_UNKNOWN) leaves the code
 * good: the same request again completes the exchange.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_exchange_code(
		proauth2_provider *provider, const proauth2_code_exchange *request,
		proauth2_token_response **out, proauth2_error *err);

/**
 * grant_type=refresh_token: rotate the refresh token (the one presented
 * stops working) and issue a new access token, with the request's scope
 * (NULL: the same scope; else a subset of the original grant). Presenting
 * a refresh token that was already rotated revokes the whole grant. A
 * datastore failure leaves the refresh token good, as for a code.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_refresh(
		proauth2_provider *provider, const proauth2_refresh_request *request,
		proauth2_token_response **out, proauth2_error *err);

/** grant_type=client_credentials (confidential clients only): an access
 * token on the client's own behalf, without refresh token. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_client_credentials(
		proauth2_provider *provider,
		const proauth2_client_credentials_request *request,
		proauth2_token_response **out, proauth2_error *err);

/**
 * grant_type=password (RFC 6749 §4.3), for legacy clients only: the
 * provider must enable it and the client be registered with
 * PROAUTH2_GRANT_PASSWORD; the provider's check_password judges the
 * credentials (a wrong password is PROAUTH2_ERR_INVALID_GRANT).
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_password(
		proauth2_provider *provider, const proauth2_password_request *request,
		proauth2_token_response **out, proauth2_error *err);

/**
 * Validate an access token. PROAUTH2_ERR_INVALID_TOKEN when it is unknown,
 * expired or revoked. On success *out (may be NULL) receives what the token
 * stands for. The token's audience is not checked: a resource server calls
 * proauth2_token_validate_for().
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_validate(
		proauth2_provider *provider, const char *access_token,
		proauth2_token_info **out, proauth2_error *err);

/**
 * proauth2_token_validate() for the resource with identifier resource
 * (RFC 8707): also PROAUTH2_ERR_INVALID_TOKEN when the token is not meant
 * for it. A token with an audience is meant for the resources it names; a
 * token without one, only for resources that are not registered
 * (proauth2/resource.h), so that a registered resource never takes a token
 * issued for no one in particular. resource NULL is
 * PROAUTH2_ERR_INVALID_ARGUMENT.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_validate_for(
		proauth2_provider *provider, const char *access_token,
		const char *resource, proauth2_token_info **out, proauth2_error *err);

/**
 * Revoke an access or refresh token on behalf of client_id, which the
 * caller has authenticated (proauth2_client_authenticate()). Revoking a
 * refresh token revokes its whole grant, access tokens included. An
 * unknown token is not an error (RFC 7009 §2.2); a token of another client
 * is refused with PROAUTH2_ERR_UNAUTHORIZED_CLIENT and left alone. A
 * refresh token (or code) already spent is a reuse: its whole grant is
 * revoked and the replay reported, as at the token endpoint; still
 * PROAUTH2_OK.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_revoke(
		proauth2_provider *provider, const char *client_id,
		const char *token, proauth2_token_hint hint, proauth2_error *err);

/** Revoke every code and token user_id granted to client_id ("log out").
 * removed (may be NULL) receives how many records went. After a failure
 * some may be left: call it again until it succeeds. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_revoke_user(
		proauth2_provider *provider, const char *client_id,
		const char *user_id, size_t *removed, proauth2_error *err);

/**
 * Look up an access or refresh token for client_id, which the caller has
 * authenticated (RFC 7662). A token unknown, expired, revoked or issued to
 * another client is PROAUTH2_ERR_INVALID_TOKEN ("active": false), with one
 * exception: a resource server (a confidential client registered with
 * proauth2_client_params.resource) may look up another client's access
 * token meant for its resource, as proauth2_token_validate_for() judges
 * it, unless the resource is registered with no_introspection. The answer
 * names the token's audience (RFC 8707). A refresh token is never meant
 * for one. A
 * refresh token (or code) already spent is a reuse: its grant is revoked
 * and the replay reported, and the answer is the same. On success *out
 * (may be NULL, to ask only whether the token is active) receives what
 * the token stands for.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_token_introspect(
		proauth2_provider *provider, const char *client_id,
		const char *token, proauth2_token_hint hint,
		proauth2_token_info **out, proauth2_error *err);

/** @{ */
/** Wipe and free. Each accepts NULL. */
PROAUTH2_EXPORT void proauth2_token_response_free(proauth2_token_response *response);
PROAUTH2_EXPORT void proauth2_token_info_free(proauth2_token_info *info);
/** @} */

#ifdef __cplusplus
}
#endif

#endif
