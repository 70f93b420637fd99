/* What the engine's own secret checks use of the throttle (lib/throttle.c;
 * the public half is proauth2/throttle.h). */
#ifndef PROAUTH2_LIB_THROTTLE_INT_H
#define PROAUTH2_LIB_THROTTLE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proauth2/throttle.h>

/* Defaults of proauth2_config's auth_failure_* fields. */
#define AUTH_FAILURE_LIMIT 5
#define AUTH_FAILURE_WINDOW 900
#define AUTH_LOCKOUT_MAX 900

/* Room for "client:" or "user:" and a name the engine looks at. */
#define THROTTLE_SUBJECT_SIZE (16 + 512 + 1)

/* "<kind>:<name>" into out; PROAUTH2_ERR_INVALID_ARGUMENT if it does not fit. */
proauth2_status throttle_subject(char *out, size_t size, const char *kind,
		const char *name, proauth2_error *err);

/* proauth2_throttle_check, also saying whether subject has a counter. */
proauth2_status throttle_check_found(proauth2_provider *p, const char *subject,
		int64_t *retry_after, bool *found, proauth2_error *err);

/* proauth2_throttle_record, told by a check whether there is a counter
 * (a success with none writes nothing). */
proauth2_status throttle_record_found(proauth2_provider *p, const char *subject,
		bool success, bool found, proauth2_error *err);

/* Fill err with status and "too many failed attempts; retry after N s". */
proauth2_status throttle_refused(int64_t retry_after, proauth2_status status,
		proauth2_error *err);

#endif
