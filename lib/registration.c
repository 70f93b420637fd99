/* Registration access tokens (RFC 7592 §3): minted at dynamic
 * registration, presented to read, update or delete the client. */
#include <string.h>

#include "crypto.h"
#include "event.h"
#include "internal.h"
#include "throttle_int.h"

proauth2_status proauth2_client_register_dynamic(proauth2_provider *p,
		const proauth2_client_params *params, proauth2_client **out,
		char **registration_token, proauth2_error *err)
{
	char hash[HASH_SIZE];
	char *token = NULL;
	proauth2_status status;

	if (out == NULL || registration_token == NULL || p == NULL || params == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, params, out and registration_token are required");
	*out = NULL;
	*registration_token = NULL;
	status = proauth2_secret_new(&token, err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(token, hash, err);
	if (status == PROAUTH2_OK)
		status = client_register_with(p, params, hash, out, err);
	if (status != PROAUTH2_OK) {
		proauth2_secret_free(token);
		return status;
	}
	*registration_token = token;
	return PROAUTH2_OK;
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
