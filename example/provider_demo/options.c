/* Flags, config file and environment, validated in one place. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <proauth2/client.h>
#include <proauth2/provider.h>
#include <proauth2/scope.h>

#include "options.h"

#define ENV_PREFIX "PROAUTH2_DEMO_"
/* Ten years: longer is surely a typo. */
#define MAX_LIFETIME (10 * 365 * 86400LL)
#define MAX_TEXT 1024

enum kind {
	K_PORT, K_BIND, K_ISSUER, K_GRANTS, K_TEXT, K_PATH,
	K_LIFETIME,             /* seconds, > 0 */
	K_LIFETIME_OR_ZERO,     /* seconds, 0 turns the feature off */
	K_COUNT,                /* 1 to 100000 */
	K_SCOPES,               /* RFC 6749 scope tokens, space or comma */
	K_CLIENT,               /* repeatable: adds a client */
	K_MOUNT,                /* a path under the issuer's: '/' and segments */
	K_DOCUMENTS,            /* off, on or loopback */
	K_SWITCH,               /* off or on */
	K_GRACE,                /* seconds, 0 to PROAUTH2_REFRESH_REUSE_GRACE_MAX */
	K_CACHE_LIFETIME        /* seconds, 0 to PROAUTH2_CLIENT_CACHE_LIFETIME_MAX */
};

struct def {
	const char *name;       /* long flag and config key */
	enum kind kind;
	size_t offset;
	const char *fallback;   /* NULL: no default */
};

#define AT(field) offsetof(struct demo_options, field)

/* --client-documents, by DOCUMENTS_* value. */
static const char *const document_modes[] = {"off", "on", "loopback"};

static const struct def defs[] = {
	{"port", K_PORT, AT(port), "8080"},
	{"bind", K_BIND, AT(bind), "127.0.0.1"},
	{"db", K_PATH, AT(db), "provider_demo.db"},
	{"issuer", K_ISSUER, AT(issuer), NULL},
	{"endpoint-base", K_ISSUER, AT(endpoint_base), NULL},
	{"grants", K_GRANTS, AT(grants_text), DEFAULT_GRANTS},
	{"user", K_TEXT, AT(user), "demo"},
	{"password", K_TEXT, AT(password), "demo"},
	{"second-user", K_TEXT, AT(second_user), "demo2"},
	{"second-password", K_TEXT, AT(second_password), "demo2"},
	{"credentials-file", K_PATH, AT(credentials_file), NULL},
	{"code-lifetime", K_LIFETIME, AT(code_lifetime), NULL},
	{"access-token-lifetime", K_LIFETIME, AT(access_token_lifetime), NULL},
	{"refresh-token-lifetime", K_LIFETIME_OR_ZERO, AT(refresh_token_lifetime), NULL},
	{"max-connections", K_COUNT, AT(max_connections), "1000"},
	{"max-per-ip", K_COUNT, AT(max_per_ip), "32"},
	{"request-timeout", K_COUNT, AT(request_timeout), "10"},
	{"registration-token", K_TEXT, AT(registration_token), NULL},
	{"scopes", K_SCOPES, AT(scopes), DEFAULT_SCOPES},
	{"client", K_CLIENT, AT(clients), NULL},
	{"domain-connect", K_TEXT, AT(domain_connect), NULL},
	{"lenient-path", K_MOUNT, AT(lenient_path), NULL},
	{"key-file", K_PATH, AT(key_file), NULL},
	{"refresh-grace", K_GRACE, AT(refresh_grace), "0"},
	{"client-cache-lifetime", K_CACHE_LIFETIME, AT(client_cache_lifetime), "0"},
	{"client-documents", K_DOCUMENTS, AT(client_documents), "off"},
	{"document-ca-file", K_PATH, AT(document_ca_file), NULL},
	{"openid", K_SWITCH, AT(openid), "off"},
	{"backchannel-logout", K_DOCUMENTS, AT(backchannel_logout), "on"},
};
#define N_DEFS (sizeof(defs) / sizeof(defs[0]))


