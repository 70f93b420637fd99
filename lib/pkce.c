/* Proof Key for Code Exchange (RFC 7636). */
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
	char hash[PROAUTH2_HASH_SIZE];

	if (!pkce_string_ok(verifier))
		return false;
	if (strcmp(method, "plain") == 0)
		return proauth2_secure_equal(verifier, challenge);
	return proauth2_hash(verifier, hash, NULL) == PROAUTH2_OK &&
		proauth2_secure_equal(hash, challenge);
}
