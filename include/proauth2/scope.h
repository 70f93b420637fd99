/** \file
 * proauth2 — space-delimited scope strings (RFC 6749 §3.3).
 */
#ifndef PROAUTH2_SCOPE_H
#define PROAUTH2_SCOPE_H

#include <stdbool.h>

#include <proauth2/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Whether every scope token of required appears in scope: what a resource
 * server asks of a token's scope. NULL or "" requires nothing; a NULL
 * scope holds nothing. */
PROAUTH2_EXPORT bool proauth2_scope_includes(const char *scope,
		const char *required);

#ifdef __cplusplus
}
#endif

#endif
