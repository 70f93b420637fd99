/* The Domain Connect routes, and the consent's grant attributes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain_connect.h"
#include "flow.h"
#include "lenient.h"
#include "pages.h"
#include "server.h"
#include "zone.h"

/* RFC 1035: 253 characters in a name, 63 in a label. */
#define NAME_MAX_LENGTH 253
#define LABEL_MAX_LENGTH 63
/* A record's text: the template's name and its variables. */
#define DATA_MAX_LENGTH 1024
#define MAX_CAPTURES 2

/* Apply parameters that are no template variable. */
static const char *const not_variables[] = {
	"domain", "host", "force", "groupId", "providerName", "serviceName",
	"redirect_uri", "state", "sig", "key", NULL,
};

/*
 * A DNS name of labels of letters, digits and '-' (and '_' where
 * underscores may be: service names such as _dmarc): domain, at least two
 * labels; host, relative to it, may be "" (the apex).
 */
static bool name_ok(const char *s, bool is_host)
{
	size_t len = s != NULL ? strlen(s) : 0, label = 0, labels = 1, i;

	if (s == NULL)
		return false;
	if (len == 0)
		return is_host;
	if (len > NAME_MAX_LENGTH || s[0] == '.' || s[len - 1] == '.' ||
			s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (s[i - 1] == '.' || s[i - 1] == '-')
				return false;  /* an empty label, or one ending in '-' */
			label = 0;
			labels++;
		} else if (isalnum(ch) || (ch == '-' && label > 0) ||
				(ch == '_' && is_host)) {
			if (++label > LABEL_MAX_LENGTH)
				return false;
		} else {
			return false;
		}
	}
	return is_host || labels >= 2;
}

/* Whether host (NULL or "": the apex) in domain is a DNS name, one that
 * fits in NAME_MAX_LENGTH written out; else why not. */
static const char *zone_name_problem(const char *domain, const char *host)
{
	if (!name_ok(domain, false))
		return "domain is missing or is not a domain name.";
	if (host != NULL && !name_ok(host, true))
		return "host is not a host name.";
	if (host != NULL && host[0] != '\0' &&
			strlen(host) + 1 + strlen(domain) > NAME_MAX_LENGTH)
		return "host and domain together are longer than a DNS name.";
	return NULL;
}

/* The kept client whose id is provider, or NULL. */
static const proauth2_client *service_provider(const struct demo_app *app,
		const char *provider)
{
	for (size_t i = 0; app->kept != NULL && i < app->opt->n_clients; i++)
		if (strcmp(app->kept[i]->client_id, provider) == 0)
			return app->kept[i];
	return NULL;
}

/* Whether service (a captured name: one scope token) is one of the scopes
 * client may ask for. */
static bool has_template(const proauth2_client *client, const char *service)
{
	return client != NULL && service[0] != '\0' &&
		proauth2_scope_includes(client->scope, service);
}

static enum MHD_Result json_error(struct MHD_Connection *c, unsigned status,
		const char *error, const char *description)
{
	return reply_json(c, status, json_pack("{s:s, s:s}", "error", error,
			"error_description", description));
}

static enum MHD_Result bad_page(struct MHD_Connection *c, const char *why)
{
	return reply_html(c, MHD_HTTP_BAD_REQUEST, page_message("Bad request", why),
			NULL);
}

/* The query, parsed as the endpoints parse theirs; NULL if malformed. */
static proauth2_form *query_of(const proauth2_http_request *req)
{
	proauth2_form *q = NULL;
	const char *s = req->query != NULL ? req->query : "";

	if (proauth2_form_parse(s, strlen(s), &q, NULL) != PROAUTH2_OK)
		return NULL;
	return q;
}

/* The routes. Each gets the path's captured segments ({domain}, or
 * {provider} and {service}). */

typedef enum MHD_Result (*dc_handler)(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, char caps[][NAME_MAX_LENGTH + 1]);

static enum MHD_Result settings(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, char caps[][NAME_MAX_LENGTH + 1])
{
	char async_ux[PROAUTH2_URL_MAX_LENGTH + 16], panel[PROAUTH2_URL_MAX_LENGTH + 16];

	if (!name_ok(caps[0], false))
		return json_error(c, MHD_HTTP_NOT_FOUND, "not_found",
				"this is not a domain name");
	snprintf(async_ux, sizeof(async_ux), "%s/async", app->base);
	snprintf(panel, sizeof(panel), "%s/zone", app->base);
	return reply_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
			"providerId", app->opt->domain_connect,
			"providerName", app->opt->domain_connect,
			"providerDisplayName", "proauth2 provider demo",
			"urlAsyncUX", async_ux, "urlAPI", app->base,
			"urlControlPanel", panel, "width", 750, "height", 750));
}

