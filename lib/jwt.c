/* JWT access tokens (RFC 9068 §2): claims, signing and validation. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "jwt.h"
#include "key_set.h"
#include "record_cache.h"
#include "resources.h"

#define TYP "at+jwt"
/* What a relying party's clock may differ by (iat, nbf). */
#define CLOCK_SKEW 60

bool jwt_shaped(const char *token)
{
	const char *dot = token != NULL ? strchr(token, '.') : NULL;

	return dot != NULL && strchr(dot + 1, '.') != NULL;
}

bool jwt_wanted(proauth2_provider *p, const char *audience)
{
	return audience != NULL && p->has_kek &&
		resources_want_jwt(p, audience, p->jwt_access_tokens);
}

/* RFC 9068 §2.2's claims for t, and the grant's own (its attributes, the
 * claims it asked for by name for UserInfo). */
static json_t *claims_of(proauth2_provider *p, const grant_tokens *t,
		const char *jti)
{
	int64_t now = proauth2_provider_now(p);
	json_t *attributes = t->attributes != NULL ?
		json_loads(t->attributes, 0, NULL) : NULL;

	if (t->attributes != NULL && attributes == NULL)
		return NULL;
	/* §2.2: with no resource owner (client_credentials), sub is the
	 * client. */
	return json_pack("{s:s, s:s, s:o, s:I, s:I, s:s, s:s, s:s, s:s, s:o*, s:s*}",
			"iss", p->issuer,
			"sub", t->user_id != NULL ? t->user_id : t->client_id,
			"aud", resources_list_json(t->audience),
			"exp", (json_int_t)(now + p->jwt_access_token_lifetime),
			"iat", (json_int_t)now,
			"jti", jti,
			"client_id", t->client_id,
			"scope", t->scope,
			"grant_id", t->grant_id,
			"attributes", attributes,
			"userinfo_claims", t->userinfo_claims);
}

proauth2_status jwt_issue(proauth2_provider *p, const grant_tokens *t,
		char **token, proauth2_error *err)
{
	char kid[KEY_ID_SIZE], *jti = NULL;
	jws_signer *signer = NULL;
	json_t *claims = NULL;
	jws_alg alg = key_set_default_alg(p);
	proauth2_status status = key_set_signer(p, alg, kid, &signer, err);

	*token = NULL;
	if (status == PROAUTH2_OK)
		status = proauth2_secret_new(&jti, err);
	if (status == PROAUTH2_OK && (claims = claims_of(p, t, jti)) == NULL)
		status = NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = jws_sign(signer, kid, TYP, claims, token, err);
	json_decref(claims);
	proauth2_secret_free(jti);
	jws_signer_free(signer);
	return status;
}

static EVP_PKEY *lookup(const char *kid, jws_alg alg, void *arg)
{
	return key_set_public(arg, kid, alg);
}

static proauth2_status refused(proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
			"the token is invalid, expired or revoked");
}

static bool is_string(const json_t *claims, const char *name)
{
	return json_is_string(json_object_get(claims, name));
}

/* The integer claim name, or def when absent; false when it is there but
 * no integer. */
static bool int_claim(const json_t *claims, const char *name, int64_t def,
		int64_t *out)
{
	json_t *v = json_object_get(claims, name);

	*out = v == NULL ? def : json_integer_value(v);
	return v == NULL || json_is_integer(v);
}

/* aud as our space-delimited audience, in *audience (free()); false when
 * it is no string or array of resource URIs. */
static bool audience_of(const json_t *aud, char **audience)
{
	json_t *list = json_is_string(aud) ? json_pack("[O]", aud) : json_incref((json_t *)aud);
	size_t i, len = 0;
	json_t *item;
	bool ok = json_is_array(list) && json_array_size(list) > 0 &&
		json_array_size(list) <= PROAUTH2_RESOURCES_PER_REQUEST_MAX;

	*audience = NULL;
	json_array_foreach(list, i, item) {
		const char *s = json_string_value(item);
		char *grown;

		if (!ok || s == NULL || s[0] == '\0' || strchr(s, ' ') != NULL ||
				strlen(s) > PROAUTH2_URL_MAX_LENGTH) {
			ok = false;
			break;
		}
		if ((grown = realloc(*audience, len + strlen(s) + 2)) == NULL) {
			ok = false;
			break;
		}
		*audience = grown;
		len += (size_t)sprintf(grown + len, len > 0 ? " %s" : "%s", s);
	}
	json_decref(list);
	if (!ok) {
		free(*audience);
		*audience = NULL;
	}
	return ok;
}

