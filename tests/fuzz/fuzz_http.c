/*
 * libFuzzer targets for the routed endpoints and the bearer check: the
 * input is a whole request as text (see fuzz_request_parse), its secrets
 * named by markers (fuzz_expand). Built once per target:
 *   FUZZ_PATHS "/register"   registration (RFC 7591) and /register/<id>
 *                            (RFC 7592), JSON bodies
 *   FUZZ_PATHS "/revoke ..." revocation and introspection
 *   FUZZ_PATHS "/.well-..."  the metadata
 *   FUZZ_BEARER              proauth2_http_bearer; the X-Scope header is
 *                            the scope required
 * A request whose path starts with none of FUZZ_PATHS (space-separated) is
 * skipped, so each target spends its time on its own endpoints.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#ifndef FUZZ_PATHS
#define FUZZ_PATHS ""
#endif

static int wanted(const char *path)
{
	const char *p = FUZZ_PATHS;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		if (strncmp(path, p, n) == 0)
			return 1;
		p += n;
		p += strspn(p, " ");
	}
	return FUZZ_PATHS[0] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proauth2_http_response *r = NULL;
	proauth2_status status;
	fuzz_request fr;
	size_t len;
	char *text = fuzz_expand(data, size, &len);

	if (fuzz_request_parse(&fr, text, len) == 0 && wanted(fr.req.path)) {
#ifdef FUZZ_BEARER
		proauth2_token_info *info = NULL;

		status = proauth2_http_bearer(fuzz_provider(), &fr.req,
				fuzz_request_header(&fr, "X-Scope"), &info, &r);
		/* Granted: info and no response; refused: the reverse. */
		if ((status == PROAUTH2_OK) != (info != NULL) ||
				(status == PROAUTH2_OK) != (r == NULL))
			abort();
		/* A required scope that is none is the host's mistake. */
		if (status == PROAUTH2_ERR_INVALID_ARGUMENT &&
				fuzz_request_header(&fr, "X-Scope") != NULL) {
			if (r == NULL || r->status != 500)
				abort();
		} else if (r != NULL) {
			fuzz_check(status, r);
		}
		proauth2_token_info_free(info);
#else
		status = proauth2_http_handle(fuzz_provider(), &fr.req, &r);
		fuzz_check(status, r);
#endif
	}
	proauth2_http_response_free(r);
	free(text);
	fuzz_forget();
	return 0;
}
