/* Loopback hosts. */
#include <string.h>
#include <strings.h>

#include "loopback.h"

bool host_is_loopback(const char *host, const char *end)
{
	static const char *const names[] = {"127.0.0.1", "[::1]", "localhost"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = strlen(names[i]);
		const char *port = host + len;

		if ((size_t)(end - host) < len || strncasecmp(host, names[i], len) != 0)
			continue;
		if (port == end)
			return true;
		if (*port++ != ':')
			continue;
		while (port < end && *port >= '0' && *port <= '9')
			port++;
		if (port == end)
			return true;
	}
	return false;
}
