/*
 * A growing string, for the pages, the banner and the URLs the demo builds.
 * A failed allocation makes the buffer sticky-failed, so a text is built
 * with plain appends and checked once, at buf_finish().
 */
#ifndef DEMO_BUF_H
#define DEMO_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
} buf;

#define BUF_INIT {NULL, 0, 0, false}

void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s with & < > " ' escaped, for HTML text and quoted attributes. NULL
 * appends nothing. */
void buf_html(buf *b, const char *s);
/* s percent-encoded, RFC 3986 unreserved characters kept. */
void buf_urlencode(buf *b, const char *s);
/* s as one single-quoted POSIX shell word. */
void buf_shell(buf *b, const char *s);
/* The formatted text as one shell word, as buf_shell() quotes it. */
void buf_shellf(buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The string (free() it); NULL if any append failed. The buffer is left
 * empty either way. */
char *buf_finish(buf *b);

#endif
