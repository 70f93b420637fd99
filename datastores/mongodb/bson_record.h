/* Records and queries between jansson and BSON, for the MongoDB backend. */
#ifndef PROAUTH2_MONGODB_BSON_RECORD_H
#define PROAUTH2_MONGODB_BSON_RECORD_H

#include <bson/bson.h>
#include <jansson.h>

#include <proauth2/backend.h>

/* The date field a TTL index expires documents by: expires_at as a BSON
 * date, in documents whose record has expires_at. */
#define BSON_RECORD_EXPIRY "expires"

/* The name a field of t has in its documents: _id for the key. Static. */
const char *bson_name(const proauth2_table *t, const char *name);

/*
 * Append record to doc (initialised by the caller): the key field as _id,
 * every other field under its own name (strings as UTF-8, integers as
 * int64, string arrays as arrays), and BSON_RECORD_EXPIRY. The record was
 * validated against t. false if a value does not fit.
 */
bool bson_record_from_json(const proauth2_table *t, const json_t *record, bson_t *doc);

/* Append query to doc: the key field as _id, the others as equalities. */
bool bson_query_from_json(const proauth2_table *t, const json_t *query, bson_t *doc);

/* The record a document holds (fields of t only), a field that does not
 * read as t types it (another type, text that is not UTF-8) as JSON null,
 * for the core to refuse as malformed; NULL when memory ran out. */
json_t *bson_record_to_json(const proauth2_table *t, const bson_t *doc);

#endif