void options_usage(FILE *f)
{
	fputs("Usage: provider_demo [OPTION]...\n"
	      "An OAuth 2 authorization server on proauth2 and libmicrohttpd.\n\n"
	      "  --port N                    port to listen on; 0 picks a free one (8080)\n"
	      "  --bind ADDR                 numeric address to listen on (127.0.0.1)\n"
	      "  --db PATH|URI               SQLite database file (provider_demo.db),\n"
	      "                              or a mongodb:// URI\n"
	      "  --issuer URL                issuer identifier (http://<bind>:<port>)\n"
	      "  --endpoint-base URL         URL the endpoints live under (the issuer)\n"
	      "  --config FILE               read `key = value' lines, keys as below\n"
	      "  --code-lifetime S           authorization code lifetime, seconds\n"
	      "  --access-token-lifetime S   access token lifetime, seconds\n"
	      "  --refresh-token-lifetime S  refresh token lifetime, seconds; 0: none\n"
	      "  --grants LIST               grant types to enable, comma-separated\n"
	      "                              (" DEFAULT_GRANTS ")\n"
	      "  --user NAME                 the demo user's name (demo)\n"
	      "  --password PW               the demo user's password (demo)\n"
	      "  --second-user NAME          a second user, to sign in as another\n"
	      "                              (demo2)\n"
	      "  --second-password PW        the second user's password (demo2)\n"
	      "  --credentials-file PATH     also write the demo clients there, as JSON\n"
	      "  --max-connections N         connections open at once, at most (1000;\n"
	      "                              lowered to fit the open-file limit)\n"
	      "  --max-per-ip N              connections from one address (32)\n"
	      "  --request-timeout S         seconds a request may take to arrive whole,\n"
	      "                              headers and body, however it trickles; also\n"
	      "                              the idle keep-alive time (10)\n"
	      "  --registration-token T      /register only with \"Authorization: Bearer T\"\n"
	      "                              (RFC 7591's initial access token); without it,\n"
	      "                              100 anonymous registrations an hour, bodies of\n"
	      "                              16 KiB, 10 redirect URIs (https, or http on\n"
	      "                              127.0.0.1, [::1], localhost)\n"
	      "  --scopes LIST               the scopes clients may ask for, space- or\n"
	      "                              comma-separated (" DEFAULT_SCOPES ")\n"
	      "  --client SPEC               keep a client registered under a chosen id,\n"
	      "                              repeatable (config: one `client =' line each):\n"
	      "                              id=ID,type=public|confidential,grants=G+G,\n"
	      "                              redirect=URI (repeatable),scope=S+S,name=N,\n"
	      "                              pkce=optional (a legacy client let off PKCE);\n"
	      "                              updated in place on the next start; a\n"
	      "                              confidential one's secret is generated and\n"
	      "                              printed when it is first registered\n"
	      "  --domain-connect NAME       also be a Domain Connect DNS provider called\n"
	      "                              NAME (its async flow): each kept client is a\n"
	      "                              service provider, its scopes its templates;\n"
	      "                              settings at <issuer>/v2/<domain>/settings,\n"
	      "                              the applied records at <issuer>/zone\n"
	      "  --lenient-path PATH         also mount the token and revocation endpoints\n"
	      "                              at <issuer>PATH/token and PATH/revoke, reading\n"
	      "                              the query string and a JSON body too (weaker:\n"
	      "                              secrets in a URL end up in logs); off unless set\n"
	      "  --key-file PATH             seal signing keys under the 32-byte key in\n"
	      "                              PATH (made, mode 0600, when missing; keep it\n"
	      "                              out of the database): /mcp's access tokens\n"
	      "                              become JWTs (RFC 9068), the keys' JWK Set is\n"
	      "                              at <issuer>/jwks; off unless set\n"
	      "  --refresh-grace S           a refresh token's own client may present it\n"
	      "                              again for S seconds after its use and get a\n"
	      "                              fresh pair (a lost answer's retry); 0: every\n"
	      "                              reuse revokes the grant (default); at most 300\n"
	      "  --client-cache-lifetime S   keep stored clients in memory for S seconds\n"
	      "                              (at most 60), so that authenticating one need\n"
	      "                              not read it: the demo's own changes to a client\n"
	      "                              apply at once, another process's on the same\n"
	      "                              database after S seconds; 0: off (default)\n"
	      "  --client-documents MODE     off (default), or on: a client_id that is an\n"
	      "                              https URL names its metadata document, which\n"
	      "                              the demo fetches (public addresses only, no\n"
	      "                              redirects, 5 s, 5 KiB); loopback: on, and\n"
	      "                              127.0.0.1 and ::1 too (for tests)\n"
	      "  --document-ca-file PATH     CA certificates to check document servers\n"
	      "                              with (the system's)\n"
	      "  --openid on|off             be an OpenID Provider (off): the openid\n"
	      "                              scope joins --scopes, the code flow returns\n"
	      "                              id_tokens, UserInfo at <issuer>/userinfo,\n"
	      "                              discovery at <issuer>/.well-known/\n"
	      "                              openid-configuration; its signing keys are\n"
	      "                              sealed under --key-file, or <db>.kek beside\n"
	      "                              an SQLite file\n"
	      "  --backchannel-logout MODE   with --openid on: on (default), signing out\n"
	      "                              POSTs logout tokens to the clients'\n"
	      "                              backchannel_logout_uri (public addresses\n"
	      "                              only, no redirects, 5 s); loopback: on, and\n"
	      "                              127.0.0.1 and ::1 over http too (for\n"
	      "                              tests); off\n"
	      "  --help                      show this and exit\n\n"
	      "Flags beat PROAUTH2_DEMO_<NAME> variables (PROAUTH2_DEMO_PORT, ..._BIND,\n"
	      "..._DB, ..._ISSUER, ..._ENDPOINT_BASE, ..._GRANTS, ..._USER, ..._PASSWORD),\n"
	      "which beat the config file.\n", f);
}

