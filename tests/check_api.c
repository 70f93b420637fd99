/* The public API's own contracts: the version, and structs that grow. */
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

static Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, runtime_version_is_the_headers);
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
