// fsck for FAT with repair: chains (loops, bad links, size mismatches,
// cross-links), lost clusters, . and .. entries, orphaned long-name entries,
// FAT copies that differ, a stale FSInfo and the dirty mark.
//
// No allocation: cross-links and lost clusters need a bitmap of the clusters
// in use, so the tree is walked once per range of FAT_FK_SPAN clusters, with
// the range's bitmap kept in the mount's directory filter and name buffer
// (1.5 KiB by default; both are rebuilt when next needed). The tree is
// walked with an explicit stack of FAT_FK_DEPTH directory levels.
#include "fat_int.h"

#if CAIRN_FAT_FSCK

// clusters per bitmap pass: the directory filter's bytes, then the name buffer's
#if CAIRN_FAT_TINY
#define FAT_FK_BLOOM_BITS 0u // (no filter: the name buffer alone)
#else
#define FAT_FK_BLOOM_BITS (CAIRN_FAT_BLOOM_BYTES * 8u)
#endif
#define FAT_FK_SPAN (FAT_FK_BLOOM_BITS + 512u * 8u)
#define FAT_FK_DEPTH 32

struct fat_fk {
    struct cairn_fs *fs;
    fat_vol *v;
    cairn_fsck_report_fn report;
    void *ctx;
    int repair;
    int pass;       // 0: also the structural checks
    int final;      // the size pass after the range passes
    uint32_t base;  // first cluster of this pass's bitmap range
    int incomplete; // part of the tree was not walked: lost clusters are not freed
    int32_t left;   // problems not repaired
    int32_t found;
};

// ---- reporting -----------------------------------------------------------------------

// Append s at p, NUL-terminated, bounded by end.
static char *fk_putstr(char *p, char *end, const char *s)
{
    while (*s && p + 1 < end) {
        *p++ = *s++;
    }
    *p = 0;
    return p;
}

// Report one problem: "<what> <n>" (n omitted when UINT32_MAX).
static void fk_problem(struct fat_fk *k, const char *what, uint32_t n, int fixed)
{
    char msg[96], t[12], *q = t + 11; // (10 digits at most)
    char *p = fk_putstr(msg, msg + sizeof msg, what);
    if (n != UINT32_MAX) {
        *q = 0;
        do {
            *--q = (char)('0' + n % 10);
            n /= 10;
        } while (n);
        *--q = ' ';
        (void)fk_putstr(p, msg + sizeof msg, q);
    }
    k->found++;
    if (!fixed) {
        k->left++;
    }
    if (k->report) {
        k->report(k->ctx, msg, fixed);
    }
}

// ---- the cluster bitmap of the current range ---------------------------------------------

static int fk_in_range(const struct fat_fk *k, uint32_t c)
{
    return c >= k->base && c - k->base < FAT_FK_SPAN;
}

// The bitmap byte array holding bit `b` of the range, and the bit's index in it.
static uint8_t *fk_bits(struct fat_fk *k, uint32_t b, uint32_t *i)
{
#if !CAIRN_FAT_TINY
    if (b < FAT_FK_BLOOM_BITS) {
        *i = b;
        return k->v->dc_bloom;
    }
#endif
    *i = b - FAT_FK_BLOOM_BITS;
    return (uint8_t *)k->v->name;
}

// Set the bit for c; returns its old value.
static int fk_mark(struct fat_fk *k, uint32_t c)
{
    uint32_t i;
    uint8_t *bm = fk_bits(k, c - k->base, &i);
    int old = (bm[i / 8] >> (i % 8)) & 1;
    bm[i / 8] |= (uint8_t)(1u << (i % 8));
    return old;
}

static int fk_marked(struct fat_fk *k, uint32_t c)
{
    uint32_t i;
    const uint8_t *bm = fk_bits(k, c - k->base, &i);
    return (bm[i / 8] >> (i % 8)) & 1;
}

// ---- chains --------------------------------------------------------------------------------

// Raw next link: 0 = end of chain, UINT32_MAX = a bad link (free, bad,
// reserved or out of range), else the next cluster.
static int fk_next(struct fat_fk *k, uint32_t c, uint32_t *nx)
{
    uint32_t val;
    int rc = cairn_fat_get(k->fs, c, &val);
    if (rc) {
        return rc;
    }
    uint32_t eoc = cairn_fat_eoc(k->v);
    if (val >= (eoc & ~7u) && val != (eoc & ~8u)) {
        *nx = 0;
    } else if (val < 2 || val >= k->v->n_fatent) {
        *nx = UINT32_MAX;
    } else {
        *nx = val;
    }
    return 0;
}