static int bad(const char *where, const char *value, const char *why)
{
	fprintf(stderr, "provider_demo: %s: '%s' %s\n", where, value, why);
	return -1;
}

static int parse_uint(const char *value, long long max, long long *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)value[0]))
		return -1;
	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* No control characters, and UTF-8 (jansson's check): the demo puts its
 * texts in JSON. */
static bool printable(const char *text)
{
	json_t *valid = json_string(text);

	json_decref(valid);
	for (const char *s = text; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return valid != NULL;
}

/* An http(s) URL without query, fragment or characters needing quotes. */
static bool issuer_ok(const char *s)
{
	const char *host;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return false;
	if (*host == '\0' || *host == '/' || strlen(s) > MAX_TEXT)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
				strchr("?#\"'<>\\`{}|^", *s) != NULL)
			return false;
	return true;
}

/* A path of our own under the issuer's: '/', then segments of RFC 3986
 * unreserved characters (nothing to escape, so the raw path compares
 * equal), none empty, "." or "..". */
static bool mount_ok(const char *s)
{
	size_t n;

	if (s[0] != '/' || strlen(s) > 256)
		return false;
	while (*s == '/') {
		s++;
		n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				"0123456789-._~");
		if (n == 0 || (n == 1 && s[0] == '.') ||
				(n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
	}
	return *s == '\0';
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Parse a grant list into *bits and its canonical spelling *canonical.
 * 0 on success, -1 for an unknown name or an empty list, -2 out of memory. */
static int parse_grants(const char *value, unsigned *bits, char **canonical)
{
	char *copy = strdup(value), *item, *save = NULL;
	char text[128] = "";
	const char *name;
	unsigned bit;

	*bits = 0;
	if (copy == NULL)
		return -2;
	for (item = strtok_r(copy, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save)) {
		bit = proauth2_grant_type_parse(trim(item));
		if (bit == 0) {
			free(copy);
			return -1;
		}
		*bits |= bit;
	}
	free(copy);
	if (*bits == 0)
		return -1;
	/* Canonical order: by bit, as PROAUTH2_GRANT_* number them. */
	for (bit = 1; bit != 0 && bit <= *bits; bit <<= 1) {
		if (!(*bits & bit) || (name = proauth2_grant_type_name(bit)) == NULL)
			continue;
		if (text[0] != '\0')
			strcat(text, ",");
		strcat(text, name);
	}
	*canonical = strdup(text);
	return *canonical != NULL ? 0 : -2;
}

/* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
static bool scope_token_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e ||
				s[i] == '"' || s[i] == '\\')
			return false;
	return n > 0;
}

/* value's scope tokens, split at spaces, commas or seps, joined by single
 * spaces into a new string; NULL when a token is bad or there is none
 * (*nomem then says which). */
static char *scope_list(const char *value, const char *seps, bool *nomem)
{
	char *out = malloc(strlen(value) + 1), *at = out;
	const char *s = value;
	size_t n;

	*nomem = out == NULL;
	if (out == NULL)
		return NULL;
	while (*s != '\0') {
		s += strspn(s, seps);
		n = strcspn(s, seps);
		if (n == 0)
			break;
		if (!scope_token_ok(s, n)) {
			free(out);
			return NULL;
		}
		if (at != out)
			*at++ = ' ';
		memcpy(at, s, n);
		at += n;
		s += n;
	}
	*at = '\0';
	if (at == out) {
		free(out);
		return NULL;
	}
	return out;
}

static void client_clear(struct demo_client *c)
{
	size_t i;

	for (i = 0; i < c->n_redirects; i++)
		free(c->redirects[i]);
	free(c->redirects);
	free(c->id);
	free(c->scope);
	free(c->name);
	memset(c, 0, sizeof(*c));
}

/* One key=value of a --client spec into c; NULL or why it is wrong. */
static const char *client_field(struct demo_client *c, const char *key,
		char *value)
{
	char **more, *item, *save = NULL;
	unsigned bit;
	bool nomem;

	if (strcmp(key, "id") == 0) {
		if (c->id != NULL || value[0] == '\0' || !printable(value))
			return "needs one id=";
		c->id = strdup(value);
		return c->id != NULL ? NULL : "out of memory";
	}
	if (strcmp(key, "type") == 0) {
		if (strcmp(value, "public") == 0)
			c->type = PROAUTH2_CLIENT_PUBLIC;
		else if (strcmp(value, "confidential") == 0)
			c->type = PROAUTH2_CLIENT_CONFIDENTIAL;
		else
			return "has a type other than public or confidential";
		return NULL;
	}
	if (strcmp(key, "grants") == 0) {
		for (item = strtok_r(value, "+ ", &save); item != NULL;
				item = strtok_r(NULL, "+ ", &save)) {
			if ((bit = proauth2_grant_type_parse(item)) == 0)
				return "has an unknown grant (grants=G+G)";
			c->grants |= bit;
		}
		return c->grants != 0 ? NULL : "has no grant in grants=";
	}
	if (strcmp(key, "redirect") == 0) {
		if (value[0] == '\0' || !printable(value) || strlen(value) > MAX_TEXT)
			return "has an empty or unprintable redirect=";
		more = realloc(c->redirects, (c->n_redirects + 1) * sizeof(*more));
		if (more == NULL)
			return "out of memory";
		c->redirects = more;
		if ((more[c->n_redirects] = strdup(value)) == NULL)
			return "out of memory";
		c->n_redirects++;
		return NULL;
	}
	if (strcmp(key, "scope") == 0) {
		free(c->scope);
		c->scope = scope_list(value, "+ ", &nomem);
		return c->scope != NULL ? NULL : nomem ? "out of memory" :
			"has a scope= that is no list of scope tokens (S+S)";
	}
	if (strcmp(key, "name") == 0) {
		if (!printable(value) || strlen(value) > 256)
			return "has an unprintable or long name=";
		free(c->name);
		c->name = strdup(value);
		return c->name != NULL ? NULL : "out of memory";
	}
	if (strcmp(key, "pkce") == 0) {
		if (strcmp(value, "optional") != 0 && strcmp(value, "required") != 0)
			return "has a pkce= other than optional or required";
		c->pkce_optional = strcmp(value, "optional") == 0;
		return NULL;
	}
	if (strcmp(key, "secret") == 0)
		return "takes no secret=: the demo generates it and prints it once";
	return "has an unknown key (id, type, grants, redirect, scope, name, pkce)";
}

/* A --client spec, appended to o's clients; 0 or -1 with a message. */
static int add_client(struct demo_options *o, const char *value, const char *where)
{
	struct demo_client c = {.type = PROAUTH2_CLIENT_CONFIDENTIAL}, *more;
	char *copy = strdup(value), *item, *save = NULL, *eq;
	const char *why = copy == NULL ? "out of memory" : NULL;

	for (item = copy ? strtok_r(copy, ",", &save) : NULL; item != NULL &&
			why == NULL; item = strtok_r(NULL, ",", &save)) {
		eq = strchr(item, '=');
		if (eq == NULL) {
			why = "is not a list of key=value (see --help)";
			break;
		}
		*eq = '\0';
		why = client_field(&c, trim(item), trim(eq + 1));
	}
	free(copy);
	if (why == NULL && c.id == NULL)
		why = "needs one id=";
	if (why == NULL) {
		more = realloc(o->clients, (o->n_clients + 1) * sizeof(*more));
		if (more == NULL)
			why = "out of memory";
		else
			o->clients = more, o->clients[o->n_clients++] = c;
	}
	if (why != NULL) {
		client_clear(&c);
		return bad(where, value, why);
	}
	return 0;
}

static int set_string(struct demo_options *o, const struct def *d, char *copy)
{
	char **slot = (char **)((char *)o + d->offset);

	if (copy == NULL) {
		fputs("provider_demo: out of memory\n", stderr);
		return -1;
	}
	free(*slot);
	*slot = copy;
	return 0;
}

/* Validate value for d and store it; where names its origin for errors. */
static int set(struct demo_options *o, const struct def *d, const char *value,
		const char *where)
{
	unsigned char addr[sizeof(struct in6_addr)];
	long long n;

	switch (d->kind) {
	case K_PORT:
		if (parse_uint(value, 65535, &n) != 0)
			return bad(where, value, "is not a port number (0-65535)");
		o->port = (unsigned)n;
		return 0;
	case K_BIND:
		if (inet_pton(AF_INET, value, addr) != 1 &&
				inet_pton(AF_INET6, value, addr) != 1)
			return bad(where, value, "is not a numeric IPv4 or IPv6 address");
		return set_string(o, d, strdup(value));
	case K_ISSUER:
		if (!issuer_ok(value))
			return bad(where, value, "is not an http:// or https:// URL "
					"without query or fragment");
		return set_string(o, d, strdup(value));
	case K_GRANTS: {
		unsigned bits;
		char *canonical = NULL;
		int rc = parse_grants(value, &bits, &canonical);

		if (rc == -1)
			return bad(where, value, "is not a comma-separated list of "
					"authorization_code, refresh_token, "
					"client_credentials, password");
		if (rc == 0)
			o->grants = bits;
		return set_string(o, d, canonical);
	}
	case K_TEXT:
		if (value[0] == '\0' || strlen(value) > MAX_TEXT || !printable(value))
			return bad(where, value, "must be 1 to 1024 printable characters");
		return set_string(o, d, strdup(value));
	case K_PATH:
		if (value[0] == '\0' || strlen(value) > 4096)
			return bad(where, value, "is not a file path");
		return set_string(o, d, strdup(value));
	case K_LIFETIME:
	case K_LIFETIME_OR_ZERO:
		if (parse_uint(value, MAX_LIFETIME, &n) != 0 ||
				(n == 0 && d->kind == K_LIFETIME))
			return bad(where, value, d->kind == K_LIFETIME ?
					"is not a number of seconds (1 to 10 years)" :
					"is not a number of seconds (0 to 10 years)");
		*(int64_t *)((char *)o + d->offset) = n;
		return 0;
	case K_COUNT:
		if (parse_uint(value, 100000, &n) != 0 || n == 0)
			return bad(where, value, "is not a number from 1 to 100000");
		*(unsigned *)((char *)o + d->offset) = (unsigned)n;
		return 0;
	case K_SCOPES: {
		bool nomem;
		char *list = scope_list(value, ", ", &nomem);

		if (list == NULL && !nomem)
			return bad(where, value, "is not a space- or comma-separated "
					"list of RFC 6749 scope tokens");
		return set_string(o, d, list);
	}
	case K_CLIENT:
		return add_client(o, value, where);
	case K_GRACE:
	case K_CACHE_LIFETIME: {
		long long max = d->kind == K_GRACE ? PROAUTH2_REFRESH_REUSE_GRACE_MAX :
			PROAUTH2_CLIENT_CACHE_LIFETIME_MAX;

		if (parse_uint(value, max, &n) != 0) {
			char why[64];

			snprintf(why, sizeof(why), "is not a number of seconds from 0 to %lld",
					max);
			return bad(where, value, why);
		}
		*(int64_t *)((char *)o + d->offset) = n;
		return 0;
	}
	case K_DOCUMENTS:
		for (n = 0; n < 3; n++)
			if (strcmp(value, document_modes[n]) == 0)
				break;
		if (n == 3)
			return bad(where, value, "is not off, on or loopback");
		*(int *)((char *)o + d->offset) = (int)n;
		return 0;
	case K_SWITCH:
		if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
			return bad(where, value, "is not off or on");
		*(bool *)((char *)o + d->offset) = strcmp(value, "on") == 0;
		return 0;
	case K_MOUNT:
		if (!mount_ok(value))
			return bad(where, value, "is not a path such as /lenient: '/' and "
					"segments of A-Z a-z 0-9 - . _ ~, none empty, '.' or '..'");
		return set_string(o, d, strdup(value));
	}
	return -1;
}

static const struct def *find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_DEFS; i++)
		if (strlen(defs[i].name) == len && strncmp(defs[i].name, name, len) == 0)
			return &defs[i];
	return NULL;
}

/* One `key = value' line; '#' and ';' start comment lines. */
static int config_line(struct demo_options *o, char *line, const char *where)
{
	char *key = trim(line), *value, *eq, *c;
	const struct def *d;
	size_t len;

	if (*key == '\0' || *key == '#' || *key == ';')
		return 0;
	eq = strchr(key, '=');
	if (eq == NULL)
		return bad(where, key, "is not a `key = value' line");
	*eq = '\0';
	key = trim(key);
	value = trim(eq + 1);
	len = strlen(value);
	if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
		value[len - 1] = '\0';
		value++;
	}
	for (c = key; *c != '\0'; c++)
		if (*c == '_')
			*c = '-';
	d = find(key, strlen(key));
	if (d == NULL)
		return bad(where, key, "is not a setting (see --help)");
	return set(o, d, value, where);
}

