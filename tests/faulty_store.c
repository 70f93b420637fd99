/* A datastore failing the n-th call on demand: see faulty_store.h. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "faulty_store.h"
#include "support.h"

#define KEPT_NAMES 64

static struct {
	pthread_mutex_t lock;
	const proauth2_datastore_ops *inner;
	proauth2_datastore_ops ops;
	unsigned calls, n;
	faulty_when when;
	int fired;
	char names[KEPT_NAMES][48];
} fs = {.lock = PTHREAD_MUTEX_INITIALIZER};

void faulty_store_fail(unsigned n, faulty_when when)
{
	pthread_mutex_lock(&fs.lock);
	fs.calls = 0;
	fs.n = when == FAULTY_OFF ? 0 : n;
	fs.when = when;
	fs.fired = 0;
	pthread_mutex_unlock(&fs.lock);
}

unsigned faulty_store_calls(void)
{
	unsigned calls;

	pthread_mutex_lock(&fs.lock);
	calls = fs.calls;
	pthread_mutex_unlock(&fs.lock);
	return calls;
}

int faulty_store_fired(void)
{
	int fired;

	pthread_mutex_lock(&fs.lock);
	fired = fs.fired;
	pthread_mutex_unlock(&fs.lock);
	return fired;
}

const char *faulty_store_call_name(unsigned n)
{
	return n >= 1 && n <= KEPT_NAMES && n <= fs.calls ? fs.names[n - 1] : "";
}

/* Count a call; how it is to fail, if it is the armed one. */
static faulty_when count_call(const char *method, const proauth2_table *t)
{
	faulty_when when = FAULTY_OFF;

	pthread_mutex_lock(&fs.lock);
	fs.calls++;
	if (fs.calls <= KEPT_NAMES)
		snprintf(fs.names[fs.calls - 1], sizeof(fs.names[0]), "%s%s%s",
				method, t != NULL ? " " : "", t != NULL ? t->name : "");
	if (fs.calls == fs.n) {
		when = fs.when;
		fs.fired = 1;
	}
	pthread_mutex_unlock(&fs.lock);
	return when;
}

static proauth2_status refused(const char *method, proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
			"faulty: %s failed before it ran", method);
}

/* A write's answer, once it has run, as the fault says. */
static proauth2_status answered(faulty_when when, proauth2_status status,
		const char *method, proauth2_error *err)
{
	if (when != FAULTY_AFTER)
		return status;
	return proauth2_error_set(err, PROAUTH2_ERR_OUTCOME_UNKNOWN,
			"faulty: %s ran (%s), its answer was lost", method,
			proauth2_status_str(status));
}

static proauth2_status f_init(const char *uri, void **cls, proauth2_error *err)
{
	return fs.inner->init(uri, cls, err);
}

static void f_close(void *cls)
{
	fs.inner->close(cls);
}

static proauth2_status f_store(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	faulty_when when = count_call("store", t);

	if (when == FAULTY_BEFORE)
		return refused("store", err);
	return answered(when, fs.inner->store(cls, t, record, err), "store", err);
}

/* fetch, or fetch_unmarked when marks is not NULL. */
static proauth2_status fault_fetch(void *cls, const proauth2_table *t,
		json_t *query, const proauth2_table *marks, int64_t now,
		json_t **record, proauth2_error *err)
{
	faulty_when when = count_call(marks != NULL ? "fetch_unmarked" : "fetch", t);
	proauth2_status status;

	*record = NULL;
	if (when == FAULTY_BEFORE)
		return refused("fetch", err);
	status = marks == NULL ? fs.inner->fetch(cls, t, query, record, err) :
		fs.inner->fetch_unmarked(cls, t, query, marks, now, record, err);
	if (when == FAULTY_OFF)
		return status;
	/* A read that ran but whose answer was lost changed nothing. */
	json_decref(*record);
	*record = NULL;
	return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
			"faulty: fetch's answer was lost");
}

