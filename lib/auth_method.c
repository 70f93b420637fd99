/* The token_endpoint_auth_method names of RFC 7591 §2 and their
 * PROAUTH2_AUTH_METHOD_* values: what stored records, registration and
 * metadata share. */
#include <string.h>

#include <proauth2/client.h>

static const char *const names[] = {
	[PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC] = "client_secret_basic",
	[PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST] = "client_secret_post",
	[PROAUTH2_AUTH_METHOD_NONE] = "none",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

const char *proauth2_auth_method_name(proauth2_auth_method method)
{
	return (size_t)method < N_NAMES ? names[method] : NULL;
}

proauth2_auth_method proauth2_auth_method_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_NAMES; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return (proauth2_auth_method)i;
	return PROAUTH2_AUTH_METHOD_ANY;
}
