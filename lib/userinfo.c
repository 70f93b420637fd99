/* The UserInfo answer (OpenID Connect Core §5.3): the host's claims of a
 * user, as far as the granted scopes reach (§5.4), and those the request
 * asked for by name (§5.5). */
#include <stdlib.h>
#include <string.h>

#include <proauth2/openid.h>

#include "claims_request.h"
#include "client_document.h"
#include "internal.h"
#include "pairwise.h"
#include "scope.h"

/* The standard claims (§5.1) and the scope that asks for each (§5.4). */
static const struct {
	const char *claim;
	const char *scope;
} standard_claims[] = {
	{"name", "profile"}, {"family_name", "profile"},
	{"given_name", "profile"}, {"middle_name", "profile"},
	{"nickname", "profile"}, {"preferred_username", "profile"},
	{"profile", "profile"}, {"picture", "profile"},
	{"website", "profile"}, {"gender", "profile"},
	{"birthdate", "profile"}, {"zoneinfo", "profile"},
	{"locale", "profile"}, {"updated_at", "profile"},
	{"email", "email"}, {"email_verified", "email"},
	{"address", "address"},
	{"phone_number", "phone"}, {"phone_number_verified", "phone"},
};

/* Whether the host's claim may go to a token of scope: a standard one
 * only with its scope, the host's own as given. */
static bool claim_granted(const char *claim, const char *scope)
{
	size_t i;

	for (i = 0; i < sizeof(standard_claims) / sizeof(standard_claims[0]); i++)
		if (strcmp(standard_claims[i].claim, claim) == 0)
			return scope_has_token(scope, standard_claims[i].scope,
					strlen(standard_claims[i].scope));
	return true;
}

proauth2_status proauth2_userinfo(proauth2_provider *p,
		const proauth2_token_info *t, char **json, proauth2_error *err)
{
	json_t *claims = NULL, *answer, *value;
	const char *name;
	char *sub = NULL;
	proauth2_status status;

	if (p == NULL || t == NULL || json == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, token and json are required");
	*json = NULL;
	if (!p->openid)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"UserInfo needs config.openid");
	if (t->user_id == NULL || t->scope == NULL ||
			!scope_has_token(t->scope, "openid", 6))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"UserInfo needs a user's token with the openid scope");
	status = proauth2_client_subject(p, t->client_id, t->user_id, &sub, err);
	if (status == PROAUTH2_OK)
		status = claims_of_user(p, t->user_id, t->client_id, t->scope,
				&claims, err);
	if (status != PROAUTH2_OK) {
		free(sub);
		return status;
	}
	answer = json_pack("{s:s}", "sub", sub);
	free(sub);
	json_object_foreach(claims, name, value)
		if (answer != NULL && strcmp(name, "sub") != 0 &&
				(claim_granted(name, t->scope) ||
				 claims_request_has(t->userinfo_claims, name)) &&
				json_object_set(answer, name, value) != 0) {
			json_decref(answer);
			answer = NULL;
		}
	if (answer != NULL)
		*json = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	json_decref(claims);
	return *json != NULL ? PROAUTH2_OK : NO_MEMORY(err);
}

proauth2_status proauth2_client_subject(proauth2_provider *p,
		const char *client_id, const char *user_id, char **sub,
		proauth2_error *err)
{
	char pairwise[PAIRWISE_SUBJECT_SIZE];
	json_t *client = NULL;
	const char *subject = user_id;
	proauth2_status status = PROAUTH2_OK;

	if (p == NULL || client_id == NULL || user_id == NULL || sub == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, client_id, user_id and sub are required");
	*sub = NULL;
	status = client_lookup(p, client_id, &client, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"unknown client_id");
	if (status == PROAUTH2_OK)
		status = pairwise_subject(p, record_string(client, "subject_sector"),
				user_id, pairwise, &subject, err);
	if (status == PROAUTH2_OK && (*sub = strdup(subject)) == NULL)
		status = NO_MEMORY(err);
	json_decref(client);
	return status;
}
