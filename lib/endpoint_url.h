/* The issuer and the endpoint URLs: which may be configured, and the URLs
 * and paths derived from them once, when the provider is created. */
#ifndef PROAUTH2_LIB_ENDPOINT_URL_H
#define PROAUTH2_LIB_ENDPOINT_URL_H

#include <proauth2/provider.h>

/* One per proauth2_endpoint value. */
#define ENDPOINT_COUNT (PROAUTH2_ENDPOINT_END_SESSION + 1)

/* NULL when url may name the issuer or an endpoint; else why not, as a
 * phrase completing "config.issuer ..." (static). */
const char *endpoint_url_refusal(const char *url);

/* Every endpoint's URL (new strings, into urls) from the issuer, the base
 * (NULL: the issuer) and the overrides (given[i] NULL: base + the
 * default path; none for the metadata), all valid by
 * endpoint_url_refusal(). paths[i] points into urls[i]. PROAUTH2_OK, or
 * PROAUTH2_ERR_INVALID_ARGUMENT when two endpoints share a path, or
 * PROAUTH2_ERR_NOMEM; urls are to be freed with endpoint_urls_free()
 * either way. */
proauth2_status endpoint_urls_make(const char *issuer, const char *base,
		const char *const given[PROAUTH2_ENDPOINT_METADATA],
		char *urls[ENDPOINT_COUNT], const char *paths[ENDPOINT_COUNT],
		proauth2_error *err);

void endpoint_urls_free(char *urls[ENDPOINT_COUNT]);

#endif
