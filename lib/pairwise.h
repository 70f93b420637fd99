/* Pairwise subject identifiers (OpenID Connect Core §8.1). */
#ifndef PROAUTH2_LIB_PAIRWISE_H
#define PROAUTH2_LIB_PAIRWISE_H

#include "crypto.h"
#include "internal.h"

/* A pairwise sub: base64url of an HMAC-SHA-256. */
#define PAIRWISE_SUBJECT_SIZE BASE64URL_ENCODED_SIZE(32)

/*
 * The sector of a client registered with params, in *sector (free()): NULL
 * for public subjects; for pairwise ones the host of its
 * sector_identifier_uri (https, fetched through
 * config.client_document_fetch: a JSON array holding every redirect URI),
 * else the one host of its redirect URIs, each https. Unmet:
 * PROAUTH2_ERR_INVALID_REQUEST (invalid_client_metadata), with why.
 */
proauth2_status pairwise_sector(const proauth2_provider *p,
		const proauth2_client_params *params, char **sector,
		proauth2_error *err);

/* Whether sector is the host of the https URL url (a Client ID Metadata
 * Document's client_id: the one sector that cannot move). */
bool pairwise_sector_of(const char *sector, const char *url);

/* The sub the clients of sector (NULL: public subjects) know user_id by,
 * in *sub: user_id itself, or the pairwise identifier written into out. A
 * sector without config.pairwise_subject_key: PROAUTH2_ERR_INVALID_ARGUMENT,
 * never the user id instead. */
proauth2_status pairwise_subject(const proauth2_provider *p,
		const char *sector, const char *user_id,
		char out[PAIRWISE_SUBJECT_SIZE], const char **sub, proauth2_error *err);

#endif
