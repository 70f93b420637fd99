/*
 * libFuzzer target for the MongoDB backend's record mapping
 * (datastores/mongodb/bson_record.c), no server needed. The first byte
 * picks a table of the schema and a direction:
 *  - even: the rest is a BSON document, as another client or a damaged
 *    collection may hold it. Whatever it maps to, a record the core
 *    accepts maps back to BSON and again to the same record.
 *  - odd: the rest is a JSON record or query. Every valid record maps to
 *    BSON and back to itself; every valid query maps to BSON.
 */
#include <stdlib.h>
#include <string.h>

#include <bson/bson.h>

#include <proauth2/backend.h>

#include "bson_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* doc maps to JSON; a valid record maps back to a document that maps to
 * the same record. */
static void from_bson(const proauth2_table *t, const bson_t *doc)
{
	json_t *record = bson_record_to_json(t, doc), *again;
	bson_t back;

	if (record == NULL)
		abort();  /* memory does not run out here */
	if (proauth2_record_validate(t, record, NULL) == PROAUTH2_OK) {
		bson_init(&back);
		if (!bson_record_from_json(t, record, &back))
			abort();
		again = bson_record_to_json(t, &back);
		if (again == NULL || !json_equal(record, again))
			abort();
		json_decref(again);
		bson_destroy(&back);
	}
	json_decref(record);
}

static void from_json(const proauth2_table *t, const json_t *value)
{
	json_t *again;
	bson_t doc;

	bson_init(&doc);
	if (proauth2_record_validate(t, value, NULL) == PROAUTH2_OK) {
		if (!bson_record_from_json(t, value, &doc))
			abort();
		again = bson_record_to_json(t, &doc);
		if (again == NULL || !json_equal(value, again))
			abort();
		json_decref(again);
	}
	bson_reinit(&doc);
	if (proauth2_query_validate(t, value, NULL) == PROAUTH2_OK &&
			!bson_query_from_json(t, value, &doc))
		abort();
	bson_destroy(&doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const proauth2_table *tables, *t;
	size_t n;
	json_t *value;
	bson_t doc;

	if (size < 1)
		return 0;
	tables = proauth2_schema_tables(&n);
	t = &tables[(data[0] >> 1) % n];
	if ((data[0] & 1) == 0) {
		if (bson_init_static(&doc, data + 1, size - 1)) {
			from_bson(t, &doc);
			bson_destroy(&doc);
		}
	} else if ((value = json_loadb((const char *)data + 1, size - 1,
			JSON_REJECT_DUPLICATES, NULL)) != NULL) {
		from_json(t, value);
		json_decref(value);
	}
	return 0;
}
