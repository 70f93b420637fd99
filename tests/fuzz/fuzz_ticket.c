/*
 * libFuzzer target for pending authorization requests read back from the
 * datastore: what another version, another process or a damaged database
 * stored under a ticket is parsed again by load, issue and deny. The input
 * is "ACTION CLIENT\nSCOPE\nGRANTED\nREQUEST": ACTION l (load), i (issue,
 * granting GRANTED; "-" for the scope asked), d (deny); CLIENT c for the
 * confidential client, p for the public one, anything else for itself;
 * REQUEST the stored JSON, markers expanded (fuzz_expand).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "tables.h"
#include "fuzz_common.h"

#define TICKET "a-ticket-the-fuzzer-stored"

static char *next_line(char **s)
{
	char *line = *s, *nl = strchr(line, '\n');

	if (nl == NULL)
		return NULL;
	*nl = '\0';
	*s = nl + 1;
	return line;
}

/* The stored request, as the datastore holds it; 0 when it was taken. */
static int park(proauth2_provider *p, const char *client, const char *scope,
		const char *request)
{
	char hash[HASH_SIZE];
	json_t *record;

	if (sha256_base64url(TICKET, hash, NULL) != PROAUTH2_OK)
		abort();
	record = json_pack("{s:s, s:s, s:s, s:s, s:I}", "ticket_hash", hash,
			"client_id", client, "request", request, "scope", scope,
			"expires_at", (json_int_t)(proauth2_provider_now(p) + 600));
	/* What the schema refuses could not have been stored. */
	return record != NULL && store_record(p, TABLE_AUTHORIZATIONS, record,
			NULL) == PROAUTH2_OK ? 0 : -1;
}

static void unpark(proauth2_provider *p)
{
	char hash[HASH_SIZE];
	size_t removed;

	if (sha256_base64url(TICKET, hash, NULL) != PROAUTH2_OK ||
			remove_where(p, TABLE_AUTHORIZATIONS, json_pack("{s:s}",
				"ticket_hash", hash), &removed, NULL) != PROAUTH2_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proauth2_provider *p = fuzz_provider();
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	proauth2_status status;
	size_t len, i;
	char *text = fuzz_expand(data, size, &len), *rest = text;
	char *head = next_line(&rest), *scope = next_line(&rest);
	char *granted = next_line(&rest);
	const char *client;

	if (granted == NULL || strlen(head) < 3 || memchr(rest, '\0', len -
			(size_t)(rest - text)) != NULL)
		goto done;
	client = head[2] == 'c' ? fuzz_marker('I') : head[2] == 'p' ?
		fuzz_marker('P') : head + 2;
	if (park(p, client, scope, rest) != 0)
		goto done;
	switch (head[0]) {
	case 'l':
		status = proauth2_authorization_load(p, TICKET, &a, NULL);
		if (status == PROAUTH2_OK) {
			/* Every accessor copes with whatever was stored. */
			for (i = 0; i < proauth2_authorization_param_count(a); i++)
				if (proauth2_authorization_param_name(a, i) == NULL)
					abort();
			(void)proauth2_authorization_param(a, "state");
			(void)proauth2_authorization_client_name(a);
			if (proauth2_authorization_scope(a) == NULL)
				abort();
		}
		break;
	case 'i':
		status = proauth2_http_authorize_issue(p, TICKET, FUZZ_USER,
				strcmp(granted, "-") == 0 ? NULL : granted, &r);
		fuzz_check(status, r);
		break;
	case 'd':
		status = proauth2_http_authorize_deny(p, TICKET, &r);
		fuzz_check(status, r);
		break;
	}
	unpark(p);
done:
	proauth2_authorization_free(a);
	proauth2_http_response_free(r);
	free(text);
	fuzz_forget();
	return 0;
}
