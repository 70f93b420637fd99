/* The RFC details strict clients check, through the endpoint functions:
 * error_description's charset, PKCE without a method, invalid_client's
 * 401 and challenge, redirect_uri sent only at the token endpoint,
 * response_mode, the metadata's auth methods, a repeated Authorization
 * header and 405 at every entry point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "http_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUB PROAUTH2_CLIENT_PUBLIC
#define CODE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)
#define ALL_GRANTS (CODE_GRANTS | PROAUTH2_GRANT_CLIENT_CREDENTIALS)
#define CB "https%3A%2F%2Fclient.example.com%2Fcb"
#define CB_FMT "https%%3A%%2F%%2Fclient.example.com%%2Fcb"  /* in a format */

static char body[2048];

typedef proauth2_status (*endpoint_fn)(proauth2_provider *,
		const proauth2_http_request *, proauth2_http_response **);

/* Header name/value pairs, NULL-terminated; a name given twice comes back
 * joined with ", " as RFC 9110 §5.3 lets a server combine them. */
static const char *lookup_pairs(void *arg, const char *name)
{
	static char joined[4096];
	const char *const *h = arg, *found = NULL;

	joined[0] = '\0';
	for (; h[0] != NULL; h += 2) {
		if (strcasecmp(h[0], name) != 0)
			continue;
		if (found != NULL)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined),
					"%s%s", joined[0] ? ", " : "", found);
		found = h[1];
	}
	if (joined[0] == '\0')
		return found;
	snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), ", %s", found);
	return joined;
}

/* fn on a request of method with these headers and body (may be NULL). */
static proauth2_http_response *call(endpoint_fn fn, const char *method,
		const char *path, const char *const *headers, const char *b)
{
	static const char *const none[] = {NULL};
	proauth2_http_request req = {
		.struct_size = sizeof(proauth2_http_request),
		.method = method,
		.path = path,
		.body = b,
		.body_length = b ? strlen(b) : 0,
		.header = lookup_pairs,
		.header_arg = (void *)(headers ? headers : none),
	};
	proauth2_http_response *r = NULL;

	(void)fn(env.provider, &req, &r);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_lt(r->status, 500);
	return r;
}

/* RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E. */
static bool in_charset(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return false;
	}
	return true;
}

static void assert_description_in_charset(const proauth2_http_response *r)
{
	json_t *doc = body_json(r);
	const char *d = json_string_value(json_object_get(doc, "error_description"));

	ck_assert_msg(d != NULL && in_charset(d), "error_description out of the"
			" RFC 6749 charset: %s", r->body);
	json_decref(doc);
}

/* challenge is `scheme 1*SP auth-param *(", " auth-param)` with every
 * value a quoted-string of qdtext (RFC 9110 §11.2, §5.6.4); the value of
 * name (static buffer), or NULL when absent. */
static const char *challenge_param(const char *challenge, const char *name)
{
	static char value[512];
	const char *s = strchr(challenge, ' ');
	const char *found = NULL;

	ck_assert_ptr_nonnull(s);
	while (*s == ' ')
		s++;
	while (*s != '\0') {
		size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_"), v;

		ck_assert_msg(n > 0 && s[n] == '=' && s[n + 1] == '"', "bad param in %s",
				challenge);
		v = strcspn(s + n + 2, "\"\\");
		ck_assert_msg(s[n + 2 + v] == '"', "bad quoted-string in %s", challenge);
		if (strncmp(s, name, n) == 0 && name[n] == '\0') {
			snprintf(value, sizeof(value), "%.*s", (int)v, s + n + 2);
			ck_assert_msg(in_charset(value), "out of charset: %s", challenge);
			found = value;
		}
		s += n + 2 + v + 1;
		if (*s == '\0')
			break;
		ck_assert_msg(strncmp(s, ", ", 2) == 0, "bad separator in %s", challenge);
		s += 2;
	}
	return found;
}

