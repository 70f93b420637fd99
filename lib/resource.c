/* Registered resources (RFC 8707) and their metadata (RFC 9728 §2). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "redirect_uri.h"
#include "resources.h"
#include "scope.h"
#include "struct_size.h"
#include "words.h"

typedef struct resource_entry {
	char *identifier;
	char *scope;          /* NULL: accepts every scope */
	char *name;
	char *documentation;
	bool is_default;
	bool no_introspection;
	proauth2_token_format token_format;
} resource_entry;

/* Registered once, read by every request: a read lock each. */
struct resource_registry {
	pthread_rwlock_t lock;
	resource_entry items[PROAUTH2_RESOURCES_MAX];
	size_t n;
};

#define WELL_KNOWN "/.well-known/oauth-protected-resource"

resource_registry *resource_registry_new(void)
{
	resource_registry *r = calloc(1, sizeof(*r));

	if (r != NULL && pthread_rwlock_init(&r->lock, NULL) != 0) {
		free(r);
		r = NULL;
	}
	return r;
}

static void resource_clear(resource_entry *res)
{
	free(res->identifier);
	free(res->scope);
	free(res->name);
	free(res->documentation);
}

void resource_registry_free(resource_registry *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		resource_clear(&r->items[i]);
	pthread_rwlock_destroy(&r->lock);
	free(r);
}

/* The registered resource of identifier (len bytes), under the lock. */
static const resource_entry *find(const resource_registry *r, const char *identifier,
		size_t len)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strlen(r->items[i].identifier) == len &&
				memcmp(r->items[i].identifier, identifier, len) == 0)
			return &r->items[i];
	return NULL;
}

void proauth2_resource_params_init_sized(proauth2_resource_params *params,
		size_t struct_size)
{
	sized_init(params, struct_size);
}

static proauth2_status check_params(const proauth2_resource_params *params,
		proauth2_error *err)
{
	const char *why;
	/* token_format was appended: a caller compiled before it ends earlier. */
	proauth2_status status = sized_check(params, SIZED_END(proauth2_resource_params,
			no_introspection), SIZED_END(proauth2_resource_params,
			token_format), "proauth2_resource_params", err);

	if (status != PROAUTH2_OK)
		return status;
	if (SIZED_HAS(params, proauth2_resource_params, token_format) &&
			(params->token_format < PROAUTH2_TOKEN_FORMAT_DEFAULT ||
			 params->token_format > PROAUTH2_TOKEN_FORMAT_JWT))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"resource token_format is not a known format");
	if (params->identifier == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a resource needs its identifier");
	if (strlen(params->identifier) > PROAUTH2_URL_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"resource identifier is longer than %d bytes",
				PROAUTH2_URL_MAX_LENGTH);
	why = resource_uri_refusal(params->identifier);
	if (why == NULL && strchr(params->identifier, '?') != NULL)
		why = "has a query (RFC 8707 section 2)";
	if (why != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"resource identifier %s", why);
	if (params->scope != NULL && !scope_is_valid(params->scope))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"resource scope is not a scope (RFC 6749 section 3.3)");
	if (params->documentation != NULL &&
			resource_uri_refusal(params->documentation) != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"resource documentation is not an https URL");
	return PROAUTH2_OK;
}

/* Add params to r, under the write lock. */
static proauth2_status add(resource_registry *r,
		const proauth2_resource_params *params, proauth2_error *err)
{
	resource_entry *res = &r->items[r->n];
	bool ok = true;
	size_t i;

	if (find(r, params->identifier, strlen(params->identifier)) != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"the resource is registered already");
	for (i = 0; params->is_default && i < r->n; i++)
		if (r->items[i].is_default)
			return proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
					"another resource is the default");
	if (r->n == PROAUTH2_RESOURCES_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
				"a provider holds at most %d resources",
				PROAUTH2_RESOURCES_MAX);
	res->identifier = dup_or_null(params->identifier, &ok);
	res->scope = dup_or_null(params->scope, &ok);
	res->name = dup_or_null(params->name, &ok);
	res->documentation = dup_or_null(params->documentation, &ok);
	res->is_default = params->is_default;
	res->no_introspection = params->no_introspection;
	res->token_format = SIZED_HAS(params, proauth2_resource_params,
			token_format) ? params->token_format : PROAUTH2_TOKEN_FORMAT_DEFAULT;
	if (!ok) {
		resource_clear(res);
		memset(res, 0, sizeof(*res));
		return NO_MEMORY(err);
	}
	r->n++;
	return PROAUTH2_OK;
}

