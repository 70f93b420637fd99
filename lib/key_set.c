/*
 * Signing keys that rotate themselves.
 *
 * Time is cut into rotation periods of config.key_rotation_period; the key
 * of period n has the kid "k<n>" (config.signing_alg's, the one name keys
 * had before OpenID Connect) or "<alg>-k<n>" (another algorithm's: RS256
 * beside it for OpenID Connect, which needs RS256 of every provider; or
 * the configured one's, when "k<n>" is of the algorithm configured before
 * a change). Each record says its alg; every name is read, so every
 * process publishes every key whatever its own settings. Each
 * algorithm's keys follow the schedule below on their own. Whichever
 * process first needs it (the
 * period has begun, or the next begins within the propagation period)
 * makes it and stores it: the store refuses a kid that exists, so of two
 * processes making one at once exactly one key is kept, and the other
 * reads it. Records never change but for a revocation, so a process's
 * cached copy of the set is right for as long as it is fresh.
 *
 * A key made for a period that has not begun activates when it does, and
 * never before it has been published for the propagation period; until
 * then its predecessor signs. A key stops signing when its successor
 * activates (or two periods after it activated, when none came: a
 * provider idle that long starts afresh), and stays published until the
 * last token it signed has expired. With no key fit to sign, a new one
 * signs at once: nobody can have cached a key set that lacks it and needs
 * one (a first start, or after a long idle). A revocation (rotate now)
 * marks the key that signs and makes "k<n>x<m>", which signs at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwk.h"
#include "key_seal.h"
#include "key_set.h"

/* Most keys held: the periods looked at, each with its revocations, for
 * every name prefix. */
#define KEY_SET_MAX 256
/* Most keys revoked at once in one period. */
#define REVOKED_PER_PERIOD_MAX 8
/* Clock difference a relying party may have; tokens outlive this much. */
#define CLOCK_SKEW 60
/* A kid unknown to the cache reads the datastore at most this often. */
#define UNKNOWN_KID_RELOAD 5

typedef struct key_entry {
	char kid[KEY_ID_SIZE];
	jws_alg alg;
	EVP_PKEY *public_key;
	jws_signer *signer;     /* opened when it first signs */
	char *sealed;           /* NULL once revoked */
	json_t *jwk;
	char *jwk_text;         /* as stored: what a verified token is bound to */
	int64_t activates_at;
	int64_t expires_at;
	bool revoked;
} key_entry;

struct key_set {
	pthread_mutex_t lock;
	key_entry keys[KEY_SET_MAX];
	size_t n;
	int64_t loaded_at;  /* 0: never */
	int64_t unknown_kid_reload_at;
	/* ensure() found nothing to make for clocks in [from, until): its
	 * answer holds there until the set is read again. */
	int64_t ensured_from, ensured_until;
};

key_set *key_set_new(void)
{
	key_set *set = calloc(1, sizeof(*set));

	if (set != NULL && pthread_mutex_init(&set->lock, NULL) != 0) {
		free(set);
		set = NULL;
	}
	return set;
}

static void entries_clear(key_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		EVP_PKEY_free(set->keys[i].public_key);
		jws_signer_free(set->keys[i].signer);
		free(set->keys[i].sealed);
		json_decref(set->keys[i].jwk);
		free(set->keys[i].jwk_text);
	}
	memset(set->keys, 0, sizeof(set->keys));
	set->n = 0;
}

void key_set_free(key_set *set)
{
	if (set == NULL)
		return;
	entries_clear(set);
	pthread_mutex_destroy(&set->lock);
	free(set);
}

static int64_t period_of(const proauth2_provider *p, int64_t t)
{
	return t >= 0 ? t / p->key_rotation_period : 0;
}

/* How long after activating a key may sign, at most. */
static int64_t signing_span(const proauth2_provider *p)
{
	return 2 * p->key_rotation_period;
}

/* When a key stops signing: its successor's activation, or the end of its
 * span. */
static int64_t retired_at(const proauth2_provider *p, const key_set *set,
		const key_entry *k)
{
	int64_t end = k->activates_at + signing_span(p);
	size_t i;

	for (i = 0; i < set->n; i++) {
		const key_entry *o = &set->keys[i];

		if (!o->revoked && o->alg == k->alg &&
				o->activates_at > k->activates_at && o->activates_at < end)
			end = o->activates_at;
	}
	return end;
}

