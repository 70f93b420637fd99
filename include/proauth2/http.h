/** \file
 * proauth2 — the OAuth endpoints over HTTP, without a socket.
 *
 * The host's web server fills a proauth2_http_request from what it received,
 * calls an endpoint function, and sends back the proauth2_http_response it
 * gets: status, headers and body. Every endpoint answers every request,
 * well-formed or not, with the response the RFCs prescribe; a client's
 * mistake never yields a 5xx. Thread-safe as the provider is.
 *
 * proauth2_http_handle() routes by request->path; the endpoint functions
 * (proauth2_http_token() and the others) ignore it, for hosts that route
 * requests themselves.
 *
 * Every endpoint function sets *response (NULL only when memory ran
 * out, with PROAUTH2_ERR_NOMEM) and returns the OAuth outcome: PROAUTH2_OK
 * when the request was granted, else the error the response carries.
 */
#ifndef PROAUTH2_HTTP_H
#define PROAUTH2_HTTP_H

#include <stddef.h>

#include <proauth2/authorization.h>
#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/logout.h>
#include <proauth2/provider.h>
#include <proauth2/token.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Look up a request header by case-insensitive name; NULL if absent. If the
 * header came more than once, return the values joined with ", " (RFC 9110
 * §5.3), so that a repeated Authorization is refused (400 invalid_request);
 * returning one of them hides the repetition. The string must stay valid
 * and unchanged until the endpoint function given the request returns
 * (the library keeps no pointer past that, and may call again for the
 * same name). */
typedef const char *(*proauth2_header_fn)(void *arg, const char *name);

/** What the host received. Fill with proauth2_http_request_init() first
 * (every field empty); it grows as common.h describes. */
typedef struct proauth2_http_request {
	size_t struct_size;         /**< set by init */
	const char *method;         /**< "GET", "POST", ... */
	/** The request target's path as received: raw (not percent-decoded),
	 * without the query string. Only proauth2_http_handle() reads it. */
	const char *path;
	const char *query;          /**< after '?', undecoded; NULL if none */
	const char *body;           /**< may be NULL */
	size_t body_length;         /**< bytes of body */
	proauth2_header_fn header;  /**< may be NULL: no headers */
	void *header_arg;           /**< passed to header */
	/** Reserved for mutual-TLS client authentication (RFC 8705): the
	 * client's certificate in PEM, or NULL. */
	const char *client_certificate;
} proauth2_http_request;

/** Empty req and set its struct_size; see common.h. */
#define proauth2_http_request_init(req) \
	proauth2_http_request_init_sized((req), sizeof(proauth2_http_request))
/** What proauth2_http_request_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_http_request_init_sized(
		proauth2_http_request *request, size_t struct_size);

/** One response header. */
typedef struct proauth2_http_header {
	char *name;   /**< e.g. "Content-Type" */
	char *value;  /**< e.g. "application/json" */
} proauth2_http_header;

/** Owned by the caller; free with proauth2_http_response_free(). */
typedef struct proauth2_http_response {
	int status;                     /**< the HTTP status code */
	proauth2_http_header *headers;  /**< to send as they are */
	size_t n_headers;               /**< how many headers there are */
	char *body;                     /**< NUL-terminated; "" when empty */
	size_t body_length;             /**< bytes of body, its NUL not counted */
} proauth2_http_response;

/** The value of a response header (case-insensitive), or NULL. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_http_response_header(
		const proauth2_http_response *response, const char *name);

/** Free a response. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_http_response_free(proauth2_http_response *response);

/**
 * Route a request to the endpoint its path names, or answer 404/405. The
 * paths are those of the provider's endpoint URLs
 * (proauth2_provider_endpoint_path(), fixed when the provider is made;
 * by default the issuer's path, without a trailing slash, then):
 *   POST /token, POST /revoke, POST /introspect,
 *   GET the metadata at RFC 8414 §3.1's place,
 *   /.well-known/oauth-authorization-server followed by the issuer's path
 *   (and, for an issuer with a path, also at that path followed by
 *   /.well-known/oauth-authorization-server, where OpenID Connect
 *   Discovery and many OAuth clients look),
 *   POST /register and GET/PUT/DELETE /register/\<client_id\> (when the
 *   provider enables registration).
 * request->path is matched raw, byte for byte: a host that mounts the
 * endpoints elsewhere says so in proauth2_config (endpoint_base or an
 * endpoint's URL) rather than rewriting the path, so that the metadata
 * advertises where they are. The host and scheme are not compared.
 * POST /register takes the initial
 *   access token as "Authorization: Bearer" (401 invalid_token when it is
 *   wrong, or missing and configured), refuses a body past
 *   config.registration_max_metadata (400 invalid_client_metadata) and
 *   answers 429 temporarily_unavailable past the anonymous limit.
 * The authorization endpoint (/authorize, advertised in the metadata) is
 * not routed: it needs the host's pages; see proauth2_http_authorize_begin
 * and PROAUTH2_ENDPOINT_AUTHORIZATION for its path.
 *
 * The routed endpoints are strict (a form body only, response_type
 * required); a host that must be lenient mounts proauth2_http_token_with()
 * and the other _with functions at paths of its own.
 *
 * Every endpoint function, called through here or directly, answers
 * another method with 405 method_not_allowed and an Allow header; and
 * every failed client authentication (Basic or client_secret_post) with
 * 401 invalid_client and `WWW-Authenticate: Basic realm="proauth2",
 * error="invalid_client"` (RFC 6749 §5.2, RFC 7662 §2.3). Every
 * error_description stays within RFC 6749 §5.2's characters.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_handle(proauth2_provider *provider,
		const proauth2_http_request *request, proauth2_http_response **response);

/* The endpoint functions below answer whatever request->path says: a host
 * that routes requests itself calls them directly, and the path is not
 * read. */

