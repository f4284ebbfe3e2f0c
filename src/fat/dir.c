// FAT directories: walking entries, reading long names, path lookup, and
// writing and removing entry sets (power-loss ordered).
#include "fat_int.h"

// ---- positions ------------------------------------------------------------------------

int cairn_fat_dir_start(struct cairn_fs *fs, struct fat_dpos *p, uint32_t sclust)
{
    fat_vol *v = fat_v(fs);
    p->sclust = sclust;
    p->idx = 0;
    p->clust = 0;
    p->sect = v->dirbase; // (the FAT12/16 root)
    if (sclust == 0 && v->fs_type == 32) {
        sclust = v->dirbase;
    }
    if (sclust != 0) {
        if (sclust < 2 || sclust >= v->n_fatent) {
            return CAIRN_ECORRUPT;
        }
        p->clust = sclust;
        p->sect = cairn_fat_clust2sect(v, sclust);
    }
    return 0;
}

int cairn_fat_dir_clear_cluster(struct cairn_fs *fs, uint32_t clst, uint32_t from)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_win_zero(fs, FAT_NOSECT);
    if (rc) {
        return rc;
    }
    uint32_t s = cairn_fat_clust2sect(v, clst);
    for (uint32_t i = from; i < v->csize; i++) {
        rc = cairn_fat_dev_write(fs, s + i, v->win, 1);
        if (rc) {
            return rc;
        }
    }
    v->win_sect = s + v->csize - 1;
    return 0;
}

// Advance one entry. CAIRN_ENOENT at the end of the directory; with
// `stretch`, a sub-directory grows by a zero-filled cluster instead.
int cairn_fat_dir_next(struct cairn_fs *fs, struct fat_dpos *p, int stretch)
{
    fat_vol *v = fat_v(fs);
    uint32_t per = v->ss / FAT_DIRENT;
    uint32_t i = p->idx + 1;
    if (i >= FAT_MAX_DIR_ENTRIES || (i % per == 0 && p->clust == 0 && i >= v->n_rootdir)) {
        return stretch ? CAIRN_EACCES : CAIRN_ENOENT; // (the fixed root: full)
    }
    if (i % per == 0) {
        if (p->clust != 0 && ((i / per) & (v->csize - 1)) == 0) {
            uint32_t nx;
            int rc = cairn_fat_next(fs, p->clust, &nx);
            if (rc) {
                return rc;
            }
            if (nx == 0) {
                if (!stretch) {
                    return CAIRN_ENOENT;
                }
                rc = cairn_fat_find_free(fs, &nx);
                if (rc) {
                    return rc == CAIRN_ENOSPC ? CAIRN_EACCES : rc;
                }
                // zero-fill first, then link: a cut leaves a lost cluster only
                rc = cairn_fat_dir_clear_cluster(fs, nx, 0);
                if (rc == 0) {
                    rc = cairn_fat_link(fs, p->clust, nx);
                }
                if (rc) {
                    return rc;
                }
            }
            p->clust = nx;
            p->sect = cairn_fat_clust2sect(v, nx);
        } else {
            p->sect++;
        }
    }
    p->idx = i;
    return 0;
}