/* The claims that change with the clock (RFC 9068 §4): exp passed, or iat
 * and nbf ahead of it. */
static bool in_time(proauth2_provider *p, int64_t iat, int64_t nbf, int64_t exp)
{
	int64_t now = proauth2_provider_now(p);

	return exp > now && iat <= now + CLOCK_SKEW && nbf <= now + CLOCK_SKEW;
}

/* The claims checked (RFC 9068 §4) into a record; nbf in *nbf. */
static proauth2_status claims_record(proauth2_provider *p, const json_t *header,
		const json_t *claims, json_t **record, int64_t *nbf,
		proauth2_error *err)
{
	const char *typ = json_string_value(json_object_get(header, "typ"));
	const char *sub, *client_id;
	int64_t now = proauth2_provider_now(p), exp, iat;
	json_t *attributes = json_object_get(claims, "attributes");
	char *audience = NULL, *attributes_text = NULL;

	if (typ == NULL || (strcasecmp(typ, TYP) != 0 &&
			strcasecmp(typ, "application/" TYP) != 0) ||
			!is_string(claims, "iss") ||
			strcmp(json_string_value(json_object_get(claims, "iss")), p->issuer) != 0 ||
			!json_is_integer(json_object_get(claims, "exp")) ||
			!int_claim(claims, "exp", 0, &exp) ||
			!int_claim(claims, "iat", now, &iat) ||
			!int_claim(claims, "nbf", now, nbf) ||
			!in_time(p, iat, *nbf, exp) ||
			!is_string(claims, "sub") || !is_string(claims, "client_id") ||
			!is_string(claims, "grant_id") ||
			(json_object_get(claims, "scope") != NULL && !is_string(claims, "scope")) ||
			(attributes != NULL && !json_is_object(attributes)) ||
			(json_object_get(claims, "userinfo_claims") != NULL &&
			 !is_string(claims, "userinfo_claims")) ||
			!audience_of(json_object_get(claims, "aud"), &audience))
		return refused(err);
	if (attributes != NULL &&
			(attributes_text = json_dumps(attributes, JSON_COMPACT)) == NULL) {
		free(audience);
		return NO_MEMORY(err);
	}
	sub = json_string_value(json_object_get(claims, "sub"));
	client_id = json_string_value(json_object_get(claims, "client_id"));
	*record = json_pack("{s:s, s:s*, s:s, s:s, s:I, s:I, s:s*, s:s, s:s*}",
			"client_id", client_id,
			/* §2.2: a sub that is the client speaks for no user. */
			"user_id", strcmp(sub, client_id) != 0 ? sub : NULL,
			"grant_id", json_string_value(json_object_get(claims, "grant_id")),
			"scope", is_string(claims, "scope") ?
				json_string_value(json_object_get(claims, "scope")) : "",
			"issued_at", (json_int_t)iat,
			"expires_at", (json_int_t)exp,
			"attributes", attributes_text,
			"resource", audience,
			"userinfo_claims", json_string_value(json_object_get(claims,
					"userinfo_claims")));
	free(attributes_text);
	free(audience);
	return *record != NULL ? PROAUTH2_OK : NO_MEMORY(err);
}

/*
 * Verified JWTs are kept under the token itself, with the record their
 * claims made, so that a token used again costs no signature check and no
 * claims parse. What can change is still checked on every use: the key
 * that signed is still trusted, and is the same key (a key retired at once
 * drops its tokens; a key set wiped and made again reuses kids), the claims
 * that depend on the clock, and the grant's revocation mark. A kept token
 * that fails any of these is forgotten and verified afresh, so keeping one
 * never changes an answer.
 */

