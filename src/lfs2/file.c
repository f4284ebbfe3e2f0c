/*
 * littlefs v2 driver: files: open, read, write, seek, truncate, flush and sync.
 */
#include "lx.h"

/* ---- files ---------------------------------------------------------------------------- */

size_t lx_file_size(const struct cairn_fs *fs)
{
    // asked for a mounted filesystem only (fs.h): its cache size is known
    return sizeof(struct lx_file) + ((const struct cairn_lfs2 *)fs)->priv.cache_size;
}

size_t lx_dir_size(const struct cairn_fs *fs)
{
    (void)fs;
    return sizeof(struct lx_dir);
}

static uint8_t *lx_fbuf(struct lx_file *f)
{
    return (uint8_t *)(f + 1); // (aligned as the handle: a multiple of 4 bytes)
}

/* The handle becomes an inline file of `size` bytes held in its cache. */
LX_NOINLINE static void lx_set_inline(lx_t *L, struct lx_file *f, uint32_t size)
{
    f->head = LX_INLINE;
    f->size = size;
    f->lx_ff |= LX_F_INLINE;
    f->cache.block = LX_INLINE;
    f->cache.off = 0;
    f->cache.size = L->cache_size;
}

/* 1 when commits of f carry the mtime attribute (mtime on, open for writing;
 * asked only of handles open for writing: sync and write). */
#if CAIRN_LFS2_TINY
#define LX_F_MTIME 0 // (no room in the flags byte: it follows from the mount)
#define lx_fmtime(L, f) (!lx_no_mtime(L))
#else
#define lx_fmtime(L, f) (!!((f)->lx_ff & LX_F_MTIME))
#endif

static void lx_mtime_now(uint8_t *b)
{
    uint64_t ns = (uint64_t)cairn_clock_now_ns();
    lx_ple32(b, (uint32_t)ns);
    lx_ple32(b + 4, (uint32_t)(ns >> 32));
}

