/* Records and queries between jansson and BSON. */
#include <string.h>

#include "bson_record.h"

/* BSON dates count milliseconds; expires_at counts seconds. */
#define MS_PER_SECOND 1000
/* The TTL date stays within years 1970 to 9999, which every server and
 * driver can represent; records outside are reaped at once or never. */
#define LATEST_EXPIRY ((int64_t)253402300799)  /* 9999-12-31T23:59:59Z */

static int64_t expiry_date(int64_t expires_at)
{
	if (expires_at < 0)
		return 0;
	if (expires_at > LATEST_EXPIRY)
		return LATEST_EXPIRY * MS_PER_SECOND;
	return expires_at * MS_PER_SECOND;
}

/* The key is fields[0]; MongoDB keeps it unique as _id for free. */
const char *bson_name(const proauth2_table *t, const char *name)
{
	return strcmp(name, t->fields[0].name) == 0 ? "_id" : name;
}

static bool append_value(bson_t *doc, const char *name, const json_t *value)
{
	bson_t array;
	char index[16];
	const char *index_key;
	size_t i;
	json_t *item;
	bool ok = true;

	switch (json_typeof(value)) {
	case JSON_STRING:
		return bson_append_utf8(doc, name, -1, json_string_value(value),
				(int)json_string_length(value));
	case JSON_INTEGER:
		return bson_append_int64(doc, name, -1, json_integer_value(value));
	case JSON_ARRAY:
		if (!bson_append_array_begin(doc, name, -1, &array))
			return false;
		json_array_foreach(value, i, item) {
			bson_uint32_to_string((uint32_t)i, &index_key, index, sizeof(index));
			ok = ok && json_is_string(item) && bson_append_utf8(&array, index_key,
					-1, json_string_value(item), (int)json_string_length(item));
		}
		return bson_append_array_end(doc, &array) && ok;
	default:
		return false;  /* validation lets no other type through */
	}
}

static bool append_fields(const proauth2_table *t, const json_t *object, bson_t *doc)
{
	const char *name;
	json_t *value;

	json_object_foreach((json_t *)object, name, value)
		if (!append_value(doc, bson_name(t, name), value))
			return false;
	return true;
}

bool bson_record_from_json(const proauth2_table *t, const json_t *record, bson_t *doc)
{
	json_t *expires_at = json_object_get(record, "expires_at");

	if (!append_fields(t, record, doc))
		return false;
	/* The core checks expiry itself; the TTL index only reclaims space. */
	if (json_is_integer(expires_at) && !bson_append_date_time(doc,
			BSON_RECORD_EXPIRY, -1, expiry_date(json_integer_value(expires_at))))
		return false;
	return true;
}

bool bson_query_from_json(const proauth2_table *t, const json_t *query, bson_t *doc)
{
	return append_fields(t, query, doc);
}

/* A string's bytes as JSON; JSON null when they are not UTF-8 (which the
 * core refuses as malformed); NULL when memory ran out. */
static json_t *string_value(const char *s, uint32_t len)
{
	json_t *value = json_stringn(s, len);

	if (value == NULL && !bson_utf8_validate(s, len, false))
		return json_null();
	return value;
}

/* The JSON value of the element at it, as field f types it. An element
 * that does not read as f's type (another client wrote it) is JSON null,
 * which no field allows: the core refuses the record as malformed and
 * names the field. NULL when memory ran out. */
static json_t *field_value(const proauth2_field *f, bson_iter_t *it)
{
	bson_iter_t items;
	json_t *array, *item;
	const char *s;
	uint32_t len;

	switch (f->type) {
	case PROAUTH2_FIELD_STRING:
		if (!BSON_ITER_HOLDS_UTF8(it))
			return json_null();
		s = bson_iter_utf8(it, &len);
		return string_value(s, len);
	case PROAUTH2_FIELD_INTEGER:
		/* Another client may have written a 32-bit integer. */
		if (BSON_ITER_HOLDS_INT64(it) || BSON_ITER_HOLDS_INT32(it))
			return json_integer(bson_iter_as_int64(it));
		return json_null();
	case PROAUTH2_FIELD_STRING_ARRAY:
		if (!BSON_ITER_HOLDS_ARRAY(it) || !bson_iter_recurse(it, &items))
			return json_null();
		array = json_array();
		while (array != NULL && bson_iter_next(&items)) {
			if (!BSON_ITER_HOLDS_UTF8(&items)) {
				json_decref(array);
				return json_null();
			}
			s = bson_iter_utf8(&items, &len);
			item = string_value(s, len);
			if (json_is_null(item)) {
				json_decref(array);
				return item;
			}
			if (json_array_append_new(array, item) != 0) {
				json_decref(array);
				return NULL;
			}
		}
		return array;
	}
	return json_null();
}

json_t *bson_record_to_json(const proauth2_table *t, const bson_t *doc)
{
	json_t *record = json_object();
	bson_iter_t it;

	if (record == NULL || !bson_iter_init(&it, doc)) {
		json_decref(record);
		return NULL;
	}
	while (bson_iter_next(&it)) {
		const char *key = bson_iter_key(&it);
		const proauth2_field *f = strcmp(key, "_id") == 0 ? &t->fields[0] :
				proauth2_table_field(t, key);
		json_t *value;

		if (f == NULL || (f == &t->fields[0] && strcmp(key, "_id") != 0))
			continue;  /* the expiry date, or a field of a later schema */
		value = field_value(f, &it);
		if (value == NULL || json_object_set_new(record, f->name, value) != 0) {
			json_decref(record);
			return NULL;
		}
	}
	return record;
}
