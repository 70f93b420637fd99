/*
 * Browser sessions: a random id in an HttpOnly cookie names the signed-in
 * user in a table in memory. Each session also carries the CSRF token its
 * consent forms must echo. Thread-safe.
 */
#ifndef DEMO_SESSION_H
#define DEMO_SESSION_H

#include "secret.h"

#define SESSION_COOKIE "proauth2_demo_session"
#define SESSION_LIFETIME 3600

typedef struct sessions sessions;

/* NULL when out of memory. */
sessions *sessions_new(void);
/* Free the table and every session in it. Accepts NULL. */
void sessions_free(sessions *s);

/* Start a session for user; id and csrf receive its fresh tokens. 0 on
 * success, -1 when out of memory or randomness. */
int sessions_create(sessions *s, const char *user,
		char id[SECRET_TOKEN_SIZE], char csrf[SECRET_TOKEN_SIZE]);

/* The live session named id: *user receives a copy of its user (free()
 * it), csrf its token. 0 if found, -1 if not (or out of memory). */
int sessions_find(sessions *s, const char *id, char **user,
		char csrf[SECRET_TOKEN_SIZE]);

#endif
