/* The tables the core stores, and validation of records and queries
 * against them: nothing reaches a backend without passing here. */
#include <stdint.h>
#include <string.h>

#include <proauth2/backend.h>

#include "attributes.h"
#include "tables.h"
#include "utf8.h"

#define REQ PROAUTH2_FIELD_REQUIRED
#define QRY PROAUTH2_FIELD_QUERIED
#define S PROAUTH2_FIELD_STRING
#define I PROAUTH2_FIELD_INTEGER
#define SA PROAUTH2_FIELD_STRING_ARRAY

static const proauth2_field client_fields[] = {
	{"client_id", S, REQ | QRY},
	{"secret_hash", S, 0},
	{"client_type", S, REQ},
	{"redirect_uris", SA, REQ},
	{"grant_types", SA, REQ},
	{"scope", S, REQ},
	{"name", S, 0},
	{"created_at", I, REQ},
	/* RFC 7592: set for dynamically registered clients. */
	{"registration_token_hash", S, 0},
	/* "host", "initial_access_token" or "anonymous" (schema 3). */
	{"registered_by", S, 0},
	/* Schema 4: the resource a resource server serves (RFC 8707 §2). */
	{"resource", S, 0},
	/* Schema 4: "client_secret_basic", "client_secret_post" or "none";
	 * absent: whatever the client's type allows. */
	{"token_endpoint_auth_method", S, 0},
	/* Schema 5: 1 when the host lets the client go without PKCE;
	 * absent: PKCE as its type and the provider require. */
	{"pkce_optional", I, 0},
	/* Schema 8: the alg of the client's id_tokens (OpenID Connect
	 * Registration §2); absent: RS256. */
	{"id_token_signed_response_alg", S, 0},
	/* Schema 9: OpenID Connect logout (RP-Initiated, Back-Channel) and
	 * Registration's default_max_age. */
	{"post_logout_redirect_uris", SA, 0},
	{"backchannel_logout_uri", S, 0},
	{"backchannel_logout_session_required", I, 0},
	{"default_max_age", I, 0},
	/* Schema 10: pairwise subjects (Core §8.1): the sector their subs are
	 * made for (absent: public subjects), and where it was read. */
	{"subject_sector", S, 0},
	{"sector_identifier_uri", S, 0},
};

static const proauth2_field code_fields[] = {
	{"code_hash", S, REQ | QRY},
	{"client_id", S, REQ | QRY},
	{"user_id", S, REQ | QRY},
	{"grant_id", S, REQ | QRY},
	{"redirect_uri", S, 0},
	{"scope", S, REQ},
	{"code_challenge", S, 0},
	{"code_challenge_method", S, 0},
	{"expires_at", I, REQ},
	/* Schema 5: the host's grant attributes, a JSON object. */
	{"attributes", S, PROAUTH2_FIELD_JSON_OBJECT},
	/* Schema 6: the resources the grant is for (RFC 8707), space-delimited. */
	{"resource", S, 0},
	/* Schema 8: an OpenID Connect authentication's facts for its
	 * id_tokens (nonce, auth_time, acr, amr, sid), a JSON object. */
	{"id_claims", S, PROAUTH2_FIELD_JSON_OBJECT},
	/* Schema 10: the claims the request asked for by name for UserInfo
	 * (OpenID Connect Core §5.5), space-delimited. */
	{"userinfo_claims", S, 0},
};

/* Access and refresh tokens share one shape; a refresh token adds its
 * parent. */
#define TOKEN_FIELDS \
	{"token_hash", S, REQ | QRY}, \
	{"client_id", S, REQ | QRY}, \
	{"user_id", S, QRY}, \
	{"grant_id", S, REQ | QRY}, \
	{"scope", S, REQ}, \
	{"issued_at", I, REQ}, \
	{"expires_at", I, REQ}, \
	/* Schema 5: the grant's attributes, as the code had them. */ \
	{"attributes", S, PROAUTH2_FIELD_JSON_OBJECT}, \
	/* Schema 6: an access token's audience, a refresh token's grant's \
	 * resources (RFC 8707), space-delimited. */ \
	{"resource", S, 0}, \
	/* Schema 10: the code's userinfo_claims. */ \
	{"userinfo_claims", S, 0}

static const proauth2_field access_token_fields[] = {
	TOKEN_FIELDS,
};

static const proauth2_field refresh_token_fields[] = {
	TOKEN_FIELDS,
	/* Schema 7: the hash of the refresh token spent to issue this one,
	 * which a retry of that one finds it by (lib/refresh_retry.c). */
	{"parent", S, QRY},
	/* Schema 8: the code's id_claims, for the id_tokens of a refresh
	 * (OpenID Connect Core §12.2). */
	{"id_claims", S, PROAUTH2_FIELD_JSON_OBJECT},
};

/* Codes and refresh tokens already used: a second use is a replay. */
static const proauth2_field spent_fields[] = {
	{"token_hash", S, REQ | QRY},
	{"grant_id", S, REQ},
	{"expires_at", I, REQ},
	/* Schema 7: when it was spent, and a refresh token's parent (as
	 * its record had it): the links a retry follows. */
	{"spent_at", I, 0},
	{"parent", S, QRY},
};

