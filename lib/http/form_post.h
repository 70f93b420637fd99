/* OAuth 2.0 Form Post Response Mode: the authorization response as a page
 * that posts it to the client. */
#ifndef PROAUTH2_LIB_HTTP_FORM_POST_H
#define PROAUTH2_LIB_HTTP_FORM_POST_H

#include <stddef.h>

#include <proauth2/http.h>

/* The script the page runs, and its CSP hash: base64(SHA-256(script)). */
#define FORM_POST_SCRIPT "document.forms[0].submit()"
#define FORM_POST_SCRIPT_HASH "sha256-ePniVEkSivX/c7XWBGafqh8tSpiRrKiqYeqbG7N1TOE="

/* A 200 HTML page (§2) whose form posts the n names and values to action
 * (a registered redirect URI) as soon as it loads, or with a button where
 * scripts do not run. Its Content-Security-Policy lets it run that script
 * and submit to action's origin only. NULL when memory ran out. */
proauth2_http_response *form_post_page(const char *action,
		const char *const *names, const char *const *values, size_t n);

#endif
