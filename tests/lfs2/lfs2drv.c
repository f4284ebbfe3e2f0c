// Driving the littlefs v2 driver from the verification tests (see lfs2drv.h).
#include "lfs2drv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"

static uint32_t lt_cache_size(const struct cairn_lfs2_config *c, uint32_t bs)
{
    if (c->cache_size) {
        return c->cache_size;
    }
    uint32_t r = c->read_size ? c->read_size : 32;
    uint32_t p = c->prog_size ? c->prog_size : 32;
    uint32_t m = 4 * (r > p ? r : p);
    return bs && bs < m ? bs : m;
}

int lt_init(struct lt_fs *t, struct cairn_bdev *bd, const struct cairn_lfs2_config *base)
{
    memset(t, 0, sizeof *t);
    if (base) {
        t->cfg = *base;
    }
    t->bd = bd;
    uint32_t bs = t->cfg.block_size ? t->cfg.block_size : bd->block_size;
    uint32_t cache = lt_cache_size(&t->cfg, bs);
    uint32_t la = t->cfg.lookahead_size ? t->cfg.lookahead_size : 32;
    uint32_t need = CAIRN_LFS2_BUFFER_SIZE(cache, la);
    t->buf = aligned_alloc(8, (need + 7) & ~7u);
    if (t->buf == NULL) {
        abort();
    }
    memset(t->buf, 0, need);
    t->cfg.buffer = t->buf;
    t->cfg.buffer_size = need;
    t->fs = &t->lfs.fs;
    int rc = cairn_lfs2_init(&t->lfs, bd, &t->cfg);
    t->ops = t->lfs.fs.ops ? t->lfs.fs.ops : &cairn_lfs2_ops;
    return rc;
}

int lt_reinit(struct lt_fs *t)
{
    t->mounted = 0;
    memset(&t->lfs, 0, sizeof t->lfs);
    int rc = cairn_lfs2_init(&t->lfs, t->bd, &t->cfg);
    t->ops = t->lfs.fs.ops ? t->lfs.fs.ops : &cairn_lfs2_ops;
    return rc;
}

int lt_mkfs(struct lt_fs *t)
{
    return t->ops->mkfs(t->fs);
}

int lt_mount(struct lt_fs *t, uint32_t flags)
{
    int rc = t->ops->mount(t->fs, flags);
    if (rc != 0) {
        return rc;
    }
    t->mounted = 1;
    size_t fsz = t->ops->file_size(t->fs), dsz = t->ops->dir_size(t->fs);
    free(t->file);
    free(t->file2);
    free(t->dir);
    t->file = calloc(1, fsz + 16);
    t->file2 = calloc(1, fsz + 16);
    t->dir = calloc(1, dsz + 16);
    if (!t->file || !t->file2 || !t->dir) {
        abort();
    }
    return 0;
}

int lt_umount(struct lt_fs *t)
{
    t->mounted = 0;
    return t->ops->umount(t->fs);
}

void lt_fini(struct lt_fs *t)
{
    free(t->buf);
    free(t->file);
    free(t->file2);
    free(t->dir);
    memset(t, 0, sizeof *t);
}

int lt_write_file(struct lt_fs *t, const char *path, const void *data, size_t len, size_t chunk)
{
    int rc = t->ops->open(t->fs, t->file, path, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (rc != 0) {
        return rc;
    }
    const uint8_t *p = data;
    size_t off = 0;
    if (chunk == 0) {
        chunk = len ? len : 1;
    }
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        int32_t w = t->ops->write(t->fs, t->file, p + off, (uint32_t)n);
        if (w < 0) {
            t->ops->close(t->fs, t->file);
            return w;
        }
        if ((size_t)w != n) {
            t->ops->close(t->fs, t->file);
            return CAIRN_EIO;
        }
        off += n;
    }
    return t->ops->close(t->fs, t->file);
}

int lt_append_file(struct lt_fs *t, const char *path, const void *data, size_t len)
{
    int rc = t->ops->open(t->fs, t->file, path, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_APPEND);
    if (rc != 0) {
        return rc;
    }
    int32_t w = t->ops->write(t->fs, t->file, data, (uint32_t)len);
    if (w < 0 || (size_t)w != len) {
        t->ops->close(t->fs, t->file);
        return w < 0 ? w : CAIRN_EIO;
    }
    return t->ops->close(t->fs, t->file);
}

