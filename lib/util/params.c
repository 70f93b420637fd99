/* Request parameters (lib/util/params.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "utf8.h"

proauth2_status params_check(const char *const *names,
		const char *const *values, size_t n, proauth2_error *err)
{
	size_t i, j;

	if (n > 0 && (names == NULL || values == NULL))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"names and values are required");
	if (n > PARAMS_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"more than %d parameters", PARAMS_MAX);
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || values[i] == NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
					"parameter %zu is NULL", i);
		/* They are stored as JSON strings, which must be UTF-8. */
		if (!utf8_valid(names[i], strlen(names[i])) ||
				!utf8_valid(values[i], strlen(values[i])))
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"a parameter is not UTF-8");
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)  /* §3.1 */
				return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
						"a parameter is repeated");
	}
	return PROAUTH2_OK;
}

const char *params_get(const char *const *names, const char *const *values,
		size_t n, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return values[i][0] != '\0' ? values[i] : NULL;
	return NULL;
}

int params_append_query(char **url, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(*url), need = len + strlen(name) + 3 * strlen(value) + 3;
	char *out = realloc(*url, need), *o;
	const unsigned char *v;

	if (out == NULL)
		return -1;
	o = out + len;
	*o++ = strchr(out, '?') != NULL ? '&' : '?';
	o += sprintf(o, "%s=", name);
	for (v = (const unsigned char *)value; *v != '\0'; v++) {
		if ((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
				(*v >= '0' && *v <= '9') || strchr("-._~", *v) != NULL) {
			*o++ = (char)*v;
		} else {
			*o++ = '%';
			*o++ = hex[*v >> 4];
			*o++ = hex[*v & 15];
		}
	}
	*o = '\0';
	*url = out;
	return 0;
}