static proauth2_status f_fetch(void *cls, const proauth2_table *t,
		json_t *query, json_t **record, proauth2_error *err)
{
	return fault_fetch(cls, t, query, NULL, 0, record, err);
}

static proauth2_status f_fetch_unmarked(void *cls, const proauth2_table *t,
		json_t *query, const proauth2_table *marks, int64_t now,
		json_t **record, proauth2_error *err)
{
	return fault_fetch(cls, t, query, marks, now, record, err);
}

static proauth2_status f_remove(void *cls, const proauth2_table *t,
		json_t *query, size_t *removed, proauth2_error *err)
{
	faulty_when when = count_call("remove", t);

	*removed = 0;
	if (when == FAULTY_BEFORE)
		return refused("remove", err);
	return answered(when, fs.inner->remove(cls, t, query, removed, err),
			"remove", err);
}

static proauth2_status f_replace(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	faulty_when when = count_call("replace", t);

	if (when == FAULTY_BEFORE)
		return refused("replace", err);
	return answered(when, fs.inner->replace(cls, t, record, err), "replace",
			err);
}

static proauth2_status f_purge(void *cls, const proauth2_table *t,
		int64_t now, size_t *removed, proauth2_error *err)
{
	faulty_when when = count_call("purge_expired", t);

	*removed = 0;
	if (when == FAULTY_BEFORE)
		return refused("purge_expired", err);
	return answered(when, fs.inner->purge_expired(cls, t, now, removed, err),
			"purge_expired", err);
}

static proauth2_status f_begin(void *cls, proauth2_error *err)
{
	return fs.inner->begin_writes(cls, err);
}

/* The group must end in the backend whatever happens: a fault here is
 * always a lost answer. */
static proauth2_status f_end(void *cls, proauth2_error *err)
{
	faulty_when when = count_call("end_writes", NULL);
	proauth2_status status = fs.inner->end_writes(cls, err);

	return answered(when == FAULTY_OFF ? when : FAULTY_AFTER, status,
			"end_writes", err);
}

static proauth2_status f_count(void *cls, const proauth2_table *t,
		json_t *query, int64_t now, size_t limit, size_t *n,
		proauth2_error *err)
{
	faulty_when when = count_call("count", t);

	*n = 0;
	if (when != FAULTY_OFF)
		return refused("count", err);
	return fs.inner->count(cls, t, query, now, limit, n, err);
}

const proauth2_datastore_ops *faulty_store_ops(const proauth2_datastore_ops *inner)
{
	fs.inner = inner;
	fs.ops = (proauth2_datastore_ops){
		.api_version = PROAUTH2_DATASTORE_API_VERSION,
		.struct_size = sizeof(proauth2_datastore_ops),
		.name = "faulty",
		.init = f_init,
		.store = f_store,
		.fetch = f_fetch,
		.remove = f_remove,
		.replace = f_replace,
		.close = f_close,
		.purge_expired = inner->purge_expired != NULL ? f_purge : NULL,
		.begin_writes = inner->begin_writes != NULL ? f_begin : NULL,
		.end_writes = inner->end_writes != NULL ? f_end : NULL,
		.count = inner->count != NULL ? f_count : NULL,
		.fetch_unmarked = inner->fetch_unmarked != NULL ? f_fetch_unmarked : NULL,
	};
	return &fs.ops;
}

void faulty_store_join(bool on)
{
	fs.ops.fetch_unmarked = on && fs.inner->fetch_unmarked != NULL ?
		f_fetch_unmarked : NULL;
}

bool faulty_store_joins(void)
{
	return fs.ops.fetch_unmarked != NULL;
}

static const proauth2_datastore_ops *unwrapped;

void faulty_env_setup(void)
{
	env_setup();
	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	unwrapped = env.ops;
	env.ops = faulty_store_ops(unwrapped);
	env.provider = env_open_provider(&env.ds);
}

void faulty_env_teardown(void)
{
	faulty_store_fail(0, FAULTY_OFF);
	env.ops = unwrapped;
	env_teardown();
}
