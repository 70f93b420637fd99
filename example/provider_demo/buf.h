/*
 * A growing string. A failed allocation makes the buffer sticky-failed, so
 * a page is built with plain appends and checked once, at buf_finish().
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

void buf_append(buf *b, const char *s, size_t n);
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

/* The string (free() it) and its length (len may be NULL); NULL if any
 * append failed. The buffer is left empty either way. */
char *buf_finish(buf *b, size_t *len);
void buf_free(buf *b);

#endif
