// FAT files: open, read, write (data, then FAT link, then the directory
// entry at sync), seek, truncate, sync, close.
#include "fat_int.h"

#define FAT_FILE_MAX 0xFFFFFFFFu

// 0 for an open handle on a mounted volume, else -EBADF / -ENODEV.
static int fat_handle(struct cairn_fs *fs, void *file)
{
    struct fat_file *f = file;
    if (f == NULL || f->magic != FAT_FILE_MAGIC) {
        return CAIRN_EBADF;
    }
    return fs->mounted ? 0 : CAIRN_ENODEV;
}

// A handle open for writing on a writable mount (-EBADF, D4; -EROFS).
static int fat_whandle(struct cairn_fs *fs, void *file)
{
    int rc = fat_handle(fs, file);
    if (rc == 0 && !(((struct fat_file *)file)->flags & CAIRN_O_WRONLY)) {
        rc = CAIRN_EBADF;
    }
    if (rc == 0 && fat_v(fs)->ro) {
        rc = CAIRN_EROFS;
    }
    return rc;
}

// ---- the open handles ------------------------------------------------------------------------
// Handles on one file share what they know of it (chain, size, the cluster
// its entry holds), as POSIX descriptors share an inode: each change through
// one is copied to the others, so that none of them ever follows a cluster
// another has freed, or writes a stale size over a newer one.

// a and b are two handles on the same file
static int fat_same(const struct fat_file *a, const struct fat_file *b)
{
    return a != b && a->dir_sect == b->dir_sect && a->dir_idx == b->dir_idx;
}

// Another handle on f's file, or NULL.
static struct fat_file *fat_peer(fat_vol *v, const struct fat_file *f)
{
    struct fat_file *o = v->files;
    while (o && !fat_same(o, f)) {
        o = o->next;
    }
    return o;
}

// f names the short entry at `at`.
static void fat_place(const fat_vol *v, struct fat_file *f, const struct fat_dpos *at)
{
    f->dir_sect = at->sect;
    f->dir_idx = (uint16_t)(at->idx & (v->ss / FAT_DIRENT - 1)); // (ss: a power of 2)
}

// f at the short entry `at`, and another handle on that file, or NULL.
static struct fat_file *fat_at(fat_vol *v, struct fat_file *f, const struct fat_dpos *at)
{
    fat_place(v, f, at);
    return fat_peer(v, f);
}

// Take f out of the mount's list: whether it was there.
static int fat_unlist(fat_vol *v, const struct fat_file *f)
{
    struct fat_file **pp = &v->files;
    while (*pp != f) {
        if (*pp == NULL) {
            return 0;
        }
        pp = &(*pp)->next;
    }
    *pp = f->next;
    return 1;
}

// The other handles on f's file take f's view of it.
FAT_NOINLINE static void fat_share(fat_vol *v, const struct fat_file *f)
{
    for (struct fat_file *o = v->files; o; o = o->next) {
        if (fat_same(o, f)) {
            if (o->sclust != f->sclust || o->fsize > f->fsize) {
                // its chain position may lie in clusters freed now
                o->clust = o->clust_idx = 0;
#if !CAIRN_FAT_TINY
                o->run_n = f->sclust != 0;
#endif
            }
            o->sclust = f->sclust;
            o->fsize = f->fsize;
            o->ent_clust = f->ent_clust;
            // (a sync through any of them writes what all of them wrote)
            o->flags = (uint16_t)((o->flags & ~FAT_FF_MODIFIED) | (f->flags & FAT_FF_MODIFIED));
        }
    }
}

int cairn_fat_files_move(fat_vol *v, const struct fat_dpos *at, uint32_t sect, uint32_t idx)
{
    struct fat_file key;
    int any = 0;
    idx &= v->ss / FAT_DIRENT - 1;
    if (sect == 0) {
        // an id that no other removed file's handles hold
        key.dir_sect = 0;
        do {
            key.dir_idx = ++v->gone_id;
        } while (fat_peer(v, &key));
        idx = key.dir_idx;
    }
    fat_place(v, &key, at);
    for (struct fat_file *o = v->files; o; o = o->next) {
        if (fat_same(o, &key)) {
            o->dir_sect = sect;
            o->dir_idx = (uint16_t)idx;
            any = 1;
        }
    }
    return any;
}