/* Grants revoked while their tokens may still be being issued. */
static const proauth2_field revoked_grant_fields[] = {
	{"grant_id", S, REQ | QRY},
	{"expires_at", I, REQ},
};

/* Authorization requests waiting for the user's decision, by ticket. */
static const proauth2_field authorization_fields[] = {
	{"ticket_hash", S, REQ | QRY},
	/* Queried since schema 3: a client's pending requests are counted. */
	{"client_id", S, REQ | QRY},
	{"request", S, REQ},  /* its parameters: JSON [[name, value], ...] */
	{"scope", S, REQ},
	{"expires_at", I, REQ},
};

/* Failed attempts at a secret, by a hash of the subject ("client:<id>",
 * "user:<name>"; proauth2/throttle.h). */
static const proauth2_field auth_failure_fields[] = {
	{"subject_hash", S, REQ | QRY},
	{"failures", I, REQ},
	{"window_start", I, REQ},   /* the run's first failure */
	{"locked_until", I, REQ},   /* 0: not locked */
	{"expires_at", I, REQ},
};

/* Anonymous registrations counted per window (schema 3): one slot each,
 * "<window>:<n>", kept until the window ends. */
static const proauth2_field registration_slot_fields[] = {
	{"slot", S, REQ | QRY},
	{"expires_at", I, REQ},
};

/* Keys that sign JWT access tokens (schema 6), one per rotation period by
 * kid, each made once by whichever process stores it first
 * (lib/key_set.c). */
static const proauth2_field signing_key_fields[] = {
	{"kid", S, REQ | QRY},
	{"alg", S, REQ},
	{"public_jwk", S, REQ | PROAUTH2_FIELD_JSON_OBJECT},
	/* Sealed under the host's key-encryption key; absent once revoked. */
	{"private_key", S, 0},
	{"created_at", I, REQ},
	{"activates_at", I, REQ},
	{"expires_at", I, REQ},
	/* 1: retired at once (a compromise), published no more. */
	{"revoked", I, 0},
};

/* Remembered consents (schema 8), one record per user by the hash of
 * the user id: {client_id: {"scope", "granted_at", "expires_at"}, ...}
 * (lib/consent.c). */
static const proauth2_field consent_fields[] = {
	{"user_hash", S, REQ | QRY},
	{"consents", S, REQ | PROAUTH2_FIELD_JSON_OBJECT},
	{"expires_at", I, REQ},
};

/* Login sessions (schema 9), one record per user by the hash of the user
 * id: {sid: {"clients": {client_id: [grant_id, ...]}, "began_at",
 * "expires_at"}, ...}, "" for logins without a session id
 * (lib/session.c). */
static const proauth2_field session_fields[] = {
	{"user_hash", S, REQ | QRY},
	{"sessions", S, REQ | PROAUTH2_FIELD_JSON_OBJECT},
	{"expires_at", I, REQ},
};

#define TABLE(name, fields) {name, fields, sizeof(fields) / sizeof(fields[0])}

static const proauth2_table tables[] = {
	TABLE(TABLE_CLIENTS, client_fields),
	TABLE(TABLE_CODES, code_fields),
	TABLE(TABLE_ACCESS_TOKENS, access_token_fields),
	TABLE(TABLE_REFRESH_TOKENS, refresh_token_fields),
	TABLE(TABLE_SPENT_TOKENS, spent_fields),
	TABLE(TABLE_REVOKED_GRANTS, revoked_grant_fields),
	TABLE(TABLE_AUTHORIZATIONS, authorization_fields),
	TABLE(TABLE_AUTH_FAILURES, auth_failure_fields),
	TABLE(TABLE_REGISTRATION_SLOTS, registration_slot_fields),
	TABLE(TABLE_SIGNING_KEYS, signing_key_fields),
	TABLE(TABLE_CONSENTS, consent_fields),
	TABLE(TABLE_SESSIONS, session_fields),
};

const proauth2_table *proauth2_schema_tables(size_t *n)
{
	*n = sizeof(tables) / sizeof(tables[0]);
	return tables;
}

