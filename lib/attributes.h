/* Grant attributes: the host's JSON object that travels with a grant's
 * codes and tokens (proauth2_code_request.attributes). */
#ifndef PROAUTH2_LIB_ATTRIBUTES_H
#define PROAUTH2_LIB_ATTRIBUTES_H

#include <stdbool.h>

#include <jansson.h>

#include <proauth2/error.h>

/* value and everything in it nest at most max deep (value itself is 1). */
bool json_depth_within(const json_t *value, int max);

/* text parsed as a JSON object, NULL if it is none, is deeper than
 * PROAUTH2_FIELD_MAX_DEPTH or repeats a member. New reference. */
json_t *attributes_parse(const char *text);

/* The host's attributes as stored: compact text of the object text holds,
 * in *out (free()); NULL text gives NULL. Not an object, too deep or longer
 * than PROAUTH2_ATTRIBUTES_MAX_LENGTH: PROAUTH2_ERR_INVALID_ARGUMENT, the
 * host's mistake. */
proauth2_status attributes_canonical(const char *text, char **out,
		proauth2_error *err);

#endif