/* The key of alg that signs at now, or NULL. */
static key_entry *signer_at(const proauth2_provider *p, key_set *set,
		jws_alg alg, int64_t now)
{
	key_entry *best = NULL;
	size_t i;

	for (i = 0; i < set->n; i++) {
		key_entry *k = &set->keys[i];

		if (!k->revoked && k->alg == alg && k->activates_at <= now &&
				now < k->activates_at + signing_span(p) &&
				(best == NULL || k->activates_at > best->activates_at))
			best = k;
	}
	return best;
}

/* Whether k is in the JWKS at now: not revoked, and not retired for
 * longer than a token it signed lives. */
static bool published_at(const proauth2_provider *p, const key_set *set,
		const key_entry *k, int64_t now)
{
	return !k->revoked && now < k->expires_at &&
		now < retired_at(p, set, k) + p->signed_lifetime_max + CLOCK_SKEW;
}

jws_alg key_set_default_alg(const proauth2_provider *p)
{
	switch (p->signing_alg) {
	case PROAUTH2_SIGNING_EDDSA:
		return JWS_EDDSA;
	case PROAUTH2_SIGNING_RS256:
		return JWS_RS256;
	default:
		return JWS_ES256;
	}
}

/* The algorithms the set keeps keys of: the configured one, and RS256
 * for OpenID Connect. Returns how many, at most 2. */
static size_t set_algs(const proauth2_provider *p, jws_alg algs[2])
{
	size_t n = 0;

	algs[n++] = key_set_default_alg(p);
	if (p->openid && algs[0] != JWS_RS256)
		algs[n++] = JWS_RS256;
	return n;
}

bool key_set_has_alg(const proauth2_provider *p, jws_alg alg)
{
	jws_alg algs[2];
	size_t i, n = set_algs(p, algs);

	for (i = 0; i < n; i++)
		if (algs[i] == alg)
			return true;
	return false;
}

/* The names' prefixes: none ("k<n>"), and each algorithm's. */
static const char *const prefixes[] = {"", "ES256", "EdDSA", "RS256"};

/* The kid of period n under prefix, the m-th made at once in it (0: the
 * scheduled one). */
static void kid_of(const char *prefix, int64_t n, int m, char kid[KEY_ID_SIZE])
{
	if (m == 0)
		snprintf(kid, KEY_ID_SIZE, "%s%sk%lld", prefix, *prefix ? "-" : "",
				(long long)n);
	else
		snprintf(kid, KEY_ID_SIZE, "%s%sk%lldx%d", prefix, *prefix ? "-" : "",
				(long long)n, m);
}

/* ---- the datastore ---- */

/* Add the stored record to the set (revoked keys too: their kid is taken). */
static proauth2_status entry_add(key_set *set, const json_t *record,
		proauth2_error *err)
{
	key_entry *k = &set->keys[set->n];
	json_t *jwk;
	jws_alg alg;
	proauth2_status status;

	if (set->n == KEY_SET_MAX)
		return PROAUTH2_OK;  /* bounded; the oldest periods come first */
	memset(k, 0, sizeof(*k));
	if (!jws_alg_from_name(record_string(record, "alg"), &alg))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"a signing key has an unknown alg");
	jwk = json_loads(record_string(record, "public_jwk"), 0, NULL);
	status = jwk == NULL ? NO_MEMORY(err) :
		jwk_public_key(jwk, &k->public_key, &k->alg, err);
	if (status == PROAUTH2_OK && k->alg != alg)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"a signing key's JWK is not of its alg");
	if (status == PROAUTH2_OK && record_string(record, "private_key") != NULL &&
			(k->sealed = strdup(record_string(record, "private_key"))) == NULL)
		status = NO_MEMORY(err);
	if (status == PROAUTH2_OK &&
			(k->jwk_text = strdup(record_string(record, "public_jwk"))) == NULL)
		status = NO_MEMORY(err);
	if (status != PROAUTH2_OK) {
		EVP_PKEY_free(k->public_key);
		free(k->sealed);
		free(k->jwk_text);
		json_decref(jwk);
		memset(k, 0, sizeof(*k));
		return status;
	}
	snprintf(k->kid, sizeof(k->kid), "%s", record_string(record, "kid"));
	k->jwk = jwk;
	k->activates_at = json_integer_value(json_object_get(record, "activates_at"));
	k->expires_at = json_integer_value(json_object_get(record, "expires_at"));
	k->revoked = json_integer_value(json_object_get(record, "revoked")) != 0 ||
		k->sealed == NULL;
	set->n++;
	return PROAUTH2_OK;
}

