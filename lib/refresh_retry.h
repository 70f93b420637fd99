/* Retries of spent refresh tokens, under config.refresh_reuse_grace. */
#ifndef PROAUTH2_LIB_REFRESH_RETRY_H
#define PROAUTH2_LIB_REFRESH_RETRY_H

#include "internal.h"

/*
 * The refresh token under hash is spent: may client_id have a fresh pair
 * for it? Yes if it was spent within the grace, and so was every one after
 * it on the way to the grant's live refresh token, which is client_id's:
 * *head receives that token's record, to spend in its place. No:
 * PROAUTH2_ERR_NOT_FOUND (the caller refuses it as a replay).
 * PROAUTH2_ERR_UNAVAILABLE while another refresh is midway.
 */
proauth2_status refresh_retry_find(proauth2_provider *p, const char *hash,
		const char *client_id, json_t **head, proauth2_error *err);

#endif
