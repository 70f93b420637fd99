/* Clients named by their Client ID Metadata Document
 * (config.client_document_fetch): found, checked and cached; stored
 * clients, cached for config.client_cache_lifetime. */
#ifndef PROAUTH2_LIB_CLIENT_DOCUMENT_H
#define PROAUTH2_LIB_CLIENT_DOCUMENT_H

#include <jansson.h>

#include <proauth2/client.h>
#include <proauth2/provider.h>

/* How many documents, and how many stored clients, a provider keeps. */
#define CLIENT_CACHE_ENTRIES 1024

/* The client record of client_id: the stored one, else the one its
 * metadata document describes. PROAUTH2_ERR_NOT_FOUND when client_id is
 * neither; PROAUTH2_ERR_INVALID_CLIENT, err saying why, when it names a
 * document that could not be fetched or is no valid client. *record is
 * the caller's to json_decref() and only to read: a cached record is
 * shared with other threads. */
proauth2_status client_lookup(proauth2_provider *p, const char *client_id,
		json_t **record, proauth2_error *err);

/* Drop client_id's record from config.client_cache_lifetime's cache: call
 * it after every write of a stored client (update, rotation, deletion),
 * failed or not. */
void client_cache_forget(proauth2_provider *p, const char *client_id);

/* The JSON document at url, through config.client_document_fetch (set),
 * in *doc (a new reference; NULL when the body is no JSON), *max_age as
 * the fetch reported it. No answer, or one too large:
 * PROAUTH2_ERR_UNAVAILABLE, err untouched (the caller says why). */
proauth2_status document_fetch_json(const proauth2_provider *p,
		const char *url, json_t **doc, int64_t *max_age, proauth2_error *err);

/* The record of the client a document at url describes with params
 * (lib/client.c: checked as an anonymous registration is). */
proauth2_status client_document_record(const proauth2_provider *p,
		const char *url, const proauth2_client_params *params,
		json_t **record, proauth2_error *err);

#endif