int lt_read_file(struct lt_fs *t, const char *path, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int rc = t->ops->open(t->fs, t->file, path, CAIRN_O_RDONLY);
    if (rc != 0) {
        return rc;
    }
    int64_t size = t->ops->size(t->fs, t->file);
    if (size < 0) {
        t->ops->close(t->fs, t->file);
        return (int)size;
    }
    uint8_t *buf = malloc(size ? (size_t)size + 1 : 1);
    if (buf == NULL) {
        abort();
    }
    size_t got = 0;
    // read in odd-sized pieces to cross cache and block boundaries
    for (int guard = 0; got < (size_t)size + 1 && guard < 1 << 22; guard++) {
        size_t want = (size_t)size + 1 - got;
        if (want > 1531) {
            want = 1531;
        }
        int32_t r = t->ops->read(t->fs, t->file, buf + got, (uint32_t)want);
        if (r < 0) {
            free(buf);
            t->ops->close(t->fs, t->file);
            return r;
        }
        if (r == 0) {
            break;
        }
        got += (size_t)r;
    }
    rc = t->ops->close(t->fs, t->file);
    if (got != (size_t)size) {
        free(buf);
        return CAIRN_EIO; // size and read disagree
    }
    if (size == 0) {
        free(buf);
        buf = NULL;
    }
    *out = buf;
    *len = got;
    return rc;
}

/* ----------------------------------------------------------------- walk */

// Bounds: a damaged volume may loop (a directory pointing at an ancestor).
#define LT_WALK_MAX_ENTRIES 20000
#define LT_WALK_MAX_PATH 480

static void lt_msg(struct lfs2check_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void lt_msg(struct lfs2check_result *r, const char *fmt, ...)
{
    r->errors++;
    if (r->nmsgs < LFS2CHECK_MAX_MSGS) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msgs[r->nmsgs], sizeof r->msgs[0], fmt, ap);
        va_end(ap);
        r->nmsgs++;
    }
}

static int lt_cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct lfs2check_entry *)a)->path,
                  ((const struct lfs2check_entry *)b)->path);
}

static char *lt_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p == NULL) {
        abort();
    }
    memcpy(p, dir, a);
    size_t o = a;
    if (a == 0 || dir[a - 1] != '/') {
        p[o++] = '/';
    }
    memcpy(p + o, name, b + 1);
    return p;
}