/** POST token endpoint (RFC 6749 §3.2): authorization_code, refresh_token,
 * client_credentials, and password when provider and client enable it. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_token(proauth2_provider *provider,
		const proauth2_http_request *request, proauth2_http_response **response);

/** POST revocation endpoint (RFC 7009). */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_revoke(proauth2_provider *provider,
		const proauth2_http_request *request, proauth2_http_response **response);

/* ---- Lenient mounts, for clients that do not follow RFC 6749 to the
 * letter (Domain Connect's access_token endpoint, some connectors). ---- */

/** Also take parameters from the query string (POST only). */
#define PROAUTH2_HTTP_PARAMS_QUERY 1u
/** Also take a body of Content-Type application/json: one flat object of
 * string values, bounded as the form is (64 KiB, 64 members, UTF-8, no NUL,
 * no member named twice). */
#define PROAUTH2_HTTP_PARAMS_JSON 2u

/**
 * How one mount of an endpoint reads its request. Fill with
 * proauth2_http_options_init() (strict: every field zero); it grows as
 * common.h describes. One provider may be mounted strictly at one path
 * and leniently at another by calling the same endpoint with different
 * options; proauth2_http_handle() always routes to the strict endpoints.
 *
 * Parameters given in several sources are merged; one present in two with
 * different values is an invalid_request, identical values are taken
 * once. client_id and client_secret from the query or a JSON body count
 * as client_secret_post for token_endpoint_auth_method. GET stays refused
 * with 405.
 *
 * A client secret (or a code, or a refresh token) in the query string is
 * weaker than one in the body: URLs are written to server and proxy logs,
 * may leak through Referer and browser history, and RFC 6749 §2.3.1 says
 * the credentials MUST NOT be sent there. Opt in only for a client that
 * cannot do otherwise, at a path of its own.
 */
typedef struct proauth2_http_options {
	size_t struct_size;  /**< set by init */
	/** Sources besides the form body, PROAUTH2_HTTP_PARAMS_* ORed; read
	 * by proauth2_http_token_with() and proauth2_http_revoke_with(). */
	unsigned params_from;
	/** Nonzero: an authorization request without response_type means
	 * response_type=code (Domain Connect's consent URL has none); read by
	 * proauth2_http_authorize_begin_with(). Zero: invalid_request. */
	int response_type_optional;
} proauth2_http_options;

/** Empty options (strict) and set their struct_size; see common.h. */
#define proauth2_http_options_init(options) \
	proauth2_http_options_init_sized((options), sizeof(proauth2_http_options))
/** What proauth2_http_options_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_http_options_init_sized(
		proauth2_http_options *options, size_t struct_size);

/** proauth2_http_token() reading its parameters as options say (NULL:
 * strict, the same as proauth2_http_token()). */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_token_with(
		proauth2_provider *provider, const proauth2_http_request *request,
		const proauth2_http_options *options, proauth2_http_response **response);

/** proauth2_http_revoke() reading its parameters as options say (NULL:
 * strict). */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_revoke_with(
		proauth2_provider *provider, const proauth2_http_request *request,
		const proauth2_http_options *options, proauth2_http_response **response);

/** POST introspection endpoint (RFC 7662); the caller authenticates as a
 * client and may only introspect its own tokens. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_introspect(proauth2_provider *provider,
		const proauth2_http_request *request, proauth2_http_response **response);

/** GET the JWK Set of the provider's signing keys (RFC 7517 §5,
 * proauth2_signing_keys_jwks()), routed at PROAUTH2_ENDPOINT_JWKS. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_jwks(proauth2_provider *provider,
		const proauth2_http_request *request, proauth2_http_response **response);

/** GET authorization server metadata (RFC 8414). */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_metadata(proauth2_provider *provider,
		const proauth2_http_request *request, proauth2_http_response **response);

