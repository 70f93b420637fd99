/* Dynamic registration (RFC 7591): the initial access token, the count of
 * anonymous registrations, and the registration access tokens (RFC 7592
 * §3) minted for it, presented to read, update or delete the client. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "event.h"
#include "internal.h"
#include "throttle_int.h"

/* Whether token is the configured initial access token (RFC 7591 §3). */
static proauth2_status check_initial_token(proauth2_provider *p,
		const char *token, proauth2_error *err)
{
	char hash[HASH_SIZE];
	proauth2_status status;

	if (token == NULL || !p->has_initial_token ||
			strlen(token) > PRESENTED_SECRET_MAX)
		status = PROAUTH2_ERR_INVALID_TOKEN;
	else
		status = sha256_base64url(token, hash, err);
	if (status == PROAUTH2_OK && proauth2_secret_equal(hash, p->initial_token_hash))
		return PROAUTH2_OK;
	if (status != PROAUTH2_OK && status != PROAUTH2_ERR_INVALID_TOKEN)
		return status;
	report_auth_failed(p, NULL, "initial_access_token");
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
			"invalid initial access token");
}

/*
 * Anonymous registrations are counted in slots of the current window,
 * "<window>:<n>" for n below the limit, each taken by a store: a backend
 * refuses a key that exists, atomically, so every process on the
 * datastore shares the count. Slots are taken lowest first, so the taken
 * ones are a prefix: a binary search of fetches finds the first free one,
 * and a full window costs a refused request one fetch. They expire with
 * their window, all at once, so no gap ever opens in the prefix.
 */
static proauth2_status slot_taken(proauth2_provider *p, int64_t window,
		unsigned n, bool *taken, proauth2_error *err)
{
	char key[48];
	json_t *record = NULL;
	proauth2_error fetch_err = {0};
	proauth2_status status;

	snprintf(key, sizeof(key), "%lld:%u", (long long)window, n);
	status = fetch_one(p, TABLE_REGISTRATION_SLOTS, "slot", key, &record, &fetch_err);
	json_decref(record);
	*taken = status == PROAUTH2_OK;
	if (status == PROAUTH2_OK || status == PROAUTH2_ERR_NOT_FOUND)
		return PROAUTH2_OK;
	if (err != NULL)
		*err = fetch_err;
	return status;
}

proauth2_status registration_take_anonymous_slot(proauth2_provider *p,
		proauth2_error *err)
{
	int64_t length = p->registration_anonymous_window;
	int64_t window = proauth2_provider_now(p) / length;
	unsigned max = p->registration_anonymous_max, lo = 0, hi = max, mid;
	proauth2_status status = PROAUTH2_OK;
	bool taken = max == 0;
	char key[48];

	if (max > 0)
		status = slot_taken(p, window, max - 1, &taken, err);
	while (status == PROAUTH2_OK && !taken && lo < hi) {
		mid = lo + (hi - lo) / 2;
		status = slot_taken(p, window, mid, &taken, err);
		if (taken)
			lo = mid + 1;
		else
			hi = mid;
		taken = false;
	}
	for (; status == PROAUTH2_OK && !taken && lo < max; lo++) {
		proauth2_error store_err = {0};

		snprintf(key, sizeof(key), "%lld:%u", (long long)window, lo);
		status = store_record(p, TABLE_REGISTRATION_SLOTS, json_pack("{s:s, s:I}",
				"slot", key, "expires_at", (json_int_t)((window + 1) * length)),
				&store_err);
		if (status == PROAUTH2_OK)
			return PROAUTH2_OK;
		if (status == PROAUTH2_ERR_CONFLICT)
			status = PROAUTH2_OK;  /* someone else's: try the next */
		else if (err != NULL)
			*err = store_err;
	}
	if (status != PROAUTH2_OK)
		return status;
	if (max == 0)
		return proauth2_error_set(err, PROAUTH2_ERR_TOO_MANY_REQUESTS,
				"registration needs an initial access token");
	return proauth2_error_set(err, PROAUTH2_ERR_TOO_MANY_REQUESTS,
			"at most %u anonymous registrations per %lld s; try again "
			"in %lld s", max, (long long)length,
			(long long)((window + 1) * length - proauth2_provider_now(p)));
}

proauth2_status proauth2_client_register_dynamic_with_token(proauth2_provider *p,
		const proauth2_client_params *params, const char *initial_access_token,
		proauth2_client **out, char **registration_token, proauth2_error *err)
{
	char hash[HASH_SIZE];
	char *token = NULL;
	proauth2_client_origin origin = PROAUTH2_REGISTERED_ANONYMOUSLY;
	proauth2_status status = PROAUTH2_OK;

	if (out == NULL || registration_token == NULL || p == NULL || params == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, params, out and registration_token are required");
	*out = NULL;
	*registration_token = NULL;
	if (initial_access_token != NULL || p->has_initial_token) {
		status = check_initial_token(p, initial_access_token, err);
		origin = PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN;
	}
	if (status == PROAUTH2_OK)
		status = proauth2_secret_new(&token, err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(token, hash, err);
	if (status == PROAUTH2_OK)
		status = client_register_with(p, params, origin, hash, out, err);
	if (status != PROAUTH2_OK) {
		proauth2_secret_free(token);
		return status;
	}
	*registration_token = token;
	return PROAUTH2_OK;
}

proauth2_status proauth2_client_register_dynamic(proauth2_provider *p,
		const proauth2_client_params *params, proauth2_client **out,
		char **registration_token, proauth2_error *err)
{
	return proauth2_client_register_dynamic_with_token(p, params, NULL, out,
			registration_token, err);
}

proauth2_status proauth2_client_verify_registration_token(proauth2_provider *p,
		const char *client_id, const char *token, proauth2_error *err)
{
	char hash[HASH_SIZE], subject[THROTTLE_SUBJECT_SIZE];
	json_t *client = NULL;
	proauth2_status status;
	int64_t retry_after;
	bool ok, found;

	if (p == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider is required");
	if (client_id == NULL || token == NULL ||
			strlen(client_id) > PRESENTED_SECRET_MAX ||
			strlen(token) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"invalid registration access token");
	/* Guesses at a client's token count with guesses at its secret. */
	status = throttle_subject(subject, sizeof(subject), "client", client_id, err);
	if (status == PROAUTH2_OK)
		status = throttle_check_found(p, subject, &retry_after, &found, err);
	if (status != PROAUTH2_OK)
		return status;
	if (retry_after > 0)
		return throttle_refused(retry_after, PROAUTH2_ERR_INVALID_TOKEN, err);
	status = sha256_base64url(token, hash, err);
	if (status == PROAUTH2_OK)
		status = fetch_one(p, TABLE_CLIENTS, "client_id", client_id, &client, err);
	if (status != PROAUTH2_OK && status != PROAUTH2_ERR_NOT_FOUND)
		return status;
	ok = status == PROAUTH2_OK && proauth2_secret_equal(hash,
			record_string(client, "registration_token_hash"));
	json_decref(client);
	status = throttle_record_found(p, subject, ok, found, ok ? err : NULL);
	if (ok)
		return status;
	/* Someone guessing tokens at /register/<id> is worth a line. */
	report_auth_failed(p, client_id, "registration_access_token");
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
			"invalid registration access token");
}
