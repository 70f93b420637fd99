/** \file
 * proauth2 — the provider: configuration and lifetime.
 *
 * A provider keeps no state of its own outside its datastore, so any number
 * of providers (threads, processes, machines) may share one datastore.
 * Every provider function may be called from many threads at once.
 */
#ifndef PROAUTH2_PROVIDER_H
#define PROAUTH2_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proauth2/common.h>
#include <proauth2/datastore.h>
#include <proauth2/error.h>
#include <proauth2/event.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An authorization server: a configuration over a datastore. Opaque. */
typedef struct proauth2_provider proauth2_provider;

/** Returns the current time in seconds since the Unix epoch. */
typedef int64_t (*proauth2_clock_fn)(void *arg);

/** Whether password is username's; for the password grant. */
typedef bool (*proauth2_password_fn)(void *arg, const char *username,
		const char *password);

/** Which clients an error at the authorization endpoint is redirected to
 * (RFC 9700 §4.11.2: never an open redirector); the others' errors are a
 * page the host shows, with the redirect as a link for the user to follow. */
typedef enum proauth2_error_redirects {
	/** Only clients the provider trusts: those the host registered
	 * (proauth2_client_register()), not those registered dynamically
	 * (RFC 7591). The default. */
	PROAUTH2_ERROR_REDIRECTS_TRUSTED = 0,
	/** Every client with a registered redirect URI (RFC 6749 §4.1.2.1). */
	PROAUTH2_ERROR_REDIRECTS_ALWAYS,
	/** No client: every error is a page. */
	PROAUTH2_ERROR_REDIRECTS_NEVER
} proauth2_error_redirects;

/** Fill with proauth2_config_init(), which sets the defaults below; it grows
 * as common.h describes. */
typedef struct proauth2_config {
	/** sizeof(proauth2_config) as the caller was compiled; set by init. */
	size_t struct_size;
	/** The issuer identifier (RFC 8414), an https URL. May be NULL. */
	const char *issuer;
	/** The datastore every record goes to. Borrowed: it must outlive the
	 * provider. Required. */
	proauth2_datastore *datastore;
	/** @name Lifetimes in seconds */
	/** @{ */
	int64_t code_lifetime;          /**< default 60 */
	int64_t access_token_lifetime;  /**< default 3600 */
	int64_t refresh_token_lifetime; /**< default 30 days; 0: no refresh tokens */
	/** @} */
	/** Space-delimited scopes the provider knows; NULL accepts any
	 * syntactically valid scope a client was registered with. */
	const char *supported_scopes;
	/** Require PKCE from confidential clients too (public ones always). */
	bool require_pkce;
	/** Accept code_challenge_method=plain (RFC 7636 §4.2). Off: S256 only. */
	bool allow_plain_pkce;
	/** Time source; NULL uses the system clock. For tests. */
	proauth2_clock_fn clock;
	void *clock_arg;  /**< passed to clock */
	/** The resource owner password grant (RFC 6749 §4.3), for legacy
	 * clients: off unless enabled here, check_password is set, and the
	 * client was registered with PROAUTH2_GRANT_PASSWORD. */
	bool enable_password_grant;
	proauth2_password_fn check_password;  /**< judges the credentials */
	void *password_arg;                   /**< passed to check_password */
	/** Dynamic client registration (RFC 7591, RFC 7592) at /register. */
	bool enable_registration;
	/** Events a host must see (see event.h): called with log_arg. NULL:
	 * the library stays silent. */
	proauth2_log_fn log;
	void *log_arg;  /**< passed to log */
	/** Which clients authorization errors are redirected to; default
	 * PROAUTH2_ERROR_REDIRECTS_TRUSTED. */
	proauth2_error_redirects error_redirects;
} proauth2_config;

/** Fill cfg with the defaults above (datastore NULL) and its struct_size.
 * Call it first; see common.h. */
#define proauth2_config_init(cfg) \
	proauth2_config_init_sized((cfg), sizeof(proauth2_config))
/** What proauth2_config_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_config_init_sized(proauth2_config *cfg,
		size_t struct_size);

/**
 * Create a provider from cfg (copied: cfg's strings need not outlive the
 * call, the datastore must). On success *out receives the provider, freed
 * with proauth2_provider_free(); on failure *out is NULL.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_provider_new(
		const proauth2_config *cfg, proauth2_provider **out,
		proauth2_error *err);

/** Free a provider (not its datastore). Accepts NULL. */
PROAUTH2_EXPORT void proauth2_provider_free(proauth2_provider *provider);

/** The provider's current time, from its clock. */
PROAUTH2_EXPORT int64_t proauth2_provider_now(const proauth2_provider *provider);

/** The configured issuer, or NULL. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_provider_issuer(const proauth2_provider *provider);

/* What the configuration enabled, for the endpoint layer and hosts. */

/** Dynamic client registration (config.enable_registration). */
PROAUTH2_EXPORT bool proauth2_provider_registration_enabled(
		const proauth2_provider *provider);

/** The password grant: enabled and a check_password callback set. */
PROAUTH2_EXPORT bool proauth2_provider_password_grant_enabled(
		const proauth2_provider *provider);

/** code_challenge_method=plain is accepted (config.allow_plain_pkce). */
PROAUTH2_EXPORT bool proauth2_provider_plain_pkce_allowed(
		const proauth2_provider *provider);

/** The space-delimited supported scopes, or NULL when any is. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_provider_supported_scopes(
		const proauth2_provider *provider);

/** Delete expired codes and tokens from the datastore (if the backend can);
 * removed (may be NULL) receives how many. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_provider_purge_expired(
		proauth2_provider *provider, size_t *removed, proauth2_error *err);

/**
 * Hand event to the provider's log callback, if it has one. For endpoint
 * layers built on the engine (the library's HTTP layer is one): the engine
 * reports its own events. event->message must not be NULL and no field
 * may hold a secret.
 */
PROAUTH2_EXPORT void proauth2_provider_report(const proauth2_provider *provider,
		const proauth2_event *event);

#ifdef __cplusplus
}
#endif

#endif