// Cluster at index i of the chain from `first` (assumed loop-free up to i).
static int fk_nth(struct fat_fk *k, uint32_t first, uint32_t i, uint32_t *out)
{
    uint32_t c = first;
    for (uint32_t j = 0; j < i; j++) {
        uint32_t nx;
        int rc = fk_next(k, c, &nx);
        if (rc) {
            return rc;
        }
        if (nx == 0 || nx == UINT32_MAX) {
            return CAIRN_ECORRUPT;
        }
        c = nx;
    }
    *out = c;
    return 0;
}

// Report a chain cut after cluster c; when repairing, end the chain there.
static int fk_cut(struct fat_fk *k, const char *what, uint32_t c)
{
    fk_problem(k, what, c, k->repair);
    return k->repair ? cairn_fat_put(k->fs, c, cairn_fat_eoc(k->v)) : 0;
}

// Structural check of one chain: loops (Brent) and bad links are cut, the
// length returned in *len.
static int fk_chain_shape(struct fat_fk *k, uint32_t first, uint32_t *len)
{
    fat_vol *v = k->v;
    uint32_t power = 1, lam = 1, tort = first, hare = first, n = 1;
    int rc;
    for (;;) {
        uint32_t nx;
        rc = fk_next(k, hare, &nx);
        if (rc) {
            return rc;
        }
        if (nx == 0) {
            *len = n;
            return 0;
        }
        if (nx == UINT32_MAX) {
            *len = n;
            return fk_cut(k, "chain ends in a bad link at cluster", hare);
        }
        hare = nx;
        n++;
        if (hare == tort) {
            break; // a loop of length lam
        }
        if (power == lam) {
            tort = hare;
            power *= 2;
            lam = 0;
        }
        lam++;
        if (n > v->n_fatent) {
            return CAIRN_ECORRUPT;
        }
    }
    // the loop starts at index mu; its last node (mu + lam - 1) links back
    uint32_t a = first, b;
    rc = fk_nth(k, first, lam, &b);
    uint32_t mu = 0;
    while (rc == 0 && a != b && mu <= v->n_fatent) {
        uint32_t na = 0, nb = 0;
        rc = fk_next(k, a, &na);
        if (rc == 0) {
            rc = fk_next(k, b, &nb);
        }
        a = na;
        b = nb;
        mu++;
    }
    if (rc) {
        return rc;
    }
    uint32_t last;
    rc = fk_nth(k, first, mu + lam - 1, &last);
    if (rc) {
        return rc;
    }
    *len = mu + lam;
    return fk_cut(k, "looping chain cut at cluster", last);
}

// Entry changes decided by the checks.
struct fk_ent {
    uint32_t first;
    uint32_t size;
    int is_dir;
    int dirty;
    int kill; // a second entry for the same chain (an interrupted rename): drop it
};

