/* What the libFuzzer targets share; see fuzz_common.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "fuzz_common.h"
#include "throttle_int.h"

static proauth2_datastore *ds;
static proauth2_provider *provider;
static char *client_id, *client_secret, *basic, *public_id;

/* Marker values: fixed ones, and those made for the current input. */
static char *fixed[128];
static char *fresh[128];

static bool check_password(void *arg, const char *user, const char *password)
{
	(void)arg;
	return user != NULL && password != NULL && strcmp(user, FUZZ_USER) == 0 &&
		strcmp(password, FUZZ_PASSWORD) == 0;
}

char *fuzz_register_client(proauth2_client_type type, const char *wanted_id,
		char **secret)
{
	static const char *uris[] = {FUZZ_REDIRECT_URI, "http://127.0.0.1/cb"};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	char *id;

	proauth2_client_params_init(&params);
	params.type = type;
	params.client_id = wanted_id;
	params.redirect_uris = uris;
	params.n_redirect_uris = 2;
	params.grant_types = PROAUTH2_GRANT_AUTHORIZATION_CODE |
		PROAUTH2_GRANT_REFRESH_TOKEN | PROAUTH2_GRANT_PASSWORD |
		(type == PROAUTH2_CLIENT_CONFIDENTIAL ? PROAUTH2_GRANT_CLIENT_CREDENTIALS : 0);
	params.scope = "read write";
	params.name = "fuzz <client>";
	if (proauth2_client_register(fuzz_provider(), &params, &c, NULL) != PROAUTH2_OK)
		abort();
	id = strdup(c->client_id);
	if (secret != NULL)
		*secret = c->client_secret ? strdup(c->client_secret) : NULL;
	proauth2_client_free(c);
	return id;
}

proauth2_provider *fuzz_provider(void)
{
	proauth2_config cfg;
	unsigned char pair[256];
	size_t n;

	if (provider != NULL)
		return provider;
	if (proauth2_datastore_open(proauth2_sqlite_ops(), ":memory:", &ds, NULL) != PROAUTH2_OK)
		abort();
	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = ds;
	cfg.enable_registration = true;
	cfg.enable_password_grant = true;
	cfg.check_password = check_password;
	cfg.supported_scopes = "read write admin";
	/* Each input may register a client and begin a request of its own:
	 * the anonymous count and the caps on pending requests would refuse
	 * them after a few hundred, and the target would fuzz only refusals. */
	cfg.registration_anonymous_max = 100000;
	cfg.registration_anonymous_window = 1;
	cfg.max_authorizations = 0;
	cfg.max_authorizations_per_client = 0;
	if (proauth2_provider_new(&cfg, &provider, NULL) != PROAUTH2_OK)
		abort();
	client_id = fuzz_register_client(PROAUTH2_CLIENT_CONFIDENTIAL, NULL, &client_secret);
	public_id = fuzz_register_client(PROAUTH2_CLIENT_PUBLIC, NULL, NULL);
	n = strlen(client_id) + 1 + strlen(client_secret);
	if (n > 180)
		abort();
	strcpy((char *)pair, client_id);
	strcat((char *)pair, ":");
	strcat((char *)pair, client_secret);
	basic = malloc(6 + 4 * ((n + 2) / 3) + 1);
	strcpy(basic, "Basic ");
	EVP_EncodeBlock((unsigned char *)basic + 6, pair, (int)n);
	fixed['I'] = client_id;
	fixed['S'] = client_secret;
	fixed['B'] = basic;
	fixed['P'] = public_id;
	return provider;
}

void fuzz_set_marker(char c, const char *value)
{
	unsigned char i = (unsigned char)c & 127;

	free(fixed[i]);
	fixed[i] = value != NULL ? strdup(value) : NULL;
}

void fuzz_unlock(proauth2_provider *p, const char *kind, const char *name)
{
	char subject[THROTTLE_SUBJECT_SIZE];

	if (throttle_subject(subject, sizeof(subject), kind, name, NULL) != PROAUTH2_OK ||
			proauth2_throttle_record(p, subject, true, NULL) != PROAUTH2_OK)
		abort();
}

/* A password grant for the confidential client: fresh @A and @R. */
static void issue_tokens(void)
{
	proauth2_password_request pr;
	proauth2_token_response *t = NULL;
	proauth2_error err = {0};

	fuzz_unlock(provider, "client", client_id);
	fuzz_unlock(provider, "user", FUZZ_USER);
	proauth2_password_request_init(&pr);
	pr.client_id = client_id;
	pr.client_secret = client_secret;
	pr.username = FUZZ_USER;
	pr.password = FUZZ_PASSWORD;
	if (proauth2_token_password(provider, &pr, &t, &err) != PROAUTH2_OK ||
			t->refresh_token == NULL) {
		fprintf(stderr, "fuzz: the password grant failed: %s\n", err.text);
		abort();
	}
	fresh['A'] = strdup(t->access_token);
	fresh['R'] = strdup(t->refresh_token);
	proauth2_token_response_free(t);
}

static void issue_ticket(void)
{
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"state", "code_challenge", "code_challenge_method", "scope"};
	const char *values[] = {client_id, FUZZ_REDIRECT_URI, "code", "xyz",
		"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", "read"};
	proauth2_authorization *a = NULL;

	if (proauth2_authorization_begin(provider, names, values, 7, &a, NULL) != PROAUTH2_OK)
		abort();
	fresh['T'] = strdup(proauth2_authorization_ticket(a));
	proauth2_authorization_free(a);
}

