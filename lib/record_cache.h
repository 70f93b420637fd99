/*
 * A bounded cache of JSON values under string keys, each kept until a time
 * its caller gives, safe across threads: the Client ID Metadata Documents
 * and stored clients (client_document.c), the JWTs verified (jwt.c).
 */
#ifndef PROAUTH2_LIB_RECORD_CACHE_H
#define PROAUTH2_LIB_RECORD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <proauth2/error.h>

#define RECORD_CACHE_WHY_SIZE PROAUTH2_ERROR_TEXT_SIZE

typedef struct record_cache record_cache;

/* A cache of at most capacity (> 0) entries; NULL when memory runs out. */
record_cache *record_cache_new(size_t capacity);
void record_cache_free(record_cache *cache);

/* Whether the cache answers for key at now: *value what was kept (NULL
 * for a failure, why saying why), a reference shared with the cache and
 * other threads: read it and json_decref() it, never change it. */
bool record_cache_get(record_cache *cache, const char *key, int64_t now,
		json_t **value, char why[RECORD_CACHE_WHY_SIZE]);

/* Read before fetching what record_cache_put() will keep: a put whose
 * fetch a record_cache_forget() overtook keeps nothing, so a value read
 * before a change is never kept after it. */
uint64_t record_cache_generation(record_cache *cache);

void record_cache_forget(record_cache *cache, const char *key);

/* Keep key's value (NULL: a failure, why saying why) until until: in its
 * old place, a free one, or the one that expires first. Memory refused,
 * or a record_cache_forget() since generation was read, it is not kept. */
void record_cache_put(record_cache *cache, const char *key,
		const json_t *value, const char *why, int64_t until,
		uint64_t generation);

#endif