static int load_config(struct demo_options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, where[4200];
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "provider_demo: cannot read config file %s: %s\n",
				path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (memchr(line, '\0', (size_t)n) != NULL)
			rc = bad(where, "", "holds a NUL byte");
		else
			rc = config_line(o, line, where);
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "provider_demo: cannot read config file %s\n", path);
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

static int load_env(struct demo_options *o)
{
	char name[64], *c;
	const char *value;
	size_t i;

	for (i = 0; i < N_DEFS; i++) {
		snprintf(name, sizeof(name), ENV_PREFIX "%s", defs[i].name);
		for (c = name + strlen(ENV_PREFIX); *c != '\0'; c++)
			*c = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
		value = getenv(name);
		if (value != NULL && value[0] != '\0' && set(o, &defs[i], value, name) != 0)
			return -1;
	}
	return 0;
}

/* A flag and its value, as found on the command line. */
struct flag {
	const struct def *def;  /* NULL: --config */
	const char *value;
};

/* Split argv into flags; 1 if --help came, -1 on a bad command line. */
static int scan_flags(int argc, char **argv, struct flag *flags, size_t *n)
{
	int i;

	*n = 0;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name = arg + 2, *eq;
		size_t len;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return 1;
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			fprintf(stderr, "provider_demo: unexpected argument '%s' "
					"(see --help)\n", arg);
			return -1;
		}
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		flags[*n].def = find(name, len);
		if (flags[*n].def == NULL && !(len == 6 && strncmp(name, "config", 6) == 0)) {
			fprintf(stderr, "provider_demo: unknown option '%.*s' "
					"(see --help)\n", (int)(len + 2), arg);
			return -1;
		}
		if (eq != NULL) {
			flags[*n].value = eq + 1;
		} else if (i + 1 < argc) {
			flags[*n].value = argv[++i];
		} else {
			fprintf(stderr, "provider_demo: option '%s' needs a value\n", arg);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static int apply_flags(struct demo_options *o, const struct flag *flags, size_t n)
{
	char where[64];
	size_t i;

	for (i = 0; i < n; i++) {
		if (flags[i].def == NULL)
			continue;
		snprintf(where, sizeof(where), "--%s", flags[i].def->name);
		if (set(o, flags[i].def, flags[i].value, where) != 0)
			return -1;
	}
	return 0;
}

/* --openid on: openid first among the scopes, and a key to seal the
 * signing keys under: --key-file's, or <db>.kek beside an SQLite file. */
static int openid_settings(struct demo_options *o)
{
	char *scopes;

	if (!proauth2_scope_includes(o->scopes, "openid")) {
		scopes = malloc(strlen(o->scopes) + sizeof("openid "));
		if (scopes == NULL)
			return bad("--openid", "on", "out of memory");
		sprintf(scopes, "openid %s", o->scopes);
		free(o->scopes);
		o->scopes = scopes;
	}
	if (o->key_file != NULL)
		return 0;
	if (strchr(o->db, ':') != NULL)
		return bad("--openid", "on", "needs --key-file with a database URI");
	o->openid_key_file = malloc(strlen(o->db) + sizeof(".kek"));
	if (o->openid_key_file == NULL)
		return bad("--openid", "on", "out of memory");
	sprintf(o->openid_key_file, "%s.kek", o->db);
	return 0;
}

int options_load(struct demo_options *o, int argc, char **argv)
{
	struct flag *flags;
	const char *config = NULL;
	size_t n = 0, i;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	o->code_lifetime = o->access_token_lifetime = o->refresh_token_lifetime = -1;
	flags = calloc((size_t)argc + 1, sizeof(*flags));
	if (flags == NULL) {
		fputs("provider_demo: out of memory\n", stderr);
		return OPTIONS_BAD;
	}
	rc = scan_flags(argc, argv, flags, &n);
	if (rc == 1) {
		free(flags);
		options_usage(stdout);
		return OPTIONS_HELP;
	}
	for (i = 0; i < N_DEFS && rc == 0; i++)
		if (defs[i].fallback != NULL)
			rc = set(o, &defs[i], defs[i].fallback, "default");
	/* The last --config counts; then the layers in rising precedence. */
	for (i = 0; i < n; i++)
		if (flags[i].def == NULL)
			config = flags[i].value;
	if (rc == 0 && config != NULL && (o->config = strdup(config)) == NULL) {
		fputs("provider_demo: out of memory\n", stderr);
		rc = -1;
	}
	if (rc == 0 && o->config != NULL)
		rc = load_config(o, o->config);
	if (rc == 0)
		rc = load_env(o);
	if (rc == 0)
		rc = apply_flags(o, flags, n);
	if (rc == 0 && o->openid)
		rc = openid_settings(o);
	if (rc == 0 && strcmp(o->user, o->second_user) == 0) {
		fputs("provider_demo: --second-user must differ from --user\n", stderr);
		rc = -1;
	}
	free(flags);
	return rc == 0 ? OPTIONS_OK : OPTIONS_BAD;
}

void options_free(struct demo_options *o)
{
	free(o->bind);
	free(o->db);
	free(o->issuer);
	free(o->endpoint_base);
	free(o->grants_text);
	free(o->user);
	free(o->second_user);
	free(o->second_password);
	free(o->password);
	free(o->credentials_file);
	free(o->registration_token);
	free(o->config);
	free(o->scopes);
	free(o->domain_connect);
	free(o->lenient_path);
	free(o->document_ca_file);
	free(o->key_file);
	free(o->openid_key_file);
	for (size_t i = 0; i < o->n_clients; i++)
		client_clear(&o->clients[i]);
	free(o->clients);
	memset(o, 0, sizeof(*o));
}
