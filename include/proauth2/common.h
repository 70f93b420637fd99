/* proauth2 — shared definitions for every public header. */
#ifndef PROAUTH2_COMMON_H
#define PROAUTH2_COMMON_H

#if defined(__GNUC__) && __GNUC__ >= 4
#define PROAUTH2_EXPORT __attribute__((visibility("default")))
#define PROAUTH2_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define PROAUTH2_EXPORT
#define PROAUTH2_WARN_UNUSED
#endif

#endif