START_TEST(error_descriptions_never_echo_raw_input)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	const char *auth = basic(c->client_id, c->client_secret);
	proauth2_http_response *r;
	json_t *doc;

	/* grant_type x"y\zé */
	r = post_form("/token", "grant_type=x%22y%5Cz%C3%A9", auth);
	assert_description_in_charset(r);
	ck_assert_ptr_null(strstr(r->body, "x\\\"y"));
	assert_error(r, 400, "unsupported_grant_type");
	/* A repeated parameter whose name is x"é. */
	r = post_form("/token", "grant_type=client_credentials&x%22%5C%C3%A9=1"
			"&x%22%5C%C3%A9=2", auth);
	assert_description_in_charset(r);
	assert_error(r, 400, "invalid_request");
	/* A Basic client_id of quotes, backslashes and UTF-8. */
	r = post_form("/token", "grant_type=client_credentials",
			basic("\"\\\xc3\xa9\"", "x"));
	assert_description_in_charset(r);
	ck_assert_ptr_nonnull(proauth2_http_response_header(r, "WWW-Authenticate"));
	ck_assert_ptr_nonnull(challenge_param(proauth2_http_response_header(r,
			"WWW-Authenticate"), "error_description"));
	assert_error(r, 401, "invalid_client");
	/* A description the library writes itself is kept as it is. */
	r = post_form("/token", "grant_type=client_credentials&scope=admin",
			basic(c->client_id, c->client_secret));
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "error_description")),
			"scope exceeds what the client may ask for");
	json_decref(doc);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

/* A redirected authorization error (303 with error=code, state=s1). */
static char *redirected_error(const char *query, const char *code)
{
	proauth2_http_response *r = begin_fails(query);
	char *error = location_param(r, "error"), *state = location_param(r, "state");
	char *description = location_param(r, "error_description");

	ck_assert_msg(r->status == 303, "status %d: %s", r->status, r->body);
	ck_assert_str_eq(error, code);
	ck_assert_str_eq(state, "s1");
	free(error);
	free(state);
	proauth2_http_response_free(r);
	return description;
}

/* Begin, approve for USER and return the code (new); query must work. */
static char *authorize(const char *query)
{
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = query};
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	char *code;

	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_OK);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider,
			proauth2_authorization_ticket(a), USER, NULL, &r), PROAUTH2_OK);
	ck_assert_int_eq(r->status, 303);
	code = location_param(r, "code");
	ck_assert_ptr_nonnull(code);
	proauth2_http_response_free(r);
	proauth2_authorization_free(a);
	return code;
}

static void allow_plain(proauth2_config *cfg)
{
	cfg->allow_plain_pkce = true;
}

START_TEST(a_challenge_without_method_is_plain)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	proauth2_http_response *r;
	char *description, *code;

	/* RFC 7636 §4.3: no method means plain, which is off by default. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			CB_FMT "&state=s1&code_challenge=" RFC7636_CHALLENGE, c->client_id);
	description = redirected_error(body, "invalid_request");
	ck_assert_ptr_nonnull(description);
	ck_assert_ptr_nonnull(strstr(description, "code_challenge_method"));
	free(description);

	/* Allowed, the challenge is the verifier itself. */
	env_reconfigure(allow_plain);
	code = authorize(body);
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&client_id=%s&redirect_uri=" CB_FMT "&code_verifier=" RFC7636_CHALLENGE,
			code, c->client_id);
	r = post_form("/token", body, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	free(code);
	proauth2_client_free(c);
}
END_TEST

/* The response is a 401 invalid_client with the Basic challenge naming
 * the error (RFC 6749 §5.2, RFC 7662 §2.3). */
static void assert_invalid_client(proauth2_http_response *r)
{
	const char *challenge = proauth2_http_response_header(r, "WWW-Authenticate");
	const char *error;

	ck_assert_msg(challenge != NULL, "no WWW-Authenticate: %d %s", r->status, r->body);
	ck_assert_int_eq(strncmp(challenge, "Basic realm=\"", 13), 0);
	error = challenge_param(challenge, "error");
	ck_assert_ptr_nonnull(error);
	ck_assert_str_eq(error, "invalid_client");
	assert_error(r, 401, "invalid_client");
}

START_TEST(a_wrong_posted_secret_is_401_everywhere)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	static const char *const paths[] = {"/token", "/revoke", "/introspect"};
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "grant_type=client_credentials&token=t"
				"&client_id=%s&client_secret=wrong", c->client_id);
		assert_invalid_client(post_form(paths[i], body, NULL));
		assert_invalid_client(post_form(paths[i], "grant_type=client_credentials"
				"&token=t", basic(c->client_id, "wrong")));
		assert_invalid_client(post_form(paths[i], "grant_type=client_credentials"
				"&token=t", NULL));
	}
	proauth2_client_free(c);
}
END_TEST

