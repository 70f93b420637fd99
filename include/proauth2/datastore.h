/*
 * proauth2 — the datastore contract.
 *
 * All persistence goes through a backend's ops table. Records are JSON
 * objects (jansson); a query is a JSON object of field equalities. The core
 * validates every record and query against its table's schema (see
 * proauth2_schema_tables()) before the backend sees it, so a backend only
 * stores, finds and deletes.
 *
 * A backend must be safe to call from many threads at once: the provider
 * shares one backend state (cls) across every thread that uses it.
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

/* ---- Schema: the tables the core stores, for backends to build on. ---- */

typedef enum proauth2_field_type {
	PROAUTH2_FIELD_STRING,
	PROAUTH2_FIELD_INTEGER,       /* a JSON integer (int64) */
	PROAUTH2_FIELD_STRING_ARRAY   /* a JSON array of strings */
} proauth2_field_type;

/* Field flags. */
#define PROAUTH2_FIELD_REQUIRED 0x1u  /* must be present in every record */
#define PROAUTH2_FIELD_QUERIED  0x2u  /* appears in queries: worth an index */

typedef struct proauth2_field {
	const char *name;
	proauth2_field_type type;
	unsigned flags;
} proauth2_field;

typedef struct proauth2_table {
	const char *name;
	/* fields[0] is the key: required, unique, a string. */
	const proauth2_field *fields;
	size_t n_fields;
} proauth2_table;

/* The schema version; it grows whenever a table or field changes. */
#define PROAUTH2_SCHEMA_VERSION 2

/* The tables of PROAUTH2_SCHEMA_VERSION; *n receives their count. Static. */
PROAUTH2_EXPORT const proauth2_table *proauth2_schema_tables(size_t *n);

/* The table named name, or NULL. Static. */
PROAUTH2_EXPORT const proauth2_table *proauth2_schema_table(const char *name);

/* The field of table named name, or NULL. */
PROAUTH2_EXPORT const proauth2_field *proauth2_table_field(
		const proauth2_table *table, const char *name);

/* Longest string a record field (or array item) may hold, in bytes; keys
 * included. Strings are compared byte for byte: a backend must not fold
 * case, trim or normalise. */
#define PROAUTH2_FIELD_MAX_LENGTH 4096
/* Most items a string array may hold. */
#define PROAUTH2_FIELD_MAX_ITEMS 64

/* ---- The ops table a backend implements. ---- */

#define PROAUTH2_DATASTORE_API_VERSION 1

typedef struct proauth2_datastore_ops {
	/* PROAUTH2_DATASTORE_API_VERSION the backend was written against. */
	unsigned api_version;
	/* sizeof(proauth2_datastore_ops) the backend was compiled with. */
	size_t struct_size;
	/* Short backend name for messages ("sqlite"). */
	const char *name;

	/* Open or connect from uri (a path, ":memory:", a server URI...).
	 * On success *cls receives the backend state, released by close. */
	proauth2_status (*init)(const char *uri, void **cls, proauth2_error *err);

	/* Insert one record (borrowed). Must fail with PROAUTH2_ERR_CONFLICT,
	 * and change nothing, when the table's key value exists already. */
	proauth2_status (*store)(void *cls, const proauth2_table *table,
			json_t *record, proauth2_error *err);

	/* Find the records matching every field of query (borrowed). Exactly
	 * one: *record receives a new reference. None: PROAUTH2_ERR_NOT_FOUND.
	 * More than one: PROAUTH2_ERR_CONFLICT. */
	proauth2_status (*fetch)(void *cls, const proauth2_table *table,
			json_t *query, json_t **record, proauth2_error *err);

	/* Delete every record matching query; *removed receives how many.
	 * This count is the atomic primitive of the contract: when many
	 * callers remove one record at once, exactly one must see 1. */
	proauth2_status (*remove)(void *cls, const proauth2_table *table,
			json_t *query, size_t *removed, proauth2_error *err);

	/* Replace the record whose key equals record's key (borrowed) with
	 * record, atomically: readers see the old or the new, never neither.
	 * PROAUTH2_ERR_NOT_FOUND, changing nothing, when there is none. */
	proauth2_status (*replace)(void *cls, const proauth2_table *table,
			json_t *record, proauth2_error *err);

	/* Release cls. Accepts NULL. */
	void (*close)(void *cls);

	/* Every method above is required; those below are optional. */

	/* Optional (may be NULL): delete every record whose integer
	 * expires_at is <= now; *removed receives how many. */
	proauth2_status (*purge_expired)(void *cls, const proauth2_table *table,
			int64_t now, size_t *removed, proauth2_error *err);

	/*
	 * Optional, both or neither: make the calling thread's next writes
	 * durable together, at one commit rather than one each. Between
	 * begin_writes and end_writes, store, replace and remove may return
	 * before their change is durable, and fetch must see every change any
	 * thread has made so far, durable or not (the replay defence reads a
	 * revocation mark that way). end_writes returns once every change of
	 * the group is durable, or fails if any was lost; it is called after
	 * every successful begin_writes, on success and failure alike. Calls
	 * from one thread on one datastore nest.
	 */
	proauth2_status (*begin_writes)(void *cls, proauth2_error *err);
	proauth2_status (*end_writes)(void *cls, proauth2_error *err);

	/* Methods are only ever appended here. */
} proauth2_datastore_ops;

