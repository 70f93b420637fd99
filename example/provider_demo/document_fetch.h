/* The demo's fetch of Client ID Metadata Documents (--client-documents):
 * libcurl, held off the demo's own network. */
#ifndef DEMO_DOCUMENT_FETCH_H
#define DEMO_DOCUMENT_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbound.h"

/* A proauth2_client_document_fetch_fn; arg a struct outbound. */
int document_fetch(void *arg, const char *url, char *body, size_t body_max,
		size_t *body_len, int64_t *max_age);

#endif
