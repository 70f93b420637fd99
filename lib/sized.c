/* Caller-filled structs that carry their size, and the init functions of
 * those whose defaults are all zero. */
#include <string.h>

#include <proauth2/client.h>
#include <proauth2/http.h>
#include <proauth2/token.h>
#include <proauth2/version.h>

#include "sized.h"

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

void proauth2_client_params_init_sized(proauth2_client_params *params,
		size_t struct_size)
{
	sized_init(params, struct_size);
}

void proauth2_code_request_init_sized(proauth2_code_request *request,
		size_t struct_size)
{
	sized_init(request, struct_size);
}

void proauth2_code_exchange_init_sized(proauth2_code_exchange *request,
		size_t struct_size)
{
	sized_init(request, struct_size);
}

void proauth2_refresh_request_init_sized(proauth2_refresh_request *request,
		size_t struct_size)
{
	sized_init(request, struct_size);
}

void proauth2_client_credentials_request_init_sized(
		proauth2_client_credentials_request *request, size_t struct_size)
{
	sized_init(request, struct_size);
}

void proauth2_password_request_init_sized(proauth2_password_request *request,
		size_t struct_size)
{
	sized_init(request, struct_size);
}

void proauth2_http_request_init_sized(proauth2_http_request *request,
		size_t struct_size)
{
	sized_init(request, struct_size);
}
