/** \file
 * proauth2 — what a datastore backend implements and may call.
 *
 * A backend fills a proauth2_datastore_ops table; a host hands it to
 * proauth2_datastore_open() (proauth2/datastore.h) and never calls it
 * directly. Records are JSON objects (jansson); a query is a JSON object of
 * field equalities. The core validates every record and query against its
 * table's schema (see proauth2_schema_tables()) before the backend sees it,
 * so a backend only stores, finds and deletes.
 *
 * The full contract, with the rules a backend must follow, is
 * datastores/README.md; the conformance suite (proauth2/conformance.h)
 * checks it.
 */
#ifndef PROAUTH2_BACKEND_H
#define PROAUTH2_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <proauth2/common.h>
#include <proauth2/datastore.h>
#include <proauth2/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Schema: the tables the core stores, for backends to build on. ---- */

/** The JSON type of a record field. */
typedef enum proauth2_field_type {
	PROAUTH2_FIELD_STRING,        /**< a JSON string */
	PROAUTH2_FIELD_INTEGER,       /**< a JSON integer (int64) */
	PROAUTH2_FIELD_STRING_ARRAY   /**< a JSON array of strings */
} proauth2_field_type;

/** @name Field flags
 * Bits of proauth2_field.flags. */
/** @{ */
#define PROAUTH2_FIELD_REQUIRED 0x1u  /**< must be present in every record */
#define PROAUTH2_FIELD_QUERIED  0x2u  /**< appears in queries: worth an index */
/** A PROAUTH2_FIELD_STRING whose value is the text of a JSON object,
 * nested at most PROAUTH2_FIELD_MAX_DEPTH deep (schema 5). A backend
 * stores it as any string; validation parses it. */
#define PROAUTH2_FIELD_JSON_OBJECT 0x4u
/** @} */

/** One field of a table. */
typedef struct proauth2_field {
	const char *name;          /**< the record's member name */
	proauth2_field_type type;  /**< what its value must be */
	unsigned flags;            /**< PROAUTH2_FIELD_* bits */
} proauth2_field;

/** One table of the schema: a kind of record (clients, codes, tokens...). */
typedef struct proauth2_table {
	const char *name;  /**< the table's name, as backends store it */
	/** fields[0] is the key: required, unique, a string. */
	const proauth2_field *fields;
	size_t n_fields;   /**< how many fields there are */
} proauth2_table;

/** The schema version; it grows whenever a table or field changes. */
#define PROAUTH2_SCHEMA_VERSION 10

/** The tables of PROAUTH2_SCHEMA_VERSION; *n receives their count. Static. */
PROAUTH2_EXPORT const proauth2_table *proauth2_schema_tables(size_t *n);

/** The table named name, or NULL. Static. */
PROAUTH2_EXPORT const proauth2_table *proauth2_schema_table(const char *name);

/** The field of table named name, or NULL. */
PROAUTH2_EXPORT const proauth2_field *proauth2_table_field(
		const proauth2_table *table, const char *name);

/** Longest string a record field (or array item) may hold, in bytes; keys
 * included. Strings are compared byte for byte: a backend must not fold
 * case, trim or normalise. */
#define PROAUTH2_FIELD_MAX_LENGTH 4096
/** Most items a string array may hold. */
#define PROAUTH2_FIELD_MAX_ITEMS 64
/** How deep the value of a PROAUTH2_FIELD_JSON_OBJECT field may nest: the
 * object itself is depth 1. */
#define PROAUTH2_FIELD_MAX_DEPTH 8

/** @{ */
/** Check a record or a query against a table's schema without storing it.
 * PROAUTH2_ERR_INVALID_RECORD with the reason in err when it does not fit
 * (also when table is NULL). A query is valid when it is a non-empty object
 * of the table's fields, none of them an array. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_record_validate(
		const proauth2_table *table, const json_t *record, proauth2_error *err);
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_query_validate(
		const proauth2_table *table, const json_t *query, proauth2_error *err);
/** @} */

/* ---- The ops table a backend implements. ---- */

/**
 * The version of the ops table below. Version 1: init to purge_expired.
 * Version 2 appended begin_writes and end_writes, version 3 count,
 * version 4 fetch_unmarked. A
 * table of any version from 1 up opens; the core finds an optional method by struct_size, so a
 * version 1 table compiled with the smaller struct still works (and 0.1
 * tables that set begin_writes/end_writes under version 1 still group).
 */
#define PROAUTH2_DATASTORE_API_VERSION 4

/** A backend's methods: what proauth2_datastore_open() calls. Const, and it
 * must outlive every datastore opened on it. */
struct proauth2_datastore_ops {
	/** PROAUTH2_DATASTORE_API_VERSION the backend was written against:
	 * 1 to 4 (0, or above this header's version, does not open). */
	unsigned api_version;
	/** sizeof(proauth2_datastore_ops) the backend was compiled with. */
	size_t struct_size;
	/** Short backend name for messages ("sqlite"). */
	const char *name;