const proauth2_table *proauth2_schema_table(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

const proauth2_field *proauth2_table_field(const proauth2_table *table,
		const char *name)
{
	size_t i;

	for (i = 0; i < table->n_fields; i++)
		if (strcmp(table->fields[i].name, name) == 0)
			return &table->fields[i];
	return NULL;
}

/* Why a value does not fit its field, if it does not. */
enum value_fault { VALUE_OK, VALUE_WRONG, VALUE_NOT_UTF8, VALUE_NOT_OBJECT };

/* A string a backend can hold anywhere: bounded, no embedded NUL, and
 * UTF-8, as JSON text and every backend's strings are (jansson's *_nocheck
 * calls make strings that are not). */
static enum value_fault string_check(const json_t *value)
{
	size_t len;
	const char *text;

	if (!json_is_string(value))
		return VALUE_WRONG;
	len = json_string_length(value);
	text = json_string_value(value);
	if (len > PROAUTH2_FIELD_MAX_LENGTH || strlen(text) != len)
		return VALUE_WRONG;
	return utf8_valid(text, len) ? VALUE_OK : VALUE_NOT_UTF8;
}

static enum value_fault value_check(const proauth2_field *field,
		const json_t *value)
{
	enum value_fault fault;
	size_t i;
	json_t *item, *object;

	switch (field->type) {
	case PROAUTH2_FIELD_STRING:
		if ((fault = string_check(value)) != VALUE_OK ||
				!(field->flags & PROAUTH2_FIELD_JSON_OBJECT))
			return fault;
		object = attributes_parse(json_string_value(value));
		fault = object != NULL ? VALUE_OK : VALUE_NOT_OBJECT;
		json_decref(object);
		return fault;
	case PROAUTH2_FIELD_INTEGER:
		return json_is_integer(value) ? VALUE_OK : VALUE_WRONG;
	case PROAUTH2_FIELD_STRING_ARRAY:
		if (!json_is_array(value) || json_array_size(value) > PROAUTH2_FIELD_MAX_ITEMS)
			return VALUE_WRONG;
		json_array_foreach(value, i, item)
			if ((fault = string_check(item)) != VALUE_OK)
				return fault;
		return VALUE_OK;
	}
	return VALUE_WRONG;
}

/* The field named name, looked for first after the one *next found last:
 * backends and the core build records in the table's order, so a walk
 * over a record's members rarely has to search. */
static const proauth2_field *next_field(const proauth2_table *table,
		const char *name, size_t *next)
{
	const proauth2_field *field;

	if (*next < table->n_fields && strcmp(table->fields[*next].name, name) == 0)
		field = &table->fields[*next];
	else if ((field = proauth2_table_field(table, name)) == NULL)
		return NULL;
	*next = (size_t)(field - table->fields) + 1;
	return field;
}

/* Every member names a field of the table and holds a value of its type;
 * *required counts the required fields (of the first 64) that members
 * hold. A field is counted once even if two keys name it (a key with a NUL
 * after the field's name reads as the name). */
static proauth2_status check_members(const proauth2_table *table,
		const json_t *object, const char *what, size_t *required,
		proauth2_error *err)
{
	const char *name;
	json_t *value;
	size_t next = 0, at;
	uint64_t counted = 0;  /* bit i: fields[i] counted */

	*required = 0;
	if (!json_is_object(object))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"%s for %s is not a JSON object", what, table->name);
	json_object_foreach((json_t *)object, name, value) {
		const proauth2_field *field = next_field(table, name, &next);

		if (field == NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
					"%s for %s has unknown field '%.64s'",
					what, table->name, name);
		switch (value_check(field, value)) {
		case VALUE_OK:
			break;
		case VALUE_NOT_UTF8:
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
					"%s for %s: field '%s' is not valid UTF-8",
					what, table->name, name);
		case VALUE_NOT_OBJECT:
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
					"%s for %s: field '%s' is not a JSON object "
					"nested at most %d deep", what, table->name, name,
					PROAUTH2_FIELD_MAX_DEPTH);
		default:
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
					"%s for %s: field '%s' has the wrong type or size",
					what, table->name, name);
		}
		at = (size_t)(field - table->fields);
		if ((field->flags & PROAUTH2_FIELD_REQUIRED) && at < 64 &&
				!(counted & UINT64_C(1) << at)) {
			counted |= UINT64_C(1) << at;
			(*required)++;
		}
	}
	return PROAUTH2_OK;
}

proauth2_status proauth2_record_validate(const proauth2_table *table,
		const json_t *record, proauth2_error *err)
{
	proauth2_status status;
	size_t i, required, present;

	if (table == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"unknown table");
	status = check_members(table, record, "record", &present, err);
	if (status != PROAUTH2_OK)
		return status;
	/* As many as the table has are all of them; otherwise look for the
	 * first one missing. */
	for (i = 0, required = 0; i < table->n_fields; i++)
		required += (table->fields[i].flags & PROAUTH2_FIELD_REQUIRED) != 0;
	if (present == required)
		return PROAUTH2_OK;
	for (i = 0; i < table->n_fields; i++)
		if ((table->fields[i].flags & PROAUTH2_FIELD_REQUIRED) &&
				json_object_get(record, table->fields[i].name) == NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
					"record for %s lacks required field '%s'",
					table->name, table->fields[i].name);
	return PROAUTH2_OK;
}

proauth2_status proauth2_query_validate(const proauth2_table *table,
		const json_t *query, proauth2_error *err)
{
	proauth2_status status;
	const char *name;
	json_t *value;
	size_t required;

	if (table == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"unknown table");
	status = check_members(table, query, "query", &required, err);
	if (status != PROAUTH2_OK)
		return status;
	if (json_object_size(query) == 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"query for %s is empty", table->name);
	json_object_foreach((json_t *)query, name, value)
		if (json_is_array(value))
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
					"query for %s: field '%s' is an array",
					table->name, name);
	return PROAUTH2_OK;
}
