/** \file
 * proauth2 — the MongoDB datastore backend.
 *
 * A library of its own, libproauth2-mongodb (pkg-config
 * proauth2-mongodb, which brings proauth2 and libmongoc-1.0), so that
 * applications that do not use it never load libmongoc. Built when
 * libmongoc is found (meson option -Dmongodb=auto|enabled|disabled).
 *
 * uri is a MongoDB connection string; its options pass through to
 * libmongoc (replicaSet, authSource, tls, w=majority, ...). The database is
 * the URI's path (mongodb://host/mydb), "proauth2" when it has none; one
 * collection per schema table, indexes created on open. Unless the URI sets
 * them, connectTimeoutMS=2000, serverSelectionTimeoutMS=3000,
 * socketTimeoutMS=5000 and waitQueueTimeoutMS=5000 bound every call: an
 * unreachable server, or a pool with no free connection, answers
 * PROAUTH2_ERR_UNAVAILABLE, and the provider works again once the server
 * is back. On a replica set, w=majority keeps a spent code spent across a
 * failover; w=0 is refused (PROAUTH2_ERR_INVALID_ARGUMENT), and reads go
 * to the primary whatever the URI's read preference, since a lagging
 * secondary may still show a revoked token. A sharded cluster must leave
 * these collections unsharded or shard them on _id.
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
