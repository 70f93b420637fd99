/* An SQLite VFS whose fsync fails on demand: open "file:...?vfs=faulty". */
#ifndef PROAUTH2_TESTS_FAULTY_VFS_H
#define PROAUTH2_TESTS_FAULTY_VFS_H

#include <stdbool.h>

#define FAULTY_VFS_NAME "faulty"

/* Register the VFS (once; later calls do nothing). SQLITE_OK or an error. */
int faulty_vfs_register(void);

/* While fail is true, every fsync through the VFS fails (SQLITE_IOERR_FSYNC). */
void faulty_vfs_fail_syncs(bool fail);

/* The next fsync through the VFS fails, once: the next commit is lost. */
void faulty_vfs_fail_next_sync(void);

#endif
