/*
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-
 * document): a client_id that is an https URL names the client's metadata,
 * which the host's callback fetches. The document is checked as an
 * anonymous registration would be, held to a public client, and kept in a
 * bounded cache for as long as its answer allowed (config.
 * client_document_cache_max at most). A document that failed is not
 * fetched again for FAILURE_SECONDS, so that a request cannot make the
 * provider fetch a failing URL over and over. Nothing is stored.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proauth2/error.h>

#include "client_document.h"
#include "client_metadata.h"
#include "internal.h"
#include "record_cache.h"
#include "redirect_uri.h"

#define FAILURE_SECONDS 10
#define WHY_SIZE RECORD_CACHE_WHY_SIZE

/* INVALID_CLIENT, why into err and into why (for the cache). */
static proauth2_status refused(char why[WHY_SIZE], proauth2_error *err,
		const char *text)
{
	proauth2_error said;

	proauth2_error_set(&said, PROAUTH2_ERR_INVALID_CLIENT,
			"client_id's metadata document %s", text);
	memcpy(why, said.text, WHY_SIZE);
	return proauth2_error_set(err, said.status, "%s", why);
}

/* The client record doc, fetched from url, describes. */
static proauth2_status document_client(const proauth2_provider *p,
		const char *url, const json_t *doc, json_t **record,
		char why[WHY_SIZE], proauth2_error *err)
{
	client_metadata m;
	const char *problem, *method, *id;
	proauth2_error inner = {0};
	proauth2_status status;

	if (!json_is_object(doc))
		return refused(why, err, "is not a JSON object");
	id = json_string_value(json_object_get(doc, "client_id"));
	if (id == NULL || strcmp(id, url) != 0)
		return refused(why, err, "names another client_id than its URL");
	if (json_object_get(doc, "client_secret") != NULL ||
			json_object_get(doc, "client_secret_expires_at") != NULL)
		return refused(why, err, "holds a client_secret");
	method = json_string_value(json_object_get(doc, "token_endpoint_auth_method"));
	if (json_object_get(doc, "token_endpoint_auth_method") != NULL &&
			(method == NULL || strcmp(method, "none") != 0))
		return refused(why, err, "asks for a token_endpoint_auth_method "
				"other than none (the only one supported)");
	if (!client_metadata_read(doc, PROAUTH2_AUTH_METHOD_NONE,
			PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN,
			&m, &problem))
		return refused(why, err, problem);
	if (m.params.n_redirect_uris == 0)
		return refused(why, err, "has no redirect_uris");
	status = client_document_record(p, url, &m.params, record, &inner);
	if (status == PROAUTH2_ERR_NOMEM)
		return NO_MEMORY(err);
	return status == PROAUTH2_OK ? status : refused(why, err, inner.text);
}

proauth2_status document_fetch_json(const proauth2_provider *p,
		const char *url, json_t **doc, int64_t *max_age, proauth2_error *err)
{
	char *body = malloc(PROAUTH2_CLIENT_DOCUMENT_MAX);
	size_t length = 0;

	*doc = NULL;
	*max_age = -1;
	if (body == NULL)
		return NO_MEMORY(err);
	if (p->client_document_fetch(p->client_document_fetch_arg, url, body,
			PROAUTH2_CLIENT_DOCUMENT_MAX, &length, max_age) != 0 ||
			length > PROAUTH2_CLIENT_DOCUMENT_MAX) {
		free(body);
		return PROAUTH2_ERR_UNAVAILABLE;
	}
	*doc = json_loadb(body, length, JSON_REJECT_DUPLICATES, NULL);
	free(body);
	return PROAUTH2_OK;
}

/* Fetch url's document through the host and read its client; *max_age as
 * the fetch reported it. */
static proauth2_status document_fetch(const proauth2_provider *p,
		const char *url, json_t **record, int64_t *max_age,
		char why[WHY_SIZE], proauth2_error *err)
{
	json_t *doc;
	proauth2_status status = document_fetch_json(p, url, &doc, max_age, err);

	if (status == PROAUTH2_ERR_UNAVAILABLE)
		return refused(why, err, "could not be fetched");
	if (status != PROAUTH2_OK)
		return status;
	status = document_client(p, url, doc, record, why, err);
	json_decref(doc);
	return status;
}

/* How long, from now, an outcome stays in the cache. */
static int64_t kept_for(const proauth2_provider *p, proauth2_status status,
		int64_t max_age)
{
	int64_t most = p->client_document_cache_max;

	if (status != PROAUTH2_OK)
		return FAILURE_SECONDS;
	return max_age < 0 || max_age > most ? most : max_age;
}

/* A stored client, from p->stored_clients while config.client_cache_lifetime
 * lasts. */
static proauth2_status stored_client(proauth2_provider *p, const char *client_id,
		json_t **record, proauth2_error *err)
{
	char why[WHY_SIZE];
	int64_t now = proauth2_provider_now(p);
	uint64_t generation;
	proauth2_status status;

	if (p->stored_clients == NULL || client_id == NULL)
		return fetch_one(p, TABLE_CLIENTS, "client_id", client_id, record, err);
	if (record_cache_get(p->stored_clients, client_id, now, record, why) && *record != NULL)
		return PROAUTH2_OK;
	generation = record_cache_generation(p->stored_clients);
	status = fetch_one(p, TABLE_CLIENTS, "client_id", client_id, record, err);
	if (status == PROAUTH2_OK)
		record_cache_put(p->stored_clients, client_id, *record, "", now +
				p->client_cache_lifetime, generation);
	return status;
}

void client_cache_forget(proauth2_provider *p, const char *client_id)
{
	if (p->stored_clients != NULL && client_id != NULL)
		record_cache_forget(p->stored_clients, client_id);
}

proauth2_status client_lookup(proauth2_provider *p, const char *client_id,
		json_t **record, proauth2_error *err)
{
	char why[WHY_SIZE] = "";
	const char *not_url;
	int64_t now, max_age, ttl;
	uint64_t generation;
	proauth2_status status;

	/* No stored client_id has a ':' (check_client_id): a URL is never
	 * in the datastore. */
	if (p->client_document_fetch == NULL || client_id == NULL ||
			strncmp(client_id, "https://", 8) != 0)
		return stored_client(p, client_id, record, err);
	*record = NULL;
	if (strlen(client_id) > PROAUTH2_CLIENT_DOCUMENT_URL_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"a client_id URL is at most %d bytes",
				PROAUTH2_CLIENT_DOCUMENT_URL_MAX);
	not_url = document_url_refusal(client_id);
	if (not_url != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"client_id is no metadata document URL: it %s", not_url);
	now = proauth2_provider_now(p);
	if (record_cache_get(p->documents, client_id, now, record, why))
		return *record != NULL ? PROAUTH2_OK :
			proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT, "%s", why);
	generation = record_cache_generation(p->documents);
	status = document_fetch(p, client_id, record, &max_age, why, err);
	if (status != PROAUTH2_OK && status != PROAUTH2_ERR_INVALID_CLIENT)
		return status;
	ttl = kept_for(p, status, max_age);
	if (ttl > 0)
		record_cache_put(p->documents, client_id, *record, why, now + ttl, generation);
	return status;
}
