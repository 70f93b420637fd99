/* The MongoDB backend's state and the helpers its files share. */
#ifndef PROAUTH2_MONGODB_STORE_H
#define PROAUTH2_MONGODB_STORE_H

#include <pthread.h>
#include <stdbool.h>

#include <mongoc/mongoc.h>

#include <proauth2/backend.h>

struct mongo_store {
	mongoc_client_pool_t *pool;
	char *database;
	/* Reads go to the primary whatever the URI says: a lagging secondary
	 * may not have seen a spent code or a revocation yet. */
	mongoc_read_prefs_t *primary;
	/* The URI asked for directConnection=true: libmongoc then reads from
	 * that one node whatever it is, so reads check it is writable. */
	bool direct;
	/* maxTimeMS sent with every command outside a transaction. */
	int64_t max_time_ms;
	/* waitQueueTimeoutMS: the share of a call's bound a retry may use. */
	int64_t wait_queue_ms;
	/* This thread's write group (struct group), see groups.c. */
	pthread_key_t group_key;
	bool group_key_made;
};

/* What kind of call failed: errors.c maps its error to a status. */
enum mongo_call {
	MONGO_READ,    /* never OUTCOME_UNKNOWN: a read changes nothing */
	MONGO_WRITE,   /* a write on its own: OUTCOME_UNKNOWN once it was sent */
	MONGO_IN_TXN,  /* a write in a transaction: only the commit decides */
	MONGO_COMMIT,  /* a transaction's commit */
};

/* What one call works with: a client (pooled, or the group's) and one
 * collection on it, and the group's session when it has a transaction. */
struct lease {
	mongoc_client_t *client;
	mongoc_collection_t *collection;
	mongoc_client_session_t *session;  /* NULL: no transaction */
	bool pooled;                       /* push client back at the end */
};

/* lease.c: a client for one call, the thread's group's if it has one.
 * PROAUTH2_ERR_UNAVAILABLE when no pooled client came free in time. */
proauth2_status lease_begin(struct mongo_store *s, const char *collection,
		struct lease *l, proauth2_error *err);
void lease_end(struct mongo_store *s, struct lease *l);

/* Append the options every command of l carries to opts: the session in a
 * transaction, else maxTimeMS. false if the session could not be added. */
bool lease_options(struct mongo_store *s, const struct lease *l, bson_t *opts,
		bson_error_t *e);

/* A failed call's status (mongo_fail), and in a transaction the group
 * marked lost. */
proauth2_status lease_fail(struct mongo_store *s, const struct lease *l,
		enum mongo_call call, const bson_error_t *e, const bson_t *reply,
		const char *doing, proauth2_error *err);

/* With directConnection=true, UNAVAILABLE unless the one host is writable:
 * libmongoc would read from a secondary. */
proauth2_status lease_check_primary(struct mongo_store *s, const struct lease *l,
		proauth2_error *err);

/* A monotonic clock, in milliseconds. */
int64_t mongo_now_ms(void);

/* Whether a call that answered status, started at start_ms, is worth one
 * more attempt: the server refused it before applying it (an election),
 * outside a transaction, with time left within the bound. */
bool mongo_retry_refused(void *cls, proauth2_status status, int64_t start_ms);

/* errors.c */
/* Before each call: forget what the last call's attempts told. */
void mongo_attempts_reset(void);

/* The last failure this thread mapped was a server's refusal before
 * applying anything (NotWritablePrimary and the like). */
bool mongo_last_refused(void);

/* The status for a call that failed with e (reply: the server's reply,
 * or NULL), and err filled with it; doing names the step ("store"). */
proauth2_status mongo_fail(enum mongo_call call, const bson_error_t *e,
		const bson_t *reply, const char *doing, proauth2_error *err);

/* Watch every command's attempts (libmongoc may retry one): the pool's
 * APM callbacks, set before the first client is popped. */
void mongo_attempts_watch(mongoc_client_pool_t *pool);

/* options.c: the URI with this backend's defaults set where it has none
 * (timeouts, read and write concern, primary reads, no driver retries). */
void mongo_uri_defaults(mongoc_uri_t *uri, bool *direct, int64_t *max_time_ms,
		int64_t *wait_queue_ms);

/* schema.c: refuse a database of a newer schema; bring an older or new
 * one to ours (indexes, version mark). */
proauth2_status mongo_schema_ensure(struct mongo_store *s, proauth2_error *err);

/* indexes.c: t's indexes, adopting or replacing existing ones that differ. */
proauth2_status mongo_indexes_ensure(struct mongo_store *s, mongoc_client_t *client,
		const proauth2_table *t, proauth2_error *err);

/* groups.c: write groups. */
bool mongo_groups_init(struct mongo_store *s);
void mongo_groups_close(struct mongo_store *s);
proauth2_status mongo_begin_writes(void *cls, proauth2_error *err);
proauth2_status mongo_end_writes(void *cls, proauth2_error *err);
/* The calling thread's group's client and session, NULL outside a group
 * or in a group without a transaction (a standalone server). */
mongoc_client_session_t *mongo_group_session(struct mongo_store *s,
		mongoc_client_t **client);
/* A write of the thread's transaction failed: the server aborted it, so
 * end_writes must fail with status. */
void mongo_group_doom(struct mongo_store *s, proauth2_status status,
		const char *text);

#endif