proauth2_status proauth2_resource_register(proauth2_provider *p,
		const proauth2_resource_params *params, proauth2_error *err)
{
	proauth2_status status;

	if (p == NULL || params == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and params are required");
	status = check_params(params, err);
	if (status != PROAUTH2_OK)
		return status;
	if (SIZED_HAS(params, proauth2_resource_params, token_format) &&
			params->token_format == PROAUTH2_TOKEN_FORMAT_JWT && !p->has_kek)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"JWT access tokens need config.key_encryption_key");
	pthread_rwlock_wrlock(&p->resources->lock);
	status = add(p->resources, params, err);
	pthread_rwlock_unlock(&p->resources->lock);
	return status;
}

bool proauth2_resource_is_registered(proauth2_provider *p, const char *identifier)
{
	bool found;

	if (p == NULL || identifier == NULL)
		return false;
	pthread_rwlock_rdlock(&p->resources->lock);
	found = find(p->resources, identifier, strlen(identifier)) != NULL;
	pthread_rwlock_unlock(&p->resources->lock);
	return found;
}

/* ---- audiences ---- */

/* Append the n bytes of word to the list *out (of *len bytes) unless it
 * holds it already. false when memory ran out. */
static bool list_add(char **out, size_t *len, const char *word, size_t n)
{
	char *grown;

	if (*out != NULL && scope_has_token(*out, word, n))
		return true;
	grown = realloc(*out, *len + n + 2);
	if (grown == NULL)
		return false;
	if (*len > 0)
		grown[(*len)++] = ' ';
	memcpy(grown + *len, word, n);
	*len += n;
	grown[*len] = '\0';
	*out = grown;
	return true;
}

/* Each resource of requested registered; *audience the list. Under the
 * read lock. */
static proauth2_status resolve_locked(const resource_registry *r,
		const char *requested, char **audience, proauth2_error *err)
{
	const char *s = requested;
	size_t len = 0, count = 0, i;

	for (; *s != '\0'; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (find(r, s, n) == NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TARGET,
					"resource names no resource of this server");
		if (++count > PROAUTH2_RESOURCES_PER_REQUEST_MAX)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TARGET,
					"more than %d resources",
					PROAUTH2_RESOURCES_PER_REQUEST_MAX);
		if (!list_add(audience, &len, s, n))
			return NO_MEMORY(err);
		s += n;
	}
	for (i = 0; *audience == NULL && i < r->n; i++)
		if (r->items[i].is_default &&
				!list_add(audience, &len, r->items[i].identifier,
					strlen(r->items[i].identifier)))
			return NO_MEMORY(err);
	return PROAUTH2_OK;
}

proauth2_status resources_resolve(proauth2_provider *p, const char *requested,
		char **audience, proauth2_error *err)
{
	proauth2_status status;

	*audience = NULL;
	pthread_rwlock_rdlock(&p->resources->lock);
	status = resolve_locked(p->resources, requested ? requested : "",
			audience, err);
	pthread_rwlock_unlock(&p->resources->lock);
	if (status != PROAUTH2_OK) {
		free(*audience);
		*audience = NULL;
	}
	return status;
}

proauth2_status resources_narrow(const char *requested, const char *granted,
		char **audience, proauth2_error *err)
{
	const char *s = requested != NULL && requested[0] != '\0' ? requested :
		granted;
	size_t len = 0;

	*audience = NULL;
	if (s == NULL)
		return PROAUTH2_OK;
	if (granted == NULL || !scope_is_subset(s, granted))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TARGET,
				"resource was not granted");
	for (; *s != '\0'; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (!list_add(audience, &len, s, n)) {
			free(*audience);
			*audience = NULL;
			return NO_MEMORY(err);
		}
		s += n;
	}
	return PROAUTH2_OK;
}

