/** \file
 * proauth2 — what a host calls on a datastore.
 *
 * A host opens a datastore on a backend's ops table (proauth2_sqlite_ops(),
 * proauth2_mongodb_ops() or its own) and gives the handle to a provider.
 * Records are JSON objects (jansson) of the schema's tables; the wrappers
 * below check each one against its table before the backend sees it.
 *
 * What a backend implements and may call (the ops table's definition, the
 * schema and the record and query checks) is proauth2/backend.h. A host
 * needs only this header, where the ops table is an opaque type; a backend
 * includes proauth2/backend.h (which includes this one).
 *
 * Thread-safe if the backend is, and every backend must be: the provider
 * shares one datastore across every thread that uses it.
 */
#ifndef PROAUTH2_DATASTORE_H
#define PROAUTH2_DATASTORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <proauth2/common.h>
#include <proauth2/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open datastore: a backend plus the core's validation. */
typedef struct proauth2_datastore proauth2_datastore;

/** A backend's table of methods, defined in proauth2/backend.h: a host
 * only passes it from the backend (proauth2_sqlite_ops()) to
 * proauth2_datastore_open(). */
typedef struct proauth2_datastore_ops proauth2_datastore_ops;

/**
 * Open a datastore on ops (which must outlive it) at uri. On success
 * *out receives a handle freed with proauth2_datastore_close(); on failure
 * *out is NULL. PROAUTH2_ERR_INVALID_ARGUMENT, with the reason in err, when
 * ops is of an unknown api_version, too short, lacks a required method or
 * sets only one of begin_writes and end_writes. Thread-safe if the backend
 * is.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_datastore_open(
		const proauth2_datastore_ops *ops, const char *uri,
		proauth2_datastore **out, proauth2_error *err);

/** Close and free. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_datastore_close(proauth2_datastore *ds);

/** The backend's name ("sqlite"). Static. */
PROAUTH2_EXPORT const char *proauth2_datastore_name(const proauth2_datastore *ds);

/**
 * @name Reading and writing records
 * Reading and writing records directly, as the provider does (tools,
 * migrations, the conformance suite). Each validates against the named
 * table's schema first (PROAUTH2_ERR_INVALID_RECORD, nothing reaches the
 * backend), then calls it. Records and queries are borrowed.
 */
/** @{ */
/** Insert record. PROAUTH2_ERR_CONFLICT when its key exists already. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_datastore_store(
		proauth2_datastore *ds, const char *table, json_t *record,
		proauth2_error *err);

/** Replace the stored record with record's key by record (validated as by
 * store). PROAUTH2_ERR_NOT_FOUND when there is none. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_datastore_replace(
		proauth2_datastore *ds, const char *table, json_t *record,
		proauth2_error *err);

/** The one record matching every field of query. None: NOT_FOUND; several:
 * CONFLICT. A record whose expires_at is <= now is never returned: it
 * counts as PROAUTH2_ERR_NOT_FOUND. *record receives a new reference
 * (json_decref it) on success, NULL otherwise. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_datastore_fetch(
		proauth2_datastore *ds, const char *table, json_t *query, int64_t now,
		json_t **record, proauth2_error *err);

/** Remove every record matching query; removed (may be NULL) receives the
 * count. An empty query is refused: it would empty the table. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_datastore_remove(
		proauth2_datastore *ds, const char *table, json_t *query,
		size_t *removed, proauth2_error *err);

/** Delete expired records from every table, if the backend can; removed
 * (may be NULL) receives the count. PROAUTH2_OK with 0 when it cannot. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_datastore_purge_expired(
		proauth2_datastore *ds, int64_t now, size_t *removed,
		proauth2_error *err);
/** @} */

#ifdef __cplusplus
}
#endif

#endif