/* The algorithm and key id header names; false when alg is none we know. */
static bool header_key(const json_t *header, jws_alg *alg, const char **kid)
{
	*kid = json_string_value(json_object_get(header, "kid"));
	return jws_alg_from_name(json_string_value(json_object_get(header, "alg")), alg);
}

/* A kept entry: [record, header, the key's public JWK text, nbf]. */
enum { KEPT_RECORD, KEPT_HEADER, KEPT_JWK, KEPT_NBF };

/* token's record as kept, still good now; false (and forgotten) if not. */
static bool kept_record(proauth2_provider *p, const char *token, json_t **record)
{
	char why[RECORD_CACHE_WHY_SIZE];
	json_t *kept = NULL, *r;
	const char *kid;
	jws_alg alg;
	bool good;

	if (!record_cache_get(p->verified_jwts, token, proauth2_provider_now(p),
			&kept, why) || kept == NULL)
		return false;
	r = json_array_get(kept, KEPT_RECORD);
	good = header_key(json_array_get(kept, KEPT_HEADER), &alg, &kid) &&
		key_set_publishes(p, kid, alg,
				json_string_value(json_array_get(kept, KEPT_JWK))) &&
		in_time(p, json_integer_value(json_object_get(r, "issued_at")),
				json_integer_value(json_array_get(kept, KEPT_NBF)),
				json_integer_value(json_object_get(r, "expires_at")));
	*record = good ? json_incref(r) : NULL;
	json_decref(kept);
	if (!good)
		record_cache_forget(p->verified_jwts, token);
	return good;
}

/* Keep a token that passed every check, with its key's public JWK, until it
 * expires. Nothing else forgets one: what can change is checked on use. */
static void keep_verified(proauth2_provider *p, const char *token,
		json_t *header, json_t *record, int64_t nbf)
{
	char *jwk_text = NULL;
	const char *kid;
	json_t *kept;
	jws_alg alg;

	if (!header_key(header, &alg, &kid) ||
			(jwk_text = key_set_public_jwk_text(p, kid, alg)) == NULL)
		return;
	kept = json_pack("[OOsI]", record, header, jwk_text, (json_int_t)nbf);
	if (kept != NULL)
		record_cache_put(p->verified_jwts, token, kept, "",
				json_integer_value(json_object_get(record, "expires_at")),
				record_cache_generation(p->verified_jwts));
	json_decref(kept);
	free(jwk_text);
}

/* token's signature and claims checked into *record, with its header (to
 * keep it by) and nbf. */
static proauth2_status verified_record(proauth2_provider *p, const char *token,
		json_t **header, json_t **record, int64_t *nbf, proauth2_error *err)
{
	json_t *claims = NULL;
	proauth2_status status = jws_verify(token, lookup, p, header, &claims,
			NULL, err);

	if (status == PROAUTH2_OK)
		status = claims_record(p, *header, claims, record, nbf, err);
	else if (status == PROAUTH2_ERR_INVALID_TOKEN)
		status = refused(err);
	json_decref(claims);
	return status;
}

proauth2_status jwt_verify(proauth2_provider *p, const char *token,
		json_t **record, proauth2_error *err)
{
	json_t *header = NULL;
	size_t length = strlen(token);
	bool keepable = length <= JWT_VERIFIED_LENGTH_MAX;
	proauth2_status status = PROAUTH2_OK;
	bool revoked = false, kept;
	int64_t nbf = 0;

	*record = NULL;
	if (!p->has_kek || length > JWS_MAX_LENGTH)
		return refused(err);
	kept = keepable && kept_record(p, token, record);
	if (!kept)
		status = verified_record(p, token, &header, record, &nbf, err);
	if (status == PROAUTH2_OK && p->jwt_revocation_check)
		status = grant_is_revoked(p, record_string(*record, "grant_id"),
				&revoked, err);
	if (status == PROAUTH2_OK && revoked)
		status = refused(err);
	if (status == PROAUTH2_OK && keepable && !kept)
		keep_verified(p, token, header, *record, nbf);
	if (status != PROAUTH2_OK) {
		json_decref(*record);
		*record = NULL;
	}
	json_decref(header);
	return status;
}
