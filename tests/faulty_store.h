/* A datastore that runs another backend's methods and fails the n-th
 * call on demand, as a network or a disk would: before the call reaches
 * the backend (nothing happened), or after it ran, with its answer lost
 * (it happened, but the caller cannot know). Open it with
 * faulty_store_ops(inner) on inner's URI. One at a time per process. */
#ifndef PROAUTH2_TESTS_FAULTY_STORE_H
#define PROAUTH2_TESTS_FAULTY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <proauth2/backend.h>

typedef enum faulty_when {
	FAULTY_OFF,
	/* PROAUTH2_ERR_UNAVAILABLE, the backend untouched. */
	FAULTY_BEFORE,
	/* The backend ran it; a write (or a group's end) answers
	 * PROAUTH2_ERR_OUTCOME_UNKNOWN, a read PROAUTH2_ERR_UNAVAILABLE. */
	FAULTY_AFTER,
} faulty_when;

/* The ops of the wrapper around inner (which must outlive it). */
const proauth2_datastore_ops *faulty_store_ops(const proauth2_datastore_ops *inner);

/* Fail the n-th call counted from now (1: the next one), when says how;
 * FAULTY_OFF or n 0: none. Calls are store, fetch, fetch_unmarked,
 * remove, replace, count, purge_expired and end_writes (begin_writes
 * never fails). */
void faulty_store_fail(unsigned n, faulty_when when);

/* Whether the wrapper offers fetch_unmarked (when inner has it; on at
 * first): off, the core reads marks as for a backend without it. */
void faulty_store_join(bool on);
/* Whether the wrapper offers fetch_unmarked now. */
bool faulty_store_joins(void);

/* Calls counted since the last faulty_store_fail(), and whether the armed
 * failure has fired. */
unsigned faulty_store_calls(void);
int faulty_store_fired(void);

/* What the n-th call (1-based, since the last faulty_store_fail()) was:
 * "store codes", "end_writes", ... (static; "" past the last). At most
 * 64 are kept. */
const char *faulty_store_call_name(unsigned n);

/* Check fixtures: support.h's env, its backend wrapped in the faulty
 * store (no failure armed), and back. */
void faulty_env_setup(void);
void faulty_env_teardown(void);

#endif