// Pass 0: the chain's shape. Every range pass: mark the range's clusters and
// cut cross-links. The final pass (once chains are disjoint): size against
// chain length, freeing a tail the size does not need.
static int fk_check_chain(struct fat_fk *k, struct fk_ent *e)
{
    fat_vol *v = k->v;
    uint32_t cb = v->csize * v->ss;
    int rc;
    if (e->first == 0) {
        if (k->final && !e->is_dir && e->size > 0) {
            fk_problem(k, "file has a size but no clusters, size", e->size, k->repair);
            if (k->repair) {
                e->size = 0;
                e->dirty = 1;
            }
        }
        return 0;
    }
    if (e->first < 2 || e->first >= v->n_fatent) {
        if (k->pass == 0) {
            fk_problem(k, "bad first cluster", e->first, k->repair);
            if (k->repair) {
                e->first = 0;
                e->size = 0;
                e->dirty = 1;
            }
        }
        return 0;
    }
    if (k->final) {
        if (e->is_dir) {
            return 0;
        }
        uint32_t len;
        rc = fk_chain_shape(k, e->first, &len);
        if (rc) {
            return rc;
        }
        uint32_t need = (uint32_t)(((uint64_t)e->size + cb - 1) / cb);
        if (len < need) {
            fk_problem(k, "file size larger than its chain, size", e->size, k->repair);
            if (k->repair) {
                e->size = len * cb;
                e->dirty = 1;
            }
        } else if (len > need) {
            fk_problem(k, "chain longer than the file size, clusters", len - need, k->repair);
            if (k->repair) {
                if (need == 0) {
                    rc = cairn_fat_free_chain(k->fs, e->first, 0);
                    e->first = 0;
                    e->dirty = 1;
                } else {
                    uint32_t last, nx;
                    rc = fk_nth(k, e->first, need - 1, &last);
                    if (rc == 0) {
                        rc = fk_next(k, last, &nx);
                    }
                    if (rc == 0 && nx != 0 && nx != UINT32_MAX) {
                        rc = cairn_fat_free_chain(k->fs, nx, last);
                    }
                }
            }
        }
        return rc;
    }
    if (k->pass == 0) {
        uint32_t len;
        rc = fk_chain_shape(k, e->first, &len);
        if (rc) {
            return rc;
        }
    }
    // mark, and cut where another chain already owns a cluster
    uint32_t c = e->first, prev = 0;
    for (uint32_t i = 0; c && i <= v->n_fatent; i++) {
        if (fk_in_range(k, c) && fk_mark(k, c)) {
            fk_problem(k, "cross-linked cluster", c, k->repair);
            if (k->repair) {
                if (prev) {
                    rc = cairn_fat_put(k->fs, prev, cairn_fat_eoc(v));
                    if (rc) {
                        return rc;
                    }
                    if (!e->is_dir && e->size > i * cb) {
                        e->size = i * cb;
                        e->dirty = 1;
                    }
                } else {
                    e->kill = 1;
                }
            }
            return 0;
        }
        uint32_t nx;
        rc = fk_next(k, c, &nx);
        if (rc) {
            return rc;
        }
        if (nx == UINT32_MAX) {
            return 0; // reported (or left) in pass 0
        }
        prev = c;
        c = nx;
    }
    return 0;
}

// ---- directories ----------------------------------------------------------------------------

static int fk_kill_entries(struct fat_fk *k, struct fat_dpos p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int rc;
        uint8_t *e = FAT_DIR_PTR(k->fs, &p, &rc, 0);
        if (!e) {
            return rc;
        }
        e[0] = FAT_DDEM;
        k->v->win_dirty = 1;
        if (i + 1 < n) {
            rc = cairn_fat_dir_next(k->fs, &p, 0);
            if (rc) {
                return rc;
            }
        }
    }
    return 0;
}

static int fk_orphans(struct fat_fk *k, const struct fat_dpos *at, uint32_t n)
{
    if (n == 0 || k->pass != 0) {
        return 0;
    }
    fk_problem(k, "orphaned long-name entries:", n, k->repair);
    return k->repair ? fk_kill_entries(k, *at, n) : 0;
}

// Check "." and ".." of directory `dir` (parent `parent`, 0 = root).
static int fk_dots(struct fat_fk *k, uint32_t dir, uint32_t parent)
{
    fat_vol *v = k->v;
    struct fat_dpos p;
    int rc = cairn_fat_dir_start(k->fs, &p, dir);
    for (int i = 0; i < 2 && rc == 0; i++) {
        uint8_t *e = FAT_DIR_PTR(k->fs, &p, &rc, 0);
        if (!e) {
            return rc;
        }
        const char *want = i == 0 ? ".          " : "..         ";
        uint32_t wc = i == 0 ? dir : parent;
        uint32_t have = cairn_fat_ent_clust(v, e);
        if (v->fs_type == 32 && i == 1 && have == v->dirbase) {
            have = 0;
        }
        if (memcmp(e, want, 11) != 0) {
            fk_problem(k, i == 0 ? "missing . entry in directory" : "missing .. entry in directory",
                       dir, 0);
        } else if (have != wc || !(e[FAT_DIR_ATTR] & FAT_AM_DIR)) {
            fk_problem(k, i == 0 ? "bad . entry in directory" : "bad .. entry in directory",
                       dir, k->repair);
            if (k->repair) {
                cairn_fat_ent_set_clust(v, e, wc);
                e[FAT_DIR_ATTR] |= FAT_AM_DIR;
                v->win_dirty = 1;
            }
        }
        if (i == 0) {
            rc = cairn_fat_dir_next(k->fs, &p, 0);
        }
    }
    return rc == CAIRN_ENOENT ? 0 : rc;
}