/* A client with one redirect URI, REDIRECT_URI. */
static proauth2_client *one_uri_client(void)
{
	static const char *const uris[] = {REDIRECT_URI};
	proauth2_client_params params = {
		.struct_size = sizeof(proauth2_client_params),
		.type = PUB,
		.redirect_uris = uris,
		.n_redirect_uris = 1,
		.grant_types = CODE_GRANTS,
		.scope = "read",
		.name = "One URI",
	};
	proauth2_client *client = NULL;

	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &client,
			NULL), PROAUTH2_OK);
	return client;
}

/* Redeem a code of c, with redirect_uri (form-encoded) or without. */
static proauth2_http_response *redeem(const proauth2_client *c, const char *code,
		const char *redirect_uri)
{
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&client_id=%s%s%s&code_verifier=" RFC7636_VERIFIER, code,
			c->client_id, redirect_uri ? "&redirect_uri=" : "",
			redirect_uri ? redirect_uri : "");
	return post_form("/token", body, NULL);
}

static char *code_for(const proauth2_client *c, bool with_uri)
{
	char q[1024];

	snprintf(q, sizeof(q), "response_type=code&client_id=%s%s"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id, with_uri ? "&redirect_uri=" CB : "");
	return authorize(q);
}

START_TEST(redirect_uri_sent_only_at_redemption)
{
	proauth2_client *c = one_uri_client();
	proauth2_http_response *r;
	char *code;

	/* Omitted at authorization, the registered one at the token endpoint
	 * (what most client libraries do). */
	code = code_for(c, false);
	r = redeem(c, code, CB);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	free(code);
	/* Another URI still fails. */
	code = code_for(c, false);
	assert_error(redeem(c, code, "https%3A%2F%2Fclient.example.com%2Fother"),
			400, "invalid_grant");
	free(code);
	/* Sent at authorization, it is required at redemption (§4.1.3). */
	code = code_for(c, true);
	assert_error(redeem(c, code, NULL), 400, "invalid_grant");
	free(code);
	/* Omitted at both. */
	code = code_for(c, false);
	r = redeem(c, code, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	free(code);
	proauth2_client_free(c);
}
END_TEST

/* A value of the form in an HTML page's hidden input, or NULL (new). */
static char *hidden(const char *html, const char *name)
{
	char needle[128];
	const char *s, *end;

	snprintf(needle, sizeof(needle), "name=\"%s\" value=\"", name);
	s = strstr(html, needle);
	if (s == NULL)
		return NULL;
	s += strlen(needle);
	end = strchr(s, '"');
	ck_assert_ptr_nonnull(end);
	return strndup(s, (size_t)(end - s));
}

/* The page's one inline script is the one its CSP allows by hash. */
static void assert_script_allowed(const char *html, const char *csp)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	char source[128] = "'sha256-";
	const char *start = strstr(html, "<script>"), *end;
	unsigned len = 0;

	ck_assert_ptr_nonnull(start);
	start += strlen("<script>");
	end = strstr(start, "</script>");
	ck_assert_ptr_nonnull(end);
	ck_assert_ptr_null(strstr(end + 1, "<script"));
	ck_assert(EVP_Digest(start, (size_t)(end - start), digest, &len,
			EVP_sha256(), NULL) == 1);
	EVP_EncodeBlock((unsigned char *)source + 8, digest, (int)len);
	strcat(source, "'");
	ck_assert_msg(strstr(csp, source) != NULL, "%s not in %s", source, csp);
}