static enum MHD_Result show_template(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, char caps[][NAME_MAX_LENGTH + 1])
{
	const proauth2_client *provider = service_provider(app, caps[0]);
	char data[2 * NAME_MAX_LENGTH + 40];

	if (!has_template(provider, caps[1]))
		return json_error(c, MHD_HTTP_NOT_FOUND, "not_found",
				"no such template");
	snprintf(data, sizeof(data), "%s/%s [name=value of each variable]",
			caps[0], caps[1]);
	return reply_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s?, s:s, s:s, s:i, s:[{s:s, s:s, s:s}]}",
			"providerId", caps[0], "providerName", provider->name,
			"serviceId", caps[1], "serviceName", caps[1], "version", 1,
			"records", "type", "TXT", "host", "@", "data", data));
}

/* Why the consent path's template does not go with the request (scope
 * NULL: the provider's), or NULL. */
static const char *template_problem(const proauth2_client *provider,
		const char *service, const char *scope)
{
	if (!has_template(provider, service))
		return "No such template.";
	if (!proauth2_scope_includes(scope != NULL ? scope : provider->scope, service))
		return "scope does not ask for the template in the path.";
	return NULL;
}

/* Consent: the demo's pages, after the Domain Connect parameters are
 * checked (a bad one is a page: there is nothing to redirect yet). */
static enum MHD_Result consent(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, char caps[][NAME_MAX_LENGTH + 1])
{
	proauth2_form *q = query_of(req);
	proauth2_http_options options;
	const char *why = NULL;

	if (q != NULL) {
		const char *client_id = proauth2_form_get(q, "client_id");
		const proauth2_client *provider = service_provider(app, caps[0]);

		if (provider == NULL)
			why = "The providerId in the path is no service provider of this DNS provider.";
		else if (client_id == NULL || strcmp(client_id, caps[0]) != 0)
			why = "client_id is not the providerId in the path.";
		else
			why = zone_name_problem(proauth2_form_get(q, "domain"),
					proauth2_form_get(q, "host"));
		if (why == NULL && caps[1][0] != '\0')
			why = template_problem(provider, caps[1], proauth2_form_get(q, "scope"));
	}
	proauth2_form_free(q);
	if (why != NULL)
		return bad_page(c, why);
	/* A malformed query goes on to the library, which says what is wrong. */
	proauth2_http_options_init(&options);
	options.response_type_optional = 1;
	return flow_authorize_with(app, c, req, &options);
}

static enum MHD_Result token(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, char caps[][NAME_MAX_LENGTH + 1])
{
	return lenient_token(app, c, req);
}

/* Whether the grant's attributes cover host in domain. */
static bool covers(const char *attributes, const char *domain, const char *host)
{
	json_t *a = attributes != NULL ? json_loads(attributes, 0, NULL) : NULL;
	const char *consented = json_string_value(json_object_get(a, "domain"));
	json_t *hosts = json_object_get(a, "hosts"), *h;
	bool ok = false;
	size_t i;

	if (consented != NULL && strcasecmp(consented, domain) == 0)
		json_array_foreach(hosts, i, h)
			if (json_is_string(h) && strcasecmp(json_string_value(h), host) == 0)
				ok = true;
	json_decref(a);
	return ok;
}

static bool is_variable(const char *name)
{
	for (size_t i = 0; not_variables[i] != NULL; i++)
		if (strcmp(name, not_variables[i]) == 0)
			return false;
	return true;
}

