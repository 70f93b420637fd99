/* An SQLite VFS that is the default one, except that fsync, writes and
 * reads can be made to fail: a disk that loses writes or fills up, for the
 * tests of failed commits and statements. */
#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "faulty_vfs.h"

struct faulty_file {
	sqlite3_file base;    /* pMethods: &faulty_io */
	sqlite3_file *real;   /* the default VFS's file, right after this */
};

static sqlite3_vfs faulty_vfs, *real_vfs;
static volatile bool syncs_fail;
static bool next_sync_fails;
static unsigned sync_period, syncs_seen;    /* every sync_period-th fails */
static unsigned pass_period, passes_seen;  /* only every pass_period-th passes */
static unsigned write_period, writes_seen;  /* every write_period-th fills */
static __thread bool reads_fail;

void faulty_vfs_fail_syncs(bool fail)
{
	syncs_fail = fail;
}

void faulty_vfs_fail_next_sync(void)
{
	__atomic_store_n(&next_sync_fails, true, __ATOMIC_SEQ_CST);
}

void faulty_vfs_fail_every_nth_sync(unsigned n)
{
	__atomic_store_n(&syncs_seen, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&sync_period, n, __ATOMIC_SEQ_CST);
}

void faulty_vfs_pass_only_every_nth_sync(unsigned n)
{
	__atomic_store_n(&passes_seen, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&pass_period, n, __ATOMIC_SEQ_CST);
}

void faulty_vfs_fill_disk_every_nth_write(unsigned n)
{
	__atomic_store_n(&writes_seen, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&write_period, n, __ATOMIC_SEQ_CST);
}

void faulty_vfs_fail_reads_on_this_thread(bool fail)
{
	reads_fail = fail;
}

/* Whether this call is an n-th one of those counted in seen. */
static bool nth(unsigned *period, unsigned *seen)
{
	unsigned n = __atomic_load_n(period, __ATOMIC_SEQ_CST);

	return n != 0 && __atomic_add_fetch(seen, 1, __ATOMIC_SEQ_CST) % n == 0;
}

#define REAL(file) (((struct faulty_file *)(file))->real)

static int faulty_sync(sqlite3_file *file, int flags)
{
	if (syncs_fail || __atomic_exchange_n(&next_sync_fails, false, __ATOMIC_SEQ_CST) ||
			nth(&sync_period, &syncs_seen) ||
			(__atomic_load_n(&pass_period, __ATOMIC_SEQ_CST) != 0 &&
			 !nth(&pass_period, &passes_seen)))
		return SQLITE_IOERR_FSYNC;
	return REAL(file)->pMethods->xSync(REAL(file), flags);
}

/* Everything else goes to the real file. */
static int faulty_close(sqlite3_file *file)
{
	return REAL(file)->pMethods->xClose(REAL(file));
}

static int faulty_read(sqlite3_file *file, void *buf, int n, sqlite3_int64 offset)
{
	if (reads_fail)
		return SQLITE_IOERR_READ;
	return REAL(file)->pMethods->xRead(REAL(file), buf, n, offset);
}

static int faulty_write(sqlite3_file *file, const void *buf, int n,
		sqlite3_int64 offset)
{
	if (nth(&write_period, &writes_seen))
		return SQLITE_FULL;
	return REAL(file)->pMethods->xWrite(REAL(file), buf, n, offset);
}

static int faulty_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	return REAL(file)->pMethods->xTruncate(REAL(file), size);
}

static int faulty_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	return REAL(file)->pMethods->xFileSize(REAL(file), size);
}

static int faulty_lock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xLock(REAL(file), lock);
}

static int faulty_unlock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xUnlock(REAL(file), lock);
}

static int faulty_check_lock(sqlite3_file *file, int *out)
{
	return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int faulty_control(sqlite3_file *file, int op, void *arg)
{
	return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
}

static int faulty_sector_size(sqlite3_file *file)
{
	return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int faulty_device(sqlite3_file *file)
{
	return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int faulty_shm_map(sqlite3_file *file, int region, int size, int extend,
		void volatile **out)
{
	return REAL(file)->pMethods->xShmMap(REAL(file), region, size, extend, out);
}

static int faulty_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	return REAL(file)->pMethods->xShmLock(REAL(file), offset, n, flags);
}

static void faulty_shm_barrier(sqlite3_file *file)
{
	REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int faulty_shm_unmap(sqlite3_file *file, int delete_flag)
{
	return REAL(file)->pMethods->xShmUnmap(REAL(file), delete_flag);
}

static int faulty_fetch(sqlite3_file *file, sqlite3_int64 offset, int n, void **out)
{
	return REAL(file)->pMethods->xFetch(REAL(file), offset, n, out);
}

static int faulty_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *page)
{
	return REAL(file)->pMethods->xUnfetch(REAL(file), offset, page);
}

static const sqlite3_io_methods faulty_io = {
	3, faulty_close, faulty_read, faulty_write, faulty_truncate, faulty_sync,
	faulty_file_size, faulty_lock, faulty_unlock, faulty_check_lock,
	faulty_control, faulty_sector_size, faulty_device, faulty_shm_map,
	faulty_shm_lock, faulty_shm_barrier, faulty_shm_unmap, faulty_fetch,
	faulty_unfetch,
};

static int faulty_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
		int flags, int *out_flags)
{
	struct faulty_file *f = (struct faulty_file *)file;
	int rc;

	(void)vfs;
	f->real = (sqlite3_file *)&f[1];
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	f->base.pMethods = f->real->pMethods != NULL ? &faulty_io : NULL;
	return rc;
}

int faulty_vfs_register(void)
{
	if (real_vfs != NULL)
		return SQLITE_OK;
	real_vfs = sqlite3_vfs_find(NULL);
	if (real_vfs == NULL || real_vfs->iVersion < 3)
		return SQLITE_ERROR;
	/* The real VFS's methods, which keep its pAppData, but our files. */
	faulty_vfs = *real_vfs;
	faulty_vfs.zName = FAULTY_VFS_NAME;
	faulty_vfs.szOsFile = (int)sizeof(struct faulty_file) + real_vfs->szOsFile;
	faulty_vfs.xOpen = faulty_open;
	faulty_vfs.pNext = NULL;
	return sqlite3_vfs_register(&faulty_vfs, 0);
}
