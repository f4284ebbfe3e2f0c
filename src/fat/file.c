// FAT files: open, read, write (data, then FAT link, then the directory
// entry at sync), seek, truncate, sync, close.
#include "fat_int.h"

#define FAT_FILE_MAX 0xFFFFFFFFu

static struct fat_file *fat_handle(struct cairn_fs *fs, void *file, int *err)
{
    struct fat_file *f = file;
    if (f == NULL || f->magic != FAT_FILE_MAGIC) {
        *err = CAIRN_EBADF;
        return NULL;
    }
    if (!fs->mounted) {
        *err = CAIRN_ENODEV;
        return NULL;
    }
    *err = 0;
    return f;
}

// A handle open for writing on a writable mount (-EBADF, D4; -EROFS).
static struct fat_file *fat_whandle(struct cairn_fs *fs, void *file, int *err)
{
    struct fat_file *f = fat_handle(fs, file, err);
    if (f && !(f->flags & CAIRN_O_WRONLY)) {
        *err = CAIRN_EBADF;
        return NULL;
    }
    if (f && fat_v(fs)->ro) {
        *err = CAIRN_EROFS;
        return NULL;
    }
    return f;
}

static uint32_t fat_clust_bytes(const fat_vol *v)
{
    return v->csize * v->ss;
}

// Walk the chain to cluster index `ci`. On success *c is that cluster. When
// the chain is shorter, returns 1 with *c = the last cluster (0 if none) and
// *have = the number of clusters in the chain.
static int fat_file_walk(struct cairn_fs *fs, struct fat_file *f, uint32_t ci, uint32_t *c,
                         uint32_t *have)
{
    fat_vol *v = fat_v(fs);
    uint32_t cur, idx;
    if (f->sclust == 0) {
        *c = 0;
        *have = 0;
        return 1;
    }
    if (ci < f->run_n) {
        *c = f->sclust + ci; // inside the known contiguous run
        return 0;
    }
    if (v->pr_n && v->pr_file == f && ci >= v->pr_idx) {
        // clusters taken but not linked yet: the FAT does not know them
        uint32_t k = ci - v->pr_idx;
        if (k < v->pr_n) {
            *c = v->pr_first + k;
            f->clust = *c;
            f->clust_idx = ci;
            return 0;
        }
        *c = v->pr_first + v->pr_n - 1;
        *have = v->pr_idx + v->pr_n;
        return 1;
    }
    // start from the furthest known position at or before ci
    cur = f->sclust;
    idx = 0;
    if (f->run_n > 0) {
        cur = f->sclust + f->run_n - 1;
        idx = f->run_n - 1;
    }
    if (f->clust && f->clust_idx <= ci && f->clust_idx > idx) {
        cur = f->clust;
        idx = f->clust_idx;
    }
    if (v->cc_valid && v->cc_sclust == f->sclust && v->cc_idx <= ci && v->cc_idx > idx) {
        cur = v->cc_clust; // where the file was when it was last closed
        idx = v->cc_idx;
    }
    if (cur < 2 || cur >= v->n_fatent) {
        return CAIRN_ECORRUPT;
    }
    while (idx < ci) {
        uint32_t nx;
        int rc = cairn_fat_next(fs, cur, &nx);
        if (rc) {
            return rc;
        }
        if (nx == 0) {
            f->clust = cur;
            f->clust_idx = idx;
            *c = cur;
            *have = idx + 1;
            return 1;
        }
        if (idx + 1 >= v->n_fatent) {
            return CAIRN_ECORRUPT; // longer than the volume: a loop
        }
        if (idx + 1 == f->run_n && nx == cur + 1) {
            f->run_n++;
        }
        cur = nx;
        idx++;
    }
    f->clust = cur;
    f->clust_idx = idx;
    *c = cur;
    return 0;
}

// Where the `len` bytes at the file position lie in the window, when they
// all do in one sector held in memory (-1 if not; the second buffer's
// sector becomes the window): small reads and writes then skip the chain walk.
static int32_t fat_win_off(struct cairn_fs *fs, const struct fat_file *f, uint32_t len)
{
    fat_vol *v = fat_v(fs);
    uint32_t cb = fat_clust_bytes(v), pos = f->fptr;
    if (!f->clust || pos / cb != f->clust_idx) {
        return -1;
    }
    uint32_t in = pos % cb, off = in % v->ss;
    uint32_t sect = cairn_fat_clust2sect(v, f->clust) + in / v->ss;
    if (off + len > v->ss || (sect != v->win_sect && sect != v->alt_sect) ||
        cairn_fat_win_move(fs, sect) != 0) {
        return -1;
    }
    return (int32_t)off;
}