/* The scopes that audience's resources accept, as a list; NULL when one
 * of them accepts every scope (or the audience is empty). Under the read
 * lock. */
static bool accepted_locked(const resource_registry *r, const char *audience,
		char **accepted, size_t *len)
{
	const char *s = audience;

	for (; *s != '\0'; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");
		const resource_entry *res = find(r, s, n);
		const char *t;

		if (res == NULL || res->scope == NULL) {
			free(*accepted);
			*accepted = NULL;
			return true;
		}
		for (t = res->scope; *t != '\0'; t += strspn(t, " ")) {
			size_t m = strcspn(t, " ");

			if (!list_add(accepted, len, t, m))
				return false;
			t += m;
		}
		if (*accepted == NULL && (*accepted = strdup("")) == NULL)
			return false;
		s += n;
	}
	return true;
}

proauth2_status resources_scope(proauth2_provider *p, const char *audience,
		const char *scope, char **out, proauth2_error *err)
{
	char *accepted = NULL;
	const char *s;
	size_t alen = 0, len = 0;
	bool ok;

	*out = NULL;
	if (audience != NULL) {
		pthread_rwlock_rdlock(&p->resources->lock);
		ok = accepted_locked(p->resources, audience, &accepted, &alen);
		pthread_rwlock_unlock(&p->resources->lock);
		if (!ok) {
			free(accepted);
			return NO_MEMORY(err);
		}
	}
	if (accepted == NULL) {
		*out = strdup(scope);
		return *out != NULL ? PROAUTH2_OK : NO_MEMORY(err);
	}
	ok = (*out = strdup("")) != NULL;
	for (s = scope; ok && *s != '\0'; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (scope_has_token(accepted, s, n))
			ok = list_add(out, &len, s, n);
		s += n;
	}
	free(accepted);
	if (!ok) {
		free(*out);
		*out = NULL;
		return NO_MEMORY(err);
	}
	return PROAUTH2_OK;
}

bool resources_accept(proauth2_provider *p, const char *audience,
		const char *resource)
{
	if (resource == NULL)
		return false;
	if (audience != NULL)
		return scope_has_token(audience, resource, strlen(resource));
	return !proauth2_resource_is_registered(p, resource);
}

bool resources_want_jwt(proauth2_provider *p, const char *audience,
		bool jwt_default)
{
	const char *s;
	bool jwt = true;

	pthread_rwlock_rdlock(&p->resources->lock);
	for (s = audience; jwt && *s != '\0'; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");
		const resource_entry *res = find(p->resources, s, n);

		jwt = res != NULL && (res->token_format == PROAUTH2_TOKEN_FORMAT_JWT ||
				(res->token_format == PROAUTH2_TOKEN_FORMAT_DEFAULT &&
				 jwt_default));
		s += n;
	}
	pthread_rwlock_unlock(&p->resources->lock);
	return jwt;
}

json_t *resources_list_json(const char *list)
{
	if (list == NULL)
		return NULL;
	if (strchr(list, ' ') == NULL)
		return json_string(list);
	return words_array(list);
}

bool resources_allow_introspection(proauth2_provider *p, const char *resource)
{
	const resource_entry *res;
	bool allowed;

	pthread_rwlock_rdlock(&p->resources->lock);
	res = find(p->resources, resource, strlen(resource));
	allowed = res == NULL || !res->no_introspection;
	pthread_rwlock_unlock(&p->resources->lock);
	return allowed;
}

/* ---- metadata (RFC 9728) ---- */

/* The metadata URL of identifier, registered (scheme://authority[/path],
 * no query): /.well-known/oauth-protected-resource between authority and
 * path, whose trailing slash goes (§3.1). NULL when memory runs out. */
