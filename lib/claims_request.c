/* The claims request parameter (OpenID Connect Core §5.5): which claims a
 * client asks for by name, for UserInfo and for the id_token. */
#include <stdlib.h>
#include <string.h>

#include <proauth2/openid.h>

#include "attributes.h"
#include "claims_request.h"
#include "scope.h"

/* A claim name kept: a scope-token's characters (RFC 6749 §3.3: printable
 * ASCII but space, '"' and '\\'), as a word of a space-delimited list.
 * Others name no claim a host gives: ignored. */
#define CLAIM_NAME_MAX 64

static bool name_kept(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > CLAIM_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '"' ||
				name[i] == '\\')
			return false;
	return true;
}

/* §5.5.1: null, or an object whose essential is a boolean and values an
 * array; other members are extensions, ignored. */
static bool claim_request_ok(const json_t *request)
{
	const json_t *essential = json_object_get(request, "essential");
	const json_t *values = json_object_get(request, "values");

	return json_is_null(request) || (json_is_object(request) &&
			(essential == NULL || json_is_boolean(essential)) &&
			(values == NULL || json_is_array(values)));
}

/* The names member asks for, space-delimited, in *out (NULL: none). */
static proauth2_status names_of(const json_t *member, const char *what,
		char **out, proauth2_error *err)
{
	const char *name;
	json_t *request;
	size_t len = 0, kept = 0;

	*out = NULL;
	if (member == NULL)
		return PROAUTH2_OK;
	if (!json_is_object(member))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"claims: %s must be a JSON object", what);
	if (json_object_size(member) > PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"claims: %s asks for more than %d claims", what,
				PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS);
	json_object_foreach((json_t *)member, name, request) {
		if (!claim_request_ok(request))
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"claims: %s.%s must be null or an object with a "
					"boolean essential and an array of values", what,
					name_kept(name) ? name : "?");
		if (name_kept(name))
			len += strlen(name) + 1;
	}
	if (len == 0)
		return PROAUTH2_OK;
	if ((*out = malloc(len)) == NULL)
		return NO_MEMORY(err);
	json_object_foreach((json_t *)member, name, request)
		if (name_kept(name)) {
			size_t n = strlen(name);

			if (kept > 0)
				(*out)[kept++] = ' ';
			memcpy(*out + kept, name, n);
			kept += n;
		}
	(*out)[kept] = '\0';
	return PROAUTH2_OK;
}

proauth2_status claims_request_read(const char *text, char **userinfo,
		char **id_token, proauth2_error *err)
{
	json_t *request;
	proauth2_status status;

	*userinfo = *id_token = NULL;
	if (text == NULL)
		return PROAUTH2_OK;
	if (strlen(text) > PROAUTH2_CLAIMS_REQUEST_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"claims: longer than %d bytes",
				PROAUTH2_CLAIMS_REQUEST_MAX_LENGTH);
	request = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(request)) {
		json_decref(request);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"claims must be a JSON object (no member twice)");
	}
	status = names_of(json_object_get(request, "userinfo"), "userinfo",
			userinfo, err);
	if (status == PROAUTH2_OK)
		status = names_of(json_object_get(request, "id_token"), "id_token",
				id_token, err);
	json_decref(request);
	if (status != PROAUTH2_OK) {
		free(*userinfo);
		free(*id_token);
		*userinfo = *id_token = NULL;
	}
	return status;
}

bool claims_request_has(const char *names, const char *claim)
{
	return names != NULL && scope_has_token(names, claim, strlen(claim));
}

proauth2_status claims_of_user(proauth2_provider *p, const char *user_id,
		const char *client_id, const char *scope, json_t **out,
		proauth2_error *err)
{
	char *text = NULL;

	*out = NULL;
	if (p->user_claims == NULL)
		return PROAUTH2_OK;
	if (p->user_claims(p->user_claims_arg, user_id, client_id, scope,
			&text) != 0) {
		free(text);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the token's user is no longer known");
	}
	*out = text != NULL ? attributes_parse(text) : NULL;
	free(text);
	if (*out == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.user_claims gave no JSON object");
	return PROAUTH2_OK;
}

bool claims_names_ok(const char *names)
{
	const char *s = names;
	size_t n, count = 0;

	if (names == NULL)
		return true;
	if (!scope_is_valid(names))
		return false;
	while (*s != '\0') {
		n = strcspn(s, " ");
		if (n > CLAIM_NAME_MAX || ++count > PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS)
			return false;
		s += n;
		s += strspn(s, " ");
	}
	return true;
}

/* The words of a that b holds (or, for want false, does not), appended
 * to out (room for a's length and more). */
static size_t append_words(const char *a, const char *b, bool want,
		char *out, size_t len)
{
	const char *s = a;
	size_t n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, " ");
		if (n > 0 && (b != NULL && scope_has_token(b, s, n)) == want) {
			if (len > 0)
				out[len++] = ' ';
			memcpy(out + len, s, n);
			len += n;
		}
		s += n;
		s += strspn(s, " ");
	}
	return len;
}

/* out as *len bytes of text, or NULL for none. */
static bool words_done(char *out, size_t len, char **result)
{
	if (len == 0) {
		free(out);
		*result = NULL;
	} else {
		out[len] = '\0';
		*result = out;
	}
	return true;
}

bool claims_names_common(const char *a, const char *b, char **out)
{
	char *text = malloc((a != NULL ? strlen(a) : 0) + 1);

	*out = NULL;
	if (text == NULL)
		return false;
	return words_done(text, append_words(a, b, true, text, 0), out);
}

bool claims_names_union(const char *a, const char *b, char **out)
{
	size_t la = a != NULL ? strlen(a) : 0, lb = b != NULL ? strlen(b) : 0;
	char *text = malloc(la + lb + 2);
	size_t len;

	*out = NULL;
	if (text == NULL)
		return false;
	len = append_words(a, NULL, false, text, 0);
	return words_done(text, append_words(b, a, false, text, len), out);
}
