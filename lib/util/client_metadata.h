/* RFC 7591 client metadata read from JSON: a registration request's body
 * (lib/http/register.c) and a Client ID Metadata Document
 * (lib/client_document.c) share one reading. */
#ifndef PROAUTH2_UTIL_CLIENT_METADATA_H
#define PROAUTH2_UTIL_CLIENT_METADATA_H

#include <jansson.h>

#include <proauth2/client.h>

/* The most redirect URIs any configuration allows (the engine holds each
 * client to its own limit). */
#define CLIENT_METADATA_MAX_URIS 64

/* Client metadata pointing into the JSON it was read from. A "resource"
 * member is not read: only the host makes resource servers. */
typedef struct client_metadata {
	proauth2_client_params params;
	const char *uris[CLIENT_METADATA_MAX_URIS];
	const char *logout_uris[CLIENT_METADATA_MAX_URIS];
} client_metadata;

/* Read doc into m: false and a description in *problem when it is no valid
 * metadata. A client without token_endpoint_auth_method uses
 * default_method; grant_types may name only grants in allowed (without
 * grant_types: authorization_code, RFC 7591 §2). m points into doc. */
bool client_metadata_read(const json_t *doc, proauth2_auth_method default_method,
		unsigned allowed, client_metadata *m, const char **problem);

#endif