/* Read the record of kid into the set; *found tells whether there is one. */
static proauth2_status load_kid(proauth2_provider *p, key_set *set,
		const char *kid, bool *found, proauth2_error *err)
{
	json_t *record = NULL;
	proauth2_status status = fetch_one(p, TABLE_SIGNING_KEYS, "kid", kid,
			&record, err);

	*found = status == PROAUTH2_OK;
	if (status == PROAUTH2_OK)
		status = entry_add(set, record, err);
	json_decref(record);
	return status == PROAUTH2_ERR_NOT_FOUND ? PROAUTH2_OK : status;
}

/* The periods whose keys may be published at now: back to the oldest
 * whose key may still sign or have signed a live token. */
static int64_t first_period(const proauth2_provider *p, int64_t now)
{
	int64_t reach = 3 * p->key_rotation_period + p->key_propagation_period +
		p->signed_lifetime_max + CLOCK_SKEW;
	int64_t first = period_of(p, now) - reach / p->key_rotation_period - 1;

	return first > 0 ? first : 0;
}

/* Read the set afresh: the key of every period from first_period() to
 * the next under every prefix, with the keys made at once in each. */
static proauth2_status reload(proauth2_provider *p, key_set *set, int64_t now,
		proauth2_error *err)
{
	int64_t n, last = period_of(p, now) + 1;
	proauth2_status status = PROAUTH2_OK;
	char kid[KEY_ID_SIZE];
	size_t a;
	bool found;
	int m;

	entries_clear(set);
	set->ensured_until = 0;
	for (a = 0; a < sizeof(prefixes) / sizeof(prefixes[0]); a++)
		for (n = first_period(p, now); n <= last && status == PROAUTH2_OK; n++) {
			kid_of(prefixes[a], n, 0, kid);
			status = load_kid(p, set, kid, &found, err);
			for (m = 1, found = true; m <= REVOKED_PER_PERIOD_MAX && found &&
					status == PROAUTH2_OK; m++) {
				kid_of(prefixes[a], n, m, kid);
				status = load_kid(p, set, kid, &found, err);
			}
		}
	if (status != PROAUTH2_OK) {
		entries_clear(set);
		set->loaded_at = 0;
		return status;
	}
	set->loaded_at = now;
	return PROAUTH2_OK;
}

/* Make the key kid of alg, signing from activates_at, and store it.
 * Another process's key stored first under kid is no failure: *stored
 * says. */
static proauth2_status make_key(proauth2_provider *p, jws_alg alg,
		const char *kid, int64_t activates_at, bool *stored,
		proauth2_error *err)
{
	EVP_PKEY *key = NULL;
	json_t *jwk = NULL;
	char *sealed = NULL, *jwk_text = NULL;
	int64_t now = proauth2_provider_now(p);
	proauth2_status status = jwk_generate(alg, &key, err);

	*stored = false;
	if (status == PROAUTH2_OK)
		status = jwk_public(key, alg, kid, &jwk, err);
	if (status == PROAUTH2_OK)
		status = key_seal(key, p->kek, kid, &sealed, err);
	if (status == PROAUTH2_OK && (jwk_text = json_dumps(jwk, JSON_COMPACT)) == NULL)
		status = NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = store_record(p, TABLE_SIGNING_KEYS, json_pack(
				"{s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
				"kid", kid,
				"alg", jws_alg_name(alg),
				"public_jwk", jwk_text,
				"private_key", sealed,
				"created_at", (json_int_t)now,
				"activates_at", (json_int_t)activates_at,
				/* Kept for the longest token any process may sign
				 * with it, whatever this one's settings. */
				"expires_at", (json_int_t)(activates_at + signing_span(p) +
					(p->signed_lifetime_max > PROAUTH2_ID_TOKEN_LIFETIME_MAX ?
					 p->signed_lifetime_max : PROAUTH2_ID_TOKEN_LIFETIME_MAX) +
					CLOCK_SKEW)), err);
	*stored = status == PROAUTH2_OK;
	if (status == PROAUTH2_ERR_CONFLICT)
		status = PROAUTH2_OK;  /* another process made it: read it */
	EVP_PKEY_free(key);
	json_decref(jwk);
	free(jwk_text);
	free(sealed);
	return status;
}

static const key_entry *find_kid(const key_set *set, const char *kid)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->keys[i].kid, kid) == 0)
			return &set->keys[i];
	return NULL;
}

