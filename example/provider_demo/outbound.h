/* The rules of the demo's outgoing requests (outbound.c): libcurl held
 * off the demo's own network. */
#ifndef DEMO_OUTBOUND_H
#define DEMO_OUTBOUND_H

#include <stdbool.h>

#include <curl/curl.h>

struct outbound {
	bool allow_loopback;    /* a test's servers on 127.0.0.1 or ::1 */
	const char *ca_file;    /* NULL: the system's CA certificates */
};

/* curl_global_init, once, before any thread sends; 0 when it worked. */
int outbound_init(void);
void outbound_cleanup(void);

/* Hold curl to o's rules, over the protocols named ("https"). o must
 * outlive the transfer. */
void outbound_guard(CURL *curl, const struct outbound *o, const char *protocols);

#endif
