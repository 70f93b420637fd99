/* Failed attempts at a secret, counted per subject in the datastore, and
 * the time-bounded locks they earn (the rule is in proauth2/throttle.h). */
#include <string.h>

#include <proauth2/throttle.h>

#include "crypto.h"
#include "event.h"
#include "internal.h"
#include "throttle_int.h"

/* Updates lost to a concurrent writer are tried again this many times. */
#define RECORD_TRIES 4

static proauth2_status subject_hash(const char *subject, char hash[HASH_SIZE],
		proauth2_error *err)
{
	if (subject == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"subject is required");
	return sha256_base64url(subject, hash, err);
}

static int64_t int_field(const json_t *record, const char *name)
{
	return (int64_t)json_integer_value(json_object_get(record, name));
}

proauth2_status throttle_check_found(proauth2_provider *p, const char *subject,
		int64_t *retry_after, bool *found, proauth2_error *err)
{
	char hash[HASH_SIZE];
	json_t *record = NULL;
	proauth2_status status;
	int64_t now, until;

	*retry_after = 0;
	*found = false;
	if (p->auth_failure_limit == 0)
		return PROAUTH2_OK;
	status = subject_hash(subject, hash, err);
	if (status == PROAUTH2_OK)
		status = fetch_one(p, TABLE_AUTH_FAILURES, "subject_hash", hash,
				&record, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return PROAUTH2_OK;
	if (status != PROAUTH2_OK)
		return status;
	*found = true;
	now = proauth2_provider_now(p);
	until = int_field(record, "locked_until");
	json_decref(record);
	if (until > now)
		*retry_after = until - now;
	return PROAUTH2_OK;
}

/* min(2^(n - limit), max) seconds for the n-th failure of a run. */
static int64_t lock_for(const proauth2_provider *p, int64_t failures)
{
	int64_t lock = 1, k;

	if (failures < (int64_t)p->auth_failure_limit)
		return 0;
	for (k = failures - (int64_t)p->auth_failure_limit; k > 0 &&
			lock < p->auth_lockout_max; k--)
		lock *= 2;
	return lock < p->auth_lockout_max ? lock : p->auth_lockout_max;
}

/* The record after one more failure; old is the live record or NULL. */
static json_t *next_record(const proauth2_provider *p, const char *hash,
		const json_t *old, int64_t now)
{
	int64_t failures = old ? int_field(old, "failures") + 1 : 1;
	int64_t start = old ? int_field(old, "window_start") : now;
	int64_t until = old ? int_field(old, "locked_until") : 0;
	int64_t lock = lock_for(p, failures);

	if (lock > 0 && now + lock > until)
		until = now + lock;
	/* The run lasts a window past its last failure or the lock it set. */
	return json_pack("{s:s, s:I, s:I, s:I, s:I}", "subject_hash", hash,
			"failures", (json_int_t)failures,
			"window_start", (json_int_t)start,
			"locked_until", (json_int_t)until,
			"expires_at", (json_int_t)((until > now ? until : now) +
				p->auth_failure_window));
}

/*
 * Read, then replace or store. A record that vanished between the two
 * (a success, a purge) or appeared (another failure) sends us round again;
 * an expired row still holding the key is taken over by replace.
 */
static proauth2_status record_failure(proauth2_provider *p, const char *hash,
		proauth2_error *err)
{
	proauth2_status status = PROAUTH2_ERR_CONFLICT;
	bool stale = false;
	int tries;

	for (tries = 0; tries < RECORD_TRIES; tries++) {
		json_t *old = NULL, *next;
		int64_t now = proauth2_provider_now(p);

		status = fetch_one(p, TABLE_AUTH_FAILURES, "subject_hash", hash,
				&old, err);
		if (status != PROAUTH2_OK && status != PROAUTH2_ERR_NOT_FOUND)
			return status;
		next = next_record(p, hash, old, now);
		if (next == NULL) {
			json_decref(old);
			return NO_MEMORY(err);
		}
		if (old != NULL || stale)
			status = proauth2_datastore_replace(p->datastore,
					TABLE_AUTH_FAILURES, next, err);
		else
			status = proauth2_datastore_store(p->datastore,
					TABLE_AUTH_FAILURES, next, err);
		json_decref(next);
		/* Stored over nothing that lives: the next round replaces. */
		stale = old == NULL && status == PROAUTH2_ERR_CONFLICT;
		json_decref(old);
		if (status != PROAUTH2_ERR_CONFLICT && status != PROAUTH2_ERR_NOT_FOUND)
			return report_datastore(p, status, err);
	}
	return report_datastore(p, status, err);
}

proauth2_status throttle_record_found(proauth2_provider *p, const char *subject,
		bool success, bool found, proauth2_error *err)
{
	char hash[HASH_SIZE];
	proauth2_status status;

	if (p->auth_failure_limit == 0 || (success && !found))
		return PROAUTH2_OK;
	status = subject_hash(subject, hash, err);
	if (status != PROAUTH2_OK)
		return status;
	if (success)
		return remove_where(p, TABLE_AUTH_FAILURES,
				json_pack("{s:s}", "subject_hash", hash), NULL, err);
	return record_failure(p, hash, err);
}

proauth2_status proauth2_throttle_check(proauth2_provider *p, const char *subject,
		int64_t *retry_after, proauth2_error *err)
{
	bool found;

	if (p == NULL || subject == NULL || retry_after == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, subject and retry_after are required");
	return throttle_check_found(p, subject, retry_after, &found, err);
}

proauth2_status proauth2_throttle_record(proauth2_provider *p, const char *subject,
		bool success, proauth2_error *err)
{
	int64_t retry_after;
	bool found = true;
	proauth2_status status;

	if (p == NULL || subject == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and subject are required");
	/* A success writes only when there is a counter to remove. */
	if (success) {
		status = throttle_check_found(p, subject, &retry_after, &found, err);
		if (status != PROAUTH2_OK)
			return status;
	}
	return throttle_record_found(p, subject, success, found, err);
}

proauth2_status throttle_subject(char *out, size_t size, const char *kind,
		const char *name, proauth2_error *err)
{
	size_t n = strlen(kind), len = name != NULL ? strlen(name) : 0;

	if (name == NULL || n + 1 + len + 1 > size)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"throttle subject too long");
	memcpy(out, kind, n);
	out[n] = ':';
	memcpy(out + n + 1, name, len + 1);
	return PROAUTH2_OK;
}

#define REFUSED_PREFIX "too many failed attempts; retry after "

proauth2_status throttle_refused(int64_t retry_after, proauth2_status status,
		proauth2_error *err)
{
	return proauth2_error_set(err, status, REFUSED_PREFIX "%lld s",
			(long long)retry_after);
}

int64_t proauth2_throttle_retry_after(const proauth2_error *err)
{
	const char *digits;
	int64_t n = 0;

	if (err == NULL || err->status == PROAUTH2_OK ||
			strncmp(err->text, REFUSED_PREFIX, sizeof(REFUSED_PREFIX) - 1) != 0)
		return 0;
	/* Bounded by the lock's longest: a few digits, never an overflow. */
	for (digits = err->text + sizeof(REFUSED_PREFIX) - 1;
			*digits >= '0' && *digits <= '9' && n < INT64_MAX / 10 - 9; digits++)
		n = n * 10 + (*digits - '0');
	return strcmp(digits, " s") == 0 ? n : 0;
}
