/* The provider's registered resources (proauth2/resource.h) and the
 * audiences of grants and tokens: space-delimited lists of resource
 * identifiers, as scopes are lists of scope tokens. */
#ifndef PROAUTH2_LIB_RESOURCES_H
#define PROAUTH2_LIB_RESOURCES_H

#include <proauth2/resource.h>

#include "internal.h"

typedef struct resource_registry resource_registry;

resource_registry *resource_registry_new(void);
void resource_registry_free(resource_registry *r);

/*
 * The resources a request without a grant behind it asks for (the
 * authorization request, client_credentials, password): requested (NULL
 * or "": none) is a space-delimited list, each one registered, at most
 * PROAUTH2_RESOURCES_PER_REQUEST_MAX, repeats taken once. None requested:
 * the default resource, if any. *audience receives a new string, or NULL
 * for no audience. PROAUTH2_ERR_INVALID_TARGET otherwise.
 */
proauth2_status resources_resolve(proauth2_provider *p, const char *requested,
		char **audience, proauth2_error *err);

/*
 * The audience of an access token of a grant bound to granted (NULL: no
 * resource): requested (NULL or "": all of granted) must be among them
 * (RFC 8707 §2.2), else PROAUTH2_ERR_INVALID_TARGET. *audience as above.
 */
proauth2_status resources_narrow(const char *requested, const char *granted,
		char **audience, proauth2_error *err);

/*
 * The scope an access token for audience carries: scope less what none
 * of its resources accepts, when each of them lists what it accepts;
 * else scope. *out receives a new string.
 */
proauth2_status resources_scope(proauth2_provider *p, const char *audience,
		const char *scope, char **out, proauth2_error *err);

/* Whether a token with audience (NULL: none) is meant for resource: one
 * of its audience; a token without audience serves only resources that
 * are not registered. */
bool resources_accept(proauth2_provider *p, const char *audience,
		const char *resource);

/* Whether an access token for audience (not NULL) is a JWT: each of its
 * resources wants one, by its token_format or, by default, jwt_default. */
bool resources_want_jwt(proauth2_provider *p, const char *audience,
		bool jwt_default);

/* A space-delimited list as JSON: a string for one item, else an array
 * (RFC 7519 §4.1.3's aud); NULL for NULL or when memory runs out. */
json_t *resources_list_json(const char *list);

/* Whether resource servers of resource may introspect its tokens. */
bool resources_allow_introspection(proauth2_provider *p, const char *resource);

#endif