/* The prefix of alg's keys in period n: none when "k<n>" is of alg, or
 * when alg is the configured one and nobody took "k<n>" yet; else alg's
 * name. */
static const char *prefix_for(const proauth2_provider *p, const key_set *set,
		jws_alg alg, int64_t n)
{
	char kid[KEY_ID_SIZE];
	const key_entry *k;

	kid_of("", n, 0, kid);
	k = find_kid(set, kid);
	if ((k != NULL && k->alg == alg) ||
			(k == NULL && alg == key_set_default_alg(p)))
		return "";
	return jws_alg_name(alg);
}

/* Whether period n has its scheduled key of alg. */
static bool period_has(const proauth2_provider *p, const key_set *set,
		jws_alg alg, int64_t n)
{
	char kid[KEY_ID_SIZE];
	const key_entry *k;

	kid_of(prefix_for(p, set, alg, n), n, 0, kid);
	k = find_kid(set, kid);
	return k != NULL && k->alg == alg;
}

/* Make the keys of alg the schedule needs at now that nobody made yet:
 * this period's, and the next one's once it is within the propagation
 * period. *made tells whether any was made, by us or another. */
static proauth2_status ensure_alg(proauth2_provider *p, key_set *set,
		jws_alg alg, int64_t now, bool *made, proauth2_error *err)
{
	int64_t n = period_of(p, now), start, next_start;
	char kid[KEY_ID_SIZE];
	proauth2_status status = PROAUTH2_OK;
	bool stored;

	kid_of(prefix_for(p, set, alg, n), n, 0, kid);
	if (!period_has(p, set, alg, n)) {
		start = now + p->key_propagation_period;
		if (signer_at(p, set, alg, now) == NULL)
			start = now;  /* nothing signs: nobody waits for it */
		status = make_key(p, alg, kid, start, &stored, err);
		*made = true;
	}
	next_start = (n + 1) * p->key_rotation_period;
	kid_of(prefix_for(p, set, alg, n + 1), n + 1, 0, kid);
	if (status == PROAUTH2_OK && now >= next_start - p->key_propagation_period &&
			!period_has(p, set, alg, n + 1)) {
		start = now + p->key_propagation_period;
		status = make_key(p, alg, kid, start > next_start ? start : next_start,
				&stored, err);
		*made = true;
	}
	return status;
}

/* The first clock after now at which ensure_alg() may decide otherwise
 * on the same set: the next period's key falls due, or the period turns. */
static int64_t schedule_turns_at(const proauth2_provider *p, int64_t now)
{
	int64_t next_start = (period_of(p, now) + 1) * p->key_rotation_period;
	int64_t next_due = next_start - p->key_propagation_period;

	return now < next_due ? next_due : next_start;
}

/* Every algorithm's keys the schedule needs at now; the set read again if
 * any was made. */
static proauth2_status ensure(proauth2_provider *p, key_set *set, int64_t now,
		proauth2_error *err)
{
	jws_alg algs[2];
	size_t a, n_algs = set_algs(p, algs);
	proauth2_status status = PROAUTH2_OK;
	bool made = true;
	int round;

	if (set->ensured_from <= now && now < set->ensured_until)
		return PROAUTH2_OK;
	/* Twice: a process of another signing_alg may have taken "k<n>"
	 * for its algorithm as we made ours, which then needs its prefix. */
	for (round = 0; round < 2 && made && status == PROAUTH2_OK; round++) {
		made = false;
		for (a = 0; a < n_algs && status == PROAUTH2_OK; a++)
			status = ensure_alg(p, set, algs[a], now, &made, err);
		if (status == PROAUTH2_OK && made)
			status = reload(p, set, now, err);
	}
	if (status == PROAUTH2_OK && !made) {
		set->ensured_from = now;
		set->ensured_until = schedule_turns_at(p, now);
	}
	return status;
}

/* The cached set, fresh: read again past the cache's lifetime. */
static proauth2_status fresh(proauth2_provider *p, key_set *set, int64_t now,
		proauth2_error *err)
{
	proauth2_status status = PROAUTH2_OK;

	if (set->loaded_at == 0 || now - set->loaded_at >= p->key_cache_lifetime ||
			now < set->loaded_at)
		status = reload(p, set, now, err);
	if (status == PROAUTH2_OK)
		status = ensure(p, set, now, err);
	return status;
}

