/* Browser sessions in a fixed table guarded by a mutex. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "session.h"

/* Enough for a demo; beyond it the oldest session makes room. */
#define MAX_SESSIONS 1024

struct session {
	char id[SECRET_TOKEN_SIZE];
	char csrf[SECRET_TOKEN_SIZE];
	char *user;     /* NULL: the slot is free */
	time_t expires;
};

struct sessions {
	pthread_mutex_t lock;
	struct session slots[MAX_SESSIONS];
};

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void clear(struct session *s)
{
	free(s->user);
	OPENSSL_cleanse(s, sizeof(*s));
	s->user = NULL;
}

sessions *sessions_new(void)
{
	sessions *s = calloc(1, sizeof(*s));

	if (s != NULL && pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void sessions_free(sessions *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < MAX_SESSIONS; i++)
		clear(&s->slots[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* A free or expired slot, else the one closest to expiry. Locked. */
static struct session *slot_for_new(sessions *s, time_t t)
{
	struct session *oldest = &s->slots[0];
	size_t i;

	for (i = 0; i < MAX_SESSIONS; i++) {
		struct session *x = &s->slots[i];

		if (x->user == NULL || x->expires <= t)
			return x;
		if (x->expires < oldest->expires)
			oldest = x;
	}
	return oldest;
}

int sessions_create(sessions *s, const char *user,
		char id[SECRET_TOKEN_SIZE], char csrf[SECRET_TOKEN_SIZE])
{
	struct session *slot;
	char *copy = strdup(user);

	if (copy == NULL || secret_token(id) != 0 || secret_token(csrf) != 0) {
		free(copy);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	slot = slot_for_new(s, now());
	clear(slot);
	memcpy(slot->id, id, SECRET_TOKEN_SIZE);
	memcpy(slot->csrf, csrf, SECRET_TOKEN_SIZE);
	slot->user = copy;
	slot->expires = now() + SESSION_LIFETIME;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int sessions_find(sessions *s, const char *id, char **user,
		char csrf[SECRET_TOKEN_SIZE])
{
	time_t t = now();
	int rc = -1;
	size_t i;

	*user = NULL;
	if (id == NULL || strlen(id) != SECRET_TOKEN_SIZE - 1)
		return -1;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < MAX_SESSIONS; i++) {
		struct session *x = &s->slots[i];

		if (x->user == NULL ||
				CRYPTO_memcmp(x->id, id, SECRET_TOKEN_SIZE - 1) != 0)
			continue;
		if (x->expires <= t) {
			clear(x);
			break;
		}
		*user = strdup(x->user);
		if (*user != NULL) {
			memcpy(csrf, x->csrf, SECRET_TOKEN_SIZE);
			rc = 0;
		}
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}
