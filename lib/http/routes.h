/* What routing needs beyond the provider's endpoint paths, which
 * proauth2_provider_endpoint_path() gives (computed when the provider is
 * created from the issuer and the configured endpoint URLs). */
#ifndef PROAUTH2_LIB_HTTP_ROUTES_H
#define PROAUTH2_LIB_HTTP_ROUTES_H

/* RFC 8414 §3's well-known suffix: the metadata's path is this followed by
 * the issuer's path; for an issuer with a path, the metadata is also
 * served at the issuer's path followed by this (OpenID Connect Discovery
 * §4's place, which many clients try). */
#define ROUTE_METADATA "/.well-known/oauth-authorization-server"

/* RFC 9728 §3's well-known prefix of every resource's metadata path. */
#define ROUTE_RESOURCE_METADATA "/.well-known/oauth-protected-resource"

#endif