int lx_open(struct cairn_fs *fs, void *fp, const char *path, uint32_t flags)
{
    lx_t *L = lx_of(fs);
    struct lx_file *f = fp;
    uint32_t acc = flags & CAIRN_O_ACCMODE;
    if (!fs->mounted)
        return CAIRN_EINVAL;
    if (acc == 0)
        return CAIRN_EINVAL;
    memset(f, 0, sizeof *f);
    f->cache.buf = lx_fbuf(f);
    if (L->ro && ((acc & CAIRN_O_WRONLY) || (flags & CAIRN_O_TRUNC)))
        return CAIRN_EROFS;
    if (acc & CAIRN_O_WRONLY) {
        int err = lx_forceconsistency(L);
        if (err)
            return err;
    }
#if CAIRN_LFS2_TINY
    _Static_assert(CAIRN_O_APPEND >> 9 == LX_F_APPEND, "LX_F_APPEND");
    f->lx_ff = (uint8_t)((flags & CAIRN_O_ACCMODE) | ((flags >> 9) & LX_F_APPEND));
#else
    f->lx_ff = flags & (CAIRN_O_ACCMODE | CAIRN_O_APPEND);
#endif
    const char *p = path;
    uint16_t id; // (set by lx_find)
    int32_t tag = lx_find(L, &f->l.m, &p, &id);
    if (tag < 0 && !(tag == CAIRN_ENOENT && lx_path_islast(p)))
        return tag;
    f->l.type = LX_T_REG;
    f->l.id = id;
    int created = 0;
    uint8_t b[8];
    if (tag == CAIRN_ENOENT) {
        if (!(flags & CAIRN_O_CREAT))
            return CAIRN_ENOENT;
        if (L->ro)
            return CAIRN_EROFS;
        uint32_t nlen = lx_namelen(p);
        if (p[nlen]) // (a slash follows)
            return CAIRN_ENOTDIR;
        if (nlen > L->name_max)
            return CAIRN_ENAMETOOLONG;
        struct lx_attr a[3] = {
            {LX_TAG(LX_T_CREATE, id, 0), NULL},
            {LX_TAG(LX_T_REG, id, nlen), p},
            {LX_TAG(LX_T_INLINESTRUCT, id, 0), NULL},
        };
        // on the list for the commit: a relocation moves the handle too
        lx_mlist_append(L, &f->l);
        int err = lx_commit(L, &f->l.m, a, 3);
        L->mlist = f->l.next; // (off the list again)
        if (err == CAIRN_ENOSPC && nlen > lx_metadata_max(L) / 4)
            err = CAIRN_ENAMETOOLONG;
        if (err)
            return err;
        tag = (int32_t)LX_TAG(LX_T_INLINESTRUCT, 0, 0);
        created = 1;
    } else if (flags & CAIRN_O_EXCL) {
        return CAIRN_EEXIST;
    } else if (lx_type3((uint32_t)tag) != LX_T_REG) {
        return CAIRN_EISDIR;
    } else if (p[lx_namelen(p)]) { // (a slash follows)
        return CAIRN_ENOTDIR;
    } else if (flags & CAIRN_O_TRUNC) {
        tag = (int32_t)LX_TAG(LX_T_INLINESTRUCT, f->l.id, 0);
        f->lx_ff |= LX_F_DIRTY;
    } else {
        tag = lx_get_struct(L, &f->l.m, f->l.id, b);
        if (tag < 0)
            return tag == CAIRN_ENOENT ? CAIRN_ECORRUPT : tag;
        f->head = lx_le32(b);
        f->size = lx_le32(b + 4);
    }
    if (!lx_no_mtime(L)) {
        lx_mtime_now(f->mtime);
        // a file just created has no attribute yet
        if ((acc & CAIRN_O_RDONLY) && !created) {
            int32_t t = lx_get_mtime(L, &f->l.m, f->l.id, b);
            if (t < 0)
                return t;
            if (t)
                memcpy(f->mtime, b, 8);
        }
        if (acc & CAIRN_O_WRONLY)
            f->lx_ff |= LX_F_DIRTY | LX_F_MTIME;
    }
    lx_cache_zero(L, &f->cache);
    if (lx_type3((uint32_t)tag) == LX_T_INLINESTRUCT) {
        lx_set_inline(L, f, lx_tsize((uint32_t)tag));
        if (f->size > L->cache_size)
            return CAIRN_ENOMEM;
        if (f->size > 0) {
            int32_t t = lx_get(L, &f->l.m, LX_GET_T1 | LX_TAG(LX_T_STRUCT, f->l.id, f->size),
                               f->cache.buf);
            if (t < 0)
                return t;
        }
    } else if (lx_type3((uint32_t)tag) != LX_T_CTZSTRUCT || f->size > L->file_max ||
               (f->size > 0 && f->head >= L->block_count)) {
        return CAIRN_ECORRUPT;
    }
    lx_mlist_append(L, &f->l);
    return 0;
}
static int lx_file_relocate(lx_t *L, struct lx_file *f)
{
    uint32_t src = (f->lx_ff & LX_F_INLINE) ? LX_INLINE : f->block;
    for (;;) {
        uint32_t nb;
        int err = lx_alloc(L, &nb);
        if (err)
            return err;
        err = lx_erase(L, nb);
        if (err) {
            if (err == CAIRN_ECORRUPT)
                goto relocate;
            return err;
        }
        err = cairn_lfs2_copy(L, &f->cache, &L->pcache, src, nb, f->off);
        if (err < 0)
            return err;
        if (err)
            goto relocate;
        // the program cache's state moves to the handle's cache (its own buffer)
        uint8_t *buf = f->cache.buf;
        memcpy(buf, L->pcache.buf, L->cache_size);
        f->cache = L->pcache;
        f->cache.buf = buf;
        lx_cache_zero(L, &L->pcache);
        cairn_lfs2_ctz_moved(L, src, nb, f->pos);
        f->block = nb;
        f->lx_ff |= LX_F_WRITING;
        return 0;
relocate:
        lx_cache_zero(L, &L->pcache);
    }
}

// Program file data at the file's block and offset; a block that will not
// take it is replaced (its data so far copied) and the program retried.
// Any other failure leaves the handle erred.
static int lx_fprog(lx_t *L, struct lx_file *f, const void *d, uint32_t n)
{
    for (;;) {
        int err = lx_prog(L, &f->cache, 1, f->block, f->off, d, n);
        if (!err)
            return 0;
        if (err == CAIRN_ECORRUPT)
            err = lx_file_relocate(L, f);
        if (err) {
            f->lx_ff |= LX_F_ERRED;
            return err;
        }
    }
}

