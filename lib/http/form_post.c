/* OAuth 2.0 Form Post Response Mode (§2, §5 on the page's security). */
#include <stdlib.h>
#include <string.h>

#include "form_post.h"
#include "response.h"

/* A growing string; a failed append leaves it NULL. */
typedef struct text {
	char *s;
	size_t len;
} text;

static void append(text *t, const char *s, size_t n)
{
	char *grown = t->s != NULL ? realloc(t->s, t->len + n + 1) : NULL;

	if (grown == NULL) {
		free(t->s);
		t->s = NULL;
		return;
	}
	memcpy(grown + t->len, s, n);
	t->len += n;
	grown[t->len] = '\0';
	t->s = grown;
}

static void append_str(text *t, const char *s)
{
	append(t, s, strlen(s));
}

/* s as an HTML attribute value between double quotes. */
static void append_escaped(text *t, const char *s)
{
	for (; *s != '\0'; s++) {
		size_t n = strcspn(s, "&<>\"'");

		append(t, s, n);
		s += n;
		if (*s == '\0')
			break;
		append_str(t, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" :
				*s == '>' ? "&gt;" : *s == '"' ? "&quot;" : "&#39;");
	}
}

/*
 * The CSP source for action's origin: "scheme://host[:port]", or the
 * scheme alone ("com.example.app:") for a URI without authority, or where
 * the authority holds what a source expression may not (RFC 3986 allows
 * more than CSP's host-source).
 */
static void append_origin(text *t, const char *action)
{
	size_t scheme = strcspn(action, ":"), authority;

	if (action[scheme] != ':' || strspn(action, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") != scheme)
		return;  /* not absolute: never registered */
	if (strncmp(action + scheme, "://", 3) == 0) {
		const char *host = action + scheme + 3;

		authority = strcspn(host, "/?#");
		if (authority > 0 && strspn(host, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == authority) {
			append(t, action, scheme + 3 + authority);
			return;
		}
	}
	append(t, action, scheme + 1);
}

proauth2_http_response *form_post_page(const char *action,
		const char *const *names, const char *const *values, size_t n)
{
	text page = {strdup(""), 0}, csp = {strdup(""), 0};
	proauth2_http_response *r = NULL;
	size_t i;

	append_str(&page, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			"<title>Back to the application</title></head>\n<body>"
			"<form method=\"post\" action=\"");
	append_escaped(&page, action);
	append_str(&page, "\">\n");
	for (i = 0; i < n; i++) {
		append_str(&page, "<input type=\"hidden\" name=\"");
		append_escaped(&page, names[i]);
		append_str(&page, "\" value=\"");
		append_escaped(&page, values[i]);
		append_str(&page, "\">\n");
	}
	append_str(&page, "<noscript><p>Scripts are off: press the button to go back"
			" to the application.</p><button type=\"submit\">Continue</button>"
			"</noscript>\n</form>\n<script>" FORM_POST_SCRIPT "</script>\n"
			"</body></html>\n");
	append_str(&csp, "default-src 'none'; script-src '" FORM_POST_SCRIPT_HASH
			"'; form-action ");
	append_origin(&csp, action);
	append_str(&csp, "; frame-ancestors 'none'; base-uri 'none'");
	if (page.s != NULL && csp.s != NULL)
		r = response_new(200);
	if (r != NULL && (response_add_header(r, "Content-Type",
				"text/html; charset=utf-8") != 0 ||
			response_add_header(r, "Cache-Control", "no-store") != 0 ||
			response_add_header(r, "Pragma", "no-cache") != 0 ||
			response_add_header(r, "Content-Security-Policy", csp.s) != 0 ||
			response_add_header(r, "X-Frame-Options", "DENY") != 0 ||
			response_add_header(r, "X-Content-Type-Options", "nosniff") != 0)) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	if (r != NULL) {
		free(r->body);
		r->body = page.s;
		r->body_length = page.len;
		page.s = NULL;
	}
	free(page.s);
	free(csp.s);
	return r;
}