// Walk the chain to cluster index `ci`. On success *c is that cluster. When
// the chain is shorter, returns 1 with *c = the last cluster (0 if none): 1
// when ci is the index just after it, else 2.
static int fat_file_walk(struct cairn_fs *fs, struct fat_file *f, uint32_t ci, uint32_t *c)
{
    fat_vol *v = fat_v(fs);
    uint32_t cur, idx;
    if (f->sclust == 0) {
        *c = 0;
        return ci ? 2 : 1;
    }
#if !CAIRN_FAT_TINY
    if (ci < f->run_n) {
        *c = f->sclust + ci; // inside the known contiguous run
        return 0;
    }
#endif
    if (v->pr_file == f && ci >= v->pr_idx) { // (pr_file is set only while pr_n > 0)
        // clusters taken but not linked yet: the FAT does not know them
        uint32_t k = ci - v->pr_idx;
        if (k >= v->pr_n) {
            *c = v->pr_first + v->pr_n - 1;
            return k > v->pr_n ? 2 : 1;
        }
        cur = v->pr_first + k;
        idx = ci;
    } else {
        // start from the furthest known position at or before ci
#if CAIRN_FAT_TINY
        idx = 0;
        cur = f->sclust;
#else
        idx = f->run_n - 1; // (sclust set: run_n >= 1)
        cur = f->sclust + idx;
#endif
        if (f->clust_idx <= ci && f->clust_idx > idx) { // (clust 0: clust_idx 0)
            cur = f->clust;
            idx = f->clust_idx;
        }
    }
    if (cur < 2 || cur >= v->n_fatent) {
        return CAIRN_ECORRUPT;
    }
    int end = 0;
    while (idx < ci) {
        uint32_t nx;
        int rc = cairn_fat_next(fs, cur, &nx);
        if (rc) {
            return rc;
        }
        if (nx == 0) {
            end = ci > idx + 1 ? 2 : 1;
            break;
        }
        if (idx + 1 >= v->n_fatent) {
            return CAIRN_ECORRUPT; // longer than the volume: a loop
        }
#if !CAIRN_FAT_TINY
        if (idx + 1 == f->run_n && nx == cur + 1) {
            f->run_n++;
        }
#endif
        cur = nx;
        idx++;
    }
    f->clust = cur;
    f->clust_idx = idx;
    *c = cur;
    return end;
}

// ---- open / close / sync --------------------------------------------------------------------

