/*
 * Records as rows: a column per field, integers as INTEGER, strings as
 * TEXT, string arrays as JSON text; the SQL of writes and reads built from
 * a table's schema, and queries as " WHERE a = ? AND b = ?".
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

/*
 * Bind a validated JSON value at index i (1-based). A string is bound in
 * place, not copied: every statement is released (its bindings cleared,
 * sqlite_release) before its caller's record or query can be freed.
 */
static int bind_value(sqlite3_stmt *stmt, int i, const json_t *value)
{
	char *text;
	int rc;

	if (value == NULL)
		return sqlite3_bind_null(stmt, i);
	if (json_is_integer(value))
		return sqlite3_bind_int64(stmt, i, json_integer_value(value));
	if (json_is_string(value))
		return sqlite3_bind_text(stmt, i, json_string_value(value),
				(int)json_string_length(value), SQLITE_STATIC);
	text = json_dumps(value, JSON_COMPACT);
	if (text == NULL)
		return SQLITE_NOMEM;
	rc = sqlite3_bind_text(stmt, i, text, -1, free);
	return rc;
}

/* The items of plain_string_array's text from p to end, its ], appended
 * to array: 1, 0 or -1 as there. */
static int plain_items(const char *p, const char *end, json_t *array)
{
	if (p == end)
		return 1;  /* [] */
	for (;;) {
		const char *item = p + 1;

		if (*p != '"')
			return 0;
		for (p = item; p < end && *p != '"' && *p != '\\' &&
				(unsigned char)*p >= 0x20; p++)
			;
		if (p == end || *p != '"')
			return 0;
		if (json_array_append_new(array,
				json_stringn_nocheck(item, (size_t)(p - item))) != 0)
			return -1;
		if (++p == end)
			return 1;
		if (*p != ',' || ++p == end)
			return 0;
	}
}

/*
 * The text bind_value writes for an array of strings without escapes, read
 * without jansson's parser, which costs several times as much: 1 with
 * *value set; 0 for any other text (escapes, spaces, a row another program
 * wrote), which jansson reads instead; -1 when memory ran out. The items
 * are not checked here: the core checks every string of a fetched record.
 */
static int plain_string_array(const char *text, size_t len, json_t **value)
{
	json_t *array;
	int read;

	if (len < 2 || text[0] != '[' || text[len - 1] != ']')
		return 0;
	if ((array = json_array()) == NULL)
		return -1;
	read = plain_items(text + 1, text + len - 1, array);
	if (read > 0)
		*value = array;
	else
		json_decref(array);
	return read;
}

/*
 * Column i of the current row as JSON for field f, in *value: NULL for SQL
 * NULL. A column that does not read as f's type (an array's JSON that does
 * not parse, text in an integer: a row another program wrote) comes back
 * as JSON null, which no field allows, so the core refuses the record as
 * malformed instead of dropping the field. -1 when memory ran out.
 */
static int column_value(sqlite3_stmt *stmt, int i, const proauth2_field *f,
		json_t **value)
{
	const char *text;
	size_t len;
	json_error_t jerr;
	int plain;

	*value = NULL;
	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return 0;
	if (f->type == PROAUTH2_FIELD_INTEGER) {
		/* SQLite would read text as 0. */
		if (sqlite3_column_type(stmt, i) != SQLITE_INTEGER) {
			*value = json_null();
			return 0;
		}
		*value = json_integer(sqlite3_column_int64(stmt, i));
		return *value != NULL ? 0 : -1;
	}
	text = (const char *)sqlite3_column_text(stmt, i);
	if (text == NULL)
		return -1;  /* a non-NULL column without text: no memory */
	len = (size_t)sqlite3_column_bytes(stmt, i);
	if (f->type == PROAUTH2_FIELD_STRING) {
		/* Unchecked: the core checks every string of a record it
		 * fetched (UTF-8, no NUL) and refuses the record otherwise. */
		*value = json_stringn_nocheck(text, len);
		return *value != NULL ? 0 : -1;
	}
	if ((plain = plain_string_array(text, len, value)) != 0)
		return plain > 0 ? 0 : -1;
	*value = json_loadb(text, len, 0, &jerr);
	if (*value != NULL)
		return 0;
	if (json_error_code(&jerr) == json_error_out_of_memory)
		return -1;
	*value = json_null();
	return 0;
}