int lt_walk(struct lt_fs *t, struct lfs2check_result *res)
{
    memset(res, 0, sizeof *res);
    size_t cap = 0;
    // queue of directories to list: start with the root
    size_t qn = 1, qi = 0, qcap = 16;
    char **q = malloc(qcap * sizeof *q);
    if (q == NULL) {
        abort();
    }
    q[0] = lt_join("", "");
    q[0][0] = '/';
    q[0][1] = '\0';
    int err = 0;
    struct cairn_dirent *ent = malloc(sizeof *ent);
    if (ent == NULL) {
        abort();
    }
    while (qi < qn && err == 0 && res->count < LT_WALK_MAX_ENTRIES) {
        char *dpath = q[qi++];
        int rc = t->ops->opendir(t->fs, t->dir, dpath);
        if (rc != 0) {
            err = rc;
            lt_msg(res, "opendir %s: %d", dpath, rc);
            break;
        }
        for (int guard = 0; guard < 100000; guard++) {
            rc = t->ops->readdir(t->fs, t->dir, ent);
            if (rc <= 0) {
                break;
            }
            if (res->count >= LT_WALK_MAX_ENTRIES) {
                lt_msg(res, "walk: more than %d entries (a directory cycle?)",
                       LT_WALK_MAX_ENTRIES);
                rc = 0;
                break;
            }
            if (res->count == cap) {
                cap = cap ? cap * 2 : 64;
                res->entries = realloc(res->entries, cap * sizeof *res->entries);
                if (res->entries == NULL) {
                    abort();
                }
            }
            struct lfs2check_entry *e = &res->entries[res->count++];
            memset(e, 0, sizeof *e);
            e->path = lt_join(strcmp(dpath, "/") == 0 ? "" : dpath, ent->name);
            e->is_dir = ent->type == CAIRN_S_IFDIR;
            e->size = (uint32_t)ent->size;
            if (e->is_dir && strlen(e->path) > LT_WALK_MAX_PATH) {
                lt_msg(res, "walk: path longer than %d bytes (a directory cycle?)",
                       LT_WALK_MAX_PATH);
                e->is_dir = 1;
            } else if (e->is_dir) {
                if (ent->size != 0) {
                    lt_msg(res, "%s: readdir size %lld for a directory", e->path,
                           (long long)ent->size);
                }
                if (qn == qcap) {
                    qcap *= 2;
                    q = realloc(q, qcap * sizeof *q);
                    if (q == NULL) {
                        abort();
                    }
                }
                size_t l = strlen(e->path);
                q[qn] = malloc(l + 1);
                if (q[qn] == NULL) {
                    abort();
                }
                memcpy(q[qn], e->path, l + 1);
                qn++;
            }
        }
        int rc2 = t->ops->closedir(t->fs, t->dir);
        if (rc < 0) {
            err = rc;
            lt_msg(res, "readdir %s: %d", dpath, rc);
        } else if (rc2 != 0) {
            err = rc2;
            lt_msg(res, "closedir %s: %d", dpath, rc2);
        }
    }
    for (size_t i = 0; i < res->count && err == 0; i++) {
        struct lfs2check_entry *e = &res->entries[i];
        struct cairn_stat st;
        memset(&st, 0, sizeof st);
        int rc = t->ops->stat(t->fs, e->path, &st);
        if (rc != 0) {
            err = rc;
            lt_msg(res, "stat %s: %d", e->path, rc);
            break;
        }
        if ((st.mode == CAIRN_S_IFDIR) != e->is_dir) {
            lt_msg(res, "%s: stat type %x disagrees with readdir", e->path, st.mode);
        }
        uint8_t attr[8];
        int32_t an = t->ops->getattr(t->fs, e->path, 1, attr, sizeof attr);
        if (an == 8) {
            e->has_mtime = 1;
            e->mtime_ns = 0;
            for (int k = 7; k >= 0; k--) {
                e->mtime_ns = (e->mtime_ns << 8) | attr[k];
            }
        }
        if (!t->cfg.no_mtime) {
            if (st.has_mtime != e->has_mtime) {
                lt_msg(res, "%s: stat has_mtime %d, attribute %d", e->path, st.has_mtime,
                       e->has_mtime);
            } else if (e->has_mtime &&
                       ((uint64_t)st.mtime * 1000000000u + st.mtime_nsec) != e->mtime_ns) {
                lt_msg(res, "%s: stat mtime %lld.%09u, attribute %llu", e->path,
                       (long long)st.mtime, st.mtime_nsec, (unsigned long long)e->mtime_ns);
            }
        }
        if (e->is_dir) {
            res->dirs++;
            if (st.size != 0) {
                lt_msg(res, "%s: directory size %lld (D10)", e->path, (long long)st.size);
            }
            continue;
        }
        res->files++;
        if ((uint64_t)st.size != e->size) {
            lt_msg(res, "%s: stat size %lld, readdir %u", e->path, (long long)st.size, e->size);
        }
        size_t len = 0;
        rc = lt_read_file(t, e->path, &e->data, &len);
        if (rc != 0) {
            err = rc;
            lt_msg(res, "read %s: %d", e->path, rc);
            break;
        }
        if (len != e->size) {
            lt_msg(res, "%s: read %zu bytes, size %u", e->path, len, e->size);
            e->size = (uint32_t)len;
        }
    }
    for (size_t i = qi; i < qn; i++) {
        free(q[i]);
    }
    for (size_t i = 0; i < qi; i++) {
        free(q[i]);
    }
    free(q);
    free(ent);
    if (res->count > 1) {
        qsort(res->entries, res->count, sizeof *res->entries, lt_cmp_entry);
    }
    return err;
}

/* ---------------------------------------------------------------- clock */

static int64_t lt_clock_base, lt_clock_step, lt_clock_calls;

static int64_t lt_clock_fn(void *ctx)
{
    (void)ctx;
    return lt_clock_base + lt_clock_step * lt_clock_calls++;
}

void lt_clock_install(int64_t base_ns, int64_t step_ns)
{
    lt_clock_base = base_ns;
    lt_clock_step = step_ns;
    lt_clock_calls = 0;
    cairn_clock_set(lt_clock_fn, NULL);
}

void lt_clock_remove(void)
{
    cairn_clock_set(NULL, NULL);
}

void lt_fill(uint8_t *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)(x >> 11);
    }
}
