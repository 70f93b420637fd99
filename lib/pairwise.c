/*
 * Pairwise subject identifiers (OpenID Connect Core §8.1): the clients of
 * one sector (a host) know a user by one sub, other sectors by others,
 * none by the host's own user id. The sub is an HMAC of sector and user
 * id under config.pairwise_subject_key: stable for as long as the key,
 * the same in every process, and stored nowhere.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "client_document.h"
#include "crypto.h"
#include "pairwise.h"
#include "redirect_uri.h"

/* The longest sector_identifier_uri. */
#define SECTOR_URI_MAX 2048

static proauth2_status refused(proauth2_error *err, const char *why)
{
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
			"pairwise subjects: %s", why);
}

/* The host of an https URL, lowercased, in a new string; NULL when it is
 * no https URL with a host and no user information: a private scheme or
 * loopback http names no sector of its own (any app may claim one). */
static char *https_host(const char *uri)
{
	const char *start, *end;
	char *host;
	size_t i, n;

	if (strncasecmp(uri, "https://", 8) != 0)
		return NULL;
	start = uri + 8;
	end = start + strcspn(start, "/?#");
	if (memchr(start, '@', (size_t)(end - start)) != NULL)
		return NULL;
	if (*start == '[') {
		const char *close = memchr(start, ']', (size_t)(end - start));

		n = close != NULL ? (size_t)(close - start) + 1 : 0;
	} else {
		const char *colon = memchr(start, ':', (size_t)(end - start));

		n = (size_t)((colon != NULL ? colon : end) - start);
	}
	if (n == 0 || (host = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)start[i]);
	host[n] = '\0';
	return host;
}

/* Whether every redirect URI is https: any app may claim a private
 * scheme or loopback http, and with it a sector's users. */
static bool all_https(const proauth2_client_params *params)
{
	size_t i;

	for (i = 0; i < params->n_redirect_uris; i++) {
		char *host = https_host(params->redirect_uris[i]);

		free(host);
		if (host == NULL)
			return false;
	}
	return true;
}

/* Core §8.1: the one host of every redirect URI, each https. */
static proauth2_status redirect_host(const proauth2_client_params *params,
		char **sector, proauth2_error *err)
{
	size_t i;

	*sector = params->n_redirect_uris > 0 ?
		https_host(params->redirect_uris[0]) : NULL;
	for (i = 1; *sector != NULL && i < params->n_redirect_uris; i++) {
		char *host = https_host(params->redirect_uris[i]);
		bool same = host != NULL && strcmp(host, *sector) == 0;

		free(host);
		if (!same) {
			free(*sector);
			*sector = NULL;
		}
	}
	if (*sector == NULL)
		return refused(err, "redirect URIs on more than one host, or not "
				"https, need a sector_identifier_uri");
	return PROAUTH2_OK;
}

/* Registration §5: the document at uri, a JSON array of URIs, holds every
 * redirect URI. */
static proauth2_status sector_document_check(const proauth2_provider *p,
		const proauth2_client_params *params, proauth2_error *err)
{
	size_t i, j;
	int64_t max_age;
	json_t *doc;
	bool listed = true;
	proauth2_status status = document_fetch_json(p,
			params->sector_identifier_uri, &doc, &max_age, err);

	if (status != PROAUTH2_OK && status != PROAUTH2_ERR_UNAVAILABLE)
		return status;
	if (!json_is_array(doc)) {
		json_decref(doc);
		return refused(err, "the sector_identifier_uri gave no JSON array");
	}
	for (i = 0; listed && i < params->n_redirect_uris; i++) {
		listed = false;
		for (j = 0; !listed && j < json_array_size(doc); j++) {
			const char *uri = json_string_value(json_array_get(doc, j));

			listed = uri != NULL && strcmp(uri, params->redirect_uris[i]) == 0;
		}
	}
	json_decref(doc);
	return listed ? PROAUTH2_OK : refused(err, "a redirect URI is missing "
			"from the sector_identifier_uri's list");
}

proauth2_status pairwise_sector(const proauth2_provider *p,
		const proauth2_client_params *params, char **sector,
		proauth2_error *err)
{
	const char *uri = params->sector_identifier_uri;
	proauth2_status status;

	*sector = NULL;
	/* Registration §2: only pairwise subjects use it; public ones leave
	 * it unread (and unkept). */
	if (!params->pairwise_subject)
		return PROAUTH2_OK;
	if (!p->openid || !p->has_pairwise_key)
		return refused(err, "not offered (config.pairwise_subject_key)");
	if (uri == NULL)
		return redirect_host(params, sector, err);
	/* A sector document may well list an app's private-scheme URI beside
	 * the web's: a client of its own claiming that one must not share
	 * the web client's subs. */
	if (!all_https(params))
		return refused(err, "every redirect URI must be https");
	if (strlen(uri) > SECTOR_URI_MAX || document_url_refusal(uri) != NULL ||
			(*sector = https_host(uri)) == NULL) {
		free(*sector);
		*sector = NULL;
		return refused(err, "the sector_identifier_uri must be an https "
				"URL with a path, without user information or fragment");
	}
	if (p->client_document_fetch == NULL)
		status = refused(err, "a sector_identifier_uri cannot be fetched "
				"here (config.client_document_fetch)");
	else
		status = sector_document_check(p, params, err);
	if (status != PROAUTH2_OK) {
		free(*sector);
		*sector = NULL;
	}
	return status;
}

bool pairwise_sector_of(const char *sector, const char *url)
{
	char *host = https_host(url);
	bool same = host != NULL && sector != NULL && strcmp(host, sector) == 0;

	free(host);
	return same;
}

proauth2_status pairwise_subject(const proauth2_provider *p,
		const char *sector, const char *user_id,
		char out[PAIRWISE_SUBJECT_SIZE], const char **sub, proauth2_error *err)
{
	size_t ns, nu;
	unsigned char mac[EVP_MAX_MD_SIZE], *data;
	unsigned int len = 0;
	bool ok;

	*sub = user_id;
	if (sector == NULL)
		return PROAUTH2_OK;
	*sub = NULL;
	/* Never the user id in its place: the client was promised. */
	if (!p->has_pairwise_key)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a client of pairwise subjects needs "
				"config.pairwise_subject_key");
	/* The sector's length first: no sector and user id pair reads as
	 * another's. */
	ns = strlen(sector);
	nu = strlen(user_id);
	if ((data = malloc(4 + ns + nu)) == NULL)
		return NO_MEMORY(err);
	data[0] = (unsigned char)(ns >> 24);
	data[1] = (unsigned char)(ns >> 16);
	data[2] = (unsigned char)(ns >> 8);
	data[3] = (unsigned char)ns;
	memcpy(data + 4, sector, ns);
	memcpy(data + 4 + ns, user_id, nu);
	ok = HMAC(EVP_sha256(), p->pairwise_key, sizeof(p->pairwise_key), data,
			4 + ns + nu, mac, &len) != NULL && len == 32;
	free(data);
	if (!ok)
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the pairwise subject could not be made");
	base64url_encode(mac, len, out);
	*sub = out;
	return PROAUTH2_OK;
}
