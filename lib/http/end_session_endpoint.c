/* The end-session endpoint (RP-Initiated Logout 1.0) over
 * proauth2/logout.h: the request read from HTTP, the redirect after. */
#include <proauth2/http.h>
#include <proauth2/logout.h>

#include "request.h"
#include "response.h"

proauth2_status proauth2_http_end_session_begin(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_end_session **request,
		proauth2_http_response **out)
{
	const char *names[FORM_MAX_PARAMS], *values[FORM_MAX_PARAMS];
	proauth2_error err = {0};
	proauth2_status status;
	size_t i;
	form f;

	*request = NULL;
	*out = NULL;
	status = request_read_query_or_form(req, &f, &err);
	for (i = 0; status == PROAUTH2_OK && i < f.n; i++) {
		names[i] = f.params[i].name;
		values[i] = f.params[i].value;
	}
	if (status == PROAUTH2_OK)
		status = proauth2_end_session_begin(p, names, values, f.n, request,
				&err);
	form_clear(&f);
	/* Never a redirect: the client or its URI may be anybody's. */
	return status == PROAUTH2_OK ? status : error_response(p, status, &err, out);
}

proauth2_status proauth2_http_end_session_finish(
		const proauth2_end_session *request, proauth2_http_response **out)
{
	const char *redirect = proauth2_end_session_redirect(request);

	*out = NULL;
	if (redirect == NULL)
		return PROAUTH2_OK;
	return respond(response_redirect(redirect), PROAUTH2_OK, out);
}