// ---- open / close / sync --------------------------------------------------------------------

int cairn_fat_open(struct cairn_fs *fs, void *file, const char *path, uint32_t flags)
{
    fat_vol *v = fat_v(fs);
    struct fat_file *f = file;
    f->magic = 0;
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    uint32_t acc = flags & CAIRN_O_ACCMODE;
    int wr = (acc & CAIRN_O_WRONLY) != 0;
    if ((wr || (flags & (CAIRN_O_CREAT | CAIRN_O_TRUNC))) && v->ro) {
        return CAIRN_EROFS;
    }
    struct fat_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.create = (flags & CAIRN_O_CREAT) != 0;
    int rc = cairn_fat_lookup(fs, path, &sc);
    if (rc < 0) {
        return rc;
    }
    if (rc == FAT_ROOT) {
        return CAIRN_EINVAL;
    }
    if (sc.trail) {
        return CAIRN_ENOENT;
    }
    int fresh = rc == FAT_MISSING || ((flags & CAIRN_O_TRUNC) && wr);
    uint32_t tm = fresh ? cairn_fat_now(v) : 0; // only a new or emptied file needs it
    if (rc == FAT_FOUND) {
        uint8_t attr = sc.f.ent[FAT_DIR_ATTR];
        if ((flags & CAIRN_O_CREAT) && (flags & CAIRN_O_EXCL)) {
            return CAIRN_EEXIST;
        }
        if (attr & FAT_AM_DIR) {
            return (wr || (flags & (CAIRN_O_CREAT | CAIRN_O_TRUNC))) ? CAIRN_EACCES
                                                                     : CAIRN_ENOENT;
        }
        if ((attr & FAT_AM_RDO) && (wr || (flags & CAIRN_O_TRUNC))) {
            return CAIRN_EACCES;
        }
        if ((flags & CAIRN_O_TRUNC) && wr) {
            rc = cairn_fat_mark_dirty(fs);
            if (rc) {
                return rc;
            }
            uint32_t old = cairn_fat_ent_clust(v, sc.f.ent);
            uint8_t *e = cairn_fat_dir_ptr(fs, &sc.f.sfn, &rc);
            if (!e) {
                return rc;
            }
            // the entry lets go of the chain first; a cut leaves lost clusters
            cairn_fat_ent_set_clust(v, e, 0);
            fat_st32(e + FAT_DIR_SIZE, 0);
            fat_st32(e + FAT_DIR_CRTTIME, tm);
            fat_st32(e + FAT_DIR_MODTIME, tm);
            e[FAT_DIR_ATTR] |= FAT_AM_ARC;
            v->win_dirty = 1;
            memcpy(sc.f.ent, e, FAT_DIRENT);
            if (old) {
                rc = cairn_fat_win_flush(fs);
                if (rc == 0) {
                    rc = cairn_fat_free_chain(fs, old, 0);
                }
                if (rc == 0) {
                    rc = cairn_fat_sync_vol(fs);
                }
                if (rc) {
                    return rc;
                }
            }
        }
    } else {
        if (!(flags & CAIRN_O_CREAT)) {
            return CAIRN_ENOENT;
        }
        rc = cairn_fat_mark_dirty(fs);
        if (rc) {
            return rc;
        }
        uint8_t ent[FAT_DIRENT];
        cairn_fat_ent_init(ent, FAT_AM_ARC, tm);
        int clean = !v->win_dirty;
        rc = cairn_fat_dir_register(fs, &sc, ent);
        if (rc) {
            return rc;
        }
        if (clean && !v->pe_valid && sc.f.n_ent == 1 && v->win_sect == sc.f.sfn.sect &&
            v->win_dirty) {
            // a lone short entry, the window's only change: written at the
            // first sync with the file's cluster and size, not now and then
            // (until then it lies over the sector whenever it is read)
            v->pe_sect = sc.f.sfn.sect;
            v->pe_idx = (uint16_t)((sc.f.sfn.idx % (v->ss / FAT_DIRENT)) * FAT_DIRENT);
            memcpy(v->pe_ent, v->win + v->pe_idx, FAT_DIRENT);
            v->pe_valid = 1;
            v->win_dirty = 0;
        }
    }
    memset(f, 0, sizeof *f);
    f->flags = (uint16_t)(flags & FAT_FF_OMASK);
    if (fresh) {
        f->flags |= FAT_FF_MODIFIED; // the entry is written out at close (FatFs)
    }
    f->sclust = cairn_fat_ent_clust(v, sc.f.ent);
    f->fsize = fat_ld32(sc.f.ent + FAT_DIR_SIZE);
    f->dir_sect = sc.f.sfn.sect;
    f->dir_idx = (uint16_t)(sc.f.sfn.idx % (v->ss / FAT_DIRENT));
    if (f->sclust == 1 || f->sclust >= v->n_fatent) {
        return CAIRN_ECORRUPT;
    }
    f->run_n = f->sclust ? 1 : 0;
    f->ent_clust = f->sclust;
    if (v->cc_valid && v->cc_sclust == f->sclust && f->sclust) {
        f->clust = v->cc_clust; // where the file was when it was last closed
        f->clust_idx = v->cc_idx;
    }
    if (flags & CAIRN_O_APPEND) {
        f->fptr = f->fsize; // once, at open (FatFs)
    }
    f->magic = FAT_FILE_MAGIC;
    return 0;
}

