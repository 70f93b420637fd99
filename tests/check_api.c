/* The public API's own contracts: the version, and structs that grow
 * (include/proauth2/common.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <proauth2/proauth2.h>

START_TEST(runtime_version_is_the_headers)
{
	char text[32];

	snprintf(text, sizeof(text), "%d.%d.%d", PROAUTH2_VERSION_MAJOR,
			PROAUTH2_VERSION_MINOR, PROAUTH2_VERSION_PATCH);
	ck_assert_str_eq(proauth2_version(), PROAUTH2_VERSION_STRING);
	ck_assert_str_eq(proauth2_version(), text);
	ck_assert_uint_eq(proauth2_version_number(), PROAUTH2_VERSION_NUMBER);
	ck_assert_uint_eq(proauth2_version_number(), PROAUTH2_VERSION_MAJOR * 10000u +
			PROAUTH2_VERSION_MINOR * 100u + PROAUTH2_VERSION_PATCH);
}
END_TEST

/* A struct as a program built against a newer header has it: this
 * version's fields, then one this library does not know. */
#define NEWER(type) struct { type known; int64_t appended; }

static proauth2_datastore *ds;
static proauth2_provider *provider;

static void setup(void)
{
	proauth2_config cfg;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_datastore_open(proauth2_sqlite_ops(), ":memory:",
			&ds, &err) == PROAUTH2_OK, "datastore: %s", err.text);
	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = ds;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &provider, NULL), PROAUTH2_OK);
}

static void teardown(void)
{
	proauth2_provider_free(provider);
	proauth2_datastore_close(ds);
}

START_TEST(init_records_the_callers_size_and_defaults)
{
	proauth2_config cfg;
	NEWER(proauth2_config) newer;

	memset(&cfg, 0xa5, sizeof(cfg));
	proauth2_config_init(&cfg);
	ck_assert_uint_eq(cfg.struct_size, sizeof(proauth2_config));
	ck_assert_int_eq(cfg.code_lifetime, 60);
	ck_assert_int_eq(cfg.access_token_lifetime, 3600);
	ck_assert_ptr_null(cfg.datastore);
	ck_assert_ptr_null(cfg.log);
	/* A larger struct is zeroed whole, past what this library knows. */
	memset(&newer, 0xa5, sizeof(newer));
	proauth2_config_init_sized(&newer.known, sizeof(newer));
	ck_assert_uint_eq(newer.known.struct_size, sizeof(newer));
	ck_assert_int_eq(newer.known.refresh_token_lifetime, 30 * 24 * 3600);
	ck_assert_int_eq(newer.appended, 0);
}
END_TEST

START_TEST(uninitialized_config_is_refused)
{
	proauth2_config cfg;
	proauth2_provider *p = NULL;
	proauth2_error err = {0};

	proauth2_config_init(&cfg);
	cfg.datastore = ds;
	cfg.struct_size = 0;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(err.text, "proauth2_config_init()"));
	cfg.struct_size = sizeof(size_t);  /* smaller than any version */
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(newer_config_works_while_its_new_fields_are_zero)
{
	NEWER(proauth2_config) newer;
	proauth2_provider *p = NULL;
	proauth2_error err = {0};

	proauth2_config_init_sized(&newer.known, sizeof(newer));
	newer.known.issuer = "https://auth.example.com";
	newer.known.datastore = ds;
	ck_assert_int_eq(proauth2_provider_new(&newer.known, &p, &err), PROAUTH2_OK);
	proauth2_provider_free(p);
	/* A field set that this library would ignore: refused, not ignored. */
	newer.appended = 1;
	ck_assert_int_eq(proauth2_provider_new(&newer.known, &p, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(err.text, PROAUTH2_VERSION_STRING));
}
END_TEST

START_TEST(requests_are_checked_likewise)
{
	NEWER(proauth2_client_params) params;
	NEWER(proauth2_refresh_request) refresh;
	proauth2_client_credentials_request cc;
	proauth2_password_request password;
	proauth2_code_request code;
	proauth2_code_exchange exchange;
	proauth2_client *c = NULL;
	proauth2_token_response *t = NULL;
	char *issued = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init_sized(&params.known, sizeof(params));
	params.known.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	params.appended = 7;
	ck_assert_int_eq(proauth2_client_register(provider, &params.known, &c, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	params.appended = 0;
	ck_assert_int_eq(proauth2_client_register(provider, &params.known, &c, &err),
			PROAUTH2_OK);
	proauth2_refresh_request_init_sized(&refresh.known, sizeof(refresh));
	refresh.known.client_id = c->client_id;
	refresh.known.client_secret = c->client_secret;
	refresh.appended = 1;
	ck_assert_int_eq(proauth2_token_refresh(provider, &refresh.known, &t, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	/* Zero past the known fields: on to the grant's own checks. */
	refresh.appended = 0;
	ck_assert_int_eq(proauth2_token_refresh(provider, &refresh.known, &t, &err),
			PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	memset(&cc, 0, sizeof(cc));
	cc.client_id = c->client_id;
	cc.client_secret = c->client_secret;
	ck_assert_int_eq(proauth2_token_client_credentials(provider, &cc, &t, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	proauth2_client_credentials_request_init(&cc);
	cc.client_id = c->client_id;
	cc.client_secret = c->client_secret;
	ck_assert_int_eq(proauth2_token_client_credentials(provider, &cc, &t, &err),
			PROAUTH2_OK);
	proauth2_token_response_free(t);
	memset(&password, 0, sizeof(password));
	ck_assert_int_eq(proauth2_token_password(provider, &password, &t, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	memset(&code, 0, sizeof(code));
	code.client_id = c->client_id;
	code.user_id = "alice";
	ck_assert_int_eq(proauth2_code_issue(provider, &code, &issued, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(issued);
	memset(&exchange, 0, sizeof(exchange));
	ck_assert_int_eq(proauth2_token_exchange_code(provider, &exchange, &t, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(err.text, "proauth2_code_exchange_init()"));
	proauth2_client_free(c);
}
END_TEST

START_TEST(http_requests_are_checked_likewise)
{
	NEWER(proauth2_http_request) newer;
	proauth2_http_response *r = NULL;

	proauth2_http_request_init_sized(&newer.known, sizeof(newer));
	newer.known.method = "GET";
	newer.known.path = "/.well-known/oauth-authorization-server";
	ck_assert_int_eq(proauth2_http_handle(provider, &newer.known, &r), PROAUTH2_OK);
	ck_assert_int_eq(r->status, 200);
	proauth2_http_response_free(r);
	newer.appended = 1;
	ck_assert_int_eq(proauth2_http_handle(provider, &newer.known, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	/* The host's mistake, not the client's. */
	ck_assert_int_eq(r->status, 500);
	proauth2_http_response_free(r);
}
END_TEST

static Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, runtime_version_is_the_headers);
	suite_add_tcase(s, tc);
	tc = tcase_create("sized");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, init_records_the_callers_size_and_defaults);
	tcase_add_test(tc, uninitialized_config_is_refused);
	tcase_add_test(tc, newer_config_works_while_its_new_fields_are_zero);
	tcase_add_test(tc, requests_are_checked_likewise);
	tcase_add_test(tc, http_requests_are_checked_likewise);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(api_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