static int lx_file_outline(lx_t *L, struct lx_file *f)
{
    f->off = f->pos;
    lx_alloc_ckpoint(L);
    int err = lx_file_relocate(L, f);
    if (err)
        return err;
    f->lx_ff &= ~LX_F_INLINE;
    return 0;
}

/* Reading ends: the cache changes role, from read cache to program cache. */
static void lx_endread(lx_t *L, struct lx_file *f)
{
    if (f->lx_ff & LX_F_READING) {
        if (!(f->lx_ff & LX_F_INLINE))
            lx_cache_zero(L, &f->cache);
        f->lx_ff &= ~LX_F_READING;
    }
}

static int32_t lx_fwrite_raw(lx_t *L, struct lx_file *f, const uint8_t *d, uint32_t n)
{
    uint32_t total = n;
    lx_endread(L, f);
    if ((f->lx_ff & LX_F_INLINE) && lx_max(f->pos + n, f->size) > L->inline_max) {
        int err = lx_file_outline(L, f);
        if (err) {
            f->lx_ff |= LX_F_ERRED;
            return err;
        }
    }
    while (n > 0) {
        if (!(f->lx_ff & LX_F_WRITING) || f->off == L->block_size) {
            if (!(f->lx_ff & LX_F_INLINE)) {
                if (!(f->lx_ff & LX_F_WRITING) && f->pos > 0) {
                    // (the offset is set by the extension below)
                    int err = lx_ctz_find(L, f, f->pos - 1, f->bo);
                    if (err) {
                        f->lx_ff |= LX_F_ERRED;
                        return err;
                    }
                    lx_cache_zero(L, &f->cache);
                }
                lx_alloc_ckpoint(L);
                int err = lx_ctz_extend(L, f);
                if (err) {
                    f->lx_ff |= LX_F_ERRED;
                    return err;
                }
            } else {
                f->off = f->pos; // (an inline file's block is not read)
            }
            f->lx_ff |= LX_F_WRITING;
        }
        uint32_t diff = lx_min(n, L->block_size - f->off);
        if (f->lx_ff & LX_F_INLINE) {
            memcpy(f->cache.buf + f->off, d, diff);
        } else {
            int err = lx_fprog(L, f, d, diff);
            if (err)
                return err;
        }
        f->pos += diff, f->off += diff, d += diff, n -= diff;
        lx_alloc_ckpoint(L);
    }
    return (int32_t)total;
}

static int lx_file_flush(lx_t *L, struct lx_file *f)
{
    lx_endread(L, f);
    if (f->lx_ff & LX_F_WRITING) {
        uint32_t pos = f->pos;
        if (!(f->lx_ff & LX_F_INLINE)) {
            // copy what follows the write from the old list
            uint32_t bo[2];
            bo[1] = L->block_size; // (bo[0] is found first)
            while (f->pos < f->size) {
                if (bo[1] >= L->block_size) {
                    int err = lx_ctz_find(L, f, f->pos, bo);
                    if (err)
                        return err;
                }
                uint8_t t[64];
                uint32_t n = lx_min(lx_min(f->size - f->pos, L->block_size - bo[1]), sizeof t);
                int err = lx_read_rc(L, L->block_size - bo[1], bo[0], bo[1], t, n);
                if (err)
                    return err;
                int32_t w = lx_fwrite_raw(L, f, t, n);
                if (w < 0)
                    return w;
                bo[1] += n;
            }
            for (;;) {
                int err = lx_flush(L, &f->cache, 1);
                if (!err)
                    break;
                if (err == CAIRN_ECORRUPT)
                    err = lx_file_relocate(L, f);
                if (err)
                    return err;
            }
            f->head = f->block;
        } else {
            f->pos = lx_max(f->pos, f->size); // (the head stays LX_INLINE)
        }
        f->size = f->pos;
        f->lx_ff &= ~LX_F_WRITING;
        f->lx_ff |= LX_F_DIRTY;
        f->pos = pos;
    }
    return 0;
}

