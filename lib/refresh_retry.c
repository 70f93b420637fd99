/*
 * Retries of spent refresh tokens (config.refresh_reuse_grace). A client
 * that lost the answer to a refresh presents the spent token again. Only
 * hashes are stored, so the lost pair cannot be sent again; the grant's
 * live refresh token is spent in its place, for a fresh pair, and stays
 * the only live one. Every refresh token records its parent (the one
 * spent to issue it), and every spent mark its token's parent: from the
 * presented token, children lead to the live one. docs/ARCHITECTURE.md
 * argues the design.
 */
#include <string.h>

#include "refresh_retry.h"
#include "tables.h"

/* Retries of retries, each spending the head again, make a chain; a
 * longer one is no lost answer. */
#define MOST_HOPS 16

static bool within_grace(proauth2_provider *p, const json_t *mark)
{
	json_t *at = json_object_get(mark, "spent_at");

	return json_is_integer(at) && proauth2_provider_now(p) -
		json_integer_value(at) < p->refresh_reuse_grace;
}

static proauth2_status not_retried(proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
			"the refresh token may not be retried");
}

proauth2_status refresh_retry_find(proauth2_provider *p, const char *hash,
		const char *client_id, json_t **head, proauth2_error *err)
{
	json_t *mark = NULL, *child;
	proauth2_status status = fetch_one(p, TABLE_SPENT_TOKENS, "token_hash",
			hash, &mark, err);
	int hops;

	*head = NULL;
	for (hops = 0; status == PROAUTH2_OK && hops < MOST_HOPS; hops++) {
		const char *spent = record_string(mark, "token_hash");

		if (!within_grace(p, mark))
			break;
		status = fetch_one(p, TABLE_REFRESH_TOKENS, "parent", spent, head, err);
		if (status == PROAUTH2_OK) {
			json_decref(mark);
			if (strcmp(record_string(*head, "client_id"), client_id) == 0)
				return PROAUTH2_OK;
			json_decref(*head);
			*head = NULL;
			return not_retried(err);
		}
		/* Two children: one is a losing racer's, not yet removed. */
		if (status == PROAUTH2_ERR_CONFLICT)
			status = proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
					"a refresh of this token is midway: retry");
		if (status != PROAUTH2_ERR_NOT_FOUND)
			break;
		/* Spent in turn: on to the child's child. */
		status = fetch_one(p, TABLE_SPENT_TOKENS, "parent", spent, &child, err);
		json_decref(mark);
		mark = child;
	}
	json_decref(mark);
	if (status == PROAUTH2_OK || status == PROAUTH2_ERR_NOT_FOUND ||
			status == PROAUTH2_ERR_CONFLICT)
		return not_retried(err);
	return status;
}
