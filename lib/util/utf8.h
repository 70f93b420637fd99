/* UTF-8 checks, shared by the engine and the endpoint layer. */
#ifndef PROAUTH2_UTIL_UTF8_H
#define PROAUTH2_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the len bytes at text are well-formed UTF-8: no overlongs,
 * surrogates or code points past U+10FFFF. */
bool utf8_valid(const char *text, size_t len);

#endif