	/** @name Version 1 */
	/** @{ */

	/** Open or connect from uri (a path, ":memory:", a server URI...).
	 * On success *cls receives the backend state, released by close. */
	proauth2_status (*init)(const char *uri, void **cls, proauth2_error *err);

	/** Insert one record (borrowed). Must fail with PROAUTH2_ERR_CONFLICT,
	 * and change nothing, when the table's key value exists already. */
	proauth2_status (*store)(void *cls, const proauth2_table *table,
			json_t *record, proauth2_error *err);

	/** Find the records matching every field of query (borrowed). Exactly
	 * one: *record receives a new reference. None: PROAUTH2_ERR_NOT_FOUND.
	 * More than one: PROAUTH2_ERR_CONFLICT. */
	proauth2_status (*fetch)(void *cls, const proauth2_table *table,
			json_t *query, json_t **record, proauth2_error *err);

	/** Delete every record matching query; *removed receives how many.
	 * This count is the atomic primitive of the contract: when many
	 * callers remove one record at once, exactly one must see 1. */
	proauth2_status (*remove)(void *cls, const proauth2_table *table,
			json_t *query, size_t *removed, proauth2_error *err);

	/** Replace the record whose key equals record's key (borrowed) with
	 * record, atomically: readers see the old or the new, never neither.
	 * PROAUTH2_ERR_NOT_FOUND, changing nothing, when there is none. */
	proauth2_status (*replace)(void *cls, const proauth2_table *table,
			json_t *record, proauth2_error *err);

	/** Release cls. Accepts NULL. */
	void (*close)(void *cls);

	/* Every method above is required; those below are optional. */

	/** Optional (may be NULL): delete every record whose integer
	 * expires_at is <= now; *removed receives how many. */
	proauth2_status (*purge_expired)(void *cls, const proauth2_table *table,
			int64_t now, size_t *removed, proauth2_error *err);
	/** @} */

	/** @name Version 2 */
	/** @{ */

	/**
	 * Optional, both or neither (a table with only one does not open):
	 * make the calling thread's next writes durable together, at one
	 * commit rather than one each. Between begin_writes and end_writes,
	 * store, replace and remove may return before their change is
	 * durable, and fetch (fetch_unmarked too) sees the group's own changes (other threads'
	 * too, durable or not, is better: a revocation mark the group misses
	 * is still honoured by validation). end_writes returns once every change of the group is durable,
	 * or fails if any was lost or its commit failed; the group is kept
	 * whole or not at all. A commit that may yet have happened (an fsync
	 * that failed, which recovery after a crash may replay; a reply
	 * lost) fails with PROAUTH2_ERR_OUTCOME_UNKNOWN; a group known lost
	 * with PROAUTH2_ERR_DATASTORE. The core is safe either way (a code
	 * whose spending was kept is refused as a replay, never honoured
	 * twice). end_writes is called after every successful begin_writes,
	 * on success and failure alike. Calls from one thread on one
	 * datastore nest: only the outermost end_writes waits.
	 */
	proauth2_status (*begin_writes)(void *cls, proauth2_error *err);
	/** Close the calling thread's write group (see begin_writes). */
	proauth2_status (*end_writes)(void *cls, proauth2_error *err);
	/** @} */

	/** @name Version 3 */
	/** @{ */

	/**
	 * Optional (may be NULL): count the records matching query (borrowed;
	 * NULL: every record of the table) whose integer expires_at is > now
	 * (in a table without expires_at, every match), stopping at limit:
	 * *n receives the count, or limit when there are more. Cheap caps
	 * rest on it (pending authorizations), so a backend counts with an
	 * index and stops at limit. It may lag concurrent writes a little.
	 */
	proauth2_status (*count)(void *cls, const proauth2_table *table,
			json_t *query, int64_t now, size_t limit, size_t *n,
			proauth2_error *err);
	/** @} */

	/** @name Version 4 */
	/** @{ */

	/**
	 * Optional (may be NULL): fetch, as fetch does, unless the record
	 * is marked: marks (another table) holds a record whose key (its
	 * first field) equals the record's field of that name, with an
	 * integer expires_at > now when marks has expires_at. Marked
	 * records are left out before the matches are counted: none left
	 * is PROAUTH2_ERR_NOT_FOUND, more than one PROAUTH2_ERR_CONFLICT.
	 * A record without that field is never marked. One read where fetch and a fetch of
	 * the mark would be two: the core asks it for every opaque token
	 * it validates (marks: revoked_grants, by grant_id). Without it the
	 * core fetches the mark itself.
	 */
	proauth2_status (*fetch_unmarked)(void *cls, const proauth2_table *table,
			json_t *query, const proauth2_table *marks, int64_t now,
			json_t **record, proauth2_error *err);
	/** @} */

	/* Methods are only ever appended here, each version's after the last. */
};

#ifdef __cplusplus
}
#endif

#endif
