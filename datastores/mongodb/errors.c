/*
 * What a failed call tells, as the datastore contract's statuses: UNAVAILABLE
 * only when nothing can have changed (the request was never sent, or the
 * server refused it before applying it), OUTCOME_UNKNOWN when a write may
 * have taken effect (sent and its reply lost, a write concern error, an
 * operation interrupted midway), CONFLICT only for a duplicate _id.
 *
 * libmongoc may retry a write once (retryWrites in the URI) and then
 * reports only the retry's error: a NotWritablePrimary on the retry hides a
 * lost reply on the first attempt. So every attempt is watched through the
 * pool's APM callbacks, on the calling thread, and a write any of whose
 * attempts may have applied is OUTCOME_UNKNOWN whatever the last one said.
 */
#include <string.h>

#include "mongo_store.h"

/* What the attempts of this thread's current call told. */
static _Thread_local struct {
	unsigned started;    /* commands sent (APM "started" comes first) */
	bool maybe_applied;  /* one was sent and its outcome is not known */
	bool refused;        /* the last mapped: refused before applying */
} attempts;

/* Server errors returned before the operation runs: nothing changed. */
static bool refused_before_applying(uint32_t code)
{
	switch (code) {
	case 6:     /* HostUnreachable (mongos: no shard reached) */
	case 7:     /* HostNotFound */
	case 133:   /* FailedToSatisfyReadPreference */
	case 216:   /* ElectionInProgress */
	case 10058: /* LegacyNotPrimary */
	case 10107: /* NotWritablePrimary */
	case 13435: /* NotPrimaryNoSecondaryOk */
	case 13436: /* NotPrimaryOrSecondary */
		return true;
	default:
		return false;
	}
}

/* Server errors that can stop an operation midway (a deleteMany half
 * done, a write waiting for its write concern): a write's outcome is then
 * unknown; a read can be tried again. */
static bool interrupted(uint32_t code)
{
	switch (code) {
	case 50:    /* MaxTimeMSExpired */
	case 64:    /* WriteConcernFailed (wtimeout) */
	case 89:    /* NetworkTimeout */
	case 91:    /* ShutdownInProgress */
	case 100:   /* UnsatisfiableWriteConcern */
	case 189:   /* PrimarySteppedDown */
	case 262:   /* ExceededTimeLimit */
	case 9001:  /* SocketException */
	case 11600: /* InterruptedAtShutdown */
	case 11602: /* InterruptedDueToReplStateChange */
		return true;
	default:
		return false;
	}
}

static bool has_write_concern_error(const bson_t *reply)
{
	bson_iter_t it;

	if (reply == NULL)
		return false;
	if (bson_iter_init_find(&it, reply, "writeConcernError"))
		return true;
	/* libmongoc's write replies gather them in an array. */
	return bson_iter_init_find(&it, reply, "writeConcernErrors") &&
		BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &it) &&
		bson_iter_next(&it);
}

static bool from_server(const bson_error_t *e)
{
	return e->domain == MONGOC_ERROR_SERVER || e->domain == MONGOC_ERROR_QUERY ||
		e->domain == MONGOC_ERROR_COMMAND || e->domain == MONGOC_ERROR_WRITE_CONCERN;
}

/* ---- attempts, from the pool's APM callbacks ---- */

static void on_started(const mongoc_apm_command_started_t *event)
{
	(void)event;
	attempts.started++;
}

static void on_failed(const mongoc_apm_command_failed_t *event)
{
	const bson_t *reply = mongoc_apm_command_failed_get_reply(event);
	bson_error_t e;

	mongoc_apm_command_failed_get_error(event, &e);
	/* Sent (started came first) and no answer, or an answer that does
	 * not say the operation did not run. */
	if (e.domain == MONGOC_ERROR_STREAM || has_write_concern_error(reply) ||
			mongoc_error_has_label(reply, "UnknownTransactionCommitResult") ||
			(from_server(&e) && interrupted(e.code)))
		attempts.maybe_applied = true;
}

static void on_succeeded(const mongoc_apm_command_succeeded_t *event)
{
	/* ok: 1 with a writeConcernError: applied on the primary, maybe not
	 * kept. */
	if (has_write_concern_error(mongoc_apm_command_succeeded_get_reply(event)))
		attempts.maybe_applied = true;
}

void mongo_attempts_watch(mongoc_client_pool_t *pool)
{
	mongoc_apm_callbacks_t *callbacks = mongoc_apm_callbacks_new();

	mongoc_apm_set_command_started_cb(callbacks, on_started);
	mongoc_apm_set_command_failed_cb(callbacks, on_failed);
	mongoc_apm_set_command_succeeded_cb(callbacks, on_succeeded);
	mongoc_client_pool_set_apm_callbacks(pool, callbacks, NULL);
	mongoc_apm_callbacks_destroy(callbacks);
}