static int lx_file_sync_in(lx_t *L, struct lx_file *f)
{
    int err = lx_file_flush(L, f);
    if (err || !(f->lx_ff & LX_F_DIRTY) || lx_pair_isnull(f->l.m.pair))
        return err;
    // (a handle open for writing on a read-only mount was refused at open)
    uint32_t id = f->l.id;
    uint8_t ctz[8];
    struct lx_attr a[2] = {{LX_TAG(LX_T_INLINESTRUCT, id, f->size), f->cache.buf},
                           {LX_TAG(LX_T_USERATTR + CAIRN_LFS2_ATTR_MTIME, id, 8), f->mtime}};
    if (!(f->lx_ff & LX_F_INLINE)) {
        err = lx_bd_sync(L);
        if (err)
            return err;
        lx_ple32(ctz, f->head);
        lx_ple32(ctz + 4, f->size);
        a[0].tag = LX_TAG(LX_T_CTZSTRUCT, id, 8);
        a[0].buf = ctz;
    }
    err = lx_commit(L, &f->l.m, a, 1 + lx_fmtime(L, f));
    if (!err)
        f->lx_ff &= ~LX_F_DIRTY;
    return err;
}

int lx_close(struct cairn_fs *fs, void *fp)
{
    // (on a read-only mount no handle is open for writing: lx_sync does nothing)
    int err = lx_sync(fs, fp);
    lx_closedir(fs, fp); // (off the open list: handles of both kinds start with it)
    return err;
}

int lx_sync(struct cairn_fs *fs, void *fp)
{
    struct lx_file *f = fp;
    if (!(f->lx_ff & CAIRN_O_WRONLY) || (f->lx_ff & LX_F_ERRED))
        return 0;
    int err = lx_file_sync_in(lx_of(fs), f);
    if (err)
        f->lx_ff |= LX_F_ERRED;
    return err;
}

LX_NOINLINE static uint32_t lx_fsize(struct lx_file *f)
{
    if (f->lx_ff & LX_F_WRITING)
        return lx_max(f->pos, f->size);
    return f->size;
}

static int32_t lx_fread_raw(lx_t *L, struct lx_file *f, uint8_t *d, uint32_t len)
{
    if (f->lx_ff & LX_F_WRITING) {
        int err = lx_file_flush(L, f);
        if (err)
            return err;
    }
    if (f->pos >= f->size)
        return 0;
    uint32_t n = lx_min(len, f->size - f->pos), total = n;
    while (n > 0) {
        if (!(f->lx_ff & LX_F_READING) || f->off == L->block_size) {
            if (!(f->lx_ff & LX_F_INLINE)) {
                int err = lx_ctz_find(L, f, f->pos, f->bo);
                if (err)
                    return err;
            } else {
                f->off = f->pos; // (an inline file's block is not read)
            }
            f->lx_ff |= LX_F_READING;
        }
        uint32_t diff = lx_min(n, L->block_size - f->off);
        if (f->lx_ff & LX_F_INLINE) {
            memcpy(d, f->cache.buf + f->off, diff);
        } else {
            // hint = what is wanted: a small read fetches no more than it needs,
            // a big one goes to the device directly past its unaligned start
            int err = lx_read(L, NULL, &f->cache, diff, f->block, f->off, d, diff);
            if (err)
                return err;
        }
        f->pos += diff, f->off += diff, d += diff, n -= diff;
    }
    return (int32_t)total;
}

int32_t lx_read_op(struct cairn_fs *fs, void *fp, void *buf, uint32_t len)
{
    struct lx_file *f = fp;
    if (!(f->lx_ff & CAIRN_O_RDONLY))
        return CAIRN_EBADF;
    // (no clamp: a read stops at the size, itself at most file_max < 2^31)
    return lx_fread_raw(lx_of(fs), f, buf, len);
}

/* Write zeros from f->pos up to `target` (a gap past the end of the file). */
static int lx_zero_fill(lx_t *L, struct lx_file *f, uint32_t target)
{
    uint8_t zeros[32];
    memset(zeros, 0, sizeof zeros);
    while (f->pos < target) {
        int32_t w = lx_fwrite_raw(L, f, zeros, lx_min(target - f->pos, sizeof zeros));
        if (w < 0)
            return w;
    }
    return 0;
}

