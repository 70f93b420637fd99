/* Redirect URIs: which may be registered, and which registered one a
 * requested URI names. */
#ifndef PROAUTH2_LIB_REDIRECT_URI_H
#define PROAUTH2_LIB_REDIRECT_URI_H

#include <stdbool.h>

/* NULL when uri may be registered; else why not, as a phrase completing
 * "redirect URI N ..." (static). allow_http: plain http on any host. */
const char *redirect_uri_refusal(const char *uri, bool allow_http);

/* NULL when uri may be a resource server's identifier (RFC 8707 §2: an
 * absolute URI without fragment; here https, or http on loopback, with a
 * host); else why not, completing "resource ..." (static). */
const char *resource_uri_refusal(const char *uri);

/* NULL when uri may name a Client ID Metadata Document (https, a host
 * without user information, a path that is not "/" and has no "." or ".."
 * segment, no fragment); else why not, completing "client_id ..."
 * (static). */
const char *document_url_refusal(const char *uri);

/* Whether requested is registered: the same bytes, except that for http on
 * a loopback IP literal (127.0.0.1, [::1]) the port may differ (RFC 8252
 * §7.3: a native app listens on whatever port it gets). */
bool redirect_uri_matches(const char *registered, const char *requested);

#endif
