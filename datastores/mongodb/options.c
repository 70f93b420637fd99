/*
 * The URI's defaults, where it sets nothing of its own (proauth2/mongodb.h
 * documents them, docs/ARCHITECTURE.md argues them):
 *
 * - no driver retries (retryWrites and retryReads off): an attempt takes
 *   at most waitQueueTimeoutMS + serverSelectionTimeoutMS +
 *   connectTimeoutMS + 2 x socketTimeoutMS (a reply's header and its body
 *   are read with a deadline each), and a lost reply is OUTCOME_UNKNOWN,
 *   which the engine settles as it would a retry's. The backend's own
 *   retry, once after a refusal that came within waitQueueTimeoutMS
 *   (mongodb.c), adds at most waitQueueTimeoutMS to the bound;
 * - server selection long enough to ride out an election;
 * - majority read and write concern: a spent code stays spent across a
 *   failover, and no read shows a write a failover may roll back;
 * - discovery even from a single host, so that reads follow the primary.
 */
#include "mongo_store.h"

static const struct {
	const char *option;
	int32_t ms;
} default_timeouts[] = {
	{MONGOC_URI_CONNECTTIMEOUTMS, 2000},
	{MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 15000},
	{MONGOC_URI_SOCKETTIMEOUTMS, 5000},
	{MONGOC_URI_WAITQUEUETIMEOUTMS, 2000},
};

void mongo_uri_defaults(mongoc_uri_t *uri, bool *direct, int64_t *max_time_ms,
		int64_t *wait_queue_ms)
{
	const mongoc_write_concern_t *wc = mongoc_uri_get_write_concern(uri);
	const mongoc_read_concern_t *rc = mongoc_uri_get_read_concern(uri);
	mongoc_read_prefs_t *primary = mongoc_read_prefs_new(MONGOC_READ_PRIMARY);
	int32_t socket_ms;
	size_t i;

	for (i = 0; i < sizeof(default_timeouts) / sizeof(default_timeouts[0]); i++)
		if (!mongoc_uri_has_option(uri, default_timeouts[i].option))
			mongoc_uri_set_option_as_int32(uri, default_timeouts[i].option,
					default_timeouts[i].ms);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_RETRYWRITES))
		mongoc_uri_set_option_as_bool(uri, MONGOC_URI_RETRYWRITES, false);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_RETRYREADS))
		mongoc_uri_set_option_as_bool(uri, MONGOC_URI_RETRYREADS, false);
	/* The server gives up on a slow command before the socket does: the
	 * connection survives, and the answer says what happened. */
	socket_ms = mongoc_uri_get_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, 0);
	*max_time_ms = socket_ms > 0 ? socket_ms - socket_ms / 5 : 0;
	*wait_queue_ms = mongoc_uri_get_option_as_int32(uri, MONGOC_URI_WAITQUEUETIMEOUTMS, 0);

	if (mongoc_write_concern_get_w(wc) == MONGOC_WRITE_CONCERN_W_DEFAULT &&
			!mongoc_write_concern_get_wmajority(wc) &&
			mongoc_write_concern_get_wtag(wc) == NULL) {
		mongoc_write_concern_t *majority = mongoc_write_concern_copy(wc);
		int64_t wtimeout = mongoc_write_concern_get_wtimeout_int64(wc);

		/* A majority that cannot be reached answers 64 (wtimeout) before
		 * the socket times out. */
		mongoc_write_concern_set_wmajority(majority, wtimeout > 0 ? (int32_t)wtimeout
				: (int32_t)*max_time_ms);
		mongoc_uri_set_write_concern(uri, majority);
		mongoc_write_concern_destroy(majority);
	}
	if (mongoc_read_concern_get_level(rc) == NULL) {
		mongoc_read_concern_t *majority = mongoc_read_concern_new();

		mongoc_read_concern_set_level(majority, MONGOC_READ_CONCERN_LEVEL_MAJORITY);
		mongoc_uri_set_read_concern(uri, majority);
		mongoc_read_concern_destroy(majority);
	}
	mongoc_uri_set_read_prefs_t(uri, primary);
	mongoc_read_prefs_destroy(primary);

	/* libmongoc keeps to a single host (and reads from it with
	 * primaryPreferred) unless told to discover its replica set. */
	*direct = mongoc_uri_has_option(uri, MONGOC_URI_DIRECTCONNECTION) &&
		mongoc_uri_get_option_as_bool(uri, MONGOC_URI_DIRECTCONNECTION, false);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_DIRECTCONNECTION))
		mongoc_uri_set_option_as_bool(uri, MONGOC_URI_DIRECTCONNECTION, false);
}
