/*
 * Helpers shared by the FAT verification tests (tests/fat/test_*.c): data
 * patterns, a counting device, an image-file device, host-side file and
 * process helpers, and tree walks through any driver's ops table.
 *
 * This file is linked into every test program, so it depends only on the
 * block-device layer and on drivers reached through struct cairn_fs.
 */
#ifndef CAIRN_TESTS_FAT_HELPERS_H
#define CAIRN_TESTS_FAT_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/bdev.h"
#include "cairn/fs.h"

/* ---- data ------------------------------------------------------------------ */

/* One xorshift32 step (seed 0 treated as 1), as the interop README defines. */
uint32_t th_fat_xorshift(uint32_t *state);

/* Byte `off` of the pattern stream `seed`: random access, so a prefix or an
 * append of the same stream can be checked anywhere. Never equals the stale
 * fill th_fat_stale_fill() writes at the same position for long. */
uint8_t th_fat_pattern_byte(uint32_t seed, uint64_t off);
void th_fat_pattern(void *buf, size_t len, uint32_t seed, uint64_t off);
/* Index of the first byte of buf that differs from the pattern, or len. */
size_t th_fat_pattern_mismatch(const void *buf, size_t len, uint32_t seed, uint64_t off);

/* Fill device memory with a distinctive non-zero "stale" pattern
 * ("STALE" + sector number) so leaked old data is recognised. */
void th_fat_stale_fill(void *mem, size_t len, uint32_t sector_size);

/* Byte offset of the FAT volume in an image whose first sector is `s0`: 0 for
 * a super floppy, else the first FAT partition's start (fsck.fat and mtools
 * want the volume). */
uint64_t th_fat_volume_offset(const uint8_t *s0, uint32_t ss);

/* ---- a counting device --------------------------------------------------------
 * Forwards the simple interface to `lower` and counts calls and blocks. */
struct th_fat_count {
    struct cairn_bdev bd;
    struct cairn_bdev_ops ops;
    struct cairn_bdev *lower;
    uint64_t reads, read_blocks, writes, write_blocks, ioctls;
    uint64_t watch_write;    /* 1-based write call to remember (0 = none) ... */
    uint32_t watched_blocks; /* ... and its length in blocks */
};

void th_fat_count_init(struct th_fat_count *c, struct cairn_bdev *lower);
void th_fat_count_reset(struct th_fat_count *c);

/* ---- an image-file device (host) ---------------------------------------------
 * Simple interface over a host file with pread/pwrite; the geometry is given
 * (sector_count 0 = from the file size). */
struct th_fat_file {
    struct cairn_bdev bd;
    struct cairn_bdev_ops ops;
    int fd;
    uint32_t sector_size, sector_count;
    uint64_t offset; /* byte offset of sector 0 inside the file */
};

int th_fat_file_open(struct th_fat_file *f, const char *path, uint32_t sector_size,
                     uint32_t sector_count, int readonly);
void th_fat_file_close(struct th_fat_file *f);

/* ---- host helpers --------------------------------------------------------------- */

/* Non-zero when `prog` is found on PATH (or /sbin, /usr/sbin). */
int th_fat_have_tool(const char *prog);
/* Full path of a tool (static buffer), or the name itself. */
const char *th_fat_tool(const char *prog);
/* Run a shell command; its combined output goes into out (NUL-terminated,
 * may be NULL). Returns the exit status, or -1. */
int th_fat_run(const char *cmd, char *out, size_t outlen);
/* Whole host file into malloc'd memory (*len set). NULL on error. */
uint8_t *th_fat_read_host(const char *path, size_t *len);
int th_fat_write_host(const char *path, const void *data, size_t len);
/* Recursively compare two host directories: names, types, contents. Returns
 * the number of differences (printed with the prefix `what`). */
int th_fat_cmp_host_dirs(const char *a, const char *b, const char *what);

/* ---- through a driver -------------------------------------------------------------- */

/* Read a whole file through the ops table into malloc'd memory. Returns 0 or
 * the driver's error; *len gets the size. */
int th_fat_fs_read(struct cairn_fs *fs, const char *path, uint8_t **data, size_t *len);
/* Create/overwrite a file with `data` (one or more writes of `chunk` bytes). */
int th_fat_fs_write(struct cairn_fs *fs, const char *path, const void *data, size_t len,
                    size_t chunk);
/* Compare the tree under driver directory `fspath` with host directory
 * `host` both ways (names, types, sizes, contents). Returns differences. */
int th_fat_cmp_fs_host(struct cairn_fs *fs, const char *fspath, const char *host);
/* Copy a host tree into the driver under `fspath` (which must exist).
 * Returns 0 or the first error. */
int th_fat_copy_host_to_fs(struct cairn_fs *fs, const char *host, const char *fspath);
/* Walk every directory, stat and read every file; returns the number of
 * entries seen, or a negative error from the first failing call. Bounded by
 * max_entries (a corrupt image must not make it run for ever). */
long th_fat_fs_walk(struct cairn_fs *fs, long max_entries);
/* Our fsck as a consistency check: what the op returns, or 0 when the driver
 * is built without fsck (CAIRN_FAT_FSCK 0: -EOPNOTSUPP, nothing to ask). */
int32_t th_fat_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report, void *ctx);
/* Is the FAT driver built with fsck? (tests about fsck SKIP when not) */
int th_fat_has_fsck(void);

#endif
