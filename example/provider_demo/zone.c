/* Zone records in a JSON array guarded by a mutex. */
#include <pthread.h>
#include <stdlib.h>
#include <strings.h>

#include "zone.h"

struct zone {
	pthread_mutex_t lock;
	json_t *records;        /* objects: domain, host, type, data, ... */
};

zone *zone_new(void)
{
	zone *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	z->records = json_array();
	if (z->records == NULL || pthread_mutex_init(&z->lock, NULL) != 0) {
		json_decref(z->records);
		free(z);
		return NULL;
	}
	return z;
}

void zone_free(zone *z)
{
	if (z == NULL)
		return;
	json_decref(z->records);
	pthread_mutex_destroy(&z->lock);
	free(z);
}

static bool same(const json_t *record, const char *key, const char *value)
{
	const char *s = json_string_value(json_object_get(record, key));

	return s != NULL && strcasecmp(s, value) == 0;
}

enum zone_result zone_apply(zone *z, const char *domain, const char *host,
		const char *provider, const char *service, const char *data,
		bool force)
{
	json_t *record = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
			"domain", domain, "host", host, "type", "TXT", "data", data,
			"providerId", provider, "serviceId", service);
	enum zone_result result = ZONE_APPLIED;
	size_t i;

	if (record == NULL)
		return ZONE_NOMEM;
	pthread_mutex_lock(&z->lock);
	/* First look, then change: a conflict leaves the zone as it was. */
	for (i = 0; i < json_array_size(z->records) && !force; i++) {
		json_t *r = json_array_get(z->records, i);

		if (same(r, "domain", domain) && same(r, "host", host) &&
				!(same(r, "providerId", provider) && same(r, "serviceId", service)))
			result = ZONE_CONFLICT;
	}
	for (i = json_array_size(z->records); result == ZONE_APPLIED && i-- > 0;) {
		json_t *r = json_array_get(z->records, i);

		if (same(r, "domain", domain) && same(r, "host", host))
			json_array_remove(z->records, i);
	}
	if (result == ZONE_APPLIED && json_array_size(z->records) >= ZONE_MAX_RECORDS)
		result = ZONE_FULL;
	if (result == ZONE_APPLIED && json_array_append(z->records, record) != 0)
		result = ZONE_NOMEM;
	pthread_mutex_unlock(&z->lock);
	json_decref(record);
	return result;
}

json_t *zone_records(zone *z)
{
	json_t *copy;

	pthread_mutex_lock(&z->lock);
	copy = json_deep_copy(z->records);
	pthread_mutex_unlock(&z->lock);
	return copy;
}
