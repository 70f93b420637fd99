/*
 * Back-Channel Logout 1.0 §2.5: the logout token POSTed as a form to the
 * client's backchannel_logout_uri, which answers 200 (or 204) when it
 * took it. https, or http to a loopback address the library let the
 * client register and --backchannel-logout loopback lets through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backchannel.h"

/* The client's answer is read and dropped. */
static size_t drop(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

int backchannel_post(void *arg, const char *client_id, const char *uri,
		const char *logout_token)
{
	const struct outbound *o = arg;
	struct curl_slist *headers = curl_slist_append(NULL,
			"Content-Type: application/x-www-form-urlencoded");
	CURL *curl = curl_easy_init();
	size_t n = strlen("logout_token=") + strlen(logout_token) + 1;
	char *body = malloc(n);
	long status = 0;
	CURLcode rc = CURLE_FAILED_INIT;

	if (curl != NULL && headers != NULL && body != NULL) {
		/* A compact JWS is base64url and dots: nothing to escape. */
		snprintf(body, n, "logout_token=%s", logout_token);
		curl_easy_setopt(curl, CURLOPT_URL, uri);
		outbound_guard(curl, o, o->allow_loopback ? "http,https" : "https");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, drop);
		rc = curl_easy_perform(curl);
		if (rc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(body);
	if (rc != CURLE_OK || (status != 200 && status != 204)) {
		fprintf(stderr, "provider_demo: logout token for %s not taken at "
				"%s: %s\n", client_id, uri, rc != CURLE_OK ?
				curl_easy_strerror(rc) : "not a 200 answer");
		return -1;
	}
	return 0;
}