START_TEST(form_post_answers_with_a_self_submitting_page)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = body};
	char *code, *state, *iss, *error;
	const char *csp;

	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			CB_FMT "&response_mode=form_post&state=%%3Cs%%22%%26"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id);
	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider,
			proauth2_authorization_ticket(a), USER, NULL, &r), PROAUTH2_OK);
	ck_assert_msg(r->status == 200, "status %d, Location %s", r->status,
			proauth2_http_response_header(r, "Location"));
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	ck_assert_str_eq(proauth2_http_response_header(r, "Content-Type"),
			"text/html; charset=utf-8");
	ck_assert_str_eq(proauth2_http_response_header(r, "Cache-Control"), "no-store");
	csp = proauth2_http_response_header(r, "Content-Security-Policy");
	ck_assert_ptr_nonnull(csp);
	ck_assert_ptr_nonnull(strstr(csp, "default-src 'none'"));
	ck_assert_ptr_nonnull(strstr(csp, "form-action https://client.example.com"));
	ck_assert_ptr_nonnull(strstr(r->body, "<form method=\"post\" action=\""
			REDIRECT_URI "\""));
	assert_script_allowed(r->body, csp);
	code = hidden(r->body, "code");
	state = hidden(r->body, "state");
	iss = hidden(r->body, "iss");
	ck_assert_ptr_nonnull(code);
	ck_assert_str_eq(state, "&lt;s&quot;&amp;");
	ck_assert_str_eq(iss, "https://auth.example.com");
	proauth2_http_response_free(r);
	proauth2_authorization_free(a);
	/* The code redeems as one from the query would. */
	r = redeem(c, code, CB);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);

	/* Errors after the client is known come back the same way. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			CB_FMT "&response_mode=form_post&state=s1&scope=admin"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id);
	r = begin_fails(body);
	ck_assert_int_eq(r->status, 200);
	error = hidden(r->body, "error");
	ck_assert_str_eq(error, "invalid_scope");
	free(error);
	free(code);
	free(state);
	free(iss);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(other_response_modes_are_refused)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	static const char *const modes[] = {"fragment", "web_message", "query.jwt"};
	proauth2_http_response *r;
	char *description;
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "response_type=code&client_id=%s"
				"&redirect_uri=" CB_FMT "&response_mode=%s&state=s1"
				"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
				c->client_id, modes[i]);
		description = redirected_error(body, "invalid_request");
		free(description);
	}
	/* query, the default, said out loud. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			CB_FMT "&response_mode=query&code_challenge=" RFC7636_CHALLENGE
			"&code_challenge_method=S256", c->client_id);
	free(authorize(body));
	r = http("GET", "/.well-known/oauth-authorization-server", NULL, NULL, NULL);
	{
		json_t *doc = body_json(r), *modes_doc = json_object_get(doc,
				"response_modes_supported");

		ck_assert_uint_eq(json_array_size(modes_doc), 2);
		ck_assert_str_eq(json_string_value(json_array_get(modes_doc, 0)), "query");
		ck_assert_str_eq(json_string_value(json_array_get(modes_doc, 1)), "form_post");
		json_decref(doc);
	}
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

static bool lists(const json_t *doc, const char *member, const char *value)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(doc, member), i, item)
		if (strcmp(json_string_value(item), value) == 0)
			return true;
	return false;
}

START_TEST(metadata_lists_none_where_public_clients_may_call)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	proauth2_token_response *t;
	proauth2_http_response *r;
	json_t *doc;
	char *code = issue_code(c, "read", 1);

	/* A public client revokes and introspects with its client_id alone. */
	t = exchange_code(c, code, 1);
	snprintf(body, sizeof(body), "token=%s&client_id=%s", t->access_token, c->client_id);
	r = post_form("/introspect", body, NULL);
	doc = body_json(r);
	ck_assert_msg(r->status == 200 && json_is_true(json_object_get(doc, "active")),
			"%s", r->body);
	json_decref(doc);
	proauth2_http_response_free(r);
	r = post_form("/revoke", body, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);

	r = http("GET", "/.well-known/oauth-authorization-server", NULL, NULL, NULL);
	doc = body_json(r);
	ck_assert(lists(doc, "revocation_endpoint_auth_methods_supported", "none"));
	ck_assert(lists(doc, "introspection_endpoint_auth_methods_supported", "none"));
	ck_assert(lists(doc, "introspection_endpoint_auth_methods_supported",
			"client_secret_post"));
	json_decref(doc);
	proauth2_http_response_free(r);
	proauth2_token_response_free(t);
	free(code);
	proauth2_client_free(c);
}
END_TEST

static void enable_registration(proauth2_config *cfg)
{
	cfg->enable_registration = true;
}