struct fk_level {
    struct fat_dpos pos; // next entry to look at
    uint32_t self;       // 0 = root
};

// Walk the whole tree once (for the current bitmap range).
static int fk_walk(struct fat_fk *k)
{
    fat_vol *v = k->v;
    struct fk_level st[FAT_FK_DEPTH];
    int sp = 0, rc;
    if (v->fs_type == 32) {
        struct fk_ent re = {v->dirbase, 0, 1, 0, 0};
        rc = fk_check_chain(k, &re);
        if (rc) {
            return rc;
        }
        if (re.dirty) {
            return CAIRN_ECORRUPT; // the root itself is unusable
        }
    }
    rc = cairn_fat_dir_start(k->fs, &st[0].pos, 0);
    if (rc) {
        return rc;
    }
    st[0].self = 0;
    sp = 1;
    // long-name bookkeeping for the directory being read
    struct fat_dpos pend_at = st[0].pos, seq_at = st[0].pos;
    uint32_t pend_n = 0, seq_n = 0;
    uint8_t ord = 0xFF, sum = 0;
    while (sp > 0) {
        struct fk_level *L = &st[sp - 1];
        uint8_t *e = FAT_DIR_PTR(k->fs, &L->pos, &rc, 0);
        if (!e) {
            return rc;
        }
        uint8_t ent[FAT_DIRENT];
        memcpy(ent, e, FAT_DIRENT);
        struct fat_dpos here = L->pos;
        int descend = 0;
        uint32_t child = 0;
        if (ent[0] == 0) {
            rc = fk_orphans(k, &pend_at, pend_n);
            if (rc) {
                return rc;
            }
            sp--;
            pend_n = 0;
            ord = 0xFF;
            continue;
        }
        uint8_t a = ent[FAT_DIR_ATTR] & FAT_AM_MASK;
        if (ent[0] != FAT_DDEM && a == FAT_AM_LFN) {
            if (pend_n == 0) {
                pend_at = here;
            }
            pend_n++;
            uint8_t c = ent[0];
            if (c & FAT_LLEF) {
                c &= (uint8_t)~FAT_LLEF;
                ord = (c >= 1 && c <= 20) ? c : 0xFF;
                sum = ent[FAT_LDIR_CHKSUM];
                seq_n = 0;
                seq_at = here;
            }
            if (ord != 0xFF && c == ord && sum == ent[FAT_LDIR_CHKSUM] &&
                fat_ld16(ent + FAT_LDIR_FSTCLUS) == 0) {
                ord--;
                seq_n++;
            } else {
                ord = 0xFF;
            }
        } else if (ent[0] == FAT_DDEM || ent[0] == '.' ||
                   ((a & FAT_AM_VOL) && a != FAT_AM_LFN)) {
            rc = fk_orphans(k, &pend_at, pend_n);
            if (rc) {
                return rc;
            }
            pend_n = 0;
            ord = 0xFF;
        } else {
            int ok = ord == 0 && sum == cairn_fat_sum(ent);
            rc = fk_orphans(k, &pend_at, pend_n - (ok ? seq_n : 0));
            if (rc) {
                return rc;
            }
            pend_n = 0;
            ord = 0xFF;
            struct fk_ent fe;
            fe.first = cairn_fat_ent_clust(v, ent);
            fe.size = fat_ld32(ent + FAT_DIR_SIZE);
            fe.is_dir = (a & FAT_AM_DIR) != 0;
            fe.dirty = 0;
            fe.kill = 0;
            if (fe.is_dir && v->fs_type == 32 && fe.first == v->dirbase) {
                fe.first = 0;
            }
            if (fe.is_dir && fe.first == 0) {
                if (k->pass == 0) {
                    fk_problem(k, "directory without a cluster, entry", here.idx, k->repair);
                    if (k->repair) {
                        rc = fk_kill_entries(k, here, 1);
                        if (rc) {
                            return rc;
                        }
                    }
                }
            } else {
                rc = fk_check_chain(k, &fe);
                if (rc) {
                    return rc;
                }
                if (fe.kill) {
                    rc = ok ? fk_kill_entries(k, seq_at, seq_n + 1) : fk_kill_entries(k, here, 1);
                    if (rc) {
                        return rc;
                    }
                    fe.first = 0;
                    fe.dirty = 0;
                }
                if (fe.dirty) {
                    e = FAT_DIR_PTR(k->fs, &here, &rc, 0);
                    if (!e) {
                        return rc;
                    }
                    if (fe.is_dir && fe.first == 0) {
                        e[0] = FAT_DDEM; // a directory that lost its cluster
                    } else {
                        cairn_fat_ent_set_clust(v, e, fe.first);
                        fat_st32(e + FAT_DIR_SIZE, fe.is_dir ? 0 : fe.size);
                    }
                    v->win_dirty = 1;
                }
                if (fe.is_dir && fe.first >= 2 && fe.first < v->n_fatent) {
                    descend = 1;
                    child = fe.first;
                } else if (fe.is_dir && fe.first != 0) {
                    k->incomplete = 1; // left unrepaired above: its clusters are unknown
                }
            }
        }
        rc = cairn_fat_dir_next(k->fs, &L->pos, 0);
        int at_end = rc == CAIRN_ENOENT;
        if (rc && !at_end) {
            return rc;
        }
        if (descend) {
            if (sp >= FAT_FK_DEPTH) {
                k->incomplete = 1;
                if (k->pass == 0) {
                    fk_problem(k, "directory tree too deep to check below cluster", child, 0);
                }
            } else {
                if (k->pass == 0) {
                    rc = fk_dots(k, child, L->self);
                    if (rc) {
                        return rc;
                    }
                }
                if (at_end) {
                    sp--; // nothing left in the parent
                }
                struct fk_level *C = &st[sp];
                rc = cairn_fat_dir_start(k->fs, &C->pos, child);
                if (rc) {
                    return rc;
                }
                C->self = child;
                sp++;
                continue;
            }
        }
        if (at_end) {
            rc = fk_orphans(k, &pend_at, pend_n);
            if (rc) {
                return rc;
            }
            pend_n = 0;
            ord = 0xFF;
            sp--;
        }
    }
    return 0;
}