/* ---- Authorization endpoint: a two-step API (RFC 6749 §4.1.1) over the
 * pending requests of proauth2/authorization.h. ---- */

/** The longest state (in bytes, decoded) the authorization endpoint takes:
 * it comes back in the redirect's Location, which must stay well within
 * what servers accept in a header (libmicrohttpd: 16 KiB in all). A longer
 * one is refused with a page, never a redirect. */
#define PROAUTH2_HTTP_STATE_MAX_LENGTH 2048

/**
 * Step one: validate an authorization request (GET query or POST form):
 * client_id, redirect_uri (exact match), response_type=code,
 * response_mode (query, the default, or form_post; any other is an
 * invalid_request), scope, state, PKCE. On success returns PROAUTH2_OK with *authorization set and
 * *response NULL: show your login and consent pages, keeping
 * proauth2_authorization_ticket(). On failure *authorization is NULL and
 * *response is the error: a 303 back to the client, or — when client_id
 * or redirect_uri is wrong, or state is longer than
 * PROAUTH2_HTTP_STATE_MAX_LENGTH — a 400 page that never redirects. A 303
 * goes only to a client proauth2_client_trusted_for_error_redirects()
 * trusts (RFC 9700 §4.11.2); for another the error is a page too (status
 * as for the error, JSON) whose "redirect_uri" member is that redirect,
 * for the host to show as a link the user may follow. client_id and the
 * other values are bounded before they reach the engine; an over-long one
 * is an invalid_request.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_authorize_begin(
		proauth2_provider *provider, const proauth2_http_request *request,
		proauth2_authorization **authorization,
		proauth2_http_response **response);

/** proauth2_http_authorize_begin() with options (NULL: as without):
 * options->response_type_optional lets response_type be absent. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_authorize_begin_with(
		proauth2_provider *provider, const proauth2_http_request *request,
		const proauth2_http_options *options,
		proauth2_authorization **authorization,
		proauth2_http_response **response);

/**
 * Step two, approved: issue a code for user_id with granted_scope (NULL:
 * as requested; it may only narrow) and answer with the 303 redirect
 * carrying code, state and iss (RFC 9207). Spends the ticket.
 *
 * A request with response_mode=form_post (OAuth 2.0 Form Post Response
 * Mode) is answered, here and by every redirected error, with a 200
 * text/html page instead, that posts those parameters to the redirect URI
 * as it loads; its Content-Security-Policy allows only that script and a
 * submission to the redirect URI's origin. Send it as it is. Redirected
 * errors carry error_description as well.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_authorize_issue(
		proauth2_provider *provider, const char *ticket, const char *user_id,
		const char *granted_scope, proauth2_http_response **response);

/**
 * proauth2_http_authorize_issue(), attaching grant attributes to the code:
 * the text of a JSON object (NULL: none) the host derives from what the
 * user consented to, such as Domain Connect's domain and hosts. They go
 * with every token of the grant and come back from validation, the bearer
 * check and introspection (member "attributes");
 * proauth2_code_request.attributes has the rules. Attributes that break
 * them are the host's mistake: PROAUTH2_ERR_INVALID_ARGUMENT with a 500
 * server_error page (reported as an event), not a redirect; the ticket is
 * spent.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status
proauth2_http_authorize_issue_with_attributes(proauth2_provider *provider,
		const char *ticket, const char *user_id, const char *granted_scope,
		const char *attributes, proauth2_http_response **response);

/**
 * proauth2_http_authorize_issue() with everything the approval says
 * (proauth2_authorization_approve_with()): attributes and, for OpenID
 * Connect, when and how the user logged in and their session. Facts that
 * break their rules are the host's mistake, answered as for attributes;
 * a nonce the client sent too long is its invalid_request, redirected.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_authorize_issue_with(
		proauth2_provider *provider, const char *ticket,
		const proauth2_approval *approval, proauth2_http_response **response);

/** Step two, refused: the 303 redirect with error=access_denied. Spends the
 * ticket. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_authorize_deny(
		proauth2_provider *provider, const char *ticket,
		proauth2_http_response **response);

/**
 * Step two, answered without the user: the 303 redirect (or form_post
 * page) with the error why stands for, PROAUTH2_ERR_ACCESS_DENIED or, for
 * an OpenID Connect prompt=none request the host cannot answer silently,
 * PROAUTH2_ERR_LOGIN_REQUIRED (no session, or not the id_token_hint's
 * user), PROAUTH2_ERR_CONSENT_REQUIRED (no remembered consent),
 * PROAUTH2_ERR_INTERACTION_REQUIRED or
 * PROAUTH2_ERR_ACCOUNT_SELECTION_REQUIRED. Spends the ticket. Any other
 * why is PROAUTH2_ERR_INVALID_ARGUMENT, a 500 page.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_authorize_refuse(
		proauth2_provider *provider, const char *ticket, proauth2_status why,
		proauth2_http_response **response);

/* ---- End-session endpoint: RP-Initiated Logout 1.0 (proauth2/logout.h),
 * served by the host at proauth2_provider_endpoint(...,
 * PROAUTH2_ENDPOINT_END_SESSION), which signs the user out. ---- */

