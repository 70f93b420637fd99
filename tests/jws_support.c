/* Reading compact JWS in tests (jws_support.h). */
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "jws_support.h"

size_t b64url_decode(const char *s, size_t len, unsigned char *out,
		size_t size)
{
	char b64[8192];
	size_t k;
	int n;

	ck_assert_uint_lt(len + 4, sizeof(b64));
	for (k = 0; k < len; k++)
		b64[k] = s[k] == '-' ? '+' : s[k] == '_' ? '/' : s[k];
	while (k % 4 != 0)
		b64[k++] = '=';
	b64[k] = '\0';
	ck_assert_uint_ge(size, k / 4 * 3);
	n = EVP_DecodeBlock(out, (unsigned char *)b64, (int)k);
	ck_assert_int_ge(n, 0);
	/* EVP_DecodeBlock counts the padding's bytes too. */
	return (size_t)n - (k - len);
}

json_t *jws_part(const char *token, int i)
{
	const char *s = token;
	unsigned char raw[8192];
	size_t len;
	json_t *doc;

	while (i-- > 0)
		s = strchr(s, '.') + 1;
	len = b64url_decode(s, strcspn(s, "."), raw, sizeof(raw));
	doc = json_loadb((char *)raw, len, 0, NULL);
	ck_assert_msg(doc != NULL, "not JSON: %.*s", (int)len, raw);
	return doc;
}

const char *member(const json_t *doc, const char *name)
{
	return json_string_value(json_object_get(doc, name));
}
