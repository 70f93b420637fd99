/* The library's own version, for programs that check what they run with. */
#include <proauth2/version.h>

const char *proauth2_version(void)
{
	return PROAUTH2_VERSION_STRING;
}

unsigned proauth2_version_number(void)
{
	return PROAUTH2_VERSION_NUMBER;
}
