// Shared helpers for the FAT driver's unit tests (RAM device, ops table).
#ifndef TEST_FAT_UTIL_H
#define TEST_FAT_UTIL_H

#include <stdlib.h>

#include "cairn/fat.h"
#include "../harness.h"

struct fx {
    uint8_t *mem;
    uint32_t ss, count;
    struct cairn_ram_bdev ram;
    struct cairn_fat fat;
    struct cairn_fat_config cfg;
    struct cairn_fs *fs;
};

// A RAM device of count x ss bytes (zero-filled), FAT-initialised, no mkfs.
static inline void fx_dev(struct fx *x, uint32_t ss, uint32_t count)
{
    memset(&x->cfg, 0, sizeof x->cfg);
    x->ss = ss;
    x->count = count;
    x->mem = calloc(count, ss);
    cairn_ram_bdev_init(&x->ram, x->mem, ss, count, CAIRN_RAM_SIMPLE, 0xFF);
    cairn_fat_init(&x->fat, &x->ram.bd, &x->cfg);
    x->fs = &x->fat.fs;
}

// Device + mkfs + mount. Returns 0 or the first error.
static inline int fx_up(struct fx *x, uint32_t ss, uint32_t count)
{
    fx_dev(x, ss, count);
    int rc = x->fs->ops->mkfs(x->fs);
    if (rc) {
        return rc;
    }
    return x->fs->ops->mount(x->fs, 0);
}

static inline void fx_down(struct fx *x)
{
    if (x->fs->mounted) {
        x->fs->ops->umount(x->fs);
    }
    free(x->mem);
    x->mem = NULL;
}

static inline int fx_remount(struct fx *x, uint32_t flags)
{
    int rc = x->fs->ops->umount(x->fs);
    if (rc) {
        return rc;
    }
    return x->fs->ops->mount(x->fs, flags);
}

// Our fsck as a consistency check: what the op returns, or 0 when the driver
// is built without fsck (CAIRN_FAT_FSCK 0), where there is nothing to ask.
static inline int32_t fx_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report,
                              void *ctx)
{
#if CAIRN_FAT_FSCK
    return fs->ops->fsck(fs, flags, report, ctx);
#else
    (void)fs;
    (void)flags;
    (void)report;
    (void)ctx;
    return 0;
#endif
}

static inline void fx_count_report(void *ctx, const char *problem, int fixed)
{
    (void)problem;
    (void)fixed;
    (*(int *)ctx)++;
}

// fsck without repair: the number of problems reported, or its error.
static inline int32_t fx_problems(struct fx *x)
{
    int n = 0;
    int32_t left = fx_fsck(x->fs, 0, fx_count_report, &n);
    return left < 0 ? left : n;
}

// Free clusters as statvfs reports them (0 on an error).
static inline uint32_t fx_bfree(struct fx *x)
{
    struct cairn_statvfs st;
    if (x->fs->ops->statvfs(x->fs, &st) != 0) {
        return 0;
    }
    return (uint32_t)st.f_bfree;
}

// Whole-file helpers through the ops table.
static inline int fx_write(struct fx *x, const char *path, const void *data, uint32_t len)
{
    uint8_t fh[256];
    const struct cairn_fs_ops *o = x->fs->ops;
    if (o->file_size(x->fs) > sizeof fh) {
        return -1000;
    }
    int rc = o->open(x->fs, fh, path, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (rc) {
        return rc;
    }
    int32_t w = len ? o->write(x->fs, fh, data, len) : 0;
    int c = o->close(x->fs, fh);
    if (w < 0) {
        return w;
    }
    if ((uint32_t)w != len) {
        return -1001;
    }
    return c;
}

static inline int32_t fx_read(struct fx *x, const char *path, void *buf, uint32_t cap)
{
    uint8_t fh[256];
    const struct cairn_fs_ops *o = x->fs->ops;
    int rc = o->open(x->fs, fh, path, CAIRN_O_RDONLY);
    if (rc) {
        return rc;
    }
    int32_t r = o->read(x->fs, fh, buf, cap);
    o->close(x->fs, fh);
    return r;
}

// Names in a directory, joined with '|' ("a|b|c"); returns the count or an error.
static inline int fx_list(struct fx *x, const char *path, char *out, size_t cap)
{
    uint8_t dh[256];
    static struct cairn_dirent ent;
    const struct cairn_fs_ops *o = x->fs->ops;
    out[0] = 0;
    int rc = o->opendir(x->fs, dh, path);
    if (rc) {
        return rc;
    }
    int n = 0;
    for (;;) {
        rc = o->readdir(x->fs, dh, &ent);
        if (rc <= 0) {
            break;
        }
        size_t l = strlen(out), k = strlen(ent.name);
        if (l + k + 2 < cap) {
            if (n) {
                out[l++] = '|';
            }
            memcpy(out + l, ent.name, k + 1);
        }
        n++;
    }
    o->closedir(x->fs, dh);
    return rc < 0 ? rc : n;
}

// Find an 11-byte short name in the raw image: its entry offset or -1.
static inline long fx_find_sfn(struct fx *x, const char *sfn11)
{
    size_t total = (size_t)x->ss * x->count;
    for (size_t off = 0; off + 32 <= total; off += 32) {
        if (memcmp(x->mem + off, sfn11, 11) == 0) {
            return (long)off;
        }
    }
    return -1;
}

#endif
