/* Provider configuration and lifetime. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "internal.h"
#include "scope.h"
#include "struct_size.h"

void proauth2_config_init_sized(proauth2_config *cfg, size_t struct_size)
{
	sized_init(cfg, struct_size);
	if (cfg == NULL || !SIZED_HAS(cfg, proauth2_config, refresh_token_lifetime))
		return;
	cfg->code_lifetime = 60;
	cfg->access_token_lifetime = 3600;
	cfg->refresh_token_lifetime = 30 * 24 * 3600;
}

static int64_t system_clock(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

static proauth2_status check_config(const proauth2_config *cfg,
		proauth2_error *err)
{
	/* The first version ended at log_arg; later fields are appended. */
	proauth2_status status = sized_check(cfg,
			SIZED_END(proauth2_config, log_arg),
			SIZED_END(proauth2_config, error_redirects), "proauth2_config", err);

	if (status != PROAUTH2_OK)
		return status;
	if (cfg->datastore == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.datastore is required");
	if (cfg->code_lifetime <= 0 || cfg->access_token_lifetime <= 0 ||
			cfg->refresh_token_lifetime < 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"lifetimes must be positive (refresh: 0 disables it)");
	if (SIZED_HAS(cfg, proauth2_config, error_redirects) &&
			(cfg->error_redirects < PROAUTH2_ERROR_REDIRECTS_TRUSTED ||
			 cfg->error_redirects > PROAUTH2_ERROR_REDIRECTS_NEVER))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.error_redirects is not a known policy");
	if (cfg->supported_scopes != NULL && !scope_is_valid(cfg->supported_scopes))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config.supported_scopes is not a valid scope list");
	return PROAUTH2_OK;
}

proauth2_status proauth2_provider_new(const proauth2_config *cfg,
		proauth2_provider **out, proauth2_error *err)
{
	proauth2_provider *p;
	proauth2_status status;
	bool ok = true;

	if (out == NULL || cfg == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"config and out are required");
	*out = NULL;
	status = check_config(cfg, err);
	if (status != PROAUTH2_OK)
		return status;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NO_MEMORY(err);
	p->issuer = dup_or_null(cfg->issuer, &ok);
	p->supported_scopes = dup_or_null(cfg->supported_scopes, &ok);
	if (!ok) {
		proauth2_provider_free(p);
		return NO_MEMORY(err);
	}
	p->datastore = cfg->datastore;
	p->code_lifetime = cfg->code_lifetime;
	p->access_token_lifetime = cfg->access_token_lifetime;
	p->refresh_token_lifetime = cfg->refresh_token_lifetime;
	p->require_pkce = cfg->require_pkce;
	p->allow_plain_pkce = cfg->allow_plain_pkce;
	p->clock = cfg->clock != NULL ? cfg->clock : system_clock;
	p->clock_arg = cfg->clock_arg;
	p->enable_password_grant = cfg->enable_password_grant;
	p->check_password = cfg->check_password;
	p->password_arg = cfg->password_arg;
	p->enable_registration = cfg->enable_registration;
	p->log = cfg->log;
	p->log_arg = cfg->log_arg;
	/* Fields a caller built before them may lack keep their defaults. */
	if (SIZED_HAS(cfg, proauth2_config, error_redirects))
		p->error_redirects = cfg->error_redirects;
	*out = p;
	return PROAUTH2_OK;
}

void proauth2_provider_free(proauth2_provider *p)
{
	if (p == NULL)
		return;
	free(p->issuer);
	free(p->supported_scopes);
	free(p);
}

int64_t proauth2_provider_now(const proauth2_provider *p)
{
	return p->clock(p->clock_arg);
}

const char *proauth2_provider_issuer(const proauth2_provider *p)
{
	return p->issuer;
}

bool proauth2_provider_registration_enabled(const proauth2_provider *p)
{
	return p->enable_registration;
}

bool proauth2_provider_password_grant_enabled(const proauth2_provider *p)
{
	return p->enable_password_grant && p->check_password != NULL;
}

bool proauth2_provider_plain_pkce_allowed(const proauth2_provider *p)
{
	return p->allow_plain_pkce;
}

const char *proauth2_provider_supported_scopes(const proauth2_provider *p)
{
	return p->supported_scopes;
}

proauth2_status proauth2_provider_purge_expired(proauth2_provider *p,
		size_t *removed, proauth2_error *err)
{
	return report_datastore(p, proauth2_datastore_purge_expired(p->datastore,
			proauth2_provider_now(p), removed, err), err);
}