void mongo_attempts_reset(void)
{
	attempts.started = 0;
	attempts.maybe_applied = false;
	attempts.refused = false;
}

bool mongo_last_refused(void)
{
	return attempts.refused;
}

/* ---- duplicate keys ---- */

/* The first write error of reply, if any. */
static bool first_write_error(const bson_t *reply, bson_iter_t *error)
{
	bson_iter_t it;

	return reply != NULL && bson_iter_init_find(&it, reply, "writeErrors") &&
		BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &it) &&
		bson_iter_next(&it) && BSON_ITER_HOLDS_DOCUMENT(&it) &&
		bson_iter_recurse(&it, error);
}

/*
 * Whether a duplicate-key error is on _id (the record's key), and if not
 * the fields of the index that refused it, in fields. The server says so
 * in keyPattern (4.4 and later), else in its message ("index: _id_ ");
 * a server that says neither is taken at its word that the key exists.
 */
static bool duplicate_on_id(const bson_error_t *e, const bson_t *reply,
		char *fields, size_t size)
{
	bson_iter_t error, pattern;
	const char *message = e->message, *index;
	size_t used = 0;
	bool only_id = true;

	fields[0] = '\0';
	if (first_write_error(reply, &error)) {
		bson_iter_t copy = error;

		if (bson_iter_find(&copy, "keyPattern") && BSON_ITER_HOLDS_DOCUMENT(&copy) &&
				bson_iter_recurse(&copy, &pattern)) {
			while (bson_iter_next(&pattern)) {
				const char *key = bson_iter_key(&pattern);

				only_id = only_id && strcmp(key, "_id") == 0;
				if (used + strlen(key) + 2 < size)
					used += (size_t)snprintf(fields + used, size - used,
							"%s%s", used > 0 ? "," : "", key);
			}
			return only_id;
		}
		copy = error;
		if (bson_iter_find(&copy, "errmsg") && BSON_ITER_HOLDS_UTF8(&copy))
			message = bson_iter_utf8(&copy, NULL);
	}
	index = strstr(message, "index: ");
	if (index == NULL)
		return true;
	index += strlen("index: ");
	if (strncmp(index, "_id_ ", 5) == 0)
		return true;
	snprintf(fields, size, "%.*s", (int)strcspn(index, " "), index);
	return false;
}

/* ---- the mapping ---- */

static proauth2_status status_of(enum mongo_call call, const bson_error_t *e,
		const bson_t *reply)
{
	bool server = from_server(e);

	if (call == MONGO_WRITE || call == MONGO_COMMIT) {
		if (attempts.maybe_applied || e->domain == MONGOC_ERROR_WRITE_CONCERN ||
				has_write_concern_error(reply) ||
				mongoc_error_has_label(reply, "UnknownTransactionCommitResult"))
			return PROAUTH2_ERR_OUTCOME_UNKNOWN;
		/* A stream error after the command went out: its reply is lost. */
		if (e->domain == MONGOC_ERROR_STREAM && attempts.started > 0)
			return PROAUTH2_ERR_OUTCOME_UNKNOWN;
		if (server && interrupted(e->code))
			return PROAUTH2_ERR_OUTCOME_UNKNOWN;
	}
	/* The transaction was aborted, or never committed: nothing of it
	 * stays. */
	if (call != MONGO_READ &&
			mongoc_error_has_label(reply, "TransientTransactionError"))
		return PROAUTH2_ERR_UNAVAILABLE;
	attempts.refused = server && refused_before_applying(e->code);
	if (e->domain == MONGOC_ERROR_STREAM || e->domain == MONGOC_ERROR_SERVER_SELECTION ||
			(e->domain == MONGOC_ERROR_CLIENT &&
			 e->code == MONGOC_ERROR_CLIENT_NOT_READY) ||
			(server && (refused_before_applying(e->code) || interrupted(e->code))))
		return PROAUTH2_ERR_UNAVAILABLE;
	return PROAUTH2_ERR_DATASTORE;
}

proauth2_status mongo_fail(enum mongo_call call, const bson_error_t *e,
		const bson_t *reply, const char *doing, proauth2_error *err)
{
	char fields[64];
	proauth2_status status = status_of(call, e, reply);

	if (status == PROAUTH2_ERR_DATASTORE && from_server(e) &&
			e->code == MONGOC_ERROR_DUPLICATE_KEY) {
		/* The server's text quotes the key: a hash that stays out of
		 * messages (datastores/README.md). */
		if (duplicate_on_id(e, reply, fields, sizeof(fields)))
			return proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
					"mongodb: %s: the key exists already", doing);
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE, "mongodb: %s: "
				"refused by a unique index that is not this backend's "
				"(on %s): drop it", doing, fields);
	}
	return proauth2_error_set(err, status, "mongodb: %s%s: %s", doing,
			status == PROAUTH2_ERR_OUTCOME_UNKNOWN ? " (may have been applied)" : "",
			e->message);
}
