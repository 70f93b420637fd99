/* Responses onto MHD connections. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reply.h"

/* Pages run no script, load nothing and may not be framed: the consent
 * page must not be clickjacked. */
#define PAGE_CSP "default-src 'none'; style-src 'unsafe-inline'; " \
	"frame-ancestors 'none'; base-uri 'none'"

static const char out_of_memory[] =
	"{\"error\":\"server_error\",\"error_description\":\"out of memory\"}";

/* Queue r (which may be NULL) and drop our reference to it. */
static enum MHD_Result queue(struct MHD_Connection *c, unsigned status,
		struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (r == NULL) {
		/* Nothing left to say it with: close the connection. */
		r = MHD_create_response_from_buffer(sizeof(out_of_memory) - 1,
				(void *)out_of_memory, MHD_RESPMEM_PERSISTENT);
		if (r == NULL)
			return MHD_NO;
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json") != MHD_YES) {
			MHD_destroy_response(r);
			return MHD_NO;
		}
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A response holding a copy of body, with these name/value header pairs
 * (NULL-terminated); NULL on failure. */
static struct MHD_Response *make(const char *body, size_t len,
		const char *const *headers)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
			(void *)body, MHD_RESPMEM_MUST_COPY);

	for (; r != NULL && headers[0] != NULL; headers += 2)
		if (headers[1] != NULL &&
				MHD_add_response_header(r, headers[0], headers[1]) != MHD_YES) {
			MHD_destroy_response(r);
			r = NULL;
		}
	return r;
}

enum MHD_Result reply_html(struct MHD_Connection *c, unsigned status,
		char *html, const char *cookie)
{
	const char *headers[] = {
		MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8",
		MHD_HTTP_HEADER_CACHE_CONTROL, "no-store",
		MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, PAGE_CSP,
		MHD_HTTP_HEADER_X_FRAME_OPTIONS, "DENY",
		"X-Content-Type-Options", "nosniff",
		"Referrer-Policy", "no-referrer",
		MHD_HTTP_HEADER_SET_COOKIE, cookie,
		NULL,
	};
	struct MHD_Response *r = html != NULL ? make(html, strlen(html), headers) : NULL;

	free(html);
	return queue(c, status, r);
}

enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
	static const char *const headers[] = {
		MHD_HTTP_HEADER_CONTENT_TYPE, "application/json",
		MHD_HTTP_HEADER_CACHE_CONTROL, "no-store",
		NULL,
	};
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	struct MHD_Response *r = text != NULL ? make(text, strlen(text), headers) : NULL;

	free(text);
	json_decref(body);
	return queue(c, status, r);
}

enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status,
		const char *code, const char *allow)
{
	const char *headers[] = {
		MHD_HTTP_HEADER_CONTENT_TYPE, "application/json",
		MHD_HTTP_HEADER_CACHE_CONTROL, "no-store",
		MHD_HTTP_HEADER_ALLOW, allow,
		NULL,
	};
	json_t *body = json_pack("{s:s}", "error", code);
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	struct MHD_Response *r = text != NULL ? make(text, strlen(text), headers) : NULL;

	free(text);
	json_decref(body);
	return queue(c, status, r);
}

enum MHD_Result reply_oauth(struct MHD_Connection *c, proauth2_http_response *resp)
{
	struct MHD_Response *r = NULL;
	unsigned status = 500;
	size_t i;

	if (resp != NULL) {
		status = resp->status >= 100 && resp->status <= 599 ?
			(unsigned)resp->status : 500;
		r = MHD_create_response_from_buffer(resp->body_length,
				resp->body, MHD_RESPMEM_MUST_COPY);
	}
	for (i = 0; r != NULL && i < resp->n_headers; i++) {
		const proauth2_http_header *h = &resp->headers[i];

		/* MHD computes the length itself and refuses to be told. */
		if (strcasecmp(h->name, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
			continue;
		if (MHD_add_response_header(r, h->name, h->value) != MHD_YES) {
			MHD_destroy_response(r);
			r = NULL;
		}
	}
	proauth2_http_response_free(resp);
	return queue(c, status, r);
}