int32_t lx_write_op(struct cairn_fs *fs, void *fp, const void *buf, uint32_t len)
{
    lx_t *L = lx_of(fs);
    struct lx_file *f = fp;
    // (no handle is open for writing on a read-only mount: open refused it)
    if (!(f->lx_ff & CAIRN_O_WRONLY))
        return CAIRN_EBADF;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    // (reading ends in lx_fwrite_raw: the cache becomes the program cache)
    if ((f->lx_ff & LX_F_APPEND) && f->pos < f->size)
        f->pos = f->size;
    if ((uint64_t)f->pos + len > L->file_max)
        return CAIRN_EFBIG;
    if (!(f->lx_ff & LX_F_WRITING) && f->pos > f->size) {
        // zero-fill the gap left by a seek past the end
        uint32_t target = f->pos;
        f->pos = f->size;
        int err = lx_zero_fill(L, f, target);
        if (err)
            return err;
    }
    int32_t w = lx_fwrite_raw(L, f, buf, len);
    if (w >= 0 && lx_fmtime(L, f))
        lx_mtime_now(f->mtime);
    return w;
}

int64_t lx_seek(struct cairn_fs *fs, void *fp, int64_t off, int whence)
{
    lx_t *L = lx_of(fs);
    struct lx_file *f = fp;
    int64_t npos;
    if (whence == CAIRN_SEEK_SET)
        npos = off;
    else if (whence == CAIRN_SEEK_CUR)
        npos = (int64_t)f->pos + off;
    else if (whence == CAIRN_SEEK_END)
        npos = (int64_t)lx_fsize(f) + off;
    else
        return f->pos;
    if (npos < 0 || npos > (int64_t)L->file_max)
        return CAIRN_EINVAL;
    if ((uint32_t)npos == f->pos)
        return npos;
    int err = lx_file_flush(L, f);
    if (err)
        return err;
    f->pos = (uint32_t)npos;
    return npos;
}

int64_t lx_tell(struct cairn_fs *fs, void *fp)
{
    (void)fs;
    return ((struct lx_file *)fp)->pos;
}

int64_t lx_size_op(struct cairn_fs *fs, void *fp)
{
    (void)fs;
    return lx_fsize(fp);
}

int lx_truncate(struct cairn_fs *fs, void *fp, int64_t size)
{
    lx_t *L = lx_of(fs);
    struct lx_file *f = fp;
    // (no handle is open for writing on a read-only mount: open refused it)
    if (!(f->lx_ff & CAIRN_O_WRONLY))
        return CAIRN_EBADF;
    if (size < 0 || size > (int64_t)L->file_max)
        return CAIRN_EINVAL;
    uint32_t pos = f->pos, oldsize = lx_fsize(f), nsize = (uint32_t)size;
    if (nsize < oldsize) {
        int err = lx_file_flush(L, f);
        if (err)
            return err;
        if (nsize <= L->inline_max) {
            // the first bytes (of block index 0) into the handle's cache
            if (!(f->lx_ff & LX_F_INLINE)) {
                uint32_t bo[2];
                err = lx_ctz_find(L, f, 0, bo);
                if (!err)
                    err = lx_read_rc(L, nsize, bo[0], 0, f->cache.buf, nsize);
                if (err)
                    return err;
            }
            lx_set_inline(L, f, nsize);
        } else {
            // (off is found again by the next read: READING goes below)
            err = lx_ctz_find(L, f, nsize - 1, f->bo);
            if (err)
                return err;
            f->head = f->block;
            lx_cache_zero(L, &f->cache);
            f->size = nsize;
        }
        f->lx_ff |= LX_F_DIRTY;
        f->lx_ff &= ~LX_F_READING;
    } else if (nsize > oldsize) {
        int64_t r = lx_seek(fs, f, 0, CAIRN_SEEK_END);
        if (r < 0)
            return (int)r;
        int err = lx_zero_fill(L, f, nsize);
        if (err)
            return err;
    }
    int64_t r = lx_seek(fs, f, pos, CAIRN_SEEK_SET);
    return r < 0 ? (int)r : 0;
}