int cairn_fat_open(struct cairn_fs *fs, void *file, const char *path, uint32_t flags)
{
    fat_vol *v = fat_v(fs);
    struct fat_file *f = file;
    for (struct fat_file *o = v->files; o; o = o->next) {
        if (o == f) {
            // a handle opened again without a close (f's bytes are only
            // read when it is in the list: else they may be uninitialised)
            (void)cairn_fat_close(fs, f);
            break;
        }
    }
    f->magic = 0;
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    if (v->pr_file == f) {
        // (the storage still owns a pending run: link it before f is reused,
        // or f's new file would take those clusters for its own)
        int rc0 = cairn_fat_pr_commit(fs);
        if (rc0) {
            return rc0;
        }
    }
    uint32_t wr = flags & CAIRN_O_WRONLY;
    uint32_t mod = flags & (CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (mod && v->ro) {
        return CAIRN_EROFS;
    }
    struct fat_scan sc;
    int rc = cairn_fat_find(fs, path, &sc, (flags & CAIRN_O_CREAT) != 0);
    if (rc < 0) {
        return rc;
    }
    if (rc == FAT_ROOT) {
        return CAIRN_EINVAL;
    }
    if (sc.trail) {
        return CAIRN_ENOENT;
    }
    int trunc = rc == FAT_FOUND && wr && (flags & CAIRN_O_TRUNC);
    int fresh = rc == FAT_MISSING || trunc;
    // (a new or emptied file's entry is written out at close, as FatFs does)
    uint32_t ff = (flags & FAT_FF_OMASK) | (fresh ? FAT_FF_MODIFIED : 0);
    uint32_t tm = fresh ? cairn_fat_now(v) : 0; // only a new or emptied file needs it
    uint8_t attr = sc.f.ent[FAT_DIR_ATTR];
    if (rc == FAT_FOUND) {
        if (sc.create && (flags & CAIRN_O_EXCL)) {
            return CAIRN_EEXIST;
        }
        if (attr & FAT_AM_DIR) {
            return mod ? CAIRN_EACCES : CAIRN_ENOENT;
        }
        if ((attr & FAT_AM_RDO) && (wr || (flags & CAIRN_O_TRUNC))) {
            return CAIRN_EACCES;
        }
    } else if (!sc.create) {
        return CAIRN_ENOENT;
    }
    // another handle on the file knows it best (its data not synced yet)
    struct fat_file *p = rc == FAT_FOUND ? fat_at(v, f, &sc.f.sfn) : NULL;
    if (fresh) {
        rc = cairn_fat_mark_dirty(fs);
        if (rc) {
            return rc;
        }
    }
    if (trunc) {
        uint32_t old = p ? p->sclust : cairn_fat_ent_clust(v, sc.f.ent);
        uint8_t *e = FAT_DIR_PTR(fs, &sc.f.sfn, &rc, 1);
        if (!e) {
            return rc;
        }
        // the entry lets go of the chain first (cluster and size 0, new
        // times); a cut leaves lost clusters
        memset(e + FAT_DIR_CLUSTHI, 0, FAT_DIRENT - FAT_DIR_CLUSTHI);
        fat_st32(e + FAT_DIR_CRTTIME, tm);
        fat_st32(e + FAT_DIR_MODTIME, tm);
        e[FAT_DIR_ATTR] |= FAT_AM_ARC;
        FAT_DIRTY(v);
        memset(sc.f.ent + FAT_DIR_CLUSTHI, 0, FAT_DIRENT - FAT_DIR_CLUSTHI); // (as f sees it)
        if (p) {
            // the other handles let go of the chain now, before it is freed:
            // if freeing fails they must not go on writing into it
            f->sclust = f->fsize = f->ent_clust = 0;
            f->flags = 0;
            fat_share(v, f);
        }
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
    } else if (fresh) {
        uint8_t ent[FAT_DIRENT];
        cairn_fat_ent_init(ent, FAT_AM_ARC, tm);
        int clean = !v->win_dirty;
#if CAIRN_FAT_TINY
        // (one entry in a slot found, its sector the only change: it becomes
        // the pending entry below, not written now, so the "in use" mark
        // waits too)
        v->mk_hold = (uint8_t)(clean && !v->pe_valid && sc.need == 1 && sc.have_slot == 1);
#endif
        rc = cairn_fat_dir_register(fs, &sc, ent);
#if CAIRN_FAT_TINY
        v->mk_hold = 0;
#endif
        if (rc) {
            return rc;
        }
        if (clean && !v->pe_valid && sc.f.n_ent == 1 && v->win_sect == sc.f.sfn.sect &&
            v->win_dirty) {
            // a lone short entry, the window's only change: written at the
            // first sync with the file's cluster and size, not now and then
            // (until then it lies over the sector whenever it is read)
            v->pe_sect = sc.f.sfn.sect;
            v->pe_idx = (uint16_t)((sc.f.sfn.idx & (v->ss / FAT_DIRENT - 1)) * FAT_DIRENT);
            memcpy(v->pe_ent, v->win + v->pe_idx, FAT_DIRENT);
            v->pe_valid = 1;
            v->win_dirty = 0;
        }
    }
    memset(f, 0, sizeof *f);
    f->flags = (uint16_t)ff;
    f->sclust = f->ent_clust = cairn_fat_ent_clust(v, sc.f.ent);
    f->fsize = fat_ld32(sc.f.ent + FAT_DIR_SIZE);
    fat_place(v, f, &sc.f.sfn);
    if (f->sclust == 1 || f->sclust >= v->n_fatent) {
        return CAIRN_ECORRUPT;
    }
#if !CAIRN_FAT_TINY
    f->run_n = f->sclust ? 1 : 0;
    if (v->cc_valid && v->cc_sclust == f->sclust && f->sclust) {
        f->clust = v->cc_clust; // where the file was when it was last closed
        f->clust_idx = v->cc_idx;
    }
#endif
    f->next = v->files;
    v->files = f;
    fat_share(v, p && !trunc ? p : f); // (truncated: the others see it empty)
    if (flags & CAIRN_O_APPEND) {
        f->fptr = f->fsize; // once, at open (FatFs)
    }
    f->magic = FAT_FILE_MAGIC;
    return 0;
}

int cairn_fat_sync(struct cairn_fs *fs, void *file)
{
    fat_vol *v = fat_v(fs);
    int err = fat_handle(fs, file);
    if (err) {
        return err;
    }
    struct fat_file *f = file;
    int rc;
    if (!(f->flags & FAT_FF_MODIFIED)) {
        return 0;
    }
    // data and FAT reach the device before the entry that points at them
    // (when the window holds the entry's sector, nothing else is unwritten)
    rc = cairn_fat_pr_commit(fs);
    if (rc == 0 && f->dir_sect) { // (a removed file has no entry to update)
        rc = cairn_fat_win_move(fs, f->dir_sect); // (flushes what the window held)
        uint8_t *e = v->win + (uint32_t)f->dir_idx * FAT_DIRENT;
        if (rc) {
            // (the device failed)
        } else if (e[0] == 0 || e[0] == FAT_DDEM ||
                   (e[FAT_DIR_ATTR] & (FAT_AM_DIR | FAT_AM_VOL)) ||
                   cairn_fat_ent_clust(v, e) != f->ent_clust) {
            // not the file's entry any more (only after a failed update of
            // the directory): it must not be overwritten, and the data it
            // would have named is not on the volume
            f->flags &= ~FAT_FF_MODIFIED;
            rc = CAIRN_EIO;
        } else {
            rc = FAT_CHG_HERE(fs, f->dir_sect);
            if (rc == 0) {
                f->ent_clust = f->sclust;
                e[FAT_DIR_ATTR] |= FAT_AM_ARC;
                cairn_fat_ent_set_clust(v, e, f->sclust);
                fat_st32(e + FAT_DIR_SIZE, f->fsize);
                fat_st32(e + FAT_DIR_MODTIME, cairn_fat_now(v));
                fat_st16(e + FAT_DIR_LSTACC, 0);
                FAT_DIRTY(v);
            }
        }
    }
    if (rc) {
        return rc;
    }
    f->flags &= ~FAT_FF_MODIFIED;
    fat_share(v, f);
    rc = cairn_fat_sync_vol(fs);
    if (rc) {
        f->flags |= FAT_FF_MODIFIED; // (its close tries again)
    }
    return rc;
}

int cairn_fat_close(struct cairn_fs *fs, void *file)
{
    struct fat_file *f = file;
    fat_vol *v = fat_v(fs);
    if (f == NULL || f->magic != FAT_FILE_MAGIC) {
        return 0; // closing twice is harmless
    }
    int rc = 0;
    // (a handle from before the last mount is not in the list: it writes nothing)
    if (fs->mounted && fat_unlist(v, f)) {
        rc = cairn_fat_sync(fs, file);
        if (v->pr_file == f) {
            int r2 = cairn_fat_pr_commit(fs); // (sync failed early)
            rc = rc ? rc : r2;
        }
#if !CAIRN_FAT_TINY
        if (f->clust && f->sclust) {
            v->cc_sclust = f->sclust;
            v->cc_idx = f->clust_idx;
            v->cc_clust = f->clust;
            v->cc_valid = 1;
        }
#endif
        if (f->dir_sect == 0 && f->sclust && !fat_peer(v, f)) {
            // the last handle on a removed file: its clusters are free now
            int r2 = cairn_fat_free_chain(fs, f->sclust, 0);
            if (r2 == 0) {
                r2 = cairn_fat_sync_vol(fs);
            }
            rc = rc ? rc : r2;
        }
    }
    f->magic = 0;
    return rc;
}

// ---- read and write ------------------------------------------------------------------------------

// Take a cluster for chain index `ci` after `prev` (0 = the first): the
// one after the file's pending run when it is free, else a free one, which
// starts a new run. Nothing is written to the FAT until the run is linked.
static int fat_take(struct cairn_fs *fs, struct fat_file *f, uint32_t prev, uint32_t ci,
                    uint32_t *out)
{
    fat_vol *v = fat_v(fs);
    uint32_t c = prev + 1;
    int32_t val = 1;
    int rc;
    if (v->pr_file == f && c == v->pr_first + v->pr_n && c < v->n_fatent) {
        val = cairn_fat_ent(fs, c, 0, 0);
        if (val < 0) {
            return val;
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
    cairn_fat_took(v, c);
    *out = c;
    return 0;
}

// Move len bytes between buf and the file at f->fptr: read (wr 0), or
// write (wr 1; buf NULL = zeros), growing the file; each new cluster gets
// its data before it is linked into the chain. Returns the count moved (a
// write: short on a full volume) or an error (a write: when nothing was
// written).
static int32_t fat_xfer(struct cairn_fs *fs, struct fat_file *f, uint8_t *buf, uint32_t len,
                        int wr)
{
    fat_vol *v = fat_v(fs);
    uint32_t cb = v->csize * v->ss, done = 0, newc = 0, c;
    int rc = 0;
    while (done < len) {
        uint32_t pos = f->fptr, ci = pos / cb;
        rc = fat_file_walk(fs, f, ci, &c);
        if (rc && v->pr_n && v->pr_file != f) {
            // another handle on the file may hold clusters of this very
            // chain pending (the FAT has them free)
            rc = cairn_fat_pr_commit(fs);
            if (rc == 0) {
                rc = fat_file_walk(fs, f, ci, &c);
            }
        }
        if (rc > 0) {
            // a read past the chain, or a hole in it: cannot happen with a sane size
            rc = !wr || rc > 1 ? CAIRN_ECORRUPT : fat_take(fs, f, c, ci, &newc);
            if (rc) {
                break;
            }
            // (linked at the next sync, after its data)
            if (c == 0) {
                f->sclust = newc; // (ci and run_n 0: the run starts below)
            }
#if !CAIRN_FAT_TINY
            if (ci == f->run_n && newc == f->sclust + ci) {
                f->run_n++;
            }
#endif
            f->clust = c = newc;
            f->clust_idx = ci;
        }
        if (rc < 0) {
            break;
        }
        uint32_t in = pos % cb, sect = cairn_fat_clust2sect(v, c) + in / v->ss;
        uint32_t off = in & (v->ss - 1), n = len - done;
#if CAIRN_FAT_TINY
        // (sector by sector through the window: a whole sector written is not read)
        if (n > v->ss - off) {
            n = v->ss - off;
        }
        rc = wr && v->win_sect != sect && (c == newc || pos - off >= f->fsize || n == v->ss)
                 ? cairn_fat_win_zero(fs, sect)
                 : cairn_fat_win_move(fs, sect);
        if (rc) {
            break;
        }
        {
#else
        if (n > cb - in) {
            n = cb - in;
        }
        if (off == 0 && n >= v->ss && buf) {
            // whole sectors straight between the device and the caller's buffer
            uint8_t *u = buf + done;
            uint32_t ns = n / v->ss, k = v->win_sect - sect;
            rc = wr ? cairn_fat_dev_write(fs, sect, u, ns)
                    : cairn_fat_dev_read(fs, sect, u, ns);
            if (rc) {
                break;
            }
            if (k < ns && (wr || v->win_dirty)) {
                // the window's copy of a sector written (clean now), or its
                // newer data read (still to be written)
                uint8_t *to = v->win, *from = u + k * v->ss;
                if (!wr) {
                    from = to;
                    to = u + k * v->ss;
                }
                memcpy(to, from, v->ss);
                v->win_dirty &= !wr;
            }
            n = ns * v->ss;
        } else {
            if (n > v->ss - off) {
                n = v->ss - off;
            }
            // a write where the file has nothing in the sector yet: not read
            rc = wr && v->win_sect != sect && (c == newc || pos - off >= f->fsize)
                     ? cairn_fat_win_zero(fs, sect)
                     : cairn_fat_win_move(fs, sect);
            if (rc) {
                break;
            }
#endif
            uint8_t *w = v->win + off;
            if (!wr) {
                memcpy(buf + done, w, n);
            } else {
                if (buf) {
                    memcpy(w, buf + done, n);
                } else {
                    memset(w, 0, n);
                }
                v->win_dirty = 1;
#if CAIRN_FAT_TINY
                if (n == v->ss && buf) {
                    // a whole sector of the caller's is written at once, as
                    // the default build writes it straight (its errors too)
                    rc = cairn_fat_win_flush(fs);
                    if (rc) {
                        v->win_dirty = 0;
                        v->win_sect = FAT_NOSECT;
                        break;
                    }
                }
#else
                v->win_data = 1;
#endif
            }
        }
        done += n;
        f->fptr += n;
        if (f->fptr > f->fsize) { // (never so for a read)
            f->fsize = f->fptr;
        }
    }
    if (wr) {
        f->flags |= done ? FAT_FF_MODIFIED : 0;
        fat_share(v, f);
        if (done) {
            return (int32_t)done;
        }
    }
    return rc ? rc : (int32_t)done;
}

int32_t cairn_fat_read(struct cairn_fs *fs, void *file, void *buf, uint32_t len)
{
    int rc = fat_handle(fs, file);
    if (rc) {
        return rc;
    }
    struct fat_file *f = file;
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
    return fat_xfer(fs, f, buf, len, 0);
}

// Zeros from the end of the file to `to` (D11: the gap behind a seek past
// the end, or a truncate that grows); f->fptr is kept. 0, -ENOSPC or an error.
FAT_NOINLINE static int fat_fill(struct cairn_fs *fs, struct fat_file *f,
                                              uint32_t to)
{
    uint32_t save = f->fptr, gap = to - f->fsize;
    f->fptr = f->fsize;
    int32_t w = fat_xfer(fs, f, NULL, gap, 1);
    f->fptr = save;
    return w < 0 ? w : (uint32_t)w < gap ? CAIRN_ENOSPC : 0;
}

int32_t cairn_fat_write(struct cairn_fs *fs, void *file, const void *buf, uint32_t len)
{
    int err = fat_whandle(fs, file);
    if (err) {
        return err;
    }
    struct fat_file *f = file;
    int rc;
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
    int gap = f->fptr > f->fsize;
    if (rc == 0 && gap) {
        rc = fat_fill(fs, f, f->fptr);
    }
    if (rc) {
        return rc;
    }
    int32_t w = fat_xfer(fs, f, (uint8_t *)buf, len, 1);
    return w == 0 ? CAIRN_ENOSPC : w;
}

// ---- seek, tell, size, truncate ------------------------------------------------------------------

int64_t cairn_fat_seek(struct cairn_fs *fs, void *file, int64_t off, int whence)
{
    int rc = fat_handle(fs, file);
    if (rc) {
        return rc;
    }
    struct fat_file *f = file;
    if ((uint32_t)whence > CAIRN_SEEK_END) {
        return CAIRN_EINVAL;
    }
    // (SET 0, CUR 1, END 2)
    uint32_t base = whence == CAIRN_SEEK_SET ? 0 : whence == CAIRN_SEEK_CUR ? f->fptr : f->fsize;
    // (unsigned: a result below 0 wraps round to beyond the largest file)
    uint64_t t = (uint64_t)base + (uint64_t)off;
    if (t > FAT_FILE_MAX) {
        return CAIRN_EINVAL; // D12, and beyond the largest FAT file
    }
    f->fptr = (uint32_t)t;
    return (int64_t)t;
}

// The position (0) or the size (1) of an open file.
static int64_t fat_pos_or_size(struct cairn_fs *fs, void *file, int size)
{
    struct fat_file *f = file;
    int rc = fat_handle(fs, file);
    return rc ? rc : (int64_t)(size ? f->fsize : f->fptr);
}

int64_t cairn_fat_tell(struct cairn_fs *fs, void *file)
{
    return fat_pos_or_size(fs, file, 0);
}

int64_t cairn_fat_size(struct cairn_fs *fs, void *file)
{
    return fat_pos_or_size(fs, file, 1);
}

int cairn_fat_truncate(struct cairn_fs *fs, void *file, int64_t size)
{
    fat_vol *v = fat_v(fs);
    int err = fat_whandle(fs, file);
    if (err) {
        return err;
    }
    struct fat_file *f = file;
    int rc;
    if ((uint64_t)size > FAT_FILE_MAX) {
        return size < 0 ? CAIRN_EINVAL : CAIRN_EFBIG;
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
        rc = fat_fill(fs, f, ns);
        return rc ? rc : cairn_fat_sync(fs, file);
    }
    if (ns == f->fsize) {
        return 0;
    }
    // shrink: the entry's new size reaches the device before clusters are freed
    uint32_t cb = v->csize * v->ss;
    uint32_t keep = (ns + cb - 1) / cb;
    uint32_t last = 0, tail = f->sclust;
    if (keep && tail) {
        rc = fat_file_walk(fs, f, keep - 1, &last);
        tail = 0;
        if (rc == 0) {
            rc = cairn_fat_next(fs, last, &tail);
        }
        if (rc < 0) {
            return rc;
        }
    }
    f->fsize = ns;
    if (keep == 0) {
        f->sclust = 0;
    }
#if !CAIRN_FAT_TINY
    if (f->run_n > keep) {
        f->run_n = keep;
    }
#endif
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
