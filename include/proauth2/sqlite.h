/** \file
 * proauth2 — the SQLite datastore backend.
 *
 * uri is a file path, ":memory:" (one private database per open), or an
 * SQLite "file:" URI. A file database runs in WAL mode; its schema is created on first open and carries PROAUTH2_SCHEMA_VERSION
 * in PRAGMA user_version. A file of a newer version is refused
 * (PROAUTH2_ERR_DATASTORE) before anything is written to it: it keeps its
 * journal mode and its bytes. The WAL, which grows while a reader's
 * snapshot keeps checkpoints from reaching its end, is cut back to 4 MiB
 * (PRAGMA journal_size_limit) when a write starts it over after a full
 * checkpoint.
 *
 * Durability: every commit is fsynced (synchronous=FULL) and survives a
 * power cut; writes that come together from several threads share one
 * transaction and one fsync (a group commit), and none returns before its
 * transaction is durable, except inside a write group (begin_writes to
 * end_writes), where end_writes waits once for all of them. A memory
 * database commits each write on its own. "file:oauth.db?synchronous=normal"
 * trades durability for speed: a commit then survives the process
 * crashing, but a power cut or kernel crash may lose the last commits
 * (never corrupting the file) — issued tokens that then fail validation,
 * or, within a code's short lifetime, a spent code that could be redeemed
 * once more. Another value is refused with PROAUTH2_ERR_INVALID_ARGUMENT.
 *
 * Waiting for a lock: while another connection (another process, or
 * another datastore open on the same file) holds the file's write lock, a
 * call waits for it at most busy_timeout milliseconds from its first wait
 * (a write group: from begin_writes), queued behind this datastore's
 * writer that waits for it or not, then fails with PROAUTH2_ERR_UNAVAILABLE
 * ("busy"), which the HTTP layer answers 503 temporarily_unavailable.
 * Waiting behind this datastore's own writes and commits is not bounded by
 * it (they take an fsync each), and a write group holding an open batch
 * never fails for the time it took.
 * "file:oauth.db?busy_timeout=1000" sets it (default 5000, 0 to 600000; 0:
 * never wait); another value is refused with PROAUTH2_ERR_INVALID_ARGUMENT.
 * Processes writing one file take turns: a writer that waits says so in
 * "<file>-wait", an empty file this backend creates beside the database
 * (Linux: open file description locks; elsewhere there is none, and waits
 * are bounded without turns), and a writer about to lock the file lets it
 * go first. Back up or move the database with its -wal; -shm and -wait may
 * be deleted while no datastore has the file open.
 *
 * Reads on a file: each read is a read transaction of its own and sees
 * every commit, of any process. While reads come and this datastore has no
 * write open, a thread of its own holds a read transaction open on a
 * connection of its own (the read anchor), so that SQLite takes the readers'
 * shared lock on the -shm file within the process, without a system call:
 * reads by key on one thread run about three times as fast
 * (docs/BENCHMARKS.md). Nothing is read through it. Each write of this
 * datastore waits for it to let go; it lets go 5 ms after taking hold and
 * when the reads stop, and stays off for 10 ms after this datastore's
 * writes. When it sees another connection's commits (another process's,
 * or another datastore's on the file), which its hold may have kept from
 * being checkpointed, it runs a passive checkpoint itself and stays off
 * for 50 ms (checkpointing at most every 250 ms). The thread sleeps while
 * no reads come and blocks every signal; at fork() an atfork handler waits
 * till it is out of SQLite and makes it let go, so that a child's copy of
 * SQLite's lock records holds no hold of the anchor's.
 * "file:oauth.db?read_anchor=off" does without it; a value other than on
 * or off is refused with PROAUTH2_ERR_INVALID_ARGUMENT.
 *
 * Open after fork(): a datastore belongs to the process that opened it.
 * SQLite's connections and locks do not cross a fork, so in any other
 * process (a child forked after the open) every call but close fails with
 * PROAUTH2_ERR_DATASTORE ("opened in another process"), and close there
 * frees nothing and leaves the files alone, so that the parent's -wal and
 * -shm are not deleted under it (the child's copy of the memory and the
 * descriptors stay till it exits or execs). A server that forks workers opens its
 * datastore in each worker, after the fork; several processes on one file
 * are fine. But a child cannot open a file its parent had open at the
 * fork: open fails there with PROAUTH2_ERR_DATASTORE ("open in the parent
 * process when it forked"), also after the child closed its copy. SQLite
 * keeps its lock records per process and file, the child's copy of the
 * memory keeps the parent's, and the child's connections would share locks
 * the child does not hold (seen before the refusal: when the parent closed
 * its datastore it checkpointed and deleted the -wal under the child,
 * whose next write was told OK and lost). Fork the workers first, or close
 * before forking. The library cannot see a file opened with sqlite3 directly;
 * the same holds for it. And SQLite's mutexes are copied as they were: a
 * child forked while another thread was inside SQLite (any datastore's
 * reads or writes) may hang in its first SQLite call. Fork before starting
 * threads that use a datastore, or exec in the child.
 *
 * A file deleted, or replaced (another renamed over it), under an open
 * datastore is noticed on the next write (the path's st_dev/st_ino against
 * the file's at open, one stat() a write): every write fails with
 * PROAUTH2_ERR_DATASTORE ("deleted or replaced") instead of going into
 * the orphaned file, and close removes the old file's -wal, which SQLite
 * leaves, so that it is not replayed into the new one. Connections for
 * reads already open on the old file may go on reading it; a read that
 * needs a new one fails the same way, before the new one reads the new
 * file beside the old one's -wal. Restore a backup with the
 * datastores closed; reopen after replacing the file.
 *
 * Expired records are reclaimed by the writes, with nothing for the host
 * to call: every 128 writes, and at the first write in a
 * second past the last step (or the open), the write also deletes at most
 * 256 rows expired by the system clock from each table, in its own
 * transaction. Under write load an expired row is gone about a second after
 * it expired (a backlog shrinks by two rows a write per table, more than a
 * write adds); an idle store keeps its expired rows, which no call returns,
 * until its next write. proauth2_datastore_purge_expired() deletes all
 * of them, by its caller's clock, in steps of the same size.
 *
 * Built into libproauth2: using it needs nothing besides proauth2's own
 * pkg-config file.
 */
#ifndef PROAUTH2_SQLITE_H
#define PROAUTH2_SQLITE_H

#include <proauth2/common.h>
#include <proauth2/datastore.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The backend's ops table, for proauth2_datastore_open(). Static. */
PROAUTH2_EXPORT const proauth2_datastore_ops *proauth2_sqlite_ops(void);

#ifdef __cplusplus
}
#endif

#endif