// ---- FAT copies, lost clusters, FSInfo ---------------------------------------------------------

// Compare FAT #1 with the other copies, sector by sector (a checksum of each
// sector, so that one window is enough); copy #1 over a differing copy.
static int fk_fat_copies(struct fat_fk *k)
{
    fat_vol *v = k->v;
    for (uint32_t f = 1; f < v->n_fats; f++) {
        uint32_t differ = 0;
        for (uint32_t s = 0; s < v->fsize; s++) {
            uint32_t h[2];
            for (int w = 0; w < 2; w++) {
                int rc = cairn_fat_win_move(k->fs, v->fatbase + s + (w ? f * v->fsize : 0));
                if (rc) {
                    return rc;
                }
                uint32_t x = 2166136261u;
                for (uint32_t i = 0; i < v->ss; i++) {
                    x = (x ^ v->win[i]) * 16777619u;
                }
                h[w] = x;
            }
            if (h[0] != h[1]) {
                differ++;
                if (k->repair) {
                    int rc = cairn_fat_win_move(k->fs, v->fatbase + s);
                    if (rc == 0) {
                        rc = cairn_fat_dev_write(k->fs, v->fatbase + s + f * v->fsize, v->win, 1);
                    }
                    if (rc) {
                        return rc;
                    }
                }
            }
        }
        if (differ) {
            fk_problem(k, "FAT copies differ, sectors", differ, k->repair);
        }
    }
    return 0;
}

// The boot sector's copy of the label follows the root's label entry (what
// readers show): a cut between the two writes of a label change leaves them
// different, which dosfstools reports.
static int fk_label(struct fat_fk *k)
{
    struct cairn_fs *fs = k->fs;
    fat_vol *v = k->v;
    struct fat_scan sc;
    uint8_t lab[11];
    memcpy(lab, "NO NAME    ", 11);
    int rc = cairn_fat_find_label(fs, &sc);
    if (rc < 0) {
        return rc;
    }
    if (rc == FAT_FOUND) {
        memcpy(lab, sc.f.ent, 11);
    }
    rc = cairn_fat_win_move(fs, v->volbase);
    if (rc) {
        return rc;
    }
    uint8_t *b = v->win + (v->fs_type == 32 ? 71 : 43);
    if (b[-5] == 0x29 && memcmp(b, lab, 11) != 0) { // (BS_BootSig: the field exists)
        fk_problem(k, "boot sector label differs from the volume label", UINT32_MAX, k->repair);
        if (k->repair) {
            memcpy(b, lab, 11);
            v->win_dirty = 1;
        }
    }
    return 0;
}

