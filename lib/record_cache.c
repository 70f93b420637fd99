/* A bounded cache of JSON values under string keys (record_cache.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_cache.h"

/* A hit shares the kept value with every thread that holds it. */
#ifndef JANSSON_THREAD_SAFE_REFCOUNT
#error "jansson must count references atomically (__atomic or __sync builtins)"
#endif

#define WHY_SIZE RECORD_CACHE_WHY_SIZE

/* A key's value, or why it is none. */
typedef struct entry {
	char *key;
	uint64_t hash;   /* of key: most misses compare only this */
	json_t *value;   /* NULL: a failure, why says why */
	char why[WHY_SIZE];
	int64_t until;   /* kept while the clock reads less */
} entry;

struct record_cache {
	pthread_mutex_t lock;
	uint64_t generation;  /* moved by every record_cache_forget() */
	size_t n, capacity;
	entry items[];
};

record_cache *record_cache_new(size_t capacity)
{
	record_cache *cache = capacity == 0 ? NULL :
		calloc(1, sizeof(*cache) + capacity * sizeof(entry));

	if (cache == NULL)
		return NULL;
	cache->capacity = capacity;
	if (pthread_mutex_init(&cache->lock, NULL) != 0) {
		free(cache);
		return NULL;
	}
	return cache;
}

static void entry_clear(entry *e)
{
	free(e->key);
	json_decref(e->value);
	memset(e, 0, sizeof(*e));
}

void record_cache_free(record_cache *cache)
{
	size_t i;

	if (cache == NULL)
		return;
	for (i = 0; i < cache->n; i++)
		entry_clear(&cache->items[i]);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

/* FNV-1a. */
static uint64_t key_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3u;
	return h;
}

/* key's entry; hash (key_hash(key)) is taken before the lock. */
static entry *find(record_cache *cache, const char *key, uint64_t hash)
{
	size_t i;

	for (i = 0; i < cache->n; i++)
		if (cache->items[i].hash == hash && strcmp(cache->items[i].key, key) == 0)
			return &cache->items[i];
	return NULL;
}

bool record_cache_get(record_cache *cache, const char *key, int64_t now,
		json_t **value, char why[WHY_SIZE])
{
	uint64_t hash = key_hash(key);
	entry *e;
	bool hit;

	pthread_mutex_lock(&cache->lock);
	e = find(cache, key, hash);
	hit = e != NULL && now < e->until;
	if (hit) {
		*value = json_incref(e->value);
		memcpy(why, e->why, WHY_SIZE);
	}
	pthread_mutex_unlock(&cache->lock);
	return hit;
}

uint64_t record_cache_generation(record_cache *cache)
{
	uint64_t generation;

	pthread_mutex_lock(&cache->lock);
	generation = cache->generation;
	pthread_mutex_unlock(&cache->lock);
	return generation;
}

void record_cache_forget(record_cache *cache, const char *key)
{
	uint64_t hash = key_hash(key);
	entry *e;

	pthread_mutex_lock(&cache->lock);
	cache->generation++;
	e = find(cache, key, hash);
	if (e != NULL) {
		entry_clear(e);
		*e = cache->items[--cache->n];
		memset(&cache->items[cache->n], 0, sizeof(*e));
	}
	pthread_mutex_unlock(&cache->lock);
}

/* The entry that expires first, to make room. */
static entry *first_to_expire(record_cache *cache)
{
	entry *e = &cache->items[0];
	size_t i;

	for (i = 1; i < cache->n; i++)
		if (cache->items[i].until < e->until)
			e = &cache->items[i];
	return e;
}

void record_cache_put(record_cache *cache, const char *key,
		const json_t *value, const char *why, int64_t until,
		uint64_t generation)
{
	entry *e, fresh = {0};

	fresh.key = strdup(key);
	fresh.hash = key_hash(key);
	/* A copy of its own: the caller may go on changing value. */
	fresh.value = value != NULL ? json_deep_copy(value) : NULL;
	snprintf(fresh.why, sizeof(fresh.why), "%s", why);
	fresh.until = until;
	if (fresh.key == NULL || (value != NULL && fresh.value == NULL)) {
		entry_clear(&fresh);
		return;
	}
	pthread_mutex_lock(&cache->lock);
	if (cache->generation != generation) {
		pthread_mutex_unlock(&cache->lock);
		entry_clear(&fresh);
		return;
	}
	e = find(cache, key, fresh.hash);
	if (e == NULL && cache->n < cache->capacity)
		e = &cache->items[cache->n++];
	if (e == NULL)
		e = first_to_expire(cache);
	entry_clear(e);
	*e = fresh;
	pthread_mutex_unlock(&cache->lock);
}