int cairn_fat_sync(struct cairn_fs *fs, void *file)
{
    fat_vol *v = fat_v(fs);
    int rc;
    struct fat_file *f = fat_handle(fs, file, &rc);
    if (!f) {
        return rc;
    }
    if (!(f->flags & FAT_FF_MODIFIED)) {
        return 0;
    }
    // data and FAT reach the device before the entry that points at them
    // (when the window holds the entry's sector, nothing else is unwritten)
    rc = cairn_fat_pr_commit(fs);
    if (rc == 0 && v->win_sect != f->dir_sect) {
        rc = cairn_fat_win_flush(fs);
    }
    if (rc) {
        return rc;
    }
    rc = cairn_fat_win_move(fs, f->dir_sect);
    if (rc) {
        return rc;
    }
    uint8_t *e = v->win + (uint32_t)f->dir_idx * FAT_DIRENT;
    if (e[0] == 0 || e[0] == FAT_DDEM || (e[FAT_DIR_ATTR] & (FAT_AM_DIR | FAT_AM_VOL)) ||
        cairn_fat_ent_clust(v, e) != f->ent_clust) {
        // the file was removed or renamed while open: its old slot may hold
        // another file's entry now, which must not be overwritten
        f->flags &= ~FAT_FF_MODIFIED;
        return cairn_fat_sync_vol(fs);
    }
    f->ent_clust = f->sclust;
    e[FAT_DIR_ATTR] |= FAT_AM_ARC;
    cairn_fat_ent_set_clust(v, e, f->sclust);
    fat_st32(e + FAT_DIR_SIZE, f->fsize);
    fat_st32(e + FAT_DIR_MODTIME, cairn_fat_now(v));
    fat_st16(e + FAT_DIR_LSTACC, 0);
    v->win_dirty = 1;
    rc = cairn_fat_sync_vol(fs);
    if (rc == 0) {
        f->flags &= ~FAT_FF_MODIFIED;
    }
    return rc;
}

int cairn_fat_close(struct cairn_fs *fs, void *file)
{
    struct fat_file *f = file;
    if (f == NULL || f->magic != FAT_FILE_MAGIC) {
        return 0; // closing twice is harmless
    }
    int rc = fs->mounted ? cairn_fat_sync(fs, file) : 0;
    if (fs->mounted && fat_v(fs)->pr_file == f) {
        int r2 = cairn_fat_pr_commit(fs); // (sync failed early)
        rc = rc ? rc : r2;
    }
    if (fs->mounted && f->clust && f->sclust) {
        fat_vol *v = fat_v(fs);
        v->cc_sclust = f->sclust;
        v->cc_idx = f->clust_idx;
        v->cc_clust = f->clust;
        v->cc_valid = 1;
    }
    f->magic = 0;
    return rc;
}

// ---- read -------------------------------------------------------------------------------------

