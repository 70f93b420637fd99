/** \file
 * proauth2 — shared definitions for every public header.
 *
 * \par Structs that grow
 * A struct the caller fills and that later versions may extend
 * (proauth2_config, proauth2_client_params, proauth2_code_request, the
 * token grants' request structs, proauth2_http_request) begins with
 * struct_size. Fill it with the struct's init macro, as in
 *
 *     proauth2_config cfg;
 *     proauth2_config_init(&cfg);
 *     cfg.datastore = ds;
 *
 * which zeroes the struct, sets its defaults and records sizeof the struct
 * as the caller's header declares it. For a struct whose defaults are all
 * zero (every one but proauth2_config), a designated initializer naming
 * .struct_size = sizeof(the type) does the same.
 *
 * Fields are only ever appended, and an appended field's zero value keeps
 * the behaviour of the version before. So the library reads the caller's
 * struct only as far as struct_size says and takes what lies beyond as
 * zero: a program built against an older header keeps working on a newer
 * library. A program built against a newer header on an older library
 * works as long as the fields that library lacks are zero; otherwise the
 * call fails with PROAUTH2_ERR_INVALID_ARGUMENT rather than ignore what
 * was asked. A struct_size of 0 (init not called) fails the same way.
 *
 * Why the size and not an init function alone: the caller allocates the
 * struct, with its own sizeof; a library that only knew its own would read
 * (and its init write) past the end of an older program's struct. zlib's
 * deflateInit() passes sizeof(z_stream) for the same reason; the rule for
 * a larger struct is Linux's for extensible system calls (openat2, clone3).
 */
#ifndef PROAUTH2_COMMON_H
#define PROAUTH2_COMMON_H

#if defined(__GNUC__) && __GNUC__ >= 4
#define PROAUTH2_EXPORT __attribute__((visibility("default")))
#define PROAUTH2_WARN_UNUSED __attribute__((warn_unused_result))
#else
/** Marks a declaration as exported from the shared library (the rest is
 * hidden). */
#define PROAUTH2_EXPORT
/** Marks a call whose result must be used: every fallible call, so that
 * an ignored status warns. */
#define PROAUTH2_WARN_UNUSED
#endif

#endif