static void register_dynamic(void)
{
	static const char *uris[] = {FUZZ_REDIRECT_URI};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	char *token = NULL;

	proauth2_client_params_init(&params);
	params.type = PROAUTH2_CLIENT_CONFIDENTIAL;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.grant_types = PROAUTH2_GRANT_AUTHORIZATION_CODE;
	if (proauth2_client_register_dynamic(provider, &params, &c, &token, NULL) != PROAUTH2_OK)
		abort();
	fresh['D'] = strdup(c->client_id);
	fresh['G'] = strdup(token);
	proauth2_secret_free(token);
	proauth2_client_free(c);
}

const char *fuzz_marker(char m)
{
	unsigned char c = (unsigned char)m & 127;

	if (fixed[c] != NULL)
		return fixed[c];
	if (fresh[c] == NULL) {
		if (c == 'A' || c == 'R')
			issue_tokens();
		else if (c == 'T')
			issue_ticket();
		else if (c == 'D' || c == 'G')
			register_dynamic();
	}
	return fresh[c];
}

char *fuzz_expand(const uint8_t *data, size_t size, size_t *len)
{
	fuzz_provider();
	return fuzz_expand_with(data, size, len, fuzz_marker);
}

char *fuzz_expand_with(const uint8_t *data, size_t size, size_t *len,
		const char *(*marker)(char))
{
	size_t i, o = 0, cap = size + 1;
	char *out = malloc(cap);

	for (i = 0; i < size; i++) {
		const char *v = NULL;
		size_t n;

		if (data[i] == '@' && i + 1 < size && data[i + 1] < 128)
			v = marker((char)data[i + 1]);
		n = v != NULL ? strlen(v) : 1;
		if (o + n + 1 > cap) {
			cap = (o + n + 1) * 2;
			out = realloc(out, cap);
		}
		if (v != NULL) {
			memcpy(out + o, v, n);
			i++;
		} else {
			out[o] = (char)data[i];
		}
		o += n;
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* Whether @A and @R are still good: kept, they spare each input a grant
 * of its own (the slowest part of the targets that use them). */
static bool tokens_alive(void)
{
	return fresh['A'] != NULL && fresh['R'] != NULL &&
		proauth2_token_validate(provider, fresh['A'], NULL, NULL) == PROAUTH2_OK &&
		proauth2_token_introspect(provider, client_id, fresh['R'],
			PROAUTH2_HINT_REFRESH_TOKEN, NULL, NULL) == PROAUTH2_OK;
}

void fuzz_forget(void)
{
	bool keep = tokens_alive();
	size_t i;

	for (i = 0; i < sizeof(fresh) / sizeof(fresh[0]); i++) {
		if (keep && (i == 'A' || i == 'R'))
			continue;
		free(fresh[i]);
		fresh[i] = NULL;
	}
}

static const char *lookup(void *arg, const char *name)
{
	return fuzz_request_header(arg, name);
}

int fuzz_request_parse(fuzz_request *r, char *text, size_t len)
{
	char *line = text, *end = text + len, *nl, *sp, *q;

	memset(r, 0, sizeof(*r));
	proauth2_http_request_init(&r->req);
	r->req.header = lookup;
	r->req.header_arg = r;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl == NULL)
		return -1;
	*nl = '\0';
	sp = strchr(line, ' ');
	if (sp == NULL)
		return -1;
	*sp = '\0';
	r->req.method = line;
	r->req.path = sp + 1;
	if ((q = strchr(sp + 1, '?')) != NULL) {
		*q = '\0';
		r->req.query = q + 1;
	}
	for (line = nl + 1; line < end; line = nl + 1) {
		char *colon;

		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (line == nl)
			break;  /* the empty line before the body */
		colon = strchr(line, ':');
		if (colon == NULL || r->n_headers == FUZZ_MAX_HEADERS)
			continue;
		*colon++ = '\0';
		while (*colon == ' ')
			colon++;
		r->names[r->n_headers] = line;
		r->values[r->n_headers++] = colon;
	}
	if (nl < end) {
		r->req.body = nl + 1;
		r->req.body_length = (size_t)(end - (nl + 1));
	}
	return 0;
}

const char *fuzz_request_header(const fuzz_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->names[i], name) == 0)
			return r->values[i];
	return NULL;
}

void fuzz_check(proauth2_status status, const proauth2_http_response *r)
{
	const char *location = NULL;
	size_t i;

	if (r == NULL) {
		if (status != PROAUTH2_ERR_NOMEM)
			abort();
		return;
	}
	/* Nothing a client sends is the server's fault. */
	if (r->status < 100 || r->status >= 500)
		abort();
	/* Nor is an error ever called a success. */
	if (status == PROAUTH2_OK && r->status >= 400)
		abort();
	if (r->body == NULL || strlen(r->body) != r->body_length)
		abort();
	/* Redirected only to where the clients registered. */
	if (r->status == 303 && (location = proauth2_http_response_header(r,
			"Location")) == NULL)
		abort();
	if (r->status == 303 && strncmp(location, FUZZ_REDIRECT_URI "?", 30) != 0 &&
			(strncmp(location, "http://127.0.0.1", 16) != 0 ||
			strchr(":/", location[16]) == NULL || location[16] == '\0'))
		abort();
	/* No header splitting, whatever was echoed. */
	for (i = 0; i < r->n_headers; i++)
		if (strpbrk(r->headers[i].name, "\r\n") != NULL ||
				strpbrk(r->headers[i].value, "\r\n") != NULL)
			abort();
}