int32_t cairn_fat_read(struct cairn_fs *fs, void *file, void *buf, uint32_t len)
{
    fat_vol *v = fat_v(fs);
    int rc;
    struct fat_file *f = fat_handle(fs, file, &rc);
    if (!f) {
        return rc;
    }
    if (!(f->flags & CAIRN_O_RDONLY)) {
        return CAIRN_EACCES;
    }
    if (f->fptr >= f->fsize) {
        return 0;
    }
    if (len > 0x7FFFFFFFu) {
        len = 0x7FFFFFFFu;
    }
    if (len > f->fsize - f->fptr) { // (fptr < fsize)
        len = f->fsize - f->fptr;
    }
    uint8_t *out = buf;
    int32_t wo = fat_win_off(fs, f, len);
    if (wo >= 0) {
        memcpy(out, v->win + wo, len);
        f->fptr += len;
        return (int32_t)len;
    }
    uint32_t cb = fat_clust_bytes(v), done = 0;
    while (done < len) {
        uint32_t pos = f->fptr;
        uint32_t c, have;
        rc = fat_file_walk(fs, f, pos / cb, &c, &have);
        if (rc) {
            return rc < 0 ? rc : CAIRN_ECORRUPT; // chain shorter than the size
        }
        uint32_t in = pos % cb;
        uint32_t sect = cairn_fat_clust2sect(v, c) + in / v->ss;
        uint32_t off = in % v->ss;
        uint32_t n = len - done;
        if (off == 0 && n >= v->ss) {
            // whole sectors straight into the caller's buffer
            uint32_t ns = n / v->ss;
            uint32_t left = v->csize - in / v->ss;
            if (ns > left) {
                ns = left;
            }
            rc = cairn_fat_dev_read(v, fs, sect, out + done, ns);
            if (rc) {
                return rc;
            }
            if (v->win_dirty && v->win_sect - sect < ns) {
                memcpy(out + done + (v->win_sect - sect) * v->ss, v->win, v->ss);
            }
            n = ns * v->ss;
        } else {
            rc = cairn_fat_win_move(fs, sect);
            if (rc) {
                return rc;
            }
            if (n > v->ss - off) {
                n = v->ss - off;
            }
            memcpy(out + done, v->win + off, n);
        }
        done += n;
        f->fptr += n;
    }
    return (int32_t)done;
}

// ---- write ---------------------------------------------------------------------------------------

// Take a cluster for chain index `ci` after `prev` (0 = the first): the
// one after the file's pending run when it is free, else a free one, which
// starts a new run. Nothing is written to the FAT until the run is linked.
static int fat_take(struct cairn_fs *fs, struct fat_file *f, uint32_t prev, uint32_t ci,
                    uint32_t *out)
{
    fat_vol *v = fat_v(fs);
    uint32_t c = prev + 1, val = 1;
    int rc;
    if (v->pr_n && v->pr_file == f && prev == v->pr_first + v->pr_n - 1 && c < v->n_fatent) {
        rc = cairn_fat_get(fs, c, &val);
        if (rc) {
            return rc;
        }
    }
    if (val == 0) {
        v->pr_n++;
    } else {
        rc = cairn_fat_find_free(fs, &c); // links any pending run first
        if (rc) {
            return rc;
        }
        v->pr_file = f;
        v->pr_prev = prev;
        v->pr_first = c;
        v->pr_n = 1;
        v->pr_idx = ci;
    }
    if (v->free_clst != 0xFFFFFFFFu && v->free_clst > 0) {
        v->free_clst--;
    }
    v->last_clst = c;
    v->fsi_dirty = 1;
    *out = c;
    return 0;
}

