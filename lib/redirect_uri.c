/*
 * The redirect URI policy (RFC 9700 §2.1, §4.1; RFC 8252 §7, §8.3) and
 * the match of a requested URI against a registered one.
 *
 * Registrable: https with a host; http only on loopback (127.0.0.1,
 * [::1] and localhost: RFC 8252 §8.3 prefers the IP literals, but
 * browsers resolve localhost to loopback themselves, and refusing it
 * would break clients for little gain); a private-use scheme in
 * reverse-domain form, with a dot (RFC 8252 §7.1: com.example.app:/cb).
 * Never a fragment, and never a scheme that runs or embeds content
 * (javascript:, data:, file:, vbscript:) whatever the other rules say.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "loopback.h"
#include "redirect_uri.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of uri's scheme (RFC 3986 §3.1) before its ':'; 0 if none. */
static size_t scheme_length(const char *uri)
{
	size_t n;

	if (!is_alpha(uri[0]))
		return 0;
	for (n = 1; is_alpha(uri[n]) || is_digit(uri[n]) || uri[n] == '+' ||
			uri[n] == '-' || uri[n] == '.'; n++)
		;
	return uri[n] == ':' ? n : 0;
}

static bool scheme_is(const char *uri, size_t len, const char *name)
{
	return len == strlen(name) && strncasecmp(uri, name, len) == 0;
}

/* Where the authority that begins after "scheme://" ends. */
static const char *authority_end(const char *authority)
{
	return authority + strcspn(authority, "/?#");
}

const char *redirect_uri_refusal(const char *uri, bool allow_http)
{
	size_t len = scheme_length(uri);
	const char *s, *authority, *end;
	bool https, http;

	for (s = uri; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return "has a space or control character";
	if (len == 0)
		return "is not an absolute URI (it has no scheme)";
	if (strchr(uri, '#') != NULL)
		return "has a fragment (RFC 6749 §3.1.2)";
	if (scheme_is(uri, len, "javascript") || scheme_is(uri, len, "data") ||
			scheme_is(uri, len, "file") || scheme_is(uri, len, "vbscript"))
		return "uses a javascript:, data:, file: or vbscript: scheme, "
			"never a redirect target";
	https = scheme_is(uri, len, "https");
	http = scheme_is(uri, len, "http");
	if (!https && !http) {
		if (memchr(uri, '.', len) == NULL)
			return "uses a private-use scheme not in reverse-domain form "
				"(RFC 8252 §7.1: com.example.app:/cb)";
		return NULL;
	}
	if (strncmp(uri + len, "://", 3) != 0)
		return "has no host (https://host/...)";
	authority = uri + len + 3;
	end = authority_end(authority);
	/* User information only serves to disguise the host. */
	if (end == authority || memchr(authority, '@', (size_t)(end - authority)) != NULL)
		return "needs a host and no user information";
	if (http && !allow_http && !host_is_loopback(authority, end))
		return "uses plain http other than on loopback (127.0.0.1, [::1], "
			"localhost): use https";
	return NULL;
}

const char *resource_uri_refusal(const char *uri)
{
	size_t len = scheme_length(uri);
	const char *s, *authority, *end;

	for (s = uri; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return "has a space or control character";
	if (!scheme_is(uri, len, "https") && !scheme_is(uri, len, "http"))
		return "is not an absolute https (or loopback http) URI";
	if (strchr(uri, '#') != NULL)
		return "has a fragment (RFC 8707 §2)";
	if (strncmp(uri + len, "://", 3) != 0)
		return "has no host (https://host/...)";
	authority = uri + len + 3;
	end = authority_end(authority);
	if (end == authority || memchr(authority, '@', (size_t)(end - authority)) != NULL)
		return "needs a host and no user information";
	if (scheme_is(uri, len, "http") && !host_is_loopback(authority, end))
		return "uses plain http other than on loopback (127.0.0.1, [::1], "
			"localhost): use https";
	return NULL;
}

/* For http://127.0.0.1[:port]rest or http://[::1][:port]rest: the length
 * of what comes before the port, and rest. */
static bool loopback_ip_parts(const char *uri, size_t *prefix, const char **rest)
{
	static const char *const hosts[] = {"http://127.0.0.1", "http://[::1]"};
	const char *s;
	size_t i, digits;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		*prefix = strlen(hosts[i]);
		if (strncmp(uri, hosts[i], *prefix) != 0)
			continue;
		s = uri + *prefix;
		if (*s == ':')
			for (s++, digits = 0; is_digit(*s) && digits < 5; s++, digits++)
				;
		if (*s == '\0' || *s == '/' || *s == '?') {
			*rest = s;
			return true;
		}
	}
	return false;
}

bool redirect_uri_matches(const char *registered, const char *requested)
{
	size_t reg_prefix, req_prefix;
	const char *reg_rest, *req_rest;

	if (strcmp(registered, requested) == 0)
		return true;
	return loopback_ip_parts(registered, &reg_prefix, &reg_rest) &&
		loopback_ip_parts(requested, &req_prefix, &req_rest) &&
		reg_prefix == req_prefix &&
		strncmp(registered, requested, reg_prefix) == 0 &&
		strcmp(reg_rest, req_rest) == 0;
}

/* Whether the n bytes at s are ".", ".." or either with dots as %2e. */
static bool is_dot_segment(const char *s, size_t n)
{
	size_t dots = 0;

	while (n > 0) {
		if (*s == '.') {
			s++, n--;
		} else if (n >= 3 && strncasecmp(s, "%2e", 3) == 0) {
			s += 3, n -= 3;
		} else {
			return false;
		}
		dots++;
	}
	return dots == 1 || dots == 2;
}

const char *document_url_refusal(const char *uri)
{
	size_t len = scheme_length(uri);
	const char *s, *authority, *path, *end;

	for (s = uri; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s >= 0x7f)
			return "has a space, control or non-ASCII character";
	if (!scheme_is(uri, len, "https") || strncmp(uri + len, "://", 3) != 0)
		return "is not an https URL";
	if (strchr(uri, '#') != NULL)
		return "has a fragment";
	authority = uri + len + 3;
	path = authority_end(authority);
	if (path == authority || memchr(authority, '@', (size_t)(path - authority)) != NULL)
		return "needs a host and no user information";
	end = path + strcspn(path, "?");
	if (*path != '/' || end - path < 2)
		return "has no path";
	/* Each segment between the slashes: never "." nor "..", however
	 * spelt (%2e is a dot, RFC 3986 §2.3). */
	for (s = path; s < end; s += strcspn(s + 1, "/?") + 1)
		if (is_dot_segment(s + 1, strcspn(s + 1, "/?")))
			return "has a . or .. path segment";
	return NULL;
}
