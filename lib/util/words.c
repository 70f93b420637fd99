/* Space-delimited lists as JSON arrays (words.h). */
#include <string.h>

#include "words.h"

json_t *words_array(const char *list)
{
	json_t *a = json_array();
	const char *s = list;

	for (s += strspn(s, " "); a != NULL && *s != '\0'; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (json_array_append_new(a, json_stringn(s, n)) != 0) {
			json_decref(a);
			return NULL;
		}
		s += n;
	}
	return a;
}