/**
 * Read a logout request (GET query or POST form, §2) and check it with
 * proauth2_end_session_begin(). On success *request is set and *response
 * NULL: ask the user, end the session, call proauth2_logout(), then
 * answer with proauth2_http_end_session_finish(). A request that breaks
 * the rules: *request NULL, *response a 400 invalid_request page (JSON,
 * its error_description for the user), never a redirect.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_end_session_begin(
		proauth2_provider *provider, const proauth2_http_request *http_request,
		proauth2_end_session **request, proauth2_http_response **response);

/** After the logout: the 303 redirect to the client's
 * post_logout_redirect_uri with state (§3), or, when the request named
 * none, PROAUTH2_OK with *response NULL: show your own signed-out page. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_end_session_finish(
		const proauth2_end_session *request, proauth2_http_response **response);

/* ---- The host's own forms (login, consent). ---- */

/** An application/x-www-form-urlencoded body or query string. */
typedef struct proauth2_form proauth2_form;

/**
 * Parse len bytes of s as strictly as the endpoints parse theirs. Refuses,
 * with PROAUTH2_ERR_INVALID_REQUEST: a bad percent escape, a decoded NUL
 * or invalid UTF-8, a parameter named twice, more than 64 parameters, more
 * than 64 KiB. On success free *form with proauth2_form_free().
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_form_parse(const char *s, size_t len,
		proauth2_form **form, proauth2_error *err);

/** The decoded value of name, or NULL if absent or empty. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_form_get(const proauth2_form *form,
		const char *name);

/** How many parameters the form has, for proauth2_form_name(). */
PROAUTH2_EXPORT size_t proauth2_form_count(const proauth2_form *form);

/** The name of the i-th parameter, in the order given (i < count); NULL
 * past the end. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_form_name(const proauth2_form *form,
		size_t i);

/** Free a form. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_form_free(proauth2_form *form);

/* ---- Resource servers (RFC 6750, RFC 8707, RFC 9728). ---- */

/**
 * Check the request's "Authorization: Bearer" token and that it carries
 * every scope in required_scope (NULL: none). On success *info receives
 * what the token stands for and *response is NULL; otherwise *info is NULL
 * and *response is the 401/403/400 with its WWW-Authenticate header. A
 * required_scope that is no scope (RFC 6749 §3.3) is
 * PROAUTH2_ERR_INVALID_ARGUMENT, answered 500. The token's audience is not
 * checked: a resource registered with proauth2_resource_register() calls
 * proauth2_http_bearer_for().
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_bearer(proauth2_provider *provider,
		const proauth2_http_request *request, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **response);

/**
 * proauth2_http_bearer() for the registered resource with identifier
 * resource: a token not meant for it (proauth2_token_validate_for()) is
 * 401 invalid_token, and every 401 and 403 challenge carries
 * `resource_metadata="<its metadata URL>"` (RFC 9728 §5.1), from which a
 * client that has only the resource's URL finds its authorization server:
 * `WWW-Authenticate: Bearer realm="proauth2",
 * resource_metadata="https://h/.well-known/oauth-protected-resource/mcp",
 * error="invalid_token"`. A resource that is not registered is
 * PROAUTH2_ERR_INVALID_ARGUMENT, answered 500.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_bearer_for(
		proauth2_provider *provider, const proauth2_http_request *request,
		const char *resource, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **response);

/**
 * OpenID Connect UserInfo (Core §5.3), GET or POST with the access token
 * in "Authorization: Bearer": 200 with the JSON of proauth2_userinfo().
 * No token: 401 with the challenge; a bad one, or one meant for another
 * resource (RFC 8707): 401 invalid_token; no openid scope, or no user:
 * 403 insufficient_scope. Routed at the userinfo endpoint's path when
 * config.openid is set; otherwise 500.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_userinfo(
		proauth2_provider *provider, const proauth2_http_request *request,
		proauth2_http_response **response);

/**
 * GET a registered resource's metadata (RFC 9728 §3.2): 200 with the
 * document of proauth2_resource_metadata(). For a host that serves it
 * itself; proauth2_http_handle() routes GET at the metadata URL's path of
 * every registered resource here (proauth2_resource_by_metadata_path()).
 * An unregistered resource is 404.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_http_resource_metadata(
		proauth2_provider *provider, const char *resource,
		const proauth2_http_request *request, proauth2_http_response **response);

#ifdef __cplusplus
}
#endif

#endif