static int fk_lost(struct fat_fk *k)
{
    fat_vol *v = k->v;
    uint32_t lost = 0;
    uint32_t bad = cairn_fat_eoc(v) & ~8u;
    for (uint32_t c = k->base; c < v->n_fatent && c - k->base < FAT_FK_SPAN; c++) {
        if (fk_marked(k, c)) {
            continue;
        }
        uint32_t val;
        int rc = cairn_fat_get(k->fs, c, &val);
        if (rc) {
            return rc;
        }
        if (val != 0 && val != bad) {
            lost++;
            if (k->repair && !k->incomplete) {
                rc = cairn_fat_put(k->fs, c, 0);
                if (rc) {
                    return rc;
                }
            }
        }
    }
    if (lost) {
        fk_problem(k, "lost clusters:", lost, k->repair && !k->incomplete);
    }
    return 0;
}

int32_t cairn_fat_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report,
                       void *ctx)
{
    fat_vol *v = fat_v(fs);
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    struct fat_fk k;
    memset(&k, 0, sizeof k);
    k.fs = fs;
    k.v = v;
    k.report = report;
    k.ctx = ctx;
    k.repair = (flags & CAIRN_FSCK_REPAIR) != 0;
    if (k.repair && v->ro) {
        return CAIRN_EROFS;
    }
    if (k.repair && v->files) {
        // an open file's clusters not in an entry yet would look lost
        return CAIRN_EBUSY;
    }
    int rc = cairn_fat_pr_commit(fs); // clusters taken by open files count as used
    if (rc) {
        return rc;
    }
    rc = cairn_fat_was_dirty(fs); // before the repair marks the volume
    if (rc < 0) {
        return rc;
    }
    if (k.repair) {
        rc = cairn_fat_mark_now(fs); // (FAT copies are repaired around the window)
        if (rc) {
            return rc;
        }
    }
    rc = cairn_fat_was_dirty(fs);
    if (rc < 0) {
        return rc;
    }
    if (rc > 0) {
        fk_problem(&k, "volume was not cleanly unmounted", UINT32_MAX, k.repair);
        if (k.repair) {
            v->was_dirty = 0; // cleared at unmount
            v->vol_dirty = 1;
        }
    }
    uint32_t fsi_free = v->free_clst;
    uint8_t fsi_was = v->fsi_dirty; // (an open file's allocations not in FSInfo yet)
    cairn_fat_dc_forget(v, UINT32_MAX);
#if !CAIRN_FAT_TINY
    v->cc_valid = 0;
#endif
    rc = fk_fat_copies(&k);
    if (rc == 0) {
        rc = fk_label(&k);
    }
    for (k.base = 2; rc == 0 && k.base < v->n_fatent; k.base += FAT_FK_SPAN, k.pass++) {
        cairn_fat_dc_forget(v, UINT32_MAX);
#if !CAIRN_FAT_TINY
        memset(v->dc_bloom, 0, sizeof v->dc_bloom);
        v->nc_valid = 0; // (the filter and the name buffer hold the bitmap)
#endif
        memset(v->name, 0, sizeof v->name);
        rc = fk_walk(&k);
        if (rc == 0) {
            rc = fk_lost(&k);
        }
    }
    if (rc == 0) {
        k.final = 1;
        k.pass = -1;
        rc = fk_walk(&k);
    }
    if (rc == 0) {
        uint32_t fr;
        v->free_clst = 0xFFFFFFFFu;
        rc = cairn_fat_count_free(fs, &fr);
        if (rc == 0 && v->fs_type == 32 && v->fsi_sect && fsi_free != fr) {
            fk_problem(&k, "FSInfo free count is stale, now", fr, k.repair);
        }
        if (!k.repair) {
            v->fsi_dirty = fsi_was; // a check writes nothing, nor forgets a due write
        }
    }
    cairn_fat_dc_forget(v, UINT32_MAX);
#if !CAIRN_FAT_TINY
    v->cc_valid = 0;
#endif
    if (rc == 0 && k.repair) {
        rc = cairn_fat_sync_vol(fs);
    }
    if (rc) {
        return rc;
    }
    return k.left;
}

#endif // CAIRN_FAT_FSCK (without it, ops.c points at cairn_fs_unsupported_fsck)
