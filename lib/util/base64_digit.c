/* The digits of base64 and base64url. */
#include "base64_digit.h"

int base64_digit(unsigned char c, char d62, char d63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (unsigned char)d62)
		return 62;
	if (c == (unsigned char)d63)
		return 63;
	return -1;
}