// Write len bytes (src NULL = zeros) at f->fptr, growing the file. Each new
// cluster gets its data before it is linked into the chain. Returns the
// count written (short on a full volume) or an error when nothing was.
static int32_t fat_write_at(struct cairn_fs *fs, struct fat_file *f, const uint8_t *src,
                            uint32_t len)
{
    fat_vol *v = fat_v(fs);
    uint32_t cb = fat_clust_bytes(v), done = 0;
    int rc = 0;
    while (done < len) {
        uint32_t pos = f->fptr;
        uint32_t ci = pos / cb, c, have, fresh = 0, prev = 0;
        rc = fat_file_walk(fs, f, ci, &c, &have);
        if (rc == 1 && v->pr_n && v->pr_file != f) {
            // another handle's pending clusters may extend this very chain
            rc = cairn_fat_pr_commit(fs);
            if (rc == 0) {
                rc = fat_file_walk(fs, f, ci, &c, &have);
            }
        }
        if (rc < 0) {
            break;
        }
        if (rc == 1) {
            if (have < ci) {
                rc = CAIRN_ECORRUPT; // a hole in the chain: cannot happen with a sane size
                break;
            }
            prev = c;
            rc = fat_take(fs, f, prev, ci, &c);
            if (rc) {
                break;
            }
            fresh = 1;
        }
        uint32_t in = pos % cb;
        uint32_t cend = done + (cb - in); // where this cluster's part ends
        if (cend > len) {
            cend = len;
        }
        while (done < cend) {
            pos = f->fptr;
            in = pos % cb;
            uint32_t sect = cairn_fat_clust2sect(v, c) + in / v->ss;
            uint32_t off = in % v->ss;
            uint32_t n = cend - done;
            if (off == 0 && n >= v->ss && src) {
                uint32_t ns = n / v->ss;
                rc = cairn_fat_dev_write(v, fs, sect, src + done, ns);
                if (rc) {
                    break;
                }
                if (v->win_sect - sect < ns) {
                    memcpy(v->win, src + done + (v->win_sect - sect) * v->ss, v->ss);
                    v->win_dirty = 0;
                }
                n = ns * v->ss;
            } else {
                if (n > v->ss - off) {
                    n = v->ss - off;
                }
                if (v->win_sect != sect && (fresh || pos - off >= f->fsize)) {
                    // nothing of the file in this sector yet: no need to read it
                    rc = cairn_fat_win_zero(fs, sect);
                    if (rc) {
                        break;
                    }
                } else {
                    rc = cairn_fat_win_move(fs, sect);
                    if (rc) {
                        break;
                    }
                }
                if (src) {
                    memcpy(v->win + off, src + done, n);
                } else {
                    memset(v->win + off, 0, n);
                }
                v->win_dirty = 1;
                v->win_data = 1;
            }
            done += n;
            f->fptr += n;
            if (f->fptr > f->fsize) {
                f->fsize = f->fptr;
            }
            f->flags |= FAT_FF_MODIFIED;
        }
        if (fresh) {
            // the cluster is linked at the next sync, after its data
            if (prev == 0) {
                f->sclust = c;
                f->run_n = 1;
            } else if (ci == f->run_n && c == f->sclust + ci) {
                f->run_n++;
            }
            f->clust = c;
            f->clust_idx = ci;
        }
        if (rc) {
            break;
        }
    }
    if (done > 0) {
        return (int32_t)done;
    }
    return rc < 0 ? rc : 0;
}

int32_t cairn_fat_write(struct cairn_fs *fs, void *file, const void *buf, uint32_t len)
{
    int rc;
    struct fat_file *f = fat_whandle(fs, file, &rc);
    if (!f) {
        return rc;
    }
    if (len == 0) {
        return 0;
    }
    if (len > 0x7FFFFFFFu) {
        len = 0x7FFFFFFFu;
    }
    if (f->fptr >= FAT_FILE_MAX) {
        return CAIRN_EFBIG;
    }
    if (len > FAT_FILE_MAX - f->fptr) {
        len = FAT_FILE_MAX - f->fptr;
    }
    rc = cairn_fat_mark_dirty(fs);
    if (rc) {
        return rc;
    }
    fat_vol *v = fat_v(fs);
    int32_t wo = f->fptr <= f->fsize ? fat_win_off(fs, f, len) : -1;
    if (wo >= 0) {
        // inside the sector in the window: it is the file's already
        memcpy(v->win + wo, buf, len);
        v->win_dirty = 1;
        v->win_data = 1;
        f->fptr += len;
        if (f->fptr > f->fsize) {
            f->fsize = f->fptr;
        }
        f->flags |= FAT_FF_MODIFIED;
        return (int32_t)len;
    }
    if (f->fptr > f->fsize) {
        // D11: the gap behind a seek past the end reads as zeros
        uint32_t target = f->fptr;
        f->fptr = f->fsize;
        uint32_t gap = target - f->fsize;
        int32_t w = fat_write_at(fs, f, NULL, gap);
        if (w < 0) {
            f->fptr = target;
            return w;
        }
        if ((uint32_t)w < gap) {
            f->fptr = target;
            return CAIRN_ENOSPC;
        }
    }
    int32_t w = fat_write_at(fs, f, buf, len);
    if (w == CAIRN_ENOSPC || w == 0) {
        return CAIRN_ENOSPC;
    }
    return w;
}