static proauth2_status no_keys(proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
			"signing keys need config.key_encryption_key");
}

/* k's signer, its private key opened on first use. */
static proauth2_status entry_signer(proauth2_provider *p, key_entry *k,
		proauth2_error *err)
{
	EVP_PKEY *key = NULL;
	proauth2_status status;

	if (k->signer != NULL)
		return PROAUTH2_OK;
	status = key_open(k->sealed, p->kek, k->kid, &key, err);
	if (status == PROAUTH2_OK)
		status = jws_signer_new(k->alg, key, &k->signer, err);
	EVP_PKEY_free(key);
	return status;
}

proauth2_status key_set_signer(proauth2_provider *p, jws_alg alg,
		char kid[KEY_ID_SIZE], jws_signer **signer, proauth2_error *err)
{
	key_set *set = p->keys;
	int64_t now = proauth2_provider_now(p);
	proauth2_status status;
	key_entry *k = NULL;

	*signer = NULL;
	if (!p->has_kek)
		return no_keys(err);
	pthread_mutex_lock(&set->lock);
	status = fresh(p, set, now, err);
	if (status == PROAUTH2_OK && !key_set_has_alg(p, alg))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the provider has no %s keys", jws_alg_name(alg));
	if (status == PROAUTH2_OK && (k = signer_at(p, set, alg, now)) == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
				"no signing key could be made");
	if (status == PROAUTH2_OK)
		status = entry_signer(p, k, err);
	/* A reference of the caller's own: a reload may drop the set's once
	 * the lock is let go. */
	if (status == PROAUTH2_OK) {
		*signer = jws_signer_ref(k->signer);
		memcpy(kid, k->kid, KEY_ID_SIZE);
	}
	pthread_mutex_unlock(&set->lock);
	return status;
}

/* The published key kid of alg in the set, a new reference, or NULL. */
static const key_entry *published_key(const proauth2_provider *p,
		const key_set *set, const char *kid, jws_alg alg, int64_t now)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const key_entry *k = &set->keys[i];

		if (strcmp(k->kid, kid) == 0 && k->alg == alg &&
				published_at(p, set, k, now))
			return k;
	}
	return NULL;
}

/* The published key kid names for alg, the set read again when due, or
 * for a kid it lacks at most every UNKNOWN_KID_RELOAD seconds; set->lock
 * held. */
static const key_entry *published_entry(proauth2_provider *p, key_set *set,
		const char *kid, jws_alg alg)
{
	int64_t now = proauth2_provider_now(p);
	const key_entry *k = NULL;

	if (fresh(p, set, now, NULL) == PROAUTH2_OK)
		k = published_key(p, set, kid, alg, now);
	if (k == NULL && now - set->unknown_kid_reload_at >= UNKNOWN_KID_RELOAD) {
		set->unknown_kid_reload_at = now;
		if (reload(p, set, now, NULL) == PROAUTH2_OK)
			k = published_key(p, set, kid, alg, now);
	}
	return k;
}

EVP_PKEY *key_set_public(proauth2_provider *p, const char *kid, jws_alg alg)
{
	key_set *set = p->keys;
	const key_entry *k;
	EVP_PKEY *key = NULL;

	if (!p->has_kek || kid == NULL)
		return NULL;
	pthread_mutex_lock(&set->lock);
	k = published_entry(p, set, kid, alg);
	if (k != NULL && EVP_PKEY_up_ref(k->public_key) == 1)
		key = k->public_key;
	pthread_mutex_unlock(&set->lock);
	return key;
}

char *key_set_public_jwk_text(proauth2_provider *p, const char *kid,
		jws_alg alg)
{
	key_set *set = p->keys;
	const key_entry *k;
	char *text = NULL;

	if (!p->has_kek || kid == NULL)
		return NULL;
	pthread_mutex_lock(&set->lock);
	k = published_entry(p, set, kid, alg);
	if (k != NULL)
		text = strdup(k->jwk_text);
	pthread_mutex_unlock(&set->lock);
	return text;
}

bool key_set_publishes(proauth2_provider *p, const char *kid, jws_alg alg,
		const char *jwk_text)
{
	key_set *set = p->keys;
	const key_entry *k;
	bool same;

	if (!p->has_kek || kid == NULL || jwk_text == NULL)
		return false;
	pthread_mutex_lock(&set->lock);
	k = published_entry(p, set, kid, alg);
	same = k != NULL && strcmp(k->jwk_text, jwk_text) == 0;
	pthread_mutex_unlock(&set->lock);
	return same;
}