/* ---- An open datastore: a backend plus the core's validation. ---- */

typedef struct proauth2_datastore proauth2_datastore;

/*
 * Open a datastore on ops (which must outlive it) at uri. On success
 * *out receives a handle freed with proauth2_datastore_close(); on failure
 * *out is NULL. Thread-safe if the backend is.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_datastore_open(
		const proauth2_datastore_ops *ops, const char *uri,
		proauth2_datastore **out, proauth2_error *err);

/* Close and free. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_datastore_close(proauth2_datastore *ds);

/* The backend's name ("sqlite"). */
PROAUTH2_EXPORT const char *proauth2_datastore_name(const proauth2_datastore *ds);

/*
 * The operations below validate against the named table's schema first
 * (PROAUTH2_ERR_INVALID_RECORD, nothing reaches the backend), then call it.
 * Records and queries are borrowed.
 */
PROAUTH2_EXPORT proauth2_status proauth2_datastore_store(proauth2_datastore *ds,
		const char *table, json_t *record, proauth2_error *err);

/* Replace the stored record with record's key by record (validated as by
 * store). PROAUTH2_ERR_NOT_FOUND when there is none. */
PROAUTH2_EXPORT proauth2_status proauth2_datastore_replace(proauth2_datastore *ds,
		const char *table, json_t *record, proauth2_error *err);

/* As the backend's fetch, but a record whose expires_at is <= now is never
 * returned: it counts as PROAUTH2_ERR_NOT_FOUND. *record receives a new
 * reference (json_decref it) on success, NULL otherwise. */
PROAUTH2_EXPORT proauth2_status proauth2_datastore_fetch(proauth2_datastore *ds,
		const char *table, json_t *query, int64_t now, json_t **record,
		proauth2_error *err);

/* Remove every record matching query; removed (may be NULL) receives the
 * count. An empty query is refused: it would empty the table. */
PROAUTH2_EXPORT proauth2_status proauth2_datastore_remove(proauth2_datastore *ds,
		const char *table, json_t *query, size_t *removed, proauth2_error *err);

/* Delete expired records from every table, if the backend can; removed
 * (may be NULL) receives the count. PROAUTH2_OK with 0 when it cannot. */
PROAUTH2_EXPORT proauth2_status proauth2_datastore_purge_expired(
		proauth2_datastore *ds, int64_t now, size_t *removed,
		proauth2_error *err);

/* Check a record or a query against a table's schema without storing it.
 * PROAUTH2_ERR_INVALID_RECORD with the reason in err when it does not fit. */
PROAUTH2_EXPORT proauth2_status proauth2_record_validate(
		const proauth2_table *table, const json_t *record, proauth2_error *err);
PROAUTH2_EXPORT proauth2_status proauth2_query_validate(
		const proauth2_table *table, const json_t *query, proauth2_error *err);

#ifdef __cplusplus
}
#endif

#endif
