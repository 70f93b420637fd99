/*
 * Requests the demo sends to addresses that came from anonymous requests
 * (a client's metadata document, its back-channel logout endpoint): a
 * request forgery waiting to happen unless held in. So: no redirect
 * followed, no proxy; every socket curl opens is checked first, at the
 * address it is about to connect to, and refused unless that address is
 * on the public internet (not private, loopback, link-local or another
 * special range; loopback allowed only for tests): what a name resolves
 * to, however often it is asked, cannot lead inside. 3 s to connect and
 * 5 s in all, name resolution included.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "outbound.h"

#define CONNECT_TIMEOUT_MS 3000
#define TIMEOUT_MS 5000

int outbound_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void outbound_cleanup(void)
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
	const struct outbound *f = arg;
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

void outbound_guard(CURL *curl, const struct outbound *o, const char *protocols)
{
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_public);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, o);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "proauth2-provider-demo");
	if (o->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, o->ca_file);
}
