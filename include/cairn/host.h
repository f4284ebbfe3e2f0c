/*
 * Host-only block devices and helpers (port/host): an image file as a block
 * device, and saving/loading the emulators' memory to/from image files.
 * Not available on targets: these use POSIX files.
 */
#ifndef CAIRN_HOST_H
#define CAIRN_HOST_H

#include "cairn/bdev.h"
#include "cairn/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cairn_file_bdev_open flags */
/* Create the file if missing; an empty regular file is set (sparse,
 * ftruncate) to offset + block_size * block_count. */
#define CAIRN_FILE_CREATE 0x01
/* Open read-only: no write entries, erase -> -EROFS. */
#define CAIRN_FILE_RDONLY 0x02
/* Offer the extended interface; erase writes 0xFF. */
#define CAIRN_FILE_EXT 0x04
/* Offer the simple interface (the default when neither EXT nor SIMPLE is given). */
#define CAIRN_FILE_SIMPLE 0x08
/* flock the image: LOCK_EX (LOCK_SH read-only), non-blocking; a conflicting
 * holder gives -EBUSY. Where the host filesystem has no locks, goes on
 * unlocked. */
#define CAIRN_FILE_LOCK 0x10
/* A window: the block_count blocks from the offset need only fit in the file
 * (or block device), not cover it exactly; block_count 0 = every whole block
 * from the offset to the end (possibly none, until cairn_file_bdev_set_geometry). */
#define CAIRN_FILE_WINDOW 0x20
/* SYNC (and close) use fdatasync instead of fsync: the image's data reaches
 * the disk at every sync point, its inode times need not. */
#define CAIRN_FILE_DATASYNC 0x40
/* SYNC makes nothing durable; close does (fsync/fdatasync once). For tools
 * that build a new image from scratch (cairn pack): the writes keep the
 * filesystem's order, so a killed process still leaves what the filesystem
 * promises, and a half-built image has nothing worth an fsync per sync point. */
#define CAIRN_FILE_SYNC_AT_CLOSE 0x2000
/* cfg.resize pads a regular file with 0xFF (erased flash), not zeros. */
#define CAIRN_FILE_FILL_FF 0x80

/*
 * An image file (or block device) as a block device. Every write goes
 * straight to the file with pwrite in the order asked (no mmap, no write-back
 * cache), so a process killed at any write leaves exactly the writes before
 * it; ioctl SYNC calls fsync (fdatasync with CAIRN_FILE_DATASYNC) when
 * anything was written since the last one, so each of the filesystem's sync
 * points is durable and ordered against the writes after it
 * (docs/power-loss.md). Block 0 starts `offset` bytes into the file. An
 * optional read cache of whole blocks serves small extended reads (littlefs
 * reads metadata a few bytes at a time) and single-block reads of cached
 * blocks; writes and erases update it. Offsets are 64-bit. One device per
 * thread: nothing here is locked.
 */
struct cairn_file_bdev {
    struct cairn_bdev bd; /* first */
    struct cairn_bdev_ops ops;
    int fd; /* -1 when closed */
    uint32_t flags;
    uint32_t block_size;
    uint32_t block_count;
    uint64_t offset;    /* byte offset of block 0 in the file */
    uint64_t file_size; /* bytes in the whole file or block device (at open) */
    uint64_t size;      /* bytes from offset to the end (0 when offset is past it) */
    uint32_t io_errors; /* host read/write/sync failures so far */
    int dirty;          /* written since the last fsync */
    uint64_t syncs;     /* fsync/fdatasync calls made */
    uint32_t cache_slots; /* slots in use (fewer than asked for big blocks) */
    uint32_t cache_want;  /* slots asked for at open */
    uint8_t *cache;       /* cache_slots * block_size bytes (malloc), or NULL */
    uint32_t *cache_tag;  /* block held by each slot, UINT32_MAX = empty */
    uint64_t bytes_read;  /* bytes read from the host file so far (cache misses) */
    /* Called after every host read when set: tools show progress of long
     * read-only walks (cairn fsck) with it. */
    void (*on_read)(void *ctx, uint64_t bytes_read);
    void *on_read_ctx;
};

