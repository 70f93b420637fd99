/*
 * The demo DNS provider's zones: the records that Domain Connect templates
 * applied, in memory (gone at restart) and bounded. Every domain is the
 * demo user's. Thread-safe.
 */
#ifndef DEMO_ZONE_H
#define DEMO_ZONE_H

#include <stdbool.h>

#include <jansson.h>

/* More records than this and an apply is refused (ZONE_FULL). */
#define ZONE_MAX_RECORDS 4096

typedef struct zone zone;

enum zone_result {
	ZONE_APPLIED,
	ZONE_CONFLICT,  /* another template's record holds the name */
	ZONE_FULL,
	ZONE_NOMEM
};

/* NULL when out of memory. */
zone *zone_new(void);
/* Accepts NULL. */
void zone_free(zone *z);

/*
 * Put the TXT record data at host (relative to domain, "" for the apex)
 * for template provider/service. It replaces what that template put there
 * before; a record of another template at the same name (host.domain,
 * without case) is a conflict, unless force, which replaces it.
 */
enum zone_result zone_apply(zone *z, const char *domain, const char *host,
		const char *provider, const char *service, const char *data,
		bool force);

/* Every record, as a new JSON array; NULL when out of memory. */
json_t *zone_records(zone *z);

#endif
