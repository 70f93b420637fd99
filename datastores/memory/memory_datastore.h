/*
 * An in-memory datastore backend: the guide for writing your own.
 *
 * Everything lives in the process and is lost on close. Each open gives a
 * new, empty store; the URI is ignored ("memory:" reads well). Safe to use
 * from any number of threads at once.
 *
 * This is example code, not part of libproauth2: copy it and change it.
 */
#ifndef EXAMPLE_MEMORY_DATASTORE_H
#define EXAMPLE_MEMORY_DATASTORE_H

#include <proauth2/backend.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The backend's ops table, for proauth2_datastore_open(). Static. */
const proauth2_datastore_ops *example_memory_datastore_ops(void);

#ifdef __cplusplus
}
#endif

#endif
