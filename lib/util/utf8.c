/* UTF-8, as the endpoints and the engine accept it. */
#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* Whether the 8 bytes at s are all ASCII: most text here (keys, hashes,
 * URLs, scopes) is, and a word at a time is far cheaper than a byte. */
static bool ascii_word(const unsigned char *s)
{
	uint64_t word;

	memcpy(&word, s, sizeof(word));
	return (word & UINT64_C(0x8080808080808080)) == 0;
}

/* Well-formed UTF-8: no overlongs, surrogates or code points past U+10FFFF. */
bool utf8_valid(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			if (len - i >= 8 && ascii_word(s + i))
				i += 8;
			else
				i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
				(n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}
