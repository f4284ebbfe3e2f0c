/*
 * Driving the littlefs v2 driver from the lfs2 verification tests, through
 * its public API only (include/cairn/lfs2.h + the ops table of fs.h):
 * mount helpers, whole-file read/write, and a walk of the tree that yields
 * the same shape as the checker's result, so both can be compared with each
 * other and with interop manifests. Host test code: mallocs.
 */
#ifndef CAIRN_TESTS_LFS2DRV_H
#define CAIRN_TESTS_LFS2DRV_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/lfs2.h"
#include "lfs2check.h"

struct lt_fs {
    struct cairn_lfs2 lfs;
    struct cairn_lfs2_config cfg;
    struct cairn_fs *fs;          /* &lfs.fs */
    const struct cairn_fs_ops *ops;
    struct cairn_bdev *bd;
    uint8_t *buf;                 /* cfg.buffer */
    void *file;                   /* one file handle's memory (sized at mount) */
    void *file2;                  /* a second one */
    void *dir;
    int mounted;
};

/*
 * Initialise the driver on `bd` with a copy of `base` (NULL = all defaults);
 * the cache/lookahead buffer is allocated here. Returns cairn_lfs2_init's result.
 */
int lt_init(struct lt_fs *t, struct cairn_bdev *bd, const struct cairn_lfs2_config *base);
/* Re-initialise the same object after a power cut (the buffers are kept). */
int lt_reinit(struct lt_fs *t);
int lt_mkfs(struct lt_fs *t);
/* Mount (flags CAIRN_MOUNT_*), and size the handle memory for this mount. */
int lt_mount(struct lt_fs *t, uint32_t flags);
int lt_umount(struct lt_fs *t);
void lt_fini(struct lt_fs *t);

/* Create/replace `path` with `len` bytes (open W|CREAT|TRUNC, write in
 * `chunk`-byte writes (0 = one), close). 0 or the first error. */
int lt_write_file(struct lt_fs *t, const char *path, const void *data, size_t len, size_t chunk);
/* Append with O_APPEND. */
int lt_append_file(struct lt_fs *t, const char *path, const void *data, size_t len);
/* Read a whole file into malloc'd *out (NULL when empty). 0 or an error. */
int lt_read_file(struct lt_fs *t, const char *path, uint8_t **out, size_t *len);

/*
 * Walk the whole tree with opendir/readdir/stat/open/read/getattr and fill
 * `res` (entries sorted by path, like lfs2check_image's; mtime from
 * attribute 1). Inconsistencies between readdir, stat and read (types,
 * sizes, stat's mtime vs the attribute) are counted in res->errors with a
 * message. Free with lfs2check_free. Returns 0 or the first driver error.
 */
int lt_walk(struct lt_fs *t, struct lfs2check_result *res);

/* A fixed clock for the driver's mtimes: now = base + step * calls. */
void lt_clock_install(int64_t base_ns, int64_t step_ns);
void lt_clock_remove(void);

/* Deterministic content. */
void lt_fill(uint8_t *buf, size_t len, uint32_t seed);

#endif
