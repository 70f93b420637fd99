/* Records of one user (remembered consents, login sessions): one record
 * per user, by the hash of the user id, holding a JSON object of entries
 * each with "expires_at" and the time it began. An update reads, edits and
 * then replaces or stores, as the throttle does: a record that appeared or
 * vanished meanwhile sends it round again. Too many entries, or too many
 * bytes, and the oldest make room. */
#ifndef PROAUTH2_LIB_USER_RECORD_H
#define PROAUTH2_LIB_USER_RECORD_H

#include "internal.h"

typedef struct user_record_kind {
	const char *table;   /* keyed by "user_hash" */
	const char *field;   /* the JSON object of entries */
	const char *began;   /* the member dating an entry: oldest goes first */
	size_t max_entries;
	/* What an entry too long to keep even alone is refused with. */
	proauth2_status too_long;
	/* Whether a live entry is well formed (NULL: any object is). */
	bool (*entry_ok)(const json_t *entry);
} user_record_kind;

/* user_id is a user id the tables take: 1 to PROAUTH2_FIELD_MAX_LENGTH
 * bytes of UTF-8; PROAUTH2_ERR_INVALID_ARGUMENT otherwise. */
proauth2_status user_record_check_user(const char *user_id, proauth2_error *err);

/* user_id's live entries, a new object (empty without a record). */
proauth2_status user_record_read(proauth2_provider *p,
		const user_record_kind *kind, const char *user_id, json_t **entries,
		proauth2_error *err);

/* Change user_id's entries with edit, written back (no entries left: the
 * record goes). What edit fails with is returned. */
typedef proauth2_status (*user_record_edit)(proauth2_provider *p,
		json_t *entries, void *arg, proauth2_error *err);

proauth2_status user_record_update(proauth2_provider *p,
		const user_record_kind *kind, const char *user_id,
		user_record_edit edit, void *arg, proauth2_error *err);

/* user_record_update(), the entries dropped to make room handed back in
 * *evicted (a new object, empty when none were; NULL on failure). */
proauth2_status user_record_update_evicting(proauth2_provider *p,
		const user_record_kind *kind, const char *user_id,
		user_record_edit edit, void *arg, json_t **evicted,
		proauth2_error *err);

#endif