/*
 * SQL text is built by appending: each returns -1, with sql cut short,
 * when the text does not fit in size. It is built once per connection
 * (connection.c finds a prepared statement by its key, not its text).
 */
static int add(char *sql, size_t size, size_t *len, const char *text)
{
	size_t n = strlen(text);

	if (n >= size - *len)
		return -1;
	memcpy(sql + *len, text, n + 1);
	*len += n;
	return 0;
}

/* A quoted identifier after separator (names in a schema hold no '"'). */
static int add_name(char *sql, size_t size, size_t *len, const char *separator,
		const char *name)
{
	return add(sql, size, len, separator) || add(sql, size, len, "\"") ||
		add(sql, size, len, name) || add(sql, size, len, "\"") ? -1 : 0;
}

/* " WHERE a = ? AND b = ?" for query's fields (nothing for NULL or {}),
 * then, unless it is "", the condition extra after " WHERE " or " AND ". */
static int add_where(char *sql, size_t size, size_t *len, const json_t *query,
		const char *extra)
{
	const char *name;
	json_t *value;
	int first = 1;

	json_object_foreach((json_t *)query, name, value) {
		if (add_name(sql, size, len, first ? " WHERE " : " AND ", name) != 0 ||
				add(sql, size, len, " = ?") != 0)
			return -1;
		first = 0;
	}
	if (extra[0] == '\0')
		return 0;
	return add(sql, size, len, first ? " WHERE " : " AND ") ||
		add(sql, size, len, extra) ? -1 : 0;
}

int sqlite_bind_query(sqlite3_stmt *stmt, const json_t *query, int first)
{
	const char *name;
	json_t *value;
	int i = first, rc = SQLITE_OK;

	json_object_foreach((json_t *)query, name, value)
		if (rc == SQLITE_OK)
			rc = bind_value(stmt, i++, value);
	return rc;
}

static int write_sql(char *sql, size_t size, const proauth2_table *t, int update)
{
	size_t i, len = 0;
	int fail;

	if (update) {
		fail = add_name(sql, size, &len, "UPDATE ", t->name) ||
			add(sql, size, &len, " SET");
		for (i = 1; i < t->n_fields && !fail; i++)
			fail = add_name(sql, size, &len, i > 1 ? ", " : " ",
					t->fields[i].name) || add(sql, size, &len, " = ?");
		return fail || add_name(sql, size, &len, " WHERE ", t->fields[0].name) ||
			add(sql, size, &len, " = ?") ? -1 : 0;
	}
	/* Columns by name: a table upgraded from an older schema has its
	 * later columns in another order. */
	fail = add_name(sql, size, &len, "INSERT INTO ", t->name);
	for (i = 0; i < t->n_fields && !fail; i++)
		fail = add_name(sql, size, &len, i ? ", " : " (", t->fields[i].name);
	fail = fail || add(sql, size, &len, ") VALUES (?");
	for (i = 1; i < t->n_fields && !fail; i++)
		fail = add(sql, size, &len, ", ?");
	return fail || add(sql, size, &len, ")") ? -1 : 0;
}

int sqlite_bind_record(sqlite3_stmt *stmt, const proauth2_table *t,
		const json_t *record, int update)
{
	size_t i;
	int rc = SQLITE_OK;

	/* UPDATE binds the key last; INSERT binds fields in schema order. */
	for (i = 0; i < t->n_fields && rc == SQLITE_OK; i++) {
		size_t field = update ? (i + 1) % t->n_fields : i;

		rc = bind_value(stmt, (int)i + 1,
				json_object_get(record, t->fields[field].name));
	}
	return rc;
}

