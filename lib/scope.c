/* Space-delimited scope strings (RFC 6749 §3.3). */
#include <stdlib.h>
#include <string.h>

#include "scope.h"

/* scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
static bool is_scope_char(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

bool scope_is_valid(const char *scope)
{
	const char *s;

	if (scope == NULL || strlen(scope) > PROAUTH2_FIELD_MAX_LENGTH)
		return false;
	for (s = scope; *s != '\0'; s++) {
		if (*s == ' ') {
			/* No leading, trailing or doubled space: no empty token. */
			if (s == scope || s[1] == ' ' || s[1] == '\0')
				return false;
		} else if (!is_scope_char((unsigned char)*s)) {
			return false;
		}
	}
	return true;
}

bool scope_has_token(const char *list, const char *token, size_t len)
{
	const char *s = list;

	while (*s != '\0') {
		size_t n = strcspn(s, " ");

		if (n == len && memcmp(s, token, len) == 0)
			return true;
		s += n;
		s += strspn(s, " ");
	}
	return false;
}

bool scope_is_subset(const char *scope, const char *allowed)
{
	const char *s = scope;

	while (*s != '\0') {
		size_t n = strcspn(s, " ");

		if (n > 0 && !scope_has_token(allowed, s, n))
			return false;
		s += n;
		s += strspn(s, " ");
	}
	return true;
}

proauth2_status scope_resolve(const proauth2_provider *p, const char *requested,
		const char *allowed, char **granted, proauth2_error *err)
{
	const char *scope = requested;

	*granted = NULL;
	if (scope == NULL || scope[0] == '\0')
		scope = allowed;
	else if (!scope_is_valid(scope))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope is malformed");
	if (!scope_is_subset(scope, allowed))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope exceeds what the client may ask for");
	if (p->supported_scopes != NULL &&
			!scope_is_subset(scope, p->supported_scopes))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope names a scope this provider does not support");
	*granted = strdup(scope);
	if (*granted == NULL)
		return NO_MEMORY(err);
	return PROAUTH2_OK;
}

bool proauth2_scope_includes(const char *scope, const char *required)
{
	if (required == NULL)
		return true;
	return scope_is_subset(required, scope != NULL ? scope : "");
}
