/* An SQLite VFS whose fsync, writes and reads fail on demand: open
 * "file:...?vfs=faulty". */
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

/* From now on every n-th fsync fails (counting from this call); 0: none. */
void faulty_vfs_fail_every_nth_sync(unsigned n);

/* From now on every fsync fails but every n-th (counting from this call);
 * 0: none fails. Failed commits come in runs. */
void faulty_vfs_pass_only_every_nth_sync(unsigned n);

/* From now on every n-th write fails with SQLITE_FULL, a full disk; 0: none. */
void faulty_vfs_fill_disk_every_nth_write(unsigned n);

/* While fail is true, every read by the calling thread fails
 * (SQLITE_IOERR_READ); other threads read as before. */
void faulty_vfs_fail_reads_on_this_thread(bool fail);

#endif
