/* The init functions of caller-filled structs whose defaults are all zero
 * (proauth2_config_init is in provider.c). */
#include <proauth2/authorization.h>
#include <proauth2/client.h>
#include <proauth2/http.h>
#include <proauth2/token.h>

#include "struct_size.h"

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

void proauth2_http_options_init_sized(proauth2_http_options *options,
		size_t struct_size)
{
	sized_init(options, struct_size);
}

void proauth2_approval_init_sized(proauth2_approval *approval,
		size_t struct_size)
{
	sized_init(approval, struct_size);
}
