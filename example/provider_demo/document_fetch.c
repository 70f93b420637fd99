/*
 * GET of a Client ID Metadata Document whose URL came from an anonymous
 * request: https only, held in as outbound.c says; the body cut at what
 * the library reads.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "document_fetch.h"

struct sink {
	char *body;
	size_t max, length;
	int64_t max_age;
};

static size_t take_body(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t bytes = size * n;

	if (bytes > s->max - s->length)
		return 0;  /* larger than the library reads: abort */
	memcpy(s->body + s->length, data, bytes);
	s->length += bytes;
	return bytes;
}

/* Cache-Control: no-store or no-cache keep nothing; max-age=N says N. */
static size_t take_header(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	char line[512], *p;

	n *= size;
	if (n < 14 || n >= sizeof(line) || strncasecmp(data, "cache-control:", 14) != 0)
		return n;
	memcpy(line, data, n);
	line[n] = '\0';
	for (p = line; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strstr(line, "no-store") != NULL || strstr(line, "no-cache") != NULL)
		s->max_age = 0;
	else if ((p = strstr(line, "max-age=")) != NULL)
		s->max_age = strtoll(p + 8, NULL, 10) > 0 ? strtoll(p + 8, NULL, 10) : 0;
	return n;
}

int document_fetch(void *arg, const char *url, char *body, size_t body_max,
		size_t *body_len, int64_t *max_age)
{
	const struct outbound *f = arg;
	struct sink s = {.body = body, .max = body_max, .max_age = -1};
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	CURL *curl = curl_easy_init();
	long status = 0;
	CURLcode rc = CURLE_FAILED_INIT;

	if (curl != NULL && headers != NULL) {
		curl_easy_setopt(curl, CURLOPT_URL, url);
		outbound_guard(curl, f, "https");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body_max);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_body);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, take_header);
		curl_easy_setopt(curl, CURLOPT_HEADERDATA, &s);
		rc = curl_easy_perform(curl);
		if (rc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK || status != 200) {
		fprintf(stderr, "client document %s: refused: %s\n", url,
				rc == CURLE_COULDNT_CONNECT ? "no public address answered" :
				rc != CURLE_OK ? curl_easy_strerror(rc) : "not a 200 answer");
		return -1;
	}
	*body_len = s.length;
	*max_age = s.max_age;
	return 0;
}
