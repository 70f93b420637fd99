/* The demo's fetch of Client ID Metadata Documents (--client-documents):
 * libcurl, held off the demo's own network. */
#ifndef DEMO_DOCUMENT_FETCH_H
#define DEMO_DOCUMENT_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct document_fetch {
	bool allow_loopback;    /* a test's documents on 127.0.0.1 or ::1 */
	const char *ca_file;    /* NULL: the system's CA certificates */
};

/* A proauth2_client_document_fetch_fn; arg a struct document_fetch. */
int document_fetch(void *arg, const char *url, char *body, size_t body_max,
		size_t *body_len, int64_t *max_age);

/* curl_global_init, once, before any thread fetches; 0 when it worked. */
int document_fetch_init(void);
void document_fetch_cleanup(void);

#endif