/* A variable's name: letters, digits, '-' and '_'. */
static bool variable_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= LABEL_MAX_LENGTH && strspn(name, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* value in double quotes, '"' and '\\' escaped (RFC 1035 §5.1), so that
 * no value reads as another variable; false for a control character. */
static bool put_quoted(buf *b, const char *value)
{
	buf_puts(b, "\"");
	for (; *value != '\0'; value++) {
		unsigned char ch = (unsigned char)*value;

		if (ch < 0x20 || ch == 0x7f)
			return false;
		if (ch == '"' || ch == '\\')
			buf_puts(b, "\\");
		buf_printf(b, "%c", ch);
	}
	buf_puts(b, "\"");
	return true;
}

/* The record's text, 'provider/service name="value" ...' in the order
 * given, into *data; else why not (the variables' names or values, or
 * longer than DATA_MAX_LENGTH), *data NULL (NULL too out of memory). */
static const char *record_data(const char *provider, const char *service,
		const proauth2_form *q, char **data)
{
	const char *why = NULL;
	buf b = BUF_INIT;

	buf_printf(&b, "%s/%s", provider, service);
	for (size_t i = 0; i < proauth2_form_count(q) && why == NULL; i++) {
		const char *name = proauth2_form_name(q, i), *value;

		if (!is_variable(name))
			continue;
		value = proauth2_form_get(q, name) != NULL ? proauth2_form_get(q, name) : "";
		if (!variable_name_ok(name))
			why = "variable names are letters, digits, '-' and '_'";
		buf_printf(&b, " %s=", name);
		if (why == NULL && !put_quoted(&b, value))
			why = "variable values hold no control characters";
	}
	*data = buf_finish(&b);
	if (why == NULL && *data != NULL && strlen(*data) > DATA_MAX_LENGTH)
		why = "the variables are too long";
	if (why != NULL) {
		free(*data);
		*data = NULL;
	}
	return why;
}

static enum MHD_Result applied(struct MHD_Connection *c, enum zone_result result,
		json_t *record)
{
	switch (result) {
	case ZONE_APPLIED:
		return reply_json(c, MHD_HTTP_OK, json_pack("{s:o}", "applied", record));
	case ZONE_CONFLICT:
		json_decref(record);
		return json_error(c, MHD_HTTP_CONFLICT, "conflict", "another template's "
				"record is at this name: apply with force=true to replace it");
	case ZONE_FULL:
		json_decref(record);
		return json_error(c, MHD_HTTP_CONFLICT, "zone_full",
				"the demo's zones hold as many records as they may");
	default:
		json_decref(record);
		return reply_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL);
	}
}

static enum MHD_Result apply(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, char caps[][NAME_MAX_LENGTH + 1])
{
	proauth2_token_info *info = NULL;
	proauth2_http_response *resp = NULL;
	const char *domain, *host, *force, *why;
	proauth2_form *q = NULL;
	enum MHD_Result ret;
	proauth2_status status;
	char *data;

	if (!has_template(service_provider(app, caps[0]), caps[1]))
		return json_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such template");
	/* The template's name is the scope the token must have. */
	status = proauth2_http_bearer(app->provider, req, caps[1], &info, &resp);
	if (status != PROAUTH2_OK)
		return reply_oauth(c, status, resp);
	proauth2_http_response_free(resp);
	q = query_of(req);
	domain = q != NULL ? proauth2_form_get(q, "domain") : NULL;
	host = q != NULL && proauth2_form_get(q, "host") != NULL ?
		proauth2_form_get(q, "host") : "";
	force = q != NULL ? proauth2_form_get(q, "force") : NULL;
	if (q == NULL)
		ret = json_error(c, MHD_HTTP_BAD_REQUEST, "invalid_request",
				"not a valid query (a bad escape, or a parameter given twice)");
	else if ((why = zone_name_problem(domain, host)) != NULL)
		ret = json_error(c, MHD_HTTP_BAD_REQUEST, "invalid_request", why);
	else if (strcmp(info->client_id, caps[0]) != 0)
		ret = json_error(c, MHD_HTTP_FORBIDDEN, "access_denied",
				"the token was issued to another service provider");
	else if (!covers(info->attributes, domain, host))
		ret = json_error(c, MHD_HTTP_FORBIDDEN, "access_denied",
				"the user did not consent to this domain and host");
	else if ((why = record_data(caps[0], caps[1], q, &data)) != NULL)
		ret = json_error(c, MHD_HTTP_BAD_REQUEST, "invalid_request", why);
	else if (data == NULL)
		ret = reply_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL);
	else {
		ret = applied(c, zone_apply(app->zone, domain, host, caps[0], caps[1],
				data, force != NULL && strcmp(force, "true") == 0),
				json_pack("{s:s, s:s, s:s, s:s}", "domain", domain,
					"host", host, "type", "TXT", "data", data));
		free(data);
	}
	proauth2_form_free(q);
	proauth2_token_info_free(info);
	return ret;
}

static enum MHD_Result show_zone(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, char caps[][NAME_MAX_LENGTH + 1])
{
	json_t *records = zone_records(app->zone);

	return reply_json(c, MHD_HTTP_OK, records != NULL ?
			json_pack("{s:o}", "records", records) : NULL);
}

/* Matching a path to a route. */

