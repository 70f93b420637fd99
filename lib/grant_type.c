/* The grant_type names of RFC 6749 and their PROAUTH2_GRANT_* bits: the
 * one table that stored records, registration and metadata share. */
#include <string.h>

#include <proauth2/client.h>

static const struct {
	unsigned bit;
	const char *name;
} grant_types[] = {
	{PROAUTH2_GRANT_AUTHORIZATION_CODE, "authorization_code"},
	{PROAUTH2_GRANT_REFRESH_TOKEN, "refresh_token"},
	{PROAUTH2_GRANT_CLIENT_CREDENTIALS, "client_credentials"},
	{PROAUTH2_GRANT_PASSWORD, "password"},
};
#define N_GRANT_TYPES (sizeof(grant_types) / sizeof(grant_types[0]))

const char *proauth2_grant_type_name(unsigned grant)
{
	size_t i;

	for (i = 0; i < N_GRANT_TYPES; i++)
		if (grant_types[i].bit == grant)
			return grant_types[i].name;
	return NULL;
}

unsigned proauth2_grant_type_parse(const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < N_GRANT_TYPES; i++)
		if (strcmp(grant_types[i].name, name) == 0)
			return grant_types[i].bit;
	return 0;
}