/* Everything cairn_file_bdev_open_ex can be told. */
struct cairn_file_bdev_config {
    uint64_t offset;       /* where block 0 starts in the file, in bytes */
    uint32_t block_size;   /* > 0 */
    uint32_t block_count;  /* 0 = from the file's size (see CAIRN_FILE_WINDOW) */
    uint32_t flags;        /* CAIRN_FILE_* */
    uint32_t cache_blocks; /* read-cache slots (0 = no cache; at most 1 MiB in all) */
    /* Non-zero, writable, regular file: after locking, cut or extend the file
     * so that exactly `resize` bytes follow `offset` (new bytes read as zero,
     * sparse, or 0xFF with CAIRN_FILE_FILL_FF). Ignored for block devices.
     * These writes are setup, not counted by the kill schedule. */
    uint64_t resize;
};

/*
 * Open `path` as block_count blocks of block_size bytes (block_count 0 = the
 * file's size / block_size). Same as cairn_file_bdev_open_ex with offset 0,
 * no cache and no resize. Returns 0, or:
 *   -EINVAL  zero/oversized geometry, a file size that is not exactly
 *            block_size * block_count (or not a multiple of block_size when
 *            block_count is 0, or empty), CREATE with RDONLY
 *   -EBUSY   CAIRN_FILE_LOCK and another holder has a conflicting lock
 *   -ENOENT, -EACCES, -EROFS, -ENOSPC, -EIO  from the host
 * On failure nothing stays open.
 */
int cairn_file_bdev_open(struct cairn_file_bdev *f, const char *path, uint32_t block_size,
                         uint32_t block_count, uint32_t flags);

/*
 * Open with an offset, a window, a read cache and an optional resize (see
 * struct cairn_file_bdev_config). Without CAIRN_FILE_WINDOW the size checks
 * are those of cairn_file_bdev_open, applied to the bytes from the offset on;
 * with it, offset + block_size * block_count must only fit in the file.
 * Block devices are sized with BLKGETSIZE64. Errors as cairn_file_bdev_open
 * (a window that does not fit: -EINVAL; no memory for the cache: -ENOMEM).
 */
int cairn_file_bdev_open_ex(struct cairn_file_bdev *f, const char *path,
                            const struct cairn_file_bdev_config *cfg);

/*
 * Change an open device's geometry (e.g. once the filesystem's superblock
 * has been read with cairn_file_bdev_pread). The checks of open apply
 * (window or exact size); the cache is reallocated and emptied.
 * Returns 0, -EINVAL or -ENOMEM (the old geometry then stays).
 */
int cairn_file_bdev_set_geometry(struct cairn_file_bdev *f, uint32_t block_size,
                                 uint32_t block_count);

/*
 * Read `len` bytes at byte `pos` from the offset, ignoring the geometry
 * (probing for a filesystem). -EINVAL when not inside [offset, end of file).
 */
int cairn_file_bdev_pread(struct cairn_file_bdev *f, uint64_t pos, void *buf, uint32_t len);

/* fsync (when writable and written to) and close; returns the first error.
 * Frees the cache. Closing a closed device is a no-op success. */
int cairn_file_bdev_close(struct cairn_file_bdev *f);

/*
 * Kill schedule, for the CLI's power-loss tests (docs/power-loss.md, fault
 * model 2). Every data write to any image-file device in the process (a
 * simple write of any number of blocks, an extended write, an erase) is one
 * write, counted from 1. At write N the process dies with SIGKILL, like a
 * power cut: no close, no fsync. The environment sets it up at the first open:
 *   CAIRN_FILE_KILL_AT=N          die at write N (unset or 0: never)
 *   CAIRN_FILE_KILL_MODE=full     write N completes first (the default)
 *                        half     only the first half of its bytes is written
 *                        none     nothing of it is written
 *   CAIRN_FILE_WRITE_COUNT=path   write the process's write count to `path`
 *                                 at exit (and just before a kill): run once
 *                                 uncut to learn N's range.
 * cairn_file_bdev_kill_at sets the same schedule from code (mode as above,
 * NULL = full; n = 0 disarms); cairn_file_bdev_writes is the count so far.
 */
void cairn_file_bdev_kill_at(uint64_t n, const char *mode);
uint64_t cairn_file_bdev_writes(void);

/*
 * Emulator persistence: load fills the emulator's memory from an image whose
 * size must equal the device's (-EINVAL otherwise, -ENOENT when missing);
 * save writes the whole memory to `path` (created or truncated) and fsyncs.
 * Erase counts are not persisted.
 */
int cairn_nor_load(struct cairn_nor *nor, const char *path);
int cairn_nor_save(const struct cairn_nor *nor, const char *path);
int cairn_sd_load(struct cairn_sd *sd, const char *path);
int cairn_sd_save(const struct cairn_sd *sd, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_HOST_H */