// ---- seek, tell, size, truncate ------------------------------------------------------------------

int64_t cairn_fat_seek(struct cairn_fs *fs, void *file, int64_t off, int whence)
{
    int rc;
    struct fat_file *f = fat_handle(fs, file, &rc);
    if (!f) {
        return rc;
    }
    int64_t base;
    switch (whence) {
    case CAIRN_SEEK_SET:
        base = 0;
        break;
    case CAIRN_SEEK_CUR:
        base = f->fptr;
        break;
    case CAIRN_SEEK_END:
        base = f->fsize;
        break;
    default:
        return CAIRN_EINVAL;
    }
    if ((off > 0 && off > INT64_MAX - base)) {
        return CAIRN_EINVAL;
    }
    int64_t t = base + off;
    if (t < 0 || t > (int64_t)FAT_FILE_MAX) {
        return CAIRN_EINVAL; // D12, and beyond the largest FAT file
    }
    f->fptr = (uint32_t)t;
    return t;
}

int64_t cairn_fat_tell(struct cairn_fs *fs, void *file)
{
    int rc;
    struct fat_file *f = fat_handle(fs, file, &rc);
    return f ? (int64_t)f->fptr : rc;
}

int64_t cairn_fat_size(struct cairn_fs *fs, void *file)
{
    int rc;
    struct fat_file *f = fat_handle(fs, file, &rc);
    return f ? (int64_t)f->fsize : rc;
}

int cairn_fat_truncate(struct cairn_fs *fs, void *file, int64_t size)
{
    fat_vol *v = fat_v(fs);
    int rc;
    struct fat_file *f = fat_whandle(fs, file, &rc);
    if (!f) {
        return rc;
    }
    if (size < 0) {
        return CAIRN_EINVAL;
    }
    if (size > (int64_t)FAT_FILE_MAX) {
        return CAIRN_EFBIG;
    }
    rc = cairn_fat_mark_dirty(fs);
    if (rc == 0) {
        rc = cairn_fat_pr_commit(fs); // the chain is walked in the FAT below
    }
    if (rc) {
        return rc;
    }
    uint32_t ns = (uint32_t)size;
    if (ns > f->fsize) {
        // grow: zeros, written like data
        uint32_t save = f->fptr;
        f->fptr = f->fsize;
        uint32_t want = ns - f->fsize;
        int32_t w = fat_write_at(fs, f, NULL, want);
        f->fptr = save;
        if (w < 0) {
            return w;
        }
        if ((uint32_t)w < want) {
            return CAIRN_ENOSPC;
        }
        return cairn_fat_sync(fs, file);
    }
    if (ns == f->fsize) {
        return 0;
    }
    // shrink: the entry's new size reaches the device before clusters are freed
    uint32_t cb = fat_clust_bytes(v);
    uint32_t keep = (ns + cb - 1) / cb;
    uint32_t last = 0, tail = 0;
    if (f->sclust) {
        if (keep == 0) {
            tail = f->sclust;
        } else {
            uint32_t have;
            rc = fat_file_walk(fs, f, keep - 1, &last, &have);
            if (rc < 0) {
                return rc;
            }
            if (rc == 0) {
                rc = cairn_fat_next(fs, last, &tail);
                if (rc) {
                    return rc;
                }
            }
        }
    }
    f->fsize = ns;
    if (keep == 0) {
        f->sclust = 0;
    }
    if (f->run_n > keep) {
        f->run_n = keep;
    }
    f->clust = 0;
    f->clust_idx = 0;
    f->flags |= FAT_FF_MODIFIED;
    rc = cairn_fat_sync(fs, file);
    if (rc) {
        return rc;
    }
    if (tail) {
        rc = cairn_fat_free_chain(fs, tail, last);
        if (rc == 0) {
            rc = cairn_fat_sync_vol(fs);
        }
    }
    return rc;
}
