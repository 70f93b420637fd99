/** \file
 * proauth2 — resource servers (RFC 8707 resource indicators, RFC 9728
 * protected resource metadata).
 *
 * A resource is an API that accepts the provider's access tokens: an MCP
 * server, a gateway, the host's own /api. The host registers each one it
 * serves by its identifier URI. A client then names the resources it wants
 * a token for with the `resource` parameter (at the authorization and the
 * token endpoint, once or several times); the grant is bound to them, and
 * every access token names its audience: the resources it is for.
 *
 * Once a resource is registered it accepts only tokens issued for it
 * (proauth2_token_validate_for(), proauth2_http_bearer_for()). A token
 * issued without `resource` (and without a default resource) has no
 * audience: it serves the resources nobody registered, as every token
 * did before resource indicators.
 *
 * Register resources once, when the provider is made, before it serves
 * requests; registration is thread-safe with requests all the same.
 * Resources live in the provider, not the datastore: each process on a
 * shared datastore registers the same ones from its own configuration.
 */
#ifndef PROAUTH2_RESOURCE_H
#define PROAUTH2_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most resources one provider holds. */
#define PROAUTH2_RESOURCES_MAX 256
/** Most resources one request (or one grant) may name. */
#define PROAUTH2_RESOURCES_PER_REQUEST_MAX 8

/** What access tokens for a resource are. */
typedef enum proauth2_token_format {
	/** As config.jwt_access_tokens says: the default. */
	PROAUTH2_TOKEN_FORMAT_DEFAULT = 0,
	/** Opaque: validated by a datastore read, revoked at once. */
	PROAUTH2_TOKEN_FORMAT_OPAQUE,
	/** A JWT (RFC 9068): validated by signature, no read (needs the
	 * provider's key_encryption_key). */
	PROAUTH2_TOKEN_FORMAT_JWT
} proauth2_token_format;

/** A resource to register. Fill with proauth2_resource_params_init()
 * first; it grows as common.h describes. */
typedef struct proauth2_resource_params {
	size_t struct_size;  /**< set by init */
	/** The resource's identifier (RFC 8707 §2): an absolute https URI
	 * (http only on loopback) with a host, no fragment and no query, at
	 * most PROAUTH2_URL_MAX_LENGTH bytes: "https://api.example.com/mcp".
	 * Clients send it byte for byte; it is the access tokens' "aud".
	 * Required. */
	const char *identifier;
	/** Space-delimited scopes the resource accepts: an access token for
	 * it carries only those of the granted scope (RFC 9728's
	 * scopes_supported). NULL: every scope the grant has. */
	const char *scope;
	/** A human-readable name (RFC 9728 resource_name); NULL: none. */
	const char *name;
	/** A URL of the resource's documentation for developers (RFC 9728
	 * resource_documentation); NULL: none. */
	const char *documentation;
	/** The audience of tokens whose request names no resource. At most
	 * one resource of a provider is the default (else
	 * PROAUTH2_ERR_CONFLICT). No default: such tokens have no audience. */
	bool is_default;
	/** Refuse introspection (RFC 7662) of its tokens by resource servers
	 * (clients registered with proauth2_client_params.resource equal to
	 * the identifier). Off: a resource server of it may introspect every
	 * access token meant for it. */
	bool no_introspection;
	/** What its access tokens are. A token for several resources is a
	 * JWT only when each of them wants one. */
	proauth2_token_format token_format;
} proauth2_resource_params;

/** Empty params and set their struct_size; see common.h. */
#define proauth2_resource_params_init(params) \
	proauth2_resource_params_init_sized((params), \
			sizeof(proauth2_resource_params))
/** What proauth2_resource_params_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_resource_params_init_sized(
		proauth2_resource_params *params, size_t struct_size);

/**
 * Register a resource with the provider (copied). An identifier that is
 * not a resource URI, or a scope that is not a scope, is
 * PROAUTH2_ERR_INVALID_ARGUMENT; one registered before, or a second
 * default, PROAUTH2_ERR_CONFLICT; past PROAUTH2_RESOURCES_MAX,
 * PROAUTH2_ERR_UNAVAILABLE.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_resource_register(
		proauth2_provider *provider, const proauth2_resource_params *params,
		proauth2_error *err);

/** Whether identifier is a registered resource. */
PROAUTH2_EXPORT bool proauth2_resource_is_registered(
		proauth2_provider *provider, const char *identifier);

/**
 * The URL of a resource's metadata (RFC 9728 §3.1): the identifier with
 * /.well-known/oauth-protected-resource inserted between its host and its
 * path ("https://h/mcp" gives "https://h/.well-known/oauth-protected-resource/mcp").
 * *url receives a new string (free()). PROAUTH2_ERR_NOT_FOUND when the
 * resource is not registered.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_resource_metadata_url(
		proauth2_provider *provider, const char *identifier, char **url,
		proauth2_error *err);

/**
 * The registered resource whose metadata URL has path (raw, as received:
 * "/.well-known/oauth-protected-resource/mcp"); the host and scheme are
 * not compared. *identifier receives a new string (free()).
 * PROAUTH2_ERR_NOT_FOUND when none has it. proauth2_http_handle() routes
 * by it.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_resource_by_metadata_path(
		proauth2_provider *provider, const char *path, char **identifier,
		proauth2_error *err);

/**
 * A registered resource's metadata document (RFC 9728 §2) as JSON text:
 * resource, authorization_servers (the issuer), scopes_supported,
 * bearer_methods_supported (["header"]), resource_name,
 * resource_documentation. *json receives a new string (free()).
 * PROAUTH2_ERR_NOT_FOUND when the resource is not registered.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_resource_metadata(
		proauth2_provider *provider, const char *identifier, char **json,
		proauth2_error *err);

#ifdef __cplusplus
}
#endif

#endif