#if CAIRN_FAT_TINY
uint8_t *cairn_fat_dir_ptr(struct cairn_fs *fs, const struct fat_dpos *p, int *err, int chg)
{
    fat_vol *v = fat_v(fs);
    *err = chg ? cairn_fat_win_chg(fs, p->sect) : cairn_fat_win_move(fs, p->sect);
#else
uint8_t *cairn_fat_dir_ptr(struct cairn_fs *fs, const struct fat_dpos *p, int *err)
{
    fat_vol *v = fat_v(fs);
    *err = cairn_fat_win_move(fs, p->sect);
#endif
    if (*err) {
        return NULL;
    }
    return v->win + (p->idx & (v->ss / FAT_DIRENT - 1)) * FAT_DIRENT;
}

uint32_t cairn_fat_ent_clust(const fat_vol *v, const uint8_t *ent)
{
    uint32_t c = fat_ld16(ent + FAT_DIR_CLUSTLO);
    if (v->fs_type == 32) {
        c |= (uint32_t)fat_ld16(ent + FAT_DIR_CLUSTHI) << 16;
    }
    return c;
}

uint32_t cairn_fat_dir_clust(const fat_vol *v, const uint8_t *ent)
{
    uint32_t cl = cairn_fat_ent_clust(v, ent);
    return v->fs_type == 32 && cl == v->dirbase ? 0 : cl;
}

void cairn_fat_ent_set_clust(const fat_vol *v, uint8_t *ent, uint32_t clst)
{
    fat_st16(ent + FAT_DIR_CLUSTLO, (uint16_t)clst);
    fat_st16(ent + FAT_DIR_CLUSTHI, v->fs_type == 32 ? (uint16_t)(clst >> 16) : 0);
}

// (a call: smaller than the copies inline)
void cairn_fat_ent_copy(void *dst, const void *src)
{
    memcpy(dst, src, FAT_DIRENT);
}

void cairn_fat_ent_init(uint8_t *ent, uint8_t attr, uint32_t tm)
{
    memset(ent, 0, FAT_DIRENT);
    ent[FAT_DIR_ATTR] = attr;
    fat_st32(ent + FAT_DIR_CRTTIME, tm);
    fat_st32(ent + FAT_DIR_MODTIME, tm);
}

// ---- reading ------------------------------------------------------------------------------

// ---- LFN entries -------------------------------------------------------------------------

static const uint8_t fat_lfn_ofs[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
static void fat_lfn_put(uint8_t *ent, const uint16_t *lfn, uint32_t len, uint32_t ord,
                        uint8_t sum, int last)
{
    cairn_fat_ent_init(ent, FAT_AM_LFN, 0); // (the times' bytes get characters)
    ent[FAT_LDIR_ORD] = (uint8_t)(ord | (last ? FAT_LLEF : 0));
    ent[FAT_LDIR_CHKSUM] = sum;
    uint32_t i = (ord - 1) * 13;
    for (int k = 0; k < 13; k++, i++) {
        uint32_t c = i <= len ? lfn[i] : 0xFFFF; // (lfn[len] is 0)
        fat_st16(ent + fat_lfn_ofs[k], (uint16_t)c);
    }
}

// ---- the directory cache -----------------------------------------------------------------
#if !CAIRN_FAT_TINY

#define FAT_BLOOM_BITS (CAIRN_FAT_BLOOM_BYTES * 8u)

// A name's filter hash is the sum of one mixed value per unit (upper-cased,
// with its position), so that long-name entries, read last piece first, add
// up to the hash of the whole name; short names are hashed the same way, as
// their 11 stored bytes, so that a probe answers "could this name be here?"
// whatever its case.
static uint32_t fat_hmix(uint32_t i, uint32_t u)
{
    uint32_t x = ((i << 16) | u) * 0x9E3779B1u;
    return x ^ (x >> 15);
}

// Six probes per name, derived from one 32-bit hash (double hashing): near
// the best false-positive rate for a filter holding ~1000 names. The hash:
// h plus that of sfn[0..n), or (sfn NULL) of v->name[0..n) (n < 256).
// Whether all six bits were set; they are now, unless n has FAT_BL_PROBE
// (four arguments: no stack words at the calls).
#define FAT_BL_PROBE 0x100u
static int fat_bloom(fat_vol *v, const uint8_t *sfn, uint32_t n, uint32_t h)
{
    int set = !(n & FAT_BL_PROBE);
    n &= 0xFF;
    for (uint32_t i = 0; i < n; i++) {
        h += fat_hmix(i, sfn ? sfn[i] : cairn_fat_upcase(v->name[i]));
    }
    h = fat_hmix(0, h); // (the sum's bits spread)
    uint32_t h2 = (h >> 16) | (h << 16) | 1u;
    int all = 1;
    for (uint32_t i = 0; i < 6; i++, h += h2) {
        uint32_t a = h % FAT_BLOOM_BITS;
        uint32_t m = 1u << (a % 8);
        if (!(v->dc_bloom[a / 8] & m)) {
            all = 0;
        }
        if (set) {
            v->dc_bloom[a / 8] |= m;
        }
    }
    return all;
}

// dc_dir and dc_last_dir hold a directory + 1 (0, as zeroed: none).
#define FAT_DC_NONE 0

// Forget what is cached about directory `dir` (UINT32_MAX: everything).
void cairn_fat_dc_forget(fat_vol *v, uint32_t dir)
{
    dir++; // (UINT32_MAX: 0)
    if (dir == 0 || v->dc_dir == dir) {
        v->dc_dir = FAT_DC_NONE;
    }
    if (dir == 0 || v->dc_last_dir == dir) {
        v->dc_last_dir = FAT_DC_NONE;
    }
}
#endif // !CAIRN_FAT_TINY (the size-first configuration has no directory cache)

// (a call: smaller than the copies inline)
FAT_NOINLINE static void fat_pos_copy(struct fat_dpos *d, const struct fat_dpos *s)
{
    *d = *s;
}

// ---- the walk ----------------------------------------------------------------------------------

// What a pass looks for. Lookups start where the last lookup in this
// directory stopped, then (not found) pass over the whole directory once
// more; FAT_LOOK_MEM also remembers where the name was found. FAT_PEEK:
// only the set where the last lookup stopped is looked at (a file opened
// again and again: no hashing, no pass), and only when it costs no read.
// FAT_FULL: the pass for a name to create:
// checks for the name and for taken numeric tails, finds the free slot, and
// rebuilds the directory cache. FAT_SLOT (the cache proved the name new):
// only a free run of sc->need entries is looked for, from the cache's first
// hole on (inside one sector when it fits, except in the free tail), moving
// that hole. FAT_READ: the next object from *p on, its long name read into
// v->name (v->lfn_len units, 0 if none). FAT_LABEL: the root's volume label
// (no name is looked for; a free slot for a new label as for FAT_FULL).
#define FAT_LOOK 0
#define FAT_LOOK_MEM 1 // (odd: the found set is remembered)
#define FAT_PEEK 2
#define FAT_READ 4
#define FAT_FULL 5 // (and on: free entries are tracked)
#define FAT_SLOT 6
#define FAT_LABEL 7

// One pass over directory sc->dir (FAT_READ: from *p on, into *f, no sc; else
// p is NULL and f is &sc->f, the scan state found from it),
// skipping free and deleted entries, dot entries, labels and orphaned long
// names (FatFs rules: ordinals must run down and every checksum must match
// the short entry). Long names are compared with v->name as they come, piece
// by piece, so that one buffer serves lookups and listings. FAT_FOUND with
// the object in *f (else sc->f), FAT_MISSING, or an error.
static int fat_walk(struct cairn_fs *fs, struct fat_dpos *p, struct fat_found *f, int mode)
{
    fat_vol *v = fat_v(fs);
    struct fat_scan *sc = NULL;
    uint32_t per = v->ss / FAT_DIRENT;
    struct fat_dpos q, run_start;
    uint32_t want = 0;
    uint32_t ord = 0xFF, sum = 0, len = 0, run = 0;
    int rc;
#if !CAIRN_FAT_TINY
    struct fat_dpos hole;
    uint32_t start = 0;
    hole.sect = 0;
#endif
    if (mode == FAT_READ) {
#if !CAIRN_FAT_TINY
        v->nc_valid = 0; // (the buffer will not hold a parsed name)
#endif
    } else {
        p = &q;
        sc = (struct fat_scan *)(void *)((char *)f - offsetof(struct fat_scan, f));
        want = v->nc.len;
        if (mode >= FAT_FULL) {
            sc->have_slot = 0;
            sc->taken = 0;
        }
#if CAIRN_FAT_TINY
        rc = cairn_fat_dir_start(fs, &q, sc->dir); // (every pass from the start)
        if (rc) {
            return rc;
        }
#else
        // the pass begins at the first hole (FAT_SLOT), where the last lookup
        // stopped, or at the start
        const struct fat_dpos *from = &v->dc_hole;
        if (mode < FAT_FULL && v->dc_last_dir == sc->dir + 1 &&
            (mode != FAT_PEEK || v->dc_last.sect == v->win_sect)) {
            from = &v->dc_last;
            start = from->idx;
        }
        if (mode == FAT_SLOT || from != &v->dc_hole) {
            fat_pos_copy(&q, from);
        } else if (mode == FAT_PEEK) {
            return FAT_MISSING;
        } else {
            if (mode == FAT_FULL) {
                v->dc_dir = FAT_DC_NONE;
                memset(v->dc_bloom, 0, sizeof v->dc_bloom);
            }
            rc = cairn_fat_dir_start(fs, &q, sc->dir);
            if (rc) {
                return rc;
            }
        }
#endif
    }
    for (;;) {
        uint32_t full = 0;
        if (run > 0 && (p->idx & (per - 1)) == 0 && sc->need <= per) {
            run = 0; // keep a new entry set inside one sector
        }
        int err;
        uint8_t *ent = FAT_DIR_PTR(fs, p, &err, 0);
        if (!ent) {
            return err;
        }
        uint8_t c = ent[0], a = ent[FAT_DIR_ATTR] & FAT_AM_MASK;
        // the ordinal a long-name entry here must have (only such an entry
        // keeps a long name going)
        uint32_t expect = ord;
        ord = 0xFF;
        if (c == 0) {
            goto end;
        }
        if (c == FAT_DDEM) {
            if (mode >= FAT_FULL) {
#if !CAIRN_FAT_TINY
                if (hole.sect == 0) {
                    fat_pos_copy(&hole, p);
                }
#endif
                if (!sc->have_slot) {
                    if (run == 0) {
                        fat_pos_copy(&run_start, p);
                    }
                    if (++run >= sc->need) {
                        sc->have_slot = 1;
                        sc->slot = run_start;
#if !CAIRN_FAT_TINY
                        if (mode == FAT_SLOT) {
                            break;
                        }
#endif
                    }
                }
            }
        } else if ((run = 0), c == '.' || (a != FAT_AM_LFN && (a & FAT_AM_VOL))) {
            // a dot entry or the label; what a FAT_LABEL pass looks for (an
            // entry of the label's attributes only) is returned as the object
            if (mode == FAT_LABEL && (ent[FAT_DIR_ATTR] & ~FAT_AM_ARC) == FAT_AM_VOL) {
                mode = FAT_READ;
                goto object;
            }
        } else if (a == FAT_AM_LFN) {
            uint32_t o = c & ~FAT_LLEF, last = c & FAT_LLEF;
            if (last) {
                expect = o;
                sum = ent[FAT_LDIR_CHKSUM];
                fat_pos_copy(&f->lfn, p);
                f->n_ent = o + 1;
                f->lfn_match = 1;
#if !CAIRN_FAT_TINY
                f->hash = 0;
#endif
            }
            if (o == expect && sum == ent[FAT_LDIR_CHKSUM] && o != 0 && o <= 20 &&
                fat_ld16(ent + FAT_LDIR_FSTCLUS) == 0) {
                // this entry's characters, name positions (o-1)*13 on
                uint32_t i = (o - 1) * 13, k, ended = 0;
                for (k = 0; k < 13; k++) {
                    uint16_t u = fat_ld16(ent + fat_lfn_ofs[k]);
                    if (ended) {
                        if (u != 0xFFFF) {
                            break; // padding after the terminator
                        }
                        continue;
                    }
                    if (u == 0) {
                        if (!last) {
                            break; // a terminator only in the last piece
                        }
                        ended = 1;
                        continue;
                    }
                    if (i >= 255) {
                        break;
                    }
                    uint16_t uc = cairn_fat_upcase(u);
                    if (want == 0) {
                        v->name[i] = u;
                    } else if (uc != cairn_fat_upcase(v->name[i])) {
                        // (one of another length fails at its last piece)
                        f->lfn_match = 0;
                    }
#if !CAIRN_FAT_TINY
                    f->hash += fat_hmix(i, uc);
#endif
                    i++;
                }
                if (k == 13) {
                    ord = o - 1;
                }
                if (k == 13 && last) {
                    len = i;
                    if (i != want) {
                        f->lfn_match = 0;
                    }
                }
            }
        } else {
            // a short entry: the object
        object:
            if (expect != 0 || sum != cairn_fat_sum(ent)) {
                len = 0; // no (valid) long name
                f->lfn_match = 0;
                f->n_ent = 1;
                fat_pos_copy(&f->lfn, p);
            }
            v->lfn_len = (uint16_t)len;
            fat_pos_copy(&f->sfn, p);
            cairn_fat_ent_copy(f->ent, ent);
            if (mode == FAT_READ) {
                return FAT_FOUND;
            }
            if (mode < FAT_SLOT && !(sc->ignore.sect != 0 && p->sect == sc->ignore.sect &&
                                      p->idx == sc->ignore.idx) &&
                (f->lfn_match || (!v->nc.lossy && memcmp(ent, v->nc.sfn, 11) == 0))) {
#if !CAIRN_FAT_TINY
                if (mode & 1) {
                    // the next lookup begins there (the same name again, or
                    // the next one in slot order, are found at once)
                    fat_pos_copy(&v->dc_last, &f->lfn);
                    v->dc_last_dir = sc->dir + 1;
                }
#endif
                return FAT_FOUND;
            }
#if !CAIRN_FAT_TINY
            if (mode == FAT_PEEK) {
                return FAT_MISSING;
            }
#endif
            if (mode == FAT_FULL) {
#if !CAIRN_FAT_TINY
                fat_bloom(v, ent, 11, 0);
                if (f->n_ent > 1) {
                    fat_bloom(v, NULL, 0, f->hash);
                }
#endif
                if (v->nc.lossy && memcmp(ent, sc->cand, 11) == 0) {
                    sc->taken = 1;
                }
            }
        }
        rc = cairn_fat_dir_next(fs, p, 0);
        if (rc == 0) {
            continue;
        }
        if (rc != CAIRN_ENOENT) {
            return rc;
        }
        full = 1; // the chain ends: *p is its last entry
    end:
        if (mode >= FAT_FULL) {
#if !CAIRN_FAT_TINY
            if (hole.sect == 0) {
                fat_pos_copy(&hole, p); // the end mark, or the chain's last entry
            }
#endif
            if (!sc->have_slot) {
                // no free run before the end: the run that reaches it, else
                // *p (the end mark, or with `full` the chain's last entry:
                // one step on); the fixed root directory cannot grow
                fat_pos_copy(&sc->slot, run ? &run_start : p);
                sc->have_slot = run || !full ? 1 : 3;
                if (sc->dir == 0 && v->fs_type != 32 &&
                    (full || sc->slot.idx + sc->need > v->n_rootdir)) {
                    sc->have_slot = 0;
                }
            }
#if CAIRN_FAT_TINY
        }
        return FAT_MISSING;
#else
            if (mode == FAT_FULL) {
                // every entry has been seen: the cache now describes this directory
                v->dc_dir = sc->dir + 1;
            }
            break;
        }
        if (start == 0 || mode == FAT_PEEK) {
            return FAT_MISSING;
        }
        start = 0;
        ord = 0xFF;
        rc = cairn_fat_dir_start(fs, p, sc->dir);
        if (rc) {
            return rc;
        }
#endif
    }
#if !CAIRN_FAT_TINY
    if (v->dc_dir == sc->dir + 1) { // (not so after a FAT_LABEL pass)
        fat_pos_copy(&v->dc_hole, &hole);
    }
    return FAT_MISSING;
#endif
}

int cairn_fat_dir_read(struct cairn_fs *fs, struct fat_dpos *p, struct fat_found *f)
{
    return fat_walk(fs, p, f, FAT_READ);
}

int cairn_fat_find_label(struct cairn_fs *fs, struct fat_scan *sc)
{
    sc->dir = 0; // (the root; a pass for the label reads no other input)
    sc->need = 1;
    return fat_walk(fs, NULL, &sc->f, FAT_LABEL);
}

// 1 if directory `sclust` holds nothing but . and .., 0 if not.
int cairn_fat_dir_empty(struct cairn_fs *fs, uint32_t sclust)
{
    struct fat_dpos p;
    struct fat_found f;
    int rc = cairn_fat_dir_start(fs, &p, sclust);
    if (rc == 0) {
        rc = cairn_fat_dir_read(fs, &p, &f);
    }
    _Static_assert(FAT_FOUND == 0 && FAT_MISSING == 1, "emptiness");
    return rc;
}

// ---- lookup ---------------------------------------------------------------------------------

#if !CAIRN_FAT_TINY
// The cache after a new entry set [first, sfn] in sc->dir.
static void fat_dc_added(struct cairn_fs *fs, const struct fat_scan *sc, const uint8_t *sfn)
{
    fat_vol *v = fat_v(fs);
    if (v->dc_last_dir == sc->dir + 1) {
        v->dc_last_dir = FAT_DC_NONE; // (the new set may cover the remembered boundary)
    }
    if (v->dc_dir != sc->dir + 1) {
        return;
    }
    // (dc_hole stays: the set is at or after it, and the next pass for a
    // slot steps over it)
    fat_bloom(v, sfn, 11, 0);
    fat_bloom(v, NULL, v->nc.len, 0);
}

// A name to create: the cache can prove it is new (no scan), else one pass.
static int fat_scan_create(struct cairn_fs *fs, struct fat_scan *sc)
{
    fat_vol *v = fat_v(fs);
    int mode = FAT_FULL;
    int rc = fat_walk(fs, NULL, &sc->f, FAT_PEEK);
    if (rc != FAT_MISSING) {
        return rc;
    }
    // (with a lossy name, the probe is for ~1: if it may be taken, only a
    // pass can tell which tail is free)
    if (v->dc_dir == sc->dir + 1 &&
        !fat_bloom(v, sc->cand, 11 | FAT_BL_PROBE, 0) &&
        !fat_bloom(v, NULL, v->nc.len | FAT_BL_PROBE, 0)) {
        mode = FAT_SLOT; // new for sure
    }
    return fat_walk(fs, NULL, &sc->f, mode);
}
#else
// (one pass for the name, the tails it may collide with and a free slot)
#define fat_scan_create(fs, sc) fat_walk(fs, NULL, &(sc)->f, FAT_FULL)
#endif

const char *cairn_fat_last_comp(const char *p, size_t *n)
{
    size_t len = strlen(p);
    while (len > 0 && (p[len - 1] == '/' || p[len - 1] == '\\')) {
        len--;
    }
    size_t s = len;
    while (s > 0 && p[s - 1] != '/' && p[s - 1] != '\\') {
        s--;
    }
    *n = len - s;
    return p + s;
}

int cairn_fat_lookup(struct cairn_fs *fs, const char *path, struct fat_scan *sc)
{
    fat_vol *v = fat_v(fs);
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    const char *s = path;
    sc->dir = 0;
    sc->trail = 0;
    while (*s == '/' || *s == '\\') {
        s++;
    }
    if (*s == 0) {
        return FAT_ROOT;
    }
    for (uint32_t depth = 0;; depth++) {
        const char *e = s;
        while (*e && *e != '/' && *e != '\\') {
            e++;
        }
        size_t n = (size_t)(e - s);
        const char *nx = e;
        while (*nx == '/' || *nx == '\\') {
            nx++;
        }
        int last = *nx == 0;
        // ("." and "..": -EINVAL, as names of dots only)
        int rc = cairn_fat_parse_name(v, s, n);
        if (rc) {
            return rc;
        }
        if (last && sc->create) {
            // entries of 13 units each, and the short entry
            sc->need = v->nc.need_lfn ? (v->nc.len + 25u) / 13u : 1u;
            cairn_fat_numname(v, sc->cand, v->nc.lossy); // (not lossy: the name's own)
            rc = fat_scan_create(fs, sc);
        } else {
            rc = fat_walk(fs, NULL, &sc->f, last);
        }
        if (rc < 0) {
            return rc;
        }
        if (last) {
            sc->trail = e != nx;
            return rc;
        }
        if (rc == FAT_MISSING || !(sc->f.ent[FAT_DIR_ATTR] & FAT_AM_DIR)) {
            return CAIRN_ENOENT;
        }
        sc->dir = cairn_fat_dir_clust(v, sc->f.ent);
        if (depth > 4096) {
            return CAIRN_ECORRUPT;
        }
        s = nx;
    }
}

// ---- writing entry sets -------------------------------------------------------------------

int cairn_fat_dir_register(struct cairn_fs *fs, struct fat_scan *sc, uint8_t *ent)
{
    fat_vol *v = fat_v(fs);
    int rc;
    if (!sc->have_slot) {
        return CAIRN_EACCES; // the fixed root directory is full
    }
    // tail 1 was checked by the lookup's pass; later ones by the filter when
    // it holds every name of the directory (a tail it never saw is free; a
    // false positive only passes over a free tail), else a pass each
    uint32_t seq = v->nc.lossy;
    while (sc->taken) {
        if (++seq >= 100) {
            return CAIRN_EACCES;
        }
        cairn_fat_numname(v, sc->cand, seq);
#if !CAIRN_FAT_TINY
        if (v->dc_dir == sc->dir + 1) {
            sc->taken = (uint32_t)fat_bloom(v, sc->cand, 11 | FAT_BL_PROBE, 0);
            continue;
        }
#endif
        rc = fat_walk(fs, NULL, &sc->f, FAT_FULL);
        if (rc < 0) {
            return rc;
        }
    }
    cairn_fat_name11(ent, sc->cand);
    ent[FAT_DIR_NTRES] = v->nc.ntres; // (0 with a long name)
    struct fat_dpos p = sc->slot;
    if (sc->have_slot == 3) {
        rc = cairn_fat_dir_next(fs, &p, 1);
        if (rc) {
            return rc;
        }
    }
    uint32_t n = sc->need, pad = 0;
    uint32_t per = v->ss / FAT_DIRENT, in = p.idx & (per - 1);
    if (n > 1 && n <= per && in + n > per) {
        // keep the set inside one sector (one write): the rest of this sector
        // is marked deleted, since a 0 there would end the directory before it
        if (p.clust != 0 || p.idx - in + per + n <= v->n_rootdir) {
            pad = per - in;
        }
    }
    uint8_t sum = cairn_fat_sum(ent);
    uint8_t *e;
    // long-name entries first, short entry last: a cut in between leaves an
    // orphaned long name that readers ignore and fsck removes
    for (uint32_t k = pad + n;;) {
        int err;
#if CAIRN_FAT_TINY
        // (a padding entry already deleted is no change)
        for (int chg = k <= n;; chg = 1) {
            e = FAT_DIR_PTR(fs, &p, &err, chg);
            if (!e) {
                return err;
            }
            if (chg || e[0] != 0) {
                break;
            }
        }
#else
        e = FAT_DIR_PTR(fs, &p, &err, 0);
        if (!e) {
            return err;
        }
#endif
        if (--k >= n) {
            if (e[0] == 0) {
                e[0] = FAT_DDEM;
                FAT_DIRTY(v);
            }
        } else {
            // k: entries after this one
            if (k == n - 1) {
                fat_pos_copy(&sc->f.lfn, &p); // (sc->f describes the new set from here on)
            }
            if (k == 0) {
                break;
            }
            fat_lfn_put(e, v->name, v->nc.len, k, sum, k == n - 1);
            FAT_DIRTY(v);
        }
        rc = cairn_fat_dir_next(fs, &p, 1);
        if (rc) {
            return rc;
        }
    }
    cairn_fat_ent_copy(e, ent);
    FAT_DIRTY(v);
    fat_pos_copy(&sc->f.sfn, &p);
    sc->f.n_ent = n;
    cairn_fat_ent_copy(sc->f.ent, ent);
#if !CAIRN_FAT_TINY
    fat_dc_added(fs, sc, ent);
#endif
    return 0;
}

// Mark an entry set deleted: the short entry first, so that a cut leaves
// orphaned long-name entries rather than a renamed file.
int cairn_fat_dir_remove(struct cairn_fs *fs, const struct fat_found *f, int *gone)
{
    fat_vol *v = fat_v(fs);
    int rc;
#if !CAIRN_FAT_TINY
    uint32_t dir = f->sfn.sclust;
    // dc_last stays a set boundary: deleting entries moves no boundary
    if (v->dc_dir == dir + 1 && f->lfn.idx < v->dc_hole.idx) {
        fat_pos_copy(&v->dc_hole, &f->lfn); // the names stay in the filter: it may only say "maybe"
    }
#endif
    struct fat_dpos p = f->lfn;
    const struct fat_dpos *q = &f->sfn;
    for (uint32_t i = 0; i < f->n_ent; i++, q = &p) {
        int err;
        uint8_t *e = FAT_DIR_PTR(fs, q, &err, 1);
        if (!e) {
            return err;
        }
        e[0] = FAT_DDEM;
        FAT_DIRTY(v);
        *gone = 1; // (the short entry goes first: the file is gone from here on)
        if (i != 0) {
            rc = cairn_fat_dir_next(fs, &p, 0);
            if (rc) {
                return rc == CAIRN_ENOENT ? CAIRN_ECORRUPT : rc;
            }
        }
    }
    return 0;
}

