/* Loopback hosts, as the redirect URI and endpoint URL checks see them. */
#ifndef PROAUTH2_UTIL_LOOPBACK_H
#define PROAUTH2_UTIL_LOOPBACK_H

#include <stdbool.h>

/* Whether [host, end) is 127.0.0.1, [::1] or localhost (any case), with an
 * optional :port after it (RFC 8252 §7.3). */
bool host_is_loopback(const char *host, const char *end);

#endif
