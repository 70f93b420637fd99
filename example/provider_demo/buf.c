/* A growing string with a sticky failure flag, and the escapings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static bool reserve(buf *b, size_t extra)
{
	size_t cap;
	char *data;

	if (b->failed)
		return false;
	if (extra < b->cap - b->len)
		return true;
	if (extra > ((size_t)-1) / 2 - b->len) {
		b->failed = true;
		return false;
	}
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= extra)
		cap *= 2;
	data = realloc(b->data, cap);
	if (data == NULL) {
		b->failed = true;
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

static void buf_append(buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

static void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0) {
		b->failed = true;
	} else if (reserve(b, (size_t)n)) {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_html(buf *b, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		const char *entity;

		switch (*s) {
		case '&': entity = "&amp;"; break;
		case '<': entity = "&lt;"; break;
		case '>': entity = "&gt;"; break;
		case '"': entity = "&quot;"; break;
		case '\'': entity = "&#39;"; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, entity);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

void buf_urlencode(buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *c;

	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		char esc[3] = {'%', hex[*c >> 4], hex[*c & 15]};

		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
				(*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL)
			buf_append(b, (const char *)c, 1);
		else
			buf_append(b, esc, 3);
	}
}

void buf_shell(buf *b, const char *s)
{
	buf_puts(b, "'");
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_append(b, s, 1);
	}
	buf_puts(b, "'");
}

void buf_shellf(buf *b, const char *fmt, ...)
{
	buf word = BUF_INIT;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	buf_vprintf(&word, fmt, ap);
	va_end(ap);
	text = buf_finish(&word);
	if (text == NULL) {
		b->failed = true;
		return;
	}
	buf_shell(b, text);
	free(text);
}

char *buf_finish(buf *b)
{
	char *s = b->data;

	if (!b->failed && s == NULL)
		s = calloc(1, 1);
	if (b->failed) {
		free(s);
		s = NULL;
	}
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
	return s;
}
