/* Proof Key for Code Exchange (RFC 7636). */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "pkce.h"

bool pkce_string_ok(const char *s)
{
	size_t len = strlen(s);

	return len >= 43 && len <= 128 &&
		strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-._~") == len;
}

proauth2_status pkce_check_challenge(const proauth2_provider *p,
		const char *challenge, const char *method_in, const char **method,
		proauth2_error *err)
{
	*method = NULL;
	if (method_in == NULL || strcmp(method_in, "S256") == 0)
		*method = "S256";
	else if (strcmp(method_in, "plain") == 0 && p->allow_plain_pkce)
		*method = "plain";
	else
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"code_challenge_method must be S256");
	if (!pkce_string_ok(challenge))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"code_challenge must be 43 to 128 unreserved characters");
	return PROAUTH2_OK;
}

bool pkce_verify(const char *challenge, const char *method, const char *verifier)
{
	char hash[HASH_SIZE];

	if (!pkce_string_ok(verifier))
		return false;
	if (strcmp(method, "plain") == 0)
		return proauth2_secret_equal(verifier, challenge);
	return sha256_base64url(verifier, hash, NULL) == PROAUTH2_OK &&
		proauth2_secret_equal(hash, challenge);
}

proauth2_status proauth2_pkce_challenge(const char *verifier, char **challenge,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	proauth2_status status;

	if (challenge == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"challenge is required");
	*challenge = NULL;
	if (verifier == NULL || !pkce_string_ok(verifier))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a code verifier is 43 to 128 unreserved characters");
	status = sha256_base64url(verifier, hash, err);
	if (status == PROAUTH2_OK && (*challenge = strdup(hash)) == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	return status;
}
