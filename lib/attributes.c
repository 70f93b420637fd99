/* Grant attributes: checked once when the host gives them, stored as
 * compact JSON text with every code and token of the grant. */
#include <stdlib.h>
#include <string.h>

#include <proauth2/backend.h>
#include <proauth2/token.h>

#include "attributes.h"

_Static_assert(PROAUTH2_ATTRIBUTES_MAX_LENGTH <= PROAUTH2_FIELD_MAX_LENGTH,
		"stored attributes fit a field");
_Static_assert(PROAUTH2_ATTRIBUTES_MAX_DEPTH == PROAUTH2_FIELD_MAX_DEPTH,
		"what the engine accepts, the schema accepts");

bool json_depth_within(const json_t *value, int max)
{
	const char *name;
	json_t *item;
	size_t i;

	if (!json_is_object(value) && !json_is_array(value))
		return true;
	if (max < 1)
		return false;
	if (json_is_object(value)) {
		json_object_foreach((json_t *)value, name, item)
			if (!json_depth_within(item, max - 1))
				return false;
		return true;
	}
	json_array_foreach(value, i, item)
		if (!json_depth_within(item, max - 1))
			return false;
	return true;
}

json_t *attributes_parse(const char *text)
{
	/* Repeated members would read differently in other parsers. */
	json_t *value = json_loads(text, JSON_REJECT_DUPLICATES, NULL);

	if (json_is_object(value) && json_depth_within(value, PROAUTH2_FIELD_MAX_DEPTH))
		return value;
	json_decref(value);
	return NULL;
}

proauth2_status attributes_canonical(const char *text, char **out,
		proauth2_error *err)
{
	json_t *value;
	char *compact;

	*out = NULL;
	if (text == NULL)
		return PROAUTH2_OK;
	/* Bounded before parsing, so a huge text costs no parse. */
	if (strlen(text) > 4 * PROAUTH2_ATTRIBUTES_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"attributes are longer than %d bytes",
				PROAUTH2_ATTRIBUTES_MAX_LENGTH);
	if ((value = attributes_parse(text)) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"attributes must be a JSON object, without repeated "
				"members, nested at most %d deep",
				PROAUTH2_ATTRIBUTES_MAX_DEPTH);
	compact = json_dumps(value, JSON_COMPACT);
	json_decref(value);
	if (compact == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	if (strlen(compact) > PROAUTH2_ATTRIBUTES_MAX_LENGTH) {
		free(compact);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"attributes are longer than %d bytes",
				PROAUTH2_ATTRIBUTES_MAX_LENGTH);
	}
	*out = compact;
	return PROAUTH2_OK;
}