static const struct {
	const char *pattern;    /* segments; "*" captures a name */
	const char *method;     /* NULL: the endpoint checks */
	dc_handler handle;
} dc_routes[] = {
	{"v2/*/settings", "GET", settings},
	{"v2/domainTemplates/providers/*/services/*", "GET", show_template},
	{"v2/domainTemplates/providers/*/services/*/apply", "POST", apply},
	{"v2/oauth/access_token", NULL, token},
	{"async/v2/domainTemplates/providers/*", "GET", consent},
	{"async/v2/domainTemplates/providers/*/services/*", "GET", consent},
	{"zone", "GET", show_zone},
};

/* A captured segment: letters, digits, '.', '-', '_' (no escapes). */
static bool name_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' &&
				s[i] != '_')
			return false;
	return n > 0 && n <= NAME_MAX_LENGTH;
}

/* Whether path (relative, no leading '/') matches pattern, its "*"
 * segments copied to caps. */
static bool match(const char *path, const char *pattern,
		char caps[][NAME_MAX_LENGTH + 1])
{
	size_t n_caps = 0;

	for (;;) {
		size_t p = strcspn(path, "/"), w = strcspn(pattern, "/");

		if (w == 1 && pattern[0] == '*') {
			if (!name_chars(path, p) || n_caps == MAX_CAPTURES)
				return false;
			memcpy(caps[n_caps], path, p);
			caps[n_caps++][p] = '\0';
		} else if (p != w || strncmp(path, pattern, p) != 0) {
			return false;
		}
		path += p;
		pattern += w;
		if (*path == '\0' || *pattern == '\0')
			return *path == *pattern;
		path++;
		pattern++;
	}
}

bool domain_connect_route(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, enum MHD_Result *ret)
{
	/* index_path is the issuer's path and a '/'. */
	size_t prefix = strlen(app->index_path);
	char caps[MAX_CAPTURES][NAME_MAX_LENGTH + 1];

	if (app->opt->domain_connect == NULL ||
			strncmp(req->path, app->index_path, prefix) != 0)
		return false;
	for (size_t i = 0; i < sizeof(dc_routes) / sizeof(dc_routes[0]); i++) {
		const char *method = dc_routes[i].method;

		memset(caps, 0, sizeof(caps));
		if (!match(req->path + prefix, dc_routes[i].pattern, caps))
			continue;
		if (method != NULL && strcmp(req->method, method) != 0 &&
				!(strcmp(method, "GET") == 0 && strcmp(req->method, "HEAD") == 0))
			*ret = reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
					strcmp(method, "GET") == 0 ? "GET, HEAD" : method);
		else
			*ret = dc_routes[i].handle(app, c, req, caps);
		return true;
	}
	return false;
}

/* The consent. */

/* A service provider's request for a name: what the async consent checked
 * (the strict /authorize may carry a domain too, for any client). */
static bool domain_connect_wanted(const struct demo_app *app,
		const proauth2_authorization *a)
{
	return app->opt->domain_connect != NULL &&
		proauth2_authorization_param(a, "domain") != NULL &&
		service_provider(app, proauth2_authorization_client_id(a)) != NULL &&
		zone_name_problem(proauth2_authorization_param(a, "domain"),
				proauth2_authorization_param(a, "host")) == NULL;
}

bool domain_connect_attributes(const struct demo_app *app,
		const proauth2_authorization *a, char **attributes)
{
	const char *host = proauth2_authorization_param(a, "host");
	json_t *object;

	*attributes = NULL;
	if (!domain_connect_wanted(app, a))
		return true;
	object = json_pack("{s:s, s:[s]}", "domain",
			proauth2_authorization_param(a, "domain"), "hosts",
			host != NULL ? host : "");
	*attributes = object != NULL ? json_dumps(object, JSON_COMPACT) : NULL;
	json_decref(object);
	return *attributes != NULL;
}

void domain_connect_describe(buf *b, const struct demo_app *app,
		const proauth2_authorization *a)
{
	const char *host = proauth2_authorization_param(a, "host");

	if (!domain_connect_wanted(app, a))
		return;
	buf_puts(b, "<p>It will apply the DNS templates <code id=\"templates\">");
	buf_html(b, proauth2_authorization_scope(a));
	buf_puts(b, "</code> to <code id=\"zone-name\">");
	if (host != NULL) {
		buf_html(b, host);
		buf_puts(b, ".");
	}
	buf_html(b, proauth2_authorization_param(a, "domain"));
	buf_puts(b, "</code>, now or later, for as long as its access lasts.</p>\n");
}