START_TEST(two_authorization_headers_are_invalid_request)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	char good[512];
	const char *headers[] = {
		"Content-Type", FORM,
		"Authorization", good,
		"Authorization", good,
		NULL,
	};
	static const endpoint_fn fns[] = {proauth2_http_token, proauth2_http_revoke,
		proauth2_http_introspect};
	size_t i;

	snprintf(good, sizeof(good), "%s", basic(c->client_id, c->client_secret));
	for (i = 0; i < 3; i++)
		assert_error(call(fns[i], "POST", "/x", headers,
				"grant_type=client_credentials&token=t"), 400, "invalid_request");
	/* Through the router too, and with a second value of another scheme. */
	headers[5] = "Bearer abc";
	assert_error(call(proauth2_http_handle, "POST", "/token", headers,
			"grant_type=client_credentials"), 400, "invalid_request");
	proauth2_client_free(c);
}
END_TEST

/* The bearer tokens of registration (RFC 7591 §3, RFC 7592) and of
 * resources (RFC 6750 §3.1) sent twice are malformed requests too. */
START_TEST(two_bearer_headers_are_invalid_request)
{
	static const char *const headers[] = {
		"Content-Type", "application/json",
		"Authorization", "Bearer abc",
		"Authorization", "Bearer def",
		NULL,
	};
	proauth2_http_request req = {
		.struct_size = sizeof(proauth2_http_request),
		.method = "GET",
		.path = "/api",
		.header = lookup_pairs,
		.header_arg = (void *)headers,
	};
	proauth2_token_info *info = NULL;
	proauth2_http_response *r = NULL;

	env_reconfigure(enable_registration);
	assert_error(call(proauth2_http_handle, "POST", "/register", headers,
			"{\"redirect_uris\":[\"https://client.example.com/cb\"]}"),
			400, "invalid_request");
	assert_error(call(proauth2_http_handle, "GET", "/register/some-client",
			headers, NULL), 400, "invalid_request");
	ck_assert_int_eq(proauth2_http_bearer(env.provider, &req, NULL, &info, &r),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(info);
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(strstr(proauth2_http_response_header(r,
			"WWW-Authenticate"), "error=\"invalid_request\""));
	proauth2_http_response_free(r);
}
END_TEST

static void assert_405(proauth2_http_response *r, const char *allow)
{
	ck_assert_msg(r->status == 405, "status %d: %s", r->status, r->body);
	ck_assert_ptr_nonnull(proauth2_http_response_header(r, "Allow"));
	ck_assert_str_eq(proauth2_http_response_header(r, "Allow"), allow);
	assert_error(r, 405, "method_not_allowed");
}

START_TEST(every_entry_point_answers_405_with_allow)
{
	static const endpoint_fn posts[] = {proauth2_http_token, proauth2_http_revoke,
		proauth2_http_introspect};
	static const char *const methods[] = {"GET", "PUT", "DELETE", "HEAD"};
	static const char *const paths[] = {"/token", "/revoke", "/introspect",
		"/register"};
	static const char *const headers[] = {"Content-Type", FORM, NULL};
	size_t i, m;

	env_reconfigure(enable_registration);
	for (m = 0; m < 4; m++) {
		for (i = 0; i < 3; i++)
			assert_405(call(posts[i], methods[m], "/x", headers, NULL), "POST");
		for (i = 0; i < 4; i++)
			assert_405(call(proauth2_http_handle, methods[m], paths[i],
					headers, NULL), "POST");
	}
	assert_405(call(proauth2_http_metadata, "POST", "/x", headers, ""), "GET, HEAD");
	assert_405(call(proauth2_http_handle, "POST",
			"/.well-known/oauth-authorization-server", headers, ""), "GET, HEAD");
}
END_TEST

static Suite *details_suite(void)
{
	Suite *s = suite_create("http-details");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, error_descriptions_never_echo_raw_input);
	tcase_add_test(tc, a_challenge_without_method_is_plain);
	tcase_add_test(tc, a_wrong_posted_secret_is_401_everywhere);
	tcase_add_test(tc, redirect_uri_sent_only_at_redemption);
	tcase_add_test(tc, form_post_answers_with_a_self_submitting_page);
	tcase_add_test(tc, other_response_modes_are_refused);
	tcase_add_test(tc, metadata_lists_none_where_public_clients_may_call);
	tcase_add_test(tc, two_authorization_headers_are_invalid_request);
	tcase_add_test(tc, two_bearer_headers_are_invalid_request);
	tcase_add_test(tc, every_entry_point_answers_405_with_allow);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(details_suite()) == 0 ? 0 : 1;
}
