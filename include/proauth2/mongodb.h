/** \file
 * proauth2 — the MongoDB datastore backend.
 *
 * A library of its own, libproauth2-mongodb (pkg-config
 * proauth2-mongodb, which brings proauth2 and libmongoc-1.0), so that
 * applications that do not use it never load libmongoc. Built when
 * libmongoc is found (meson option -Dmongodb=auto|enabled|disabled).
 *
 * uri is a MongoDB connection string; its options pass through to
 * libmongoc (replicaSet, authSource, tls, ...). The database is the URI's
 * path (mongodb://host/mydb), "proauth2" when it has none; one collection
 * per schema table, indexes created on open. w=0 is refused
 * (PROAUTH2_ERR_INVALID_ARGUMENT): it could neither refuse a duplicate key
 * nor count a remove.
 *
 * Defaults, each taken only where the URI sets nothing of its own:
 * - readConcernLevel=majority and w=majority (with wtimeoutMS of
 *   maxTimeMS, below): a write told OK is on a majority, so a failover
 *   cannot roll a spent code or a revocation back, and a read never shows
 *   a write a failover may undo. A URI with w=1 is faster and gives that
 *   up: a write acknowledged by a primary that then fails over may be
 *   rolled back, and a spent code honoured once more.
 * - Reads from the primary, whatever the URI's readPreference, and
 *   directConnection=false, so that from a single host libmongoc finds
 *   the replica set and follows its primary (with directConnection=true
 *   a read from a host that is not writable answers
 *   PROAUTH2_ERR_UNAVAILABLE).
 * - serverSelectionTimeoutMS=15000: long enough to ride out a typical
 *   election (about 10 to 12 s with mongod's defaults) instead of
 *   failing the calls made meanwhile; connectTimeoutMS=2000,
 *   socketTimeoutMS=5000, waitQueueTimeoutMS=2000, and maxTimeMS of
 *   4/5 of socketTimeoutMS on every command, so the server gives up on a
 *   slow command before the socket does.
 * - retryWrites=false and retryReads=false: libmongoc makes one attempt;
 *   the backend makes a second only after the server refused the first
 *   before applying it (NotWritablePrimary: an election, which the second
 *   rides out in server selection), and only if that refusal came within
 *   waitQueueTimeoutMS. So one call takes at most 2 x waitQueueTimeoutMS
 *   + serverSelectionTimeoutMS + connectTimeoutMS + 2 x socketTimeoutMS
 *   (a reply's header and body are each read with socketTimeoutMS), 31 s
 *   with the defaults; a URI that turns libmongoc's retries on doubles the
 *   last three terms. end_writes takes
 *   twice that at most: libmongoc retries a commit once whatever
 *   retryWrites says.
 *
 * Statuses: PROAUTH2_ERR_UNAVAILABLE only when nothing changed (no server
 * selected, no connection, the server refused before applying:
 * NotWritablePrimary and the like, a transaction aborted);
 * PROAUTH2_ERR_OUTCOME_UNKNOWN for a write that was sent and whose reply
 * was lost (connection closed, socket timeout) or that came back with a
 * write concern error or an interruption, and for a commit labelled
 * UnknownTransactionCommitResult. Every attempt counts: when retries are
 * on and the first attempt's reply was lost, the write is
 * OUTCOME_UNKNOWN whatever the retry said. Reads never answer
 * OUTCOME_UNKNOWN. A duplicate key is PROAUTH2_ERR_CONFLICT only on _id
 * (the record's key); on another unique index it is
 * PROAUTH2_ERR_DATASTORE, naming the index's fields.
 *
 * Write groups (begin_writes/end_writes) are multi-document transactions
 * on a replica set (MongoDB 4.0+) or a sharded cluster (4.2+): a session
 * per thread's group, committed at end_writes with w=majority. On a
 * standalone server there are none: the group only counts its nesting,
 * and each write is durable on its own when it returns.
 *
 * Indexes made earlier with other options (another expireAfterSeconds,
 * the same keys under another name, unique, sparse, partial) are adopted:
 * kept when they serve, changed with collMod, or dropped and made again;
 * what cannot be fixed is logged through libmongoc's log handler (domain
 * "proauth2-mongodb") and the open goes on. A sharded cluster must leave
 * these collections unsharded or shard them on _id, and revoked_grants
 * unsharded: a validation looks its marks up with $lookup, which refuses
 * a sharded collection to look up from before MongoDB 5.1, and in a
 * transaction on every version (the validation then fails as a datastore
 * error).
 *
 * The TTL index reaps by the server's clock: the provider's clock must be
 * the real one. The client pool does not survive fork(): a child process
 * opens its own datastore and never closes its parent's.
 *
 * The application calls mongoc_init() before opening a datastore on this
 * backend and mongoc_cleanup() after closing the last one; the library
 * never does, so it cannot disturb an application's own use of libmongoc.
 */
#ifndef PROAUTH2_MONGODB_H
#define PROAUTH2_MONGODB_H

#include <proauth2/common.h>
#include <proauth2/datastore.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The backend's ops table, for proauth2_datastore_open(). Static. */
PROAUTH2_EXPORT const proauth2_datastore_ops *proauth2_mongodb_ops(void);

#ifdef __cplusplus
}
#endif

#endif
