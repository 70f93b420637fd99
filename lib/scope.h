/* Space-delimited scope strings (RFC 6749 §3.3). */
#ifndef PROAUTH2_LIB_SCOPE_H
#define PROAUTH2_LIB_SCOPE_H

#include <stdbool.h>

#include <proauth2/scope.h>

#include "internal.h"

/* scope = scope-token *( SP scope-token ); "" is the empty scope. */
bool scope_is_valid(const char *scope);

/* Whether the space-delimited list holds the len bytes of token as one of
 * its words. */
bool scope_has_token(const char *list, const char *token, size_t len);

/* Every token of scope appears in allowed. */
bool scope_is_subset(const char *scope, const char *allowed);

/*
 * The scope to grant for a request: requested (NULL or "" means the
 * client's whole allowed scope), checked for syntax, against allowed and
 * against the provider's supported scopes. *granted receives a new string.
 */
proauth2_status scope_resolve(const proauth2_provider *p, const char *requested,
		const char *allowed, char **granted, proauth2_error *err);

#endif