/* " AND NOT EXISTS" ...: no unexpired row of marks names t's row by its
 * key (the expiry bound after the query's values). */
static int add_unmarked(char *sql, size_t size, size_t *len,
		const proauth2_table *t, const proauth2_table *marks)
{
	const char *key = marks->fields[0].name;

	/* Every column qualified: a quoted name that named no column would
	 * read as a string. */
	return add_name(sql, size, len, " (SELECT 1 FROM ", marks->name) ||
		add_name(sql, size, len, " WHERE ", marks->name) ||
		add_name(sql, size, len, ".", key) ||
		add_name(sql, size, len, " = ", t->name) ||
		add_name(sql, size, len, ".", key) ||
		(proauth2_table_field(marks, "expires_at") != NULL &&
		 (add_name(sql, size, len, " AND ", marks->name) ||
		  add(sql, size, len, ".\"expires_at\" > ?"))) ||
		add(sql, size, len, ")") ? -1 : 0;
}

/* Every field of t's rows matching query, at most two; with marks (not
 * NULL), of those rows that marks does not mark. */
static int select_sql(char *sql, size_t size, const proauth2_table *t,
		const json_t *query, const proauth2_table *marks)
{
	size_t i, len = 0;
	int fail = 0;

	for (i = 0; i < t->n_fields && !fail; i++)
		fail = add_name(sql, size, &len, i ? ", " : "SELECT ", t->fields[i].name);
	fail = fail || add_name(sql, size, &len, " FROM ", t->name) ||
		add_where(sql, size, &len, query, marks != NULL ? "NOT EXISTS" : "");
	if (!fail && marks != NULL)
		fail = add_unmarked(sql, size, &len, t, marks);
	return fail || add(sql, size, &len, " LIMIT 2") ? -1 : 0;
}

/* count(*) of a subquery with LIMIT: it stops at the limit, on the
 * client_id or the expiry index. */
static int count_sql(char *sql, size_t size, const proauth2_table *t,
		const json_t *query)
{
	size_t len = 0;
	bool expires = proauth2_table_field(t, "expires_at") != NULL;

	return add_name(sql, size, &len, "SELECT count(*) FROM (SELECT 1 FROM ", t->name) ||
		add_where(sql, size, &len, query, expires ? "\"expires_at\" > ?" : "") ||
		add(sql, size, &len, " LIMIT ?)") ? -1 : 0;
}

int sqlite_statement_sql(char *sql, const struct statement_key *key)
{
	const proauth2_table *t = key->table;
	size_t len = 0;

	sql[0] = '\0';
	switch (key->kind) {
	case STATEMENT_INSERT:
	case STATEMENT_UPDATE:
		return write_sql(sql, SQL_MAX, t, key->kind == STATEMENT_UPDATE);
	case STATEMENT_SELECT:
	case STATEMENT_SELECT_UNMARKED:
		return select_sql(sql, SQL_MAX, t, key->query, key->marks);
	case STATEMENT_DELETE:
		return add_name(sql, SQL_MAX, &len, "DELETE FROM ", t->name) ||
			add_where(sql, SQL_MAX, &len, key->query, "") ? -1 : 0;
	case STATEMENT_COUNT:
		return count_sql(sql, SQL_MAX, t, key->query);
	case STATEMENT_PURGE:
		return sqlite_purge_sql(sql, SQL_MAX, t);
	}
	return -1;
}

json_t *sqlite_row_record(sqlite3_stmt *stmt, const proauth2_table *t)
{
	json_t *record = json_object();
	size_t i;

	for (i = 0; i < t->n_fields && record != NULL; i++) {
		json_t *value;

		if (column_value(stmt, (int)i, &t->fields[i], &value) != 0 ||
				(value != NULL && json_object_set_new_nocheck(record,
					t->fields[i].name, value) != 0)) {
			json_decref(record);
			record = NULL;
		}
	}
	return record;
}
