/*
 * The issuer and endpoint URLs (RFC 8414 §2, §3.1).
 *
 * Configurable: https with a host, or http on loopback (127.0.0.1, [::1],
 * localhost) as for redirect URIs; no query, fragment or user
 * information (RFC 8414 §2); printable ASCII that needs no quoting; a
 * path without empty or dot segments, so that the path routed is the
 * path a client sends, byte for byte, with no normalisation between.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint_url.h"
#include "loopback.h"
#include "internal.h"

#define WELL_KNOWN "/.well-known/oauth-authorization-server"

static const char *const default_paths[PROAUTH2_ENDPOINT_METADATA] = {
	"/authorize", "/token", "/revoke", "/introspect", "/register",
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Where the path of url (valid) begins: after scheme://authority. */
static const char *path_of(const char *url)
{
	const char *authority = strstr(url, "://") + 3;

	return authority + strcspn(authority, "/");
}

/* NULL when [authority, end) is host[:port] with a port of 1 to 65535. */
static const char *authority_refusal(const char *authority, const char *end,
		bool http)
{
	const char *host_end, *port;
	long n = 0;

	if (memchr(authority, '@', (size_t)(end - authority)) != NULL)
		return "has user information (RFC 8414 §2 forbids it)";
	if (*authority == '[') {
		host_end = memchr(authority, ']', (size_t)(end - authority));
		if (host_end == NULL)
			return "has an unclosed [IPv6] host";
		host_end++;
	} else {
		host_end = memchr(authority, ':', (size_t)(end - authority));
		if (host_end == NULL)
			host_end = end;
	}
	if (host_end == authority || (*authority == '[' && host_end - authority == 2))
		return "has no host";
	if (host_end != end) {
		if (*host_end != ':' || host_end + 1 == end || end - host_end > 6)
			return "has a bad port";
		for (port = host_end + 1; port < end; port++) {
			if (!is_digit(*port))
				return "has a bad port";
			n = n * 10 + (*port - '0');
		}
		if (n < 1 || n > 65535)
			return "has a bad port";
	}
	if (http && !host_is_loopback(authority, host_end))
		return "uses plain http other than on loopback (127.0.0.1, [::1], "
			"localhost): use https";
	return NULL;
}

static const char *path_refusal(const char *path)
{
	const char *s;

	if (*path != '\0' && *path != '/')
		return "has a bad path";
	for (s = path; *s != '\0'; s++) {
		if (*s == '%' && (!is_hex(s[1]) || !is_hex(s[2])))
			return "has a bad percent escape";
		/* An escaped dot or slash is a segment a client may send
		 * decoded: the routed path would not be the one it sends. */
		if (*s == '%' && ((s[1] == '2' && strchr("eEfF", s[2]) != NULL)))
			return "has an escaped dot or slash (%2E, %2F) in its path";
		if (*s != '/')
			continue;
		/* An empty segment, but for a trailing slash; a dot segment. */
		if (s[1] == '/' || (s[1] == '.' && (s[2] == '/' || s[2] == '\0')) ||
				(s[1] == '.' && s[2] == '.' && (s[3] == '/' || s[3] == '\0')))
			return "has an empty or dot segment in its path";
	}
	return NULL;
}

const char *endpoint_url_refusal(const char *url)
{
	const char *s, *authority, *end, *why;
	bool http = false;

	if (strlen(url) > PROAUTH2_URL_MAX_LENGTH)
		return "is longer than PROAUTH2_URL_MAX_LENGTH";
	for (s = url; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
				strchr("\"<>\\^`{|}", *s) != NULL)
			return "has a space, a control, non-ASCII or unsafe character";
	if (strchr(url, '?') != NULL || strchr(url, '#') != NULL)
		return "has a query or fragment (RFC 8414 §2 forbids them)";
	if (strncasecmp(url, "https://", 8) == 0)
		authority = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		authority = url + 7, http = true;
	else
		return "is not an absolute https URL";
	end = authority + strcspn(authority, "/");
	why = authority_refusal(authority, end, http);
	return why != NULL ? why : path_refusal(end);
}

/* A new string: url's first len bytes without a trailing slash, then
 * suffix, then tail's first tail_len bytes. */
static char *join(const char *url, size_t len, const char *suffix,
		const char *tail, size_t tail_len)
{
	size_t n;
	char *s;

	if (len > 0 && url[len - 1] == '/')
		len--;
	n = len + strlen(suffix) + tail_len;
	s = malloc(n + 1);
	if (s != NULL)
		snprintf(s, n + 1, "%.*s%s%.*s", (int)len, url, suffix,
				(int)tail_len, tail);
	return s;
}

proauth2_status endpoint_urls_make(const char *issuer, const char *base,
		const char *const given[PROAUTH2_ENDPOINT_METADATA],
		char *urls[ENDPOINT_COUNT], const char *paths[ENDPOINT_COUNT],
		proauth2_error *err)
{
	const char *issuer_path = path_of(issuer);
	size_t i, j, n = strlen(issuer_path);

	memset(urls, 0, ENDPOINT_COUNT * sizeof(urls[0]));
	if (base == NULL)
		base = issuer;
	for (i = 0; i < PROAUTH2_ENDPOINT_METADATA; i++)
		urls[i] = given[i] != NULL ? join(given[i], strlen(given[i]), "", "", 0) :
			join(base, strlen(base), default_paths[i], "", 0);
	/* RFC 8414 §3.1: the well-known prefix between host and path, the
	 * path's terminating slash removed. */
	if (n > 0 && issuer_path[n - 1] == '/')
		n--;
	urls[PROAUTH2_ENDPOINT_METADATA] = join(issuer,
			(size_t)(issuer_path - issuer), WELL_KNOWN, issuer_path, n);
	urls[PROAUTH2_ENDPOINT_JWKS] = join(base, strlen(base), "/jwks", "", 0);
	urls[PROAUTH2_ENDPOINT_USERINFO] = join(base, strlen(base), "/userinfo", "", 0);
	urls[PROAUTH2_ENDPOINT_END_SESSION] = join(base, strlen(base), "/logout", "", 0);
	urls[PROAUTH2_ENDPOINT_OPENID_CONFIGURATION] = join(issuer, strlen(issuer),
			"/.well-known/openid-configuration", "", 0);
	for (i = 0; i < ENDPOINT_COUNT; i++) {
		if (urls[i] == NULL)
			return NO_MEMORY(err);
		paths[i] = path_of(urls[i]);
		if (paths[i][0] == '\0')
			paths[i] = "/";
	}
	for (i = 0; i < ENDPOINT_COUNT; i++)
		for (j = i + 1; j < ENDPOINT_COUNT; j++)
			if (strcmp(paths[i], paths[j]) == 0)
				return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
						"two endpoints share the path %.200s: each "
						"needs its own to be routed", paths[i]);
	return PROAUTH2_OK;
}

void endpoint_urls_free(char *urls[ENDPOINT_COUNT])
{
	size_t i;

	for (i = 0; i < ENDPOINT_COUNT; i++) {
		free(urls[i]);
		urls[i] = NULL;
	}
}
