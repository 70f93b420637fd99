/* Caller-filled structs that carry their size (include/proauth2/common.h). */
#ifndef PROAUTH2_UTIL_STRUCT_SIZE_H
#define PROAUTH2_UTIL_STRUCT_SIZE_H

#include <stddef.h>

#include <proauth2/error.h>

/* Where a struct that has member ends. Not sizeof: a later version may put
 * a field in what is trailing padding today, and that must be checked. */
#define SIZED_END(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* Whether s, as its caller compiled it, has member. Read a member appended
 * after the first version only when this holds; else take it as zero. */
#define SIZED_HAS(s, type, member) ((s)->struct_size >= SIZED_END(type, member))

/*
 * Check s, a struct beginning with its struct_size: at least min bytes
 * (what its first version had), and zero past known (the end of the last
 * member this library knows). name is the type, init its init macro, for
 * the message. PROAUTH2_ERR_INVALID_ARGUMENT otherwise.
 */
proauth2_status sized_check(const void *s, size_t min, size_t known,
		const char *name, proauth2_error *err);

/* sized_check for a type still in its first version, which ends at last.
 * When a member is appended, call sized_check with the first version's end
 * as min and the new member's as known. */
#define SIZED_CHECK(s, type, last, err) sized_check((s), \
		SIZED_END(type, last), SIZED_END(type, last), #type, (err))

/* Zero struct_size bytes of s and record struct_size in it. */
void sized_init(void *s, size_t struct_size);

#endif
