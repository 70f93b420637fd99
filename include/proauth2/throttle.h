/** \file
 * proauth2 — throttling failed attempts at a secret.
 *
 * The library counts failures where it checks a secret itself: client
 * authentication with a secret (client_secret_basic, client_secret_post)
 * at the token, revocation and introspection endpoints, RFC 7592
 * registration access tokens, and the password grant's user credentials.
 * A host checking a secret of its own (its login form) uses the same
 * counters through the two functions below.
 *
 * Counters are kept per subject, a string naming what is guessed at. The
 * library uses "client:<client_id>" and "user:<username>"; a host's login
 * form should use "user:<username>" too, so that guesses at one account
 * count together however they arrive. Subjects are stored as SHA-256
 * hashes in the datastore's auth_failures table, so the counters hold
 * across threads, processes and machines sharing the datastore, and the
 * table holds no names.
 *
 * The rule, with the defaults of proauth2_config (auth_failure_limit 5,
 * auth_failure_window 900 s, auth_lockout_max 900 s):
 * - Failures count in a run while each comes less than auth_failure_window
 *   after the previous one (or after the end of the lock that one set).
 * - The n-th failure of a run, from n = auth_failure_limit on, locks the
 *   subject for min(2^(n - limit) s, auth_lockout_max): 1 s, 2 s, 4 s, ...
 *   up to 15 min.
 * - While locked, an attempt is refused before the secret is looked at, as
 *   a wrong secret would be, and is not counted: a lock ends when it says,
 *   whatever arrives meanwhile, so nobody can lock an account for more
 *   than auth_lockout_max past their last guess.
 * - A success resets the subject's counter.
 * - Every subject is counted alike, whether or not the client or user
 *   exists: the answers tell nothing about existence.
 *
 * Concurrent failures on one subject may be counted as fewer (each
 * update reads, then replaces); a lock, once set, holds.
 */
#ifndef PROAUTH2_THROTTLE_H
#define PROAUTH2_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Whether subject may try its secret now. *retry_after receives 0 when it
 * may, or the seconds until its lock ends (at least 1): refuse the attempt
 * without checking the secret, and answer as a wrong secret would (the
 * library adds "retry after N s" and a Retry-After header). With
 * throttling disabled (auth_failure_limit 0) always 0. A datastore
 * failure is returned as its status (*retry_after 0). Thread-safe.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_throttle_check(
		proauth2_provider *provider, const char *subject,
		int64_t *retry_after, proauth2_error *err);

/**
 * Record the outcome of an attempt subject made at its secret: a failure
 * counts toward a lock as described above; a success removes the
 * subject's counter (a write only when there is one). Call it only for
 * attempts proauth2_throttle_check() let through. Thread-safe.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_throttle_record(
		proauth2_provider *provider, const char *subject, bool success,
		proauth2_error *err);

/**
 * The seconds a refusal by the throttle asks to wait: a call the throttle
 * refused (at the token, revocation, introspection or registration
 * endpoints, or any engine call that checks a secret) fails with the
 * status a wrong secret gives and err->text "too many failed attempts;
 * retry after N s". Returns N, or 0 when err is NULL or not such a
 * refusal. The HTTP layer sends it as Retry-After. Thread-safe.
 */
PROAUTH2_EXPORT int64_t proauth2_throttle_retry_after(const proauth2_error *err);

#ifdef __cplusplus
}
#endif

#endif
