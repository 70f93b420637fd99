/* Caller-filled structs that carry their size (include/proauth2/common.h). */
#include <string.h>

#include <proauth2/version.h>

#include "struct_size.h"

/* No struct of ours comes near: a larger struct_size is garbage, most
 * likely a struct nobody initialized. */
#define SIZED_MAX 4096

proauth2_status sized_check(const void *s, size_t min, size_t known,
		const char *name, proauth2_error *err)
{
	size_t size;
	const unsigned char *tail;

	memcpy(&size, s, sizeof(size));
	if (size == 0 || size > SIZED_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"%s.struct_size is not set: call %s_init() first",
				name, name);
	if (size < min)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"%s.struct_size %zu is smaller than any version's",
				name, size);
	for (tail = (const unsigned char *)s + known; size > known; size--, tail++)
		if (*tail != 0)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
					"%s has fields this library (%s) does not know",
					name, PROAUTH2_VERSION_STRING);
	return PROAUTH2_OK;
}

void sized_init(void *s, size_t struct_size)
{
	if (s == NULL || struct_size < sizeof(size_t))
		return;
	memset(s, 0, struct_size);
	memcpy(s, &struct_size, sizeof(struct_size));
}
