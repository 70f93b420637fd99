/*
 * GET of a Client ID Metadata Document whose URL came from an anonymous
 * request: a request forgery waiting to happen unless held in. So: https
 * only, no redirect followed, no proxy; every socket curl opens is checked
 * first, at the address it is about to connect to, and refused unless that
 * address is on the public internet (not private, loopback, link-local or
 * another special range; loopback allowed only for tests): what a name
 * resolves to, however often it is asked, cannot lead inside. 3 s to
 * connect and 5 s in all, name resolution included; the body cut at what
 * the library reads.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "document_fetch.h"

#define CONNECT_TIMEOUT_MS 3000
#define TIMEOUT_MS 5000

int document_fetch_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void document_fetch_cleanup(void)
{
	curl_global_cleanup();
}

/* a is in net/bits (bits 1 to 32). */
static bool v4_in(uint32_t a, uint32_t net, int bits)
{
	return (a & 0xffffffffu << (32 - bits)) == net;
}

/* An IPv4 address on the public internet (RFC 6890's special ranges are
 * not); loopback as the caller allows. */
static bool v4_public(uint32_t a, bool allow_loopback)
{
	static const struct { uint32_t net; int bits; } special[] = {
		{0x00000000, 8}, {0x0a000000, 8}, {0x64400000, 10},
		{0xa9fe0000, 16}, {0xac100000, 12}, {0xc0000000, 24},
		{0xc0000200, 24}, {0xc0a80000, 16}, {0xc6120000, 15},
		{0xc6336400, 24}, {0xcb007100, 24}, {0xe0000000, 4},
		{0xf0000000, 4},
	};
	size_t i;

	if (v4_in(a, 0x7f000000, 8))
		return allow_loopback;
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (v4_in(a, special[i].net, special[i].bits))
			return false;
	return true;
}

static bool v6_public(const unsigned char *b, bool allow_loopback)
{
	static const unsigned char loopback[16] = {[15] = 1};
	static const unsigned char unspecified[16] = {0};
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (memcmp(b, loopback, 16) == 0)
		return allow_loopback;
	if (memcmp(b, mapped, 12) == 0)
		return v4_public((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
				(uint32_t)b[14] << 8 | b[15], allow_loopback);
	return (b[0] & 0xfe) != 0xfc &&                     /* fc00::/7 unique local */
		!(b[0] == 0xfe && (b[1] & 0x80) == 0x80) &&  /* fe80::/9 link- and site-local */
		!(b[0] == 0x20 && b[1] == 0x02) &&           /* 2002::/16 6to4 */
		!(memcmp(b, unspecified, 12) == 0) &&        /* ::/96 IPv4-compatible */
		!(b[0] == 0x01 && memcmp(b + 1, unspecified, 7) == 0) &&  /* 100::/64 */
		b[0] != 0xff &&                              /* multicast */
		!(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) &&
		!(b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b);
}

/* CURLOPT_OPENSOCKETFUNCTION: a socket only towards a public address. */
static curl_socket_t open_public(void *arg, curlsocktype purpose,
		struct curl_sockaddr *a)
{
	const struct document_fetch *f = arg;
	bool public = false;

	if (purpose == CURLSOCKTYPE_IPCXN && a->family == AF_INET)
		public = v4_public(ntohl(((const struct sockaddr_in *)(const void *)
				&a->addr)->sin_addr.s_addr), f->allow_loopback);
	else if (purpose == CURLSOCKTYPE_IPCXN && a->family == AF_INET6)
		public = v6_public(((const struct sockaddr_in6 *)(const void *)
				&a->addr)->sin6_addr.s6_addr, f->allow_loopback);
	if (!public)
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

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
	const struct document_fetch *f = arg;
	struct sink s = {.body = body, .max = body_max, .max_age = -1};
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	CURL *curl = curl_easy_init();
	long status = 0;
	CURLcode rc = CURLE_FAILED_INIT;

	if (curl != NULL && headers != NULL) {
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_public);
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, f);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
		curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(curl, CURLOPT_PROXY, "");
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
		curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body_max);
		curl_easy_setopt(curl, CURLOPT_USERAGENT, "proauth2-provider-demo");
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_body);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, take_header);
		curl_easy_setopt(curl, CURLOPT_HEADERDATA, &s);
		if (f->ca_file != NULL)
			curl_easy_setopt(curl, CURLOPT_CAINFO, f->ca_file);
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