static char *metadata_url(const char *identifier)
{
	const char *authority = strstr(identifier, "://") + 3;
	const char *path = authority + strcspn(authority, "/");
	size_t prefix = (size_t)(path - identifier), path_len = strlen(path);
	size_t wk = strlen(WELL_KNOWN);
	char *url;

	if (path_len > 0 && path[path_len - 1] == '/')
		path_len--;
	url = malloc(prefix + wk + path_len + 1);
	if (url == NULL)
		return NULL;
	memcpy(url, identifier, prefix);
	memcpy(url + prefix, WELL_KNOWN, wk);
	memcpy(url + prefix + wk, path, path_len);
	url[prefix + wk + path_len] = '\0';
	return url;
}

proauth2_status proauth2_resource_metadata_url(proauth2_provider *p,
		const char *identifier, char **url, proauth2_error *err)
{
	if (url == NULL || p == NULL || identifier == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, identifier and url are required");
	*url = NULL;
	if (!proauth2_resource_is_registered(p, identifier))
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"the resource is not registered");
	*url = metadata_url(identifier);
	return *url != NULL ? PROAUTH2_OK : NO_MEMORY(err);
}

/* Whether url's path (after scheme://authority) is path. */
static bool url_path_is(const char *url, const char *path)
{
	const char *authority = strstr(url, "://") + 3;

	return strcmp(authority + strcspn(authority, "/"), path) == 0;
}

proauth2_status proauth2_resource_by_metadata_path(proauth2_provider *p,
		const char *path, char **identifier, proauth2_error *err)
{
	resource_registry *r;
	proauth2_status status = PROAUTH2_ERR_NOT_FOUND;
	size_t i;

	if (identifier == NULL || p == NULL || path == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, path and identifier are required");
	*identifier = NULL;
	if (strncmp(path, WELL_KNOWN, strlen(WELL_KNOWN)) != 0)
		return proauth2_error_set(err, status, "no resource has this path");
	r = p->resources;
	pthread_rwlock_rdlock(&r->lock);
	for (i = 0; i < r->n && status == PROAUTH2_ERR_NOT_FOUND; i++) {
		char *url = metadata_url(r->items[i].identifier);

		if (url == NULL)
			status = PROAUTH2_ERR_NOMEM;
		else if (url_path_is(url, path))
			status = (*identifier = strdup(r->items[i].identifier)) != NULL ?
				PROAUTH2_OK : PROAUTH2_ERR_NOMEM;
		free(url);
	}
	pthread_rwlock_unlock(&r->lock);
	if (status == PROAUTH2_ERR_NOMEM)
		return NO_MEMORY(err);
	if (status != PROAUTH2_OK)
		return proauth2_error_set(err, status, "no resource has this path");
	return PROAUTH2_OK;
}

/* A space-delimited list as a JSON array. */
/* The document of res, under the read lock. */
static json_t *metadata_locked(const proauth2_provider *p, const resource_entry *res)
{
	const char *scope = res->scope != NULL ? res->scope : p->supported_scopes;

	return json_pack("{s:s, s:[s], s:o*, s:[s], s:s*, s:s*}",
			"resource", res->identifier,
			"authorization_servers", p->issuer,
			"scopes_supported", scope != NULL ? words_array(scope) : NULL,
			"bearer_methods_supported", "header",
			"resource_name", res->name,
			"resource_documentation", res->documentation);
}

proauth2_status proauth2_resource_metadata(proauth2_provider *p,
		const char *identifier, char **json, proauth2_error *err)
{
	const resource_entry *res;
	json_t *doc = NULL;

	if (json == NULL || p == NULL || identifier == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, identifier and json are required");
	*json = NULL;
	pthread_rwlock_rdlock(&p->resources->lock);
	res = find(p->resources, identifier, strlen(identifier));
	if (res != NULL)
		doc = metadata_locked(p, res);
	pthread_rwlock_unlock(&p->resources->lock);
	if (res == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"the resource is not registered");
	*json = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return *json != NULL ? PROAUTH2_OK : NO_MEMORY(err);
}
