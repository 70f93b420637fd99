/*
 * proauth2 — the SQLite datastore backend.
 *
 * uri is a file path, ":memory:" (one private database per open), or an
 * SQLite "file:" URI. A file database runs in WAL mode with a busy timeout;
 * its schema is created on first open and carries PROAUTH2_SCHEMA_VERSION
 * in PRAGMA user_version.
 */
#ifndef PROAUTH2_SQLITE_H
#define PROAUTH2_SQLITE_H

#include <proauth2/common.h>
#include <proauth2/datastore.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The backend's ops table, for proauth2_datastore_open(). Static. */
PROAUTH2_EXPORT const proauth2_datastore_ops *proauth2_sqlite_ops(void);

#ifdef __cplusplus
}
#endif

#endif
