// FAT directories: walking entries, reading long names, path lookup, and
// writing and removing entry sets (power-loss ordered).
#include "fat_int.h"

// ---- positions ------------------------------------------------------------------------

int cairn_fat_dir_start(struct cairn_fs *fs, struct fat_dpos *p, uint32_t sclust)
{
    fat_vol *v = fat_v(fs);
    p->sclust = sclust;
    p->idx = 0;
    if (sclust == 0 && v->fs_type == 32) {
        sclust = v->dirbase;
    }
    if (sclust == 0) {
        p->clust = 0;
        p->sect = v->dirbase;
        return 0;
    }
    if (sclust < 2 || sclust >= v->n_fatent) {
        return CAIRN_ECORRUPT;
    }
    p->clust = sclust;
    p->sect = cairn_fat_clust2sect(v, sclust);
    return 0;
}

int cairn_fat_dir_clear_cluster(struct cairn_fs *fs, uint32_t clst, uint32_t from)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_win_drop(fs);
    if (rc) {
        return rc;
    }
    memset(v->win, 0, v->ss);
    uint32_t s = cairn_fat_clust2sect(v, clst);
    for (uint32_t i = from; i < v->csize; i++) {
        rc = cairn_fat_dev_write(v, fs, s + i, v->win, 1);
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
    if (i >= FAT_MAX_DIR_ENTRIES) {
        return stretch ? CAIRN_EACCES : CAIRN_ENOENT;
    }
    if (i % per == 0) {
        if (p->clust == 0) {
            if (i >= v->n_rootdir) {
                return stretch ? CAIRN_EACCES : CAIRN_ENOENT; // the fixed root is full
            }
            p->sect++;
        } else if ((i / per) % v->csize == 0) {
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

uint8_t *cairn_fat_dir_ptr(struct cairn_fs *fs, const struct fat_dpos *p, int *err)
{
    fat_vol *v = fat_v(fs);
    *err = cairn_fat_win_move(fs, p->sect);
    if (*err) {
        return NULL;
    }
    return v->win + (p->idx % (v->ss / FAT_DIRENT)) * FAT_DIRENT;
}

uint32_t cairn_fat_ent_clust(const fat_vol *v, const uint8_t *ent)
{
    uint32_t c = fat_ld16(ent + FAT_DIR_CLUSTLO);
    if (v->fs_type == 32) {
        c |= (uint32_t)fat_ld16(ent + FAT_DIR_CLUSTHI) << 16;
    }
    return c;
}

void cairn_fat_ent_set_clust(const fat_vol *v, uint8_t *ent, uint32_t clst)
{
    fat_st16(ent + FAT_DIR_CLUSTLO, (uint16_t)clst);
    fat_st16(ent + FAT_DIR_CLUSTHI, v->fs_type == 32 ? (uint16_t)(clst >> 16) : 0);
}

void cairn_fat_ent_init(uint8_t *ent, uint8_t attr, uint32_t tm)
{
    memset(ent, 0, FAT_DIRENT);
    ent[FAT_DIR_ATTR] = attr;
    fat_st32(ent + FAT_DIR_CRTTIME, tm);
    fat_st32(ent + FAT_DIR_MODTIME, tm);
}

// ---- reading ------------------------------------------------------------------------------

// Long-name state across entries (FatFs rules: ordinals must run down and
// every checksum must match the short entry). The name is compared with
// v->name[0..want) as it comes, or read into v->name when want is 0.
struct fat_lfn_state {
    uint8_t ord;
    uint8_t sum;
    uint8_t match;
    uint16_t len;
    uint32_t want;
    uint32_t hash;
    struct fat_dpos start;
    uint32_t count;
};

static void fat_lfn_reset(struct fat_lfn_state *st)
{
    st->ord = 0xFF;
    st->match = 0;
    st->len = 0;
    st->hash = 0;
    st->count = 0;
}

// Feed one used entry; returns 1 when `ent` is an LFN entry (consumed).
static int fat_lfn_feed(fat_vol *v, struct fat_lfn_state *st, const uint8_t *ent,
                        const struct fat_dpos *p)
{
    if ((ent[FAT_DIR_ATTR] & FAT_AM_MASK) != FAT_AM_LFN) {
        return 0;
    }
    uint8_t c = ent[0];
    if (c & FAT_LLEF) {
        c &= (uint8_t)~FAT_LLEF;
        st->ord = c;
        st->sum = ent[FAT_LDIR_CHKSUM];
        st->start = *p;
        st->count = 0;
        st->match = 1;
        st->hash = 0;
        st->len = 0;
    }
    if (c == st->ord && st->sum == ent[FAT_LDIR_CHKSUM] && st->ord != 0xFF) {
        int r = cairn_fat_lfn_piece(v, ent, st->want, &st->match, &st->hash);
        if (r < 0) {
            st->ord = 0xFF;
            return 1;
        }
        if (ent[0] & FAT_LLEF) {
            st->len = (uint16_t)r;
        }
        st->ord--;
        st->count++;
    } else {
        st->ord = 0xFF;
    }
    return 1;
}

// Does the LFN state hold a valid long name for short entry `ent`?
static int fat_lfn_valid(const struct fat_lfn_state *st, const uint8_t *ent)
{
    return st->ord == 0 && st->sum == cairn_fat_sum(ent);
}

static int fat_is_label(const uint8_t *ent)
{
    return (ent[FAT_DIR_ATTR] & FAT_AM_VOL) &&
           (ent[FAT_DIR_ATTR] & FAT_AM_MASK) != FAT_AM_LFN;
}

static void fat_fill_found(const struct fat_lfn_state *st, int lfn_ok, const struct fat_dpos *p,
                           const uint8_t *ent, struct fat_found *f)
{
    f->sfn = *p;
    if (lfn_ok) {
        f->lfn = st->start;
        f->n_ent = st->count + 1;
    } else {
        f->lfn = *p;
        f->n_ent = 1;
    }
    memcpy(f->ent, ent, FAT_DIRENT);
}

// From *p on, find the next object (skipping free and deleted entries, dot
// entries, labels and orphaned long names). *got = 0 at the end.
int cairn_fat_dir_read(struct cairn_fs *fs, struct fat_dpos *p, struct fat_found *f, int *got,
                       uint32_t want)
{
    fat_vol *v = fat_v(fs);
    struct fat_lfn_state st;
    st.want = want;
    fat_lfn_reset(&st);
    *got = 0;
    for (;;) {
        int rc;
        uint8_t *ent = cairn_fat_dir_ptr(fs, p, &rc);
        if (!ent) {
            return rc;
        }
        uint8_t c = ent[0];
        if (c == 0) {
            return 0;
        }
        if (c == FAT_DDEM || c == '.' || fat_is_label(ent)) {
            fat_lfn_reset(&st);
        } else if (!fat_lfn_feed(v, &st, ent, p)) {
            int ok = fat_lfn_valid(&st, ent);
            v->lfn_len = ok ? st.len : 0;
            f->lfn_match = (uint8_t)(ok && st.match);
            fat_fill_found(&st, ok, p, ent, f);
            *got = 1;
            return 0;
        }
        rc = cairn_fat_dir_next(fs, p, 0);
        if (rc == CAIRN_ENOENT) {
            return 0;
        }
        if (rc) {
            return rc;
        }
    }
}

// ---- lookup ---------------------------------------------------------------------------------

// ---- the directory cache -----------------------------------------------------------------

#define FAT_BLOOM_BITS (CAIRN_FAT_BLOOM_BYTES * 8u)

// Names go into the filter upper-cased, short names in their dotted form, so
// that one probe answers "could this name be here?" for long and short names
// (the hash: fat_int.h).
static uint32_t fat_hash_lfn(const uint16_t *s, uint32_t n)
{
    uint32_t x = 0, h = fat_hash_seed(0), k = 0;
    for (uint32_t i = 0, left = 13; i < n; i++, left--) {
        if (left == 0) {
            x ^= h; // the next piece
            h = fat_hash_seed(++k);
            left = 13;
        }
        h = fat_hash_step(h, s[i]);
    }
    return x ^ h;
}

// (a dotted short name fits one piece)
static uint32_t fat_hash_sfn(const uint8_t *s)
{
    uint32_t h = fat_hash_seed(0);
    int base = 8, ext = 11;
    while (base > 0 && s[base - 1] == ' ') {
        base--;
    }
    while (ext > 8 && s[ext - 1] == ' ') {
        ext--;
    }
    // as the name reads: body, then '.' and the extension if there is one
    for (int i = 0; i < ext; i++) {
        if (i == base) {
            i = 8;
            if (i >= ext) {
                break;
            }
            h = fat_hash_step(h, '.');
        }
        uint8_t c = (i == 0 && s[0] == 0x05) ? FAT_DDEM : s[i];
        h = fat_hash_step(h, c < 0x80 ? c : cairn_fat_oem2uni(c));
    }
    return h;
}

// Six probes per name, derived from one 32-bit hash (double hashing): near
// the best false-positive rate for a filter holding ~1000 names.
static uint32_t fat_bloom_bit(uint32_t h, uint32_t i)
{
    uint32_t h2 = (h >> 16) | (h << 16);
    return (h + i * (h2 | 1u)) % FAT_BLOOM_BITS;
}

static void fat_bloom_add(fat_vol *v, uint32_t h)
{
    for (uint32_t i = 0; i < 6; i++) {
        uint32_t a = fat_bloom_bit(h, i);
        v->dc_bloom[a / 8] |= (uint8_t)(1u << (a % 8));
    }
}

static int fat_bloom_has(const fat_vol *v, uint32_t h)
{
    for (uint32_t i = 0; i < 6; i++) {
        uint32_t a = fat_bloom_bit(h, i);
        if (!((v->dc_bloom[a / 8] >> (a % 8)) & 1)) {
            return 0;
        }
    }
    return 1;
}

// Forget what is cached about directory `dir` (UINT32_MAX: everything).
void cairn_fat_dc_forget(fat_vol *v, uint32_t dir)
{
    if (dir == UINT32_MAX || v->dc_dir == dir) {
        v->dc_valid = 0;
    }
    if (dir == UINT32_MAX || v->dc_last_dir == dir) {
        v->dc_last_valid = 0;
    }
    if (dir == UINT32_MAX || v->pc_dir == dir) {
        v->pc_valid = 0;
    }
}

// Remember where a found entry set starts: the next lookup begins there (the
// same name again, or the next one in slot order, are found at once).
static void fat_dc_found(struct cairn_fs *fs, uint32_t dir, const struct fat_found *f)
{
    fat_vol *v = fat_v(fs);
    v->dc_last = f->lfn;
    v->dc_last_dir = dir;
    v->dc_last_valid = 1;
}

// ---- scanning ----------------------------------------------------------------------------------

static int fat_same_pos(const struct fat_dpos *a, const struct fat_dpos *b)
{
    return a->sect == b->sect && a->idx == b->idx;
}

// Does short entry `ent` (whose long name matched when `lm`) carry the name in sc?
static int fat_name_match(const struct fat_scan *sc, const uint8_t *ent, const struct fat_dpos *p,
                          int lm)
{
    if (sc->ignore.sect != 0 && fat_same_pos(p, &sc->ignore)) {
        return 0;
    }
    return lm || (!sc->nm.lossy && memcmp(ent, sc->nm.sfn, 11) == 0);
}

#define FAT_PEEK 2

// Look a name up without creating: from where the last lookup in this
// directory stopped, wrapping round to the start. `remember` FAT_PEEK: only
// the set where the last lookup stopped is looked at (a file opened again and
// again: no hashing, no pass), and only when it costs no read.
static int fat_scan_lookup(struct cairn_fs *fs, uint32_t dir, struct fat_scan *sc,
                           int remember)
{
    fat_vol *v = fat_v(fs);
    struct fat_dpos p;
    struct fat_found f;
    uint32_t start = 0;
    int rc, got, wrapped;
    if (v->dc_last_valid && v->dc_last_dir == dir &&
        (remember != FAT_PEEK || v->dc_last.sect == v->win_sect)) {
        p = v->dc_last;
        start = p.idx;
    } else if (remember == FAT_PEEK) {
        return FAT_MISSING;
    } else {
        rc = cairn_fat_dir_start(fs, &p, dir);
        if (rc) {
            return rc;
        }
    }
    wrapped = start == 0;
    for (;;) {
        rc = cairn_fat_dir_read(fs, &p, &f, &got, sc->nm.len);
        if (rc) {
            return rc;
        }
        if (got && !(wrapped && f.lfn.idx >= start && start != 0)) {
            if (fat_name_match(sc, f.ent, &f.sfn, f.lfn_match)) {
                sc->f = f;
                if (remember == 1) {
                    fat_dc_found(fs, dir, &f);
                }
                return FAT_FOUND;
            }
            if (remember == FAT_PEEK) {
                return FAT_MISSING;
            }
            rc = cairn_fat_dir_next(fs, &p, 0);
            if (rc == 0) {
                continue;
            }
            if (rc != CAIRN_ENOENT) {
                return rc;
            }
        } else if (got) {
            return FAT_MISSING; // back where the search began
        }
        // the end of the directory
        if (wrapped || remember == FAT_PEEK) {
            return FAT_MISSING;
        }
        wrapped = 1;
        rc = cairn_fat_dir_start(fs, &p, dir);
        if (rc) {
            return rc;
        }
    }
}

// The full pass for a name to create: checks for the name and for taken
// numeric tails, finds the free slot, and rebuilds the directory cache.
// With `from` (the cache proved the name new), only a free run of sc->need
// entries is looked for from there on (inside one sector when it fits,
// except in the free tail), moving the cache's first hole.
static int fat_scan_full(struct cairn_fs *fs, uint32_t dir, struct fat_scan *sc,
                         uint8_t cand[6][11], const struct fat_dpos *from)
{
    fat_vol *v = fat_v(fs);
    uint32_t per = v->ss / FAT_DIRENT;
    struct fat_dpos p, run_start, hole, end;
    uint32_t run = 0;
    int have_hole = 0, end_full = 0;
    struct fat_lfn_state st;
    int rc = 0;
    sc->have_slot = 0;
    sc->tails = 0;
    if (from) {
        p = *from;
    } else {
        rc = cairn_fat_dir_start(fs, &p, dir);
        v->dc_valid = 0;
        memset(v->dc_bloom, 0, sizeof v->dc_bloom);
    }
    if (rc) {
        return rc;
    }
    run_start = p;
    st.want = sc->nm.len;
    fat_lfn_reset(&st);
    int at_end = 0;
    for (;;) {
        if (!sc->have_slot && run > 0 && p.idx % per == 0 && sc->need <= per && !at_end) {
            run = 0; // keep a new entry set inside one sector
        }
        uint8_t c = 0;
        if (!at_end) {
            uint8_t *ent = cairn_fat_dir_ptr(fs, &p, &rc);
            if (!ent) {
                return rc;
            }
            c = ent[0];
            if (c == 0) {
                at_end = 1;
                end = p;
            } else if (c == FAT_DDEM) {
                fat_lfn_reset(&st);
            } else {
                run = 0;
                if (from) {
                    // (slot only)
                } else if (c == '.' || fat_is_label(ent)) {
                    fat_lfn_reset(&st);
                } else if (!fat_lfn_feed(v, &st, ent, &p)) {
                    int ok = fat_lfn_valid(&st, ent);
                    if (fat_name_match(sc, ent, &p, ok && st.match)) {
                        fat_fill_found(&st, ok, &p, ent, &sc->f);
                        sc->f.lfn_match = (uint8_t)(ok && st.match);
                        fat_dc_found(fs, dir, &sc->f);
                        return FAT_FOUND;
                    }
                    fat_bloom_add(v, fat_hash_sfn(ent));
                    if (ok) {
                        fat_bloom_add(v, st.hash);
                    }
                    if (sc->nm.lossy) {
                        for (int k = 0; k < 6; k++) {
                            if (memcmp(ent, cand[k], 11) == 0) {
                                sc->tails |= (uint8_t)(1u << k);
                            }
                        }
                    }
                    fat_lfn_reset(&st);
                }
            }
        }
        if (at_end || c == FAT_DDEM) {
            if (!have_hole) {
                hole = p;
                have_hole = 1;
            }
            if (!sc->have_slot) {
                if (run == 0) {
                    run_start = p;
                }
                if (++run >= sc->need) {
                    sc->have_slot = 1;
                    sc->slot = run_start;
                }
            }
            if ((at_end || from) && sc->have_slot) {
                break;
            }
        }
        rc = cairn_fat_dir_next(fs, &p, 0);
        if (rc == CAIRN_ENOENT) {
            if (!at_end) {
                end = p; // no free tail: the chain is full
                end_full = 1;
            }
            if (!sc->have_slot && !(p.clust == 0 && v->fs_type != 32)) {
                // the run continues into clusters added at registration
                sc->have_slot = run > 0 ? 2 : 3;
                sc->slot = run > 0 ? run_start : p;
            }
            break;
        }
        if (rc) {
            return rc;
        }
    }
    if (from) {
        v->dc_hole = have_hole ? hole : v->dc_end;
        return FAT_MISSING;
    }
    // every entry has been seen: the cache now describes this directory
    v->dc_dir = dir;
    v->dc_end = end;
    v->dc_end_full = (uint8_t)end_full;
    v->dc_hole = have_hole ? hole : end;
    v->dc_valid = 1;
    return FAT_MISSING;
}

// A name to create: the cache can prove it is new (no scan), else one pass.
static int fat_scan_create(struct cairn_fs *fs, uint32_t dir, struct fat_scan *sc,
                           uint8_t cand[6][11])
{
    fat_vol *v = fat_v(fs);
    int prc = fat_scan_lookup(fs, dir, sc, FAT_PEEK);
    if (prc != FAT_MISSING) {
        return prc;
    }
    if (!v->dc_valid || v->dc_dir != dir) {
        return fat_scan_full(fs, dir, sc, cand, NULL);
    }
    int absent = !fat_bloom_has(v, fat_hash_lfn(v->name, sc->nm.len)) &&
                 (sc->nm.lossy || sc->nm.need_lfn ||
                  !fat_bloom_has(v, fat_hash_sfn(sc->nm.sfn)));
    if (!absent) {
        // probably there (a file opened with "w" or "a" again): a lookup
        // from where the last one stopped finds it without a full pass
        int rc = fat_scan_lookup(fs, dir, sc, 1);
        if (rc != FAT_MISSING) {
            return rc;
        }
    }
    if (absent && sc->nm.lossy && fat_bloom_has(v, fat_hash_sfn(cand[0]))) {
        absent = 0; // ~1 may be taken: only a pass can tell which tail is free
    }
    if (!absent) {
        return fat_scan_full(fs, dir, sc, cand, NULL);
    }
    sc->tails = 0;
    if (v->dc_hole.idx >= v->dc_end.idx) {
        // no holes: the new set goes into the free tail
        sc->slot = v->dc_end;
        sc->have_slot = v->dc_end_full ? 3 : 1;
        if (dir == 0 && v->fs_type != 32 &&
            (v->dc_end_full || v->dc_end.idx + sc->need > v->n_rootdir)) {
            sc->have_slot = 0;
        }
        return FAT_MISSING;
    }
    return fat_scan_full(fs, dir, sc, cand, &v->dc_hole);
}

// The cache after a new entry set [first, sfn] in sc->dir.
static void fat_dc_added(struct cairn_fs *fs, const struct fat_scan *sc, const uint8_t *sfn)
{
    fat_vol *v = fat_v(fs);
    if (v->dc_last_dir == sc->dir && sc->f.lfn.idx < v->dc_last.idx &&
        v->dc_last.idx <= sc->f.sfn.idx) {
        v->dc_last_valid = 0; // the new set covers the remembered boundary
    }
    if (!v->dc_valid || v->dc_dir != sc->dir) {
        return;
    }
    fat_bloom_add(v, fat_hash_sfn(sfn));
    fat_bloom_add(v, fat_hash_lfn(v->name, sc->nm.len));
    // did the set reach into the free tail (or past a full chain's end)?
    uint32_t tail = v->dc_end.idx + (v->dc_end_full ? 1u : 0u);
    if (sc->f.sfn.idx >= tail) {
        struct fat_dpos q = sc->f.sfn;
        uint32_t per_clust = v->ss / FAT_DIRENT * v->csize;
        if (q.clust != 0 && (q.idx + 1) % per_clust == 0) {
            // the last entry of a cluster: taken as the end of the chain
            // without reading the FAT (which would write the entry out
            // early); a later set moves on into any next cluster anyway
            v->dc_end = sc->f.sfn;
            v->dc_end_full = 1;
        } else if (cairn_fat_dir_next(fs, &q, 0) == 0) {
            v->dc_end = q;
            v->dc_end_full = 0;
        } else {
            v->dc_end = sc->f.sfn;
            v->dc_end_full = 1;
        }
        if (v->dc_hole.idx >= sc->f.lfn.idx) {
            v->dc_hole = v->dc_end;
        }
    }
}

static void fat_tail_candidates(fat_vol *v, struct fat_scan *sc, uint8_t cand[6][11])
{
    for (uint32_t k = 0; k < 6; k++) {
        cairn_fat_numname(cand[k], sc->nm.sfn, v->name, k + 1);
    }
}

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
    // the parent directory of the last component, when the same prefix was
    // resolved last time
    size_t nlast;
    size_t plen = (size_t)(cairn_fat_last_comp(path, &nlast) - path);
    uint64_t ph = 14695981039346656037ull;
    for (size_t i = 0; i < plen; i++) {
        ph = (ph ^ (uint8_t)path[i]) * 1099511628211ull;
    }
    int pc_hit = v->pc_valid && v->pc_len == plen && v->pc_hash == ph && plen < 0xFFFF;
    if (pc_hit) {
        sc->dir = v->pc_dir;
        s = path + plen;
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
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
            return CAIRN_EINVAL;
        }
        int rc = cairn_fat_parse_name(v, s, n, &sc->nm);
        if (rc) {
            return rc;
        }
        int create = last && sc->create;
        uint8_t cand[6][11];
        if (create) {
            sc->need = sc->nm.need_lfn ? (sc->nm.len + 12u) / 13u + 1u : 1u;
            if (sc->nm.lossy) {
                fat_tail_candidates(v, sc, cand);
            }
        }
        rc = create ? fat_scan_create(fs, sc->dir, sc, cand) : fat_scan_lookup(fs, sc->dir, sc, last);
        if (rc < 0) {
            return rc;
        }
        if (last) {
            sc->trail = e != nx;
            if (!pc_hit && depth > 0 && (size_t)(s - path) == plen && plen < 0xFFFF) {
                v->pc_hash = ph;
                v->pc_len = (uint16_t)plen;
                v->pc_dir = sc->dir;
                v->pc_valid = 1;
            }
            return rc;
        }
        if (rc == FAT_MISSING || !(sc->f.ent[FAT_DIR_ATTR] & FAT_AM_DIR)) {
            return CAIRN_ENOENT;
        }
        sc->dir = cairn_fat_ent_clust(v, sc->f.ent);
        if (sc->dir == 0 || (v->fs_type == 32 && sc->dir == v->dirbase)) {
            sc->dir = 0; // a link to the root
        }
        if (depth > 4096) {
            return CAIRN_ECORRUPT;
        }
        s = nx;
    }
}

// ---- writing entry sets -------------------------------------------------------------------

// Is short name `sfn` used in directory `dir`? (the slow path for tails > 6)
static int fat_sfn_used(struct cairn_fs *fs, uint32_t dir, const uint8_t *sfn)
{
    struct fat_dpos p;
    int rc = cairn_fat_dir_start(fs, &p, dir);
    while (rc == 0) {
        uint8_t *ent = cairn_fat_dir_ptr(fs, &p, &rc);
        if (!ent) {
            return rc;
        }
        if (ent[0] == 0) {
            return 0;
        }
        if (ent[0] != FAT_DDEM && !fat_is_label(ent) && memcmp(ent, sfn, 11) == 0) {
            return 1;
        }
        rc = cairn_fat_dir_next(fs, &p, 0);
    }
    return rc == CAIRN_ENOENT ? 0 : rc;
}

int cairn_fat_dir_register(struct cairn_fs *fs, struct fat_scan *sc, uint8_t *ent)
{
    fat_vol *v = fat_v(fs);
    int rc;
    if (!sc->have_slot) {
        return CAIRN_EACCES; // the fixed root directory is full
    }
    uint8_t sfn[11];
    memcpy(sfn, sc->nm.sfn, 11);
    if (sc->nm.lossy) {
        uint32_t seq = 0;
        for (uint32_t k = 0; k < 6; k++) {
            if (!(sc->tails & (1u << k))) {
                seq = k + 1;
                break;
            }
        }
        if (seq) {
            cairn_fat_numname(sfn, sc->nm.sfn, v->name, seq);
        } else {
            for (seq = 7; seq < 100; seq++) {
                cairn_fat_numname(sfn, sc->nm.sfn, v->name, seq);
                rc = fat_sfn_used(fs, sc->dir, sfn);
                if (rc < 0) {
                    return rc;
                }
                if (rc == 0) {
                    break;
                }
            }
            if (seq >= 100) {
                return CAIRN_EACCES;
            }
        }
    }
    memcpy(ent, sfn, 11);
    ent[FAT_DIR_NTRES] = sc->nm.need_lfn ? 0 : sc->nm.ntres;
    struct fat_dpos p = sc->slot;
    if (sc->have_slot == 3) {
        rc = cairn_fat_dir_next(fs, &p, 1);
        if (rc) {
            return rc;
        }
    }
    uint32_t n = sc->need, pad = 0;
    uint32_t per = v->ss / FAT_DIRENT, in = p.idx % per;
    if (n > 1 && n <= per && in + n > per) {
        // keep the set inside one sector (one write): the rest of this sector
        // is marked deleted, since a 0 there would end the directory before it
        if (!(p.clust == 0 && v->fs_type != 32) || p.idx - in + per + n <= v->n_rootdir) {
            pad = per - in;
        }
    }
    struct fat_dpos first = p;
    uint8_t sum = cairn_fat_sum(sfn);
    uint8_t *e;
    // long-name entries first, short entry last: a cut in between leaves an
    // orphaned long name that readers ignore and fsck removes
    for (uint32_t i = 0;; i++) {
        e = cairn_fat_dir_ptr(fs, &p, &rc);
        if (!e) {
            return rc;
        }
        if (i < pad) {
            if (e[0] == 0) {
                e[0] = FAT_DDEM;
                v->win_dirty = 1;
            }
        } else {
            uint32_t k = pad + n - 1 - i; // entries after this one
            if (i == pad) {
                first = p;
            }
            if (k == 0) {
                break;
            }
            cairn_fat_lfn_put(e, v->name, sc->nm.len, k, sum, i == pad);
            v->win_dirty = 1;
        }
        rc = cairn_fat_dir_next(fs, &p, 1);
        if (rc) {
            return rc;
        }
    }
    memcpy(e, ent, FAT_DIRENT);
    v->win_dirty = 1;
    sc->f.sfn = p;
    sc->f.lfn = first;
    sc->f.n_ent = n;
    memcpy(sc->f.ent, ent, FAT_DIRENT);
    fat_dc_added(fs, sc, sfn);
    return 0;
}

// Mark an entry set deleted: the short entry first, so that a cut leaves
// orphaned long-name entries rather than a renamed file.
int cairn_fat_dir_remove(struct cairn_fs *fs, const struct fat_found *f)
{
    fat_vol *v = fat_v(fs);
    int rc;
    uint32_t dir = f->sfn.sclust;
    // dc_last stays a set boundary: deleting entries moves no boundary
    if (v->dc_valid && v->dc_dir == dir && f->lfn.idx < v->dc_hole.idx) {
        v->dc_hole = f->lfn; // the names stay in the filter: it may only say "maybe"
    }
    uint8_t *e = cairn_fat_dir_ptr(fs, &f->sfn, &rc);
    if (!e) {
        return rc;
    }
    e[0] = FAT_DDEM;
    v->win_dirty = 1;
    struct fat_dpos p = f->lfn;
    for (uint32_t i = 0; i + 1 < f->n_ent; i++) {
        e = cairn_fat_dir_ptr(fs, &p, &rc);
        if (!e) {
            return rc;
        }
        e[0] = FAT_DDEM;
        v->win_dirty = 1;
        rc = cairn_fat_dir_next(fs, &p, 0);
        if (rc) {
            return rc == CAIRN_ENOENT ? CAIRN_ECORRUPT : rc;
        }
    }
    return 0;
}

// 1 if directory `sclust` holds nothing but . and .., 0 if not.
int cairn_fat_dir_empty(struct cairn_fs *fs, uint32_t sclust)
{
    struct fat_dpos p;
    struct fat_found f;
    int got;
    int rc = cairn_fat_dir_start(fs, &p, sclust);
    if (rc) {
        return rc;
    }
    rc = cairn_fat_dir_read(fs, &p, &f, &got, FAT_LFN_NONE);
    if (rc) {
        return rc;
    }
    return !got;
}
