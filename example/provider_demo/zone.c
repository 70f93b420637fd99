/* Zone records in a JSON array guarded by a mutex. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

struct zone {
	pthread_mutex_t lock;
	json_t *records;        /* objects: name, domain, host, type, data, ... */
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

	return s != NULL && strcmp(s, value) == 0;
}

/* host.domain (domain alone for the apex), lower case: the name a record
 * is at, however the request split it. */
static char *owner_name(const char *domain, const char *host)
{
	size_t n = strlen(host) + 1 + strlen(domain) + 1;
	char *name = malloc(n);

	if (name == NULL)
		return NULL;
	snprintf(name, n, "%s%s%s", host, host[0] != '\0' ? "." : "", domain);
	for (char *c = name; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return name;
}

enum zone_result zone_apply(zone *z, const char *domain, const char *host,
		const char *provider, const char *service, const char *data,
		bool force)
{
	char *name = owner_name(domain, host);
	json_t *record = name != NULL ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"name", name, "domain", domain, "host", host, "type", "TXT",
			"data", data, "providerId", provider, "serviceId", service) : NULL;
	enum zone_result result = ZONE_APPLIED;
	size_t i;

	if (record == NULL) {
		free(name);
		return ZONE_NOMEM;
	}
	pthread_mutex_lock(&z->lock);
	/* First look, then change: a conflict leaves the zone as it was.
	 * Ids and templates are case-sensitive, as client_ids and scopes. */
	for (i = 0; i < json_array_size(z->records) && !force; i++) {
		json_t *r = json_array_get(z->records, i);

		if (same(r, "name", name) &&
				!(same(r, "providerId", provider) && same(r, "serviceId", service)))
			result = ZONE_CONFLICT;
	}
	for (i = json_array_size(z->records); result == ZONE_APPLIED && i-- > 0;)
		if (same(json_array_get(z->records, i), "name", name))
			json_array_remove(z->records, i);
	if (result == ZONE_APPLIED && json_array_size(z->records) >= ZONE_MAX_RECORDS)
		result = ZONE_FULL;
	if (result == ZONE_APPLIED && json_array_append(z->records, record) != 0)
		result = ZONE_NOMEM;
	pthread_mutex_unlock(&z->lock);
	json_decref(record);
	free(name);
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
