/* Space-delimited lists (scopes, resources, amr, algorithms) as JSON. */
#ifndef PROAUTH2_UTIL_WORDS_H
#define PROAUTH2_UTIL_WORDS_H

#include <jansson.h>

/* The words of list, in order, as a JSON array of strings (runs of
 * spaces separate them; none gives []); a new reference, NULL when
 * memory ran out. */
json_t *words_array(const char *list);

#endif
