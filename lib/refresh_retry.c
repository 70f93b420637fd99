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

static proauth2_status midway(proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
			"a refresh of this token is midway: retry");
}

/*
 * What the spent token under hash led to: its live child (*live), or its
 * spent one (*spent), never both. A child is live, or spent (a mark stored
 * before its record goes), from before its parent's removal on: so two
 * children, live or spent, are a racer's midway, the loser's not yet
 * discarded (taking it for the head would leave two live). One token both
 * live and marked is a try at it unfinished: live.
 */
static proauth2_status child_of(proauth2_provider *p, const char *hash,
		json_t **live, json_t **spent, proauth2_error *err)
{
	proauth2_status status = fetch_one(p, TABLE_REFRESH_TOKENS, "parent", hash,
			live, err);
	bool has_live = status == PROAUTH2_OK;

	if (status == PROAUTH2_OK || status == PROAUTH2_ERR_NOT_FOUND)
		status = fetch_one(p, TABLE_SPENT_TOKENS, "parent", hash, spent, err);
	if (has_live && status == PROAUTH2_OK) {
		if (strcmp(record_string(*live, "token_hash"),
				record_string(*spent, "token_hash")) != 0)
			status = PROAUTH2_ERR_CONFLICT;
		json_decref(*spent);
		*spent = NULL;
	} else if (has_live && status == PROAUTH2_ERR_NOT_FOUND) {
		status = PROAUTH2_OK;
	}
	if (status == PROAUTH2_ERR_CONFLICT)
		status = midway(err);
	if (status != PROAUTH2_OK) {
		json_decref(*live);
		json_decref(*spent);
		*live = *spent = NULL;
	}
	return status;
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
		if (!within_grace(p, mark))
			break;
		child = NULL;
		status = child_of(p, record_string(mark, "token_hash"), head, &child,
				err);
		json_decref(mark);
		mark = child;
		if (status == PROAUTH2_OK && *head != NULL) {
			if (strcmp(record_string(*head, "client_id"), client_id) == 0)
				return PROAUTH2_OK;
			json_decref(*head);
			*head = NULL;
			return not_retried(err);
		}
		/* Else spent in turn: on to the child's child. */
	}
	json_decref(mark);
	if (status == PROAUTH2_OK || status == PROAUTH2_ERR_NOT_FOUND)
		return not_retried(err);
	return status;
}