proauth2_status key_set_jwks(proauth2_provider *p, json_t **out,
		proauth2_error *err)
{
	key_set *set = p->keys;
	int64_t now = proauth2_provider_now(p);
	json_t *keys = json_array();
	proauth2_status status = keys != NULL ? PROAUTH2_OK : NO_MEMORY(err);
	size_t i;

	*out = NULL;
	if (status == PROAUTH2_OK && p->has_kek) {
		pthread_mutex_lock(&set->lock);
		status = fresh(p, set, now, err);
		for (i = 0; status == PROAUTH2_OK && i < set->n; i++)
			if (published_at(p, set, &set->keys[i], now) &&
					json_array_append(keys, set->keys[i].jwk) != 0)
				status = NO_MEMORY(err);
		pthread_mutex_unlock(&set->lock);
	}
	if (status == PROAUTH2_OK && (*out = json_pack("{s:o}", "keys", keys)) == NULL)
		return NO_MEMORY(err);
	if (status != PROAUTH2_OK)
		json_decref(keys);
	return status;
}

/* Mark the stored key k revoked: its private key goes, its kid stays
 * taken. */
static proauth2_status revoke_key(proauth2_provider *p, const key_entry *k,
		proauth2_error *err)
{
	json_t *record = NULL;
	proauth2_status status = fetch_one(p, TABLE_SIGNING_KEYS, "kid", k->kid,
			&record, err);

	if (status == PROAUTH2_OK && (json_object_del(record, "private_key"),
			json_object_set_new(record, "revoked", json_integer(1)) != 0))
		status = NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = proauth2_datastore_replace(p->datastore, TABLE_SIGNING_KEYS,
				record, err);
	json_decref(record);
	return status;
}

/* Make a key of alg of period n that signs at once, under the first free
 * kid. */
static proauth2_status make_key_now(proauth2_provider *p, key_set *set,
		jws_alg alg, int64_t n, int64_t now, proauth2_error *err)
{
	const char *prefix = prefix_for(p, set, alg, n);
	char kid[KEY_ID_SIZE];
	proauth2_status status = PROAUTH2_OK;
	bool stored = false;
	int m;

	for (m = 1; m <= REVOKED_PER_PERIOD_MAX && !stored && status == PROAUTH2_OK; m++) {
		kid_of(prefix, n, m, kid);
		status = make_key(p, alg, kid, now, &stored, err);
	}
	if (status == PROAUTH2_OK && !stored)
		status = proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
				"at most %d keys revoked in one rotation period",
				REVOKED_PER_PERIOD_MAX);
	return status;
}

/* Every algorithm's signing key revoked, a new one signing at once. */
proauth2_status key_set_rotate_now(proauth2_provider *p, proauth2_error *err)
{
	key_set *set = p->keys;
	int64_t now = proauth2_provider_now(p);
	jws_alg algs[2];
	size_t a, n_algs = set_algs(p, algs);
	proauth2_status status;
	key_entry *k;

	if (!p->has_kek)
		return no_keys(err);
	pthread_mutex_lock(&set->lock);
	status = reload(p, set, now, err);
	if (status == PROAUTH2_OK)
		status = ensure(p, set, now, err);
	for (a = 0; a < n_algs && status == PROAUTH2_OK; a++) {
		if ((k = signer_at(p, set, algs[a], now)) != NULL)
			status = revoke_key(p, k, err);
		if (status == PROAUTH2_OK)
			status = make_key_now(p, set, algs[a], period_of(p, now), now, err);
	}
	if (status == PROAUTH2_OK)
		status = reload(p, set, now, err);
	pthread_mutex_unlock(&set->lock);
	return status;
}

proauth2_status proauth2_signing_keys_rotate_now(proauth2_provider *p,
		proauth2_error *err)
{
	if (p == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider is required");
	return key_set_rotate_now(p, err);
}

proauth2_status proauth2_signing_keys_jwks(proauth2_provider *p, char **json,
		proauth2_error *err)
{
	json_t *doc = NULL;
	proauth2_status status;

	if (p == NULL || json == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and json are required");
	*json = NULL;
	status = key_set_jwks(p, &doc, err);
	if (status == PROAUTH2_OK && (*json = json_dumps(doc, JSON_COMPACT)) == NULL)
		status = NO_MEMORY(err);
	json_decref(doc);
	return status;
}
