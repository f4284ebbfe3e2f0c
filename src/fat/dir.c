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

uint8_t *cairn_fat_dir_ptr(struct cairn_fs *fs, const struct fat_dpos *p, int *err)
{
    fat_vol *v = fat_v(fs);
    *err = cairn_fat_win_move(fs, p->sect);
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

// ---- LFN entries -------------------------------------------------------------------------

static const uint8_t fat_lfn_ofs[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

// One LFN entry's characters, name positions (ord-1)*13 on: stored into
// v->name when `want` is 0 (the name is being read), else compared with
// v->name[0..want) as they come (*match cleared on a difference), so that
// one buffer serves lookups and listings. *hash gets this piece's share of
// the name's filter hash (fat_int.h). Returns the name length when this is the
// last (first-stored) entry, 0 for others, -1 if malformed.
static int fat_lfn_piece(fat_vol *v, const uint8_t *ent, uint32_t want, uint32_t *match,
                         uint32_t *hash)
{
    uint32_t last = ent[FAT_LDIR_ORD] & FAT_LLEF, ord = ent[FAT_LDIR_ORD] & 0x3F;
    if (ord == 0 || ord > 20 || fat_ld16(ent + FAT_LDIR_FSTCLUS) != 0) {
        return -1;
    }
    uint32_t i = (ord - 1) * 13;
    uint32_t h = fat_hash_seed(ord - 1);
    int ended = 0;
    for (int k = 0; k < 13; k++) {
        uint16_t c = fat_ld16(ent + fat_lfn_ofs[k]);
        if (ended || c == 0) {
            // a terminator only in the last piece, then padding
            if (ended ? c != 0xFFFF : !last) {
                return -1;
            }
            ended = 1;
            continue;
        }
        if (i >= 255) {
            return -1;
        }
        uint16_t uc = cairn_fat_upcase(c);
        if (want == 0) {
            v->name[i] = c;
        } else if (i >= want || uc != cairn_fat_upcase(v->name[i])) {
            *match = 0;
        }
        h = fat_hash_step(h, uc);
        i++;
    }
    *hash ^= h;
    if (last) {
        if (want == 0) {
            v->name[i] = 0;
            v->nc_valid = 0; // (the buffer no longer holds a parsed name)
        } else if (i != want) {
            *match = 0;
        }
        return (int)i;
    }
    return 0;
}

static void fat_lfn_put(uint8_t *ent, const uint16_t *lfn, uint32_t len, uint32_t ord,
                        uint8_t sum, int last)
{
    memset(ent, 0, FAT_DIRENT);
    ent[FAT_LDIR_ORD] = (uint8_t)(ord | (last ? FAT_LLEF : 0));
    ent[FAT_DIR_ATTR] = FAT_AM_LFN;
    ent[FAT_LDIR_CHKSUM] = sum;
    uint32_t i = (ord - 1) * 13;
    for (int k = 0; k < 13; k++, i++) {
        uint32_t c = i < len ? lfn[i] : i == len ? 0 : 0xFFFF;
        fat_st16(ent + fat_lfn_ofs[k], (uint16_t)c);
    }
}

// Long-name state across entries (FatFs rules: ordinals must run down and
// every checksum must match the short entry). The name is compared with
// v->name[0..want) as it comes, or read into v->name when want is 0.
struct fat_lfn_state {
    uint32_t ord; // the next ordinal expected (0: complete, 0xFF: none)
    uint32_t n;   // entries in the set
    uint32_t sum;
    uint32_t match;
    uint32_t len;
    uint32_t want;
    uint32_t hash;
    struct fat_dpos start;
};

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
        st->n = c;
        st->sum = ent[FAT_LDIR_CHKSUM];
        st->start = *p;
        st->match = 1;
        st->hash = 0;
    }
    int r = -1;
    if (c == st->ord && st->sum == ent[FAT_LDIR_CHKSUM]) {
        r = fat_lfn_piece(v, ent, st->want, &st->match, &st->hash);
    }
    if (r < 0) {
        st->ord = 0xFF;
        return 1;
    }
    if (c != ent[0]) {
        st->len = (uint32_t)r;
    }
    st->ord--;
    return 1;
}

static int fat_is_label(const uint8_t *ent)
{
    return (ent[FAT_DIR_ATTR] & FAT_AM_VOL) &&
           (ent[FAT_DIR_ATTR] & FAT_AM_MASK) != FAT_AM_LFN;
}

// Free-run tracking for a pass that looks for room for sc->need entries.
struct fat_trk {
    struct fat_scan *sc;
    uint32_t run;
    struct fat_dpos run_start, end;
    struct fat_dpos hole; // the first free entry (sect 0: none yet)
    uint32_t at_end; // past the end mark (at `end`): every entry is free
    uint32_t from;   // stop at the first run that fits
};

#define FAT_STEP_END 0   // *p is at the end mark (not with `t`)
#define FAT_STEP_FOUND 1 // *f is the next object, *p at its short entry
#define FAT_STEP_FULL 2  // the chain ends: *p is its last entry
#define FAT_STEP_SLOT 3  // (t->from, or past the end mark) the run fits

// From *p on, to the next object (skipping free and deleted entries, dot
// entries, labels and orphaned long names); free entries on the way go to
// `t` when given.
static int fat_step(struct cairn_fs *fs, struct fat_dpos *p, struct fat_found *f,
                    uint32_t want, struct fat_trk *t)
{
    fat_vol *v = fat_v(fs);
    uint32_t per = v->ss / FAT_DIRENT;
    struct fat_lfn_state st;
    st.want = want;
    st.hash = 0;
    st.ord = 0xFF;
    for (;;) {
        int rc;
        uint8_t c = 0, *ent = NULL;
        if (t && t->run > 0 && !t->sc->have_slot && (p->idx & (per - 1)) == 0 &&
            t->sc->need <= per && !t->at_end) {
            t->run = 0; // keep a new entry set inside one sector
        }
        if (!t || !t->at_end) {
            ent = cairn_fat_dir_ptr(fs, p, &rc);
            if (!ent) {
                return rc;
            }
            c = ent[0];
        }
        if (c == 0 && !t) {
            return FAT_STEP_END;
        }
        if (c == 0 || c == FAT_DDEM) {
            st.ord = 0xFF;
            if (c == 0 && !t->at_end) {
                t->at_end = 1;
                t->end = *p;
            }
            if (t) {
                struct fat_scan *sc = t->sc;
                if (t->hole.sect == 0) {
                    t->hole = *p;
                }
                if (!sc->have_slot) {
                    if (t->run == 0) {
                        t->run_start = *p;
                    }
                    if (++t->run >= sc->need) {
                        sc->have_slot = 1;
                        sc->slot = t->run_start;
                    }
                }
                if ((t->from || t->at_end) && sc->have_slot) {
                    return FAT_STEP_SLOT;
                }
            }
        } else {
            if (t) {
                t->run = 0;
            }
            if (c == '.' || fat_is_label(ent)) {
                st.ord = 0xFF;
            } else if (!fat_lfn_feed(v, &st, ent, p)) {
                const struct fat_dpos *first = &st.start;
                if (st.ord != 0 || st.sum != cairn_fat_sum(ent)) {
                    st.len = 0; // no (valid) long name
                    st.match = 0;
                    st.n = 0;
                    first = p;
                }
                v->lfn_len = (uint16_t)st.len;
                f->lfn_match = st.match;
                f->sfn = *p;
                f->lfn = *first;
                f->n_ent = st.n + 1u;
                f->hash = st.hash;
                memcpy(f->ent, ent, FAT_DIRENT);
                return FAT_STEP_FOUND;
            }
        }
        rc = cairn_fat_dir_next(fs, p, 0);
        if (rc == CAIRN_ENOENT) {
            return FAT_STEP_FULL;
        }
        if (rc) {
            return rc;
        }
    }
}

int cairn_fat_dir_read(struct cairn_fs *fs, struct fat_dpos *p, struct fat_found *f, int *got,
                       uint32_t want)
{
    int rc = fat_step(fs, p, f, want, NULL);
    *got = rc == FAT_STEP_FOUND;
    return rc < 0 ? rc : 0;
}

// ---- lookup ---------------------------------------------------------------------------------

// ---- the directory cache -----------------------------------------------------------------

#define FAT_BLOOM_BITS (CAIRN_FAT_BLOOM_BYTES * 8u)

// Long names go into the filter upper-cased (the hash: fat_int.h), so that a
// probe answers "could this name be here?" whatever its case.
static uint32_t fat_hash_lfn(const fat_vol *v, uint32_t n)
{
    uint32_t x = 0, h = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i % 13 == 0) {
            x ^= h; // the next piece
            h = fat_hash_seed(i / 13);
        }
        h = fat_hash_step(h, cairn_fat_upcase(v->name[i]));
    }
    return x ^ h;
}

// Short names go in as their 11 stored bytes (a name to create is probed
// with its own short name too, when it has one).
static uint32_t fat_hash_sfn(const uint8_t *s)
{
    uint32_t h = fat_hash_seed(0);
    for (int i = 0; i < 11; i++) {
        h = (h ^ s[i]) * 16777619u;
    }
    return h;
}

// Six probes per name, derived from one 32-bit hash (double hashing): near
// the best false-positive rate for a filter holding ~1000 names. Whether all
// six bits were set; `set`: they are now.
static int fat_bloom(fat_vol *v, uint32_t h, int set)
{
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

static int fat_bloom_sfn(fat_vol *v, const uint8_t *sfn, int set)
{
    return fat_bloom(v, fat_hash_sfn(sfn), set);
}

static int fat_bloom_lfn(fat_vol *v, uint32_t n, int set)
{
    return fat_bloom(v, fat_hash_lfn(v, n), set);
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

// What a pass (fat_scan) looks for. Lookups start where the last lookup in
// this directory stopped and wrap round to the start; FAT_LOOK_MEM also
// remembers where the name was found. FAT_PEEK: only the set where the last
// lookup stopped is looked at (a file opened again and again: no hashing, no
// pass), and only when it costs no read. FAT_FULL: the pass for a name to
// create: checks for the name and for taken numeric tails, finds the free
// slot, and rebuilds the directory cache. FAT_SLOT (the cache proved the name
// new): only a free run of sc->need entries is looked for, from the cache's
// first hole on (inside one sector when it fits, except in the free tail),
// moving that hole.
#define FAT_LOOK 0
#define FAT_LOOK_MEM 1
#define FAT_PEEK 2
#define FAT_FULL 3
#define FAT_SLOT 4

static int fat_scan(struct cairn_fs *fs, uint32_t dir, struct fat_scan *sc,
                    uint8_t cand[6][11], int mode)
{
    fat_vol *v = fat_v(fs);
    struct fat_dpos p;
    struct fat_found f;
    struct fat_trk t;
    uint32_t start = 0;
    int rc = 0;
    memset(&t, 0, sizeof t);
    t.sc = sc;
    t.from = mode == FAT_SLOT;
    if (mode >= FAT_FULL) {
        sc->have_slot = 0;
        sc->tails = 0;
    }
    // the pass begins at the first hole (FAT_SLOT), where the last lookup
    // stopped, or at the start
    const struct fat_dpos *from = &v->dc_hole;
    if (mode < FAT_FULL && v->dc_last_valid && v->dc_last_dir == dir &&
        (mode != FAT_PEEK || v->dc_last.sect == v->win_sect)) {
        from = &v->dc_last;
        start = from->idx;
    }
    if (mode == FAT_SLOT || from != &v->dc_hole) {
        p = *from;
    } else if (mode == FAT_PEEK) {
        return FAT_MISSING;
    } else {
        rc = cairn_fat_dir_start(fs, &p, dir);
        if (mode == FAT_FULL) {
            v->dc_valid = 0;
            memset(v->dc_bloom, 0, sizeof v->dc_bloom);
        }
        if (rc) {
            return rc;
        }
    }
    int wrapped = start == 0;
    for (;;) {
        rc = fat_step(fs, &p, &f, mode == FAT_SLOT ? FAT_LFN_NONE : sc->nm.len,
                      mode >= FAT_FULL ? &t : NULL);
        if (rc == FAT_STEP_FOUND) {
            if (wrapped && start != 0 && f.lfn.idx >= start) {
                return FAT_MISSING; // back where the search began
            }
            if (mode != FAT_SLOT && fat_name_match(sc, f.ent, &f.sfn, f.lfn_match)) {
                sc->f = f;
                if (mode & 1) {
                    // the next lookup begins there (the same name again, or
                    // the next one in slot order, are found at once)
                    v->dc_last = f.lfn;
                    v->dc_last_dir = dir;
                    v->dc_last_valid = 1;
                }
                return FAT_FOUND;
            }
            if (mode == FAT_PEEK) {
                return FAT_MISSING;
            }
            if (mode == FAT_FULL) {
                fat_bloom_sfn(v, f.ent, 1);
                if (f.n_ent > 1) {
                    fat_bloom(v, f.hash, 1);
                }
                for (int k = 0; sc->nm.lossy && k < 6; k++) {
                    if (memcmp(f.ent, cand[k], 11) == 0) {
                        sc->tails |= (uint8_t)(1u << k);
                    }
                }
            }
            rc = cairn_fat_dir_next(fs, &p, 0);
            if (rc == 0) {
                continue;
            }
            if (rc != CAIRN_ENOENT) {
                return rc;
            }
            rc = FAT_STEP_FULL;
        }
        if (rc < 0) {
            return rc;
        }
        if (mode >= FAT_FULL) {
            break;
        }
        // the end of the directory
        if (wrapped || mode == FAT_PEEK) {
            return FAT_MISSING;
        }
        wrapped = 1;
        rc = cairn_fat_dir_start(fs, &p, dir);
        if (rc) {
            return rc;
        }
    }
    if (rc == FAT_STEP_FULL && !sc->have_slot && !(p.clust == 0 && v->fs_type != 32)) {
        // the run continues into clusters added at registration
        sc->have_slot = t.run > 0 ? 2 : 3;
        sc->slot = *(t.run > 0 ? &t.run_start : &p);
    }
    if (mode == FAT_FULL) {
        // every entry has been seen: the cache now describes this directory
        v->dc_dir = dir;
        v->dc_end = *(t.at_end ? &t.end : &p);
        v->dc_end_full = !t.at_end; // (else no free tail: the chain is full)
        v->dc_valid = 1;
    }
    v->dc_hole = *(t.hole.sect ? &t.hole : &v->dc_end);
    return FAT_MISSING;
}

// A name to create: the cache can prove it is new (no scan), else one pass.
static int fat_scan_create(struct cairn_fs *fs, uint32_t dir, struct fat_scan *sc,
                           uint8_t cand[6][11])
{
    fat_vol *v = fat_v(fs);
    int mode = FAT_FULL;
    int rc = fat_scan(fs, dir, sc, cand, FAT_PEEK);
    if (rc != FAT_MISSING) {
        return rc;
    }
    if (v->dc_valid && v->dc_dir == dir) {
        // (with a lossy name, the probe is for ~1: if it may be taken, only
        // a pass can tell which tail is free)
        int sp = fat_bloom_sfn(v, sc->nm.lossy ? cand[0] : sc->nm.sfn, 0);
        if (!sp && !fat_bloom_lfn(v, sc->nm.len, 0)) {
            // new for sure
            // (a full chain's last entry, dc_end, may have been freed since)
            if (v->dc_hole.idx < v->dc_end.idx + v->dc_end_full) {
                mode = FAT_SLOT;
            } else {
                // no holes: the new set goes into the free tail
                sc->tails = 0;
                sc->slot = v->dc_end;
                sc->have_slot = v->dc_end_full ? 3 : 1;
                if (dir == 0 && v->fs_type != 32 &&
                    (v->dc_end_full || v->dc_end.idx + sc->need > v->n_rootdir)) {
                    sc->have_slot = 0;
                }
                return FAT_MISSING;
            }
        }
    }
    return fat_scan(fs, dir, sc, cand, mode);
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
    fat_bloom_sfn(v, sfn, 1);
    fat_bloom_lfn(v, sc->nm.len, 1);
    // did the set reach into the free tail (or past a full chain's end)?
    if (sc->f.sfn.idx >= v->dc_end.idx + v->dc_end_full) {
        struct fat_dpos q = sc->f.sfn;
        uint32_t per_clust = v->ss / FAT_DIRENT * v->csize;
        // the last entry of a cluster is taken as the end of the chain
        // without reading the FAT (which would write the entry out early);
        // a later set moves on into any next cluster anyway
        v->dc_end_full = (q.clust != 0 && ((q.idx + 1) & (per_clust - 1)) == 0) ||
                         cairn_fat_dir_next(fs, &q, 0) != 0;
        v->dc_end = q;
        if (v->dc_hole.idx >= sc->f.lfn.idx) {
            v->dc_hole = q;
        }
    }
}

// Short names with tails base..base+5 (a lossy name's candidates).
static void fat_tail_candidates(fat_vol *v, struct fat_scan *sc, uint8_t cand[6][11],
                                uint32_t base)
{
    for (uint32_t k = 0; sc->nm.lossy && k < 6; k++) {
        cairn_fat_numname(cand[k], sc->nm.sfn, v->name, base + k);
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
    for (uint32_t depth = 0;; depth++) {
        while (*s == '/' || *s == '\\') {
            s++;
        }
        if (*s == 0 && depth == 0) {
            return FAT_ROOT;
        }
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
        if (n <= 2 && s[0] == '.' && s[n - 1] == '.') {
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
            fat_tail_candidates(v, sc, cand, 1);
        }
        rc = create ? fat_scan_create(fs, sc->dir, sc, cand) : fat_scan(fs, sc->dir, sc, cand, last);
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
        sc->dir = cairn_fat_ent_clust(v, sc->f.ent);
        if (v->fs_type == 32 && sc->dir == v->dirbase) {
            sc->dir = 0; // a link to the root
        }
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
    memcpy(ent, sc->nm.sfn, 11);
    if (sc->nm.lossy) {
        // tails 1..6 were checked by the lookup's pass; later ones six at a
        // time, a pass each
        uint32_t seq = 1;
        for (uint32_t t = sc->tails; t & 1; t >>= 1) {
            if (++seq % 6 == 1) {
                if (seq >= 100) {
                    break;
                }
                uint8_t cand[6][11];
                fat_tail_candidates(v, sc, cand, seq);
                rc = fat_scan(fs, sc->dir, sc, cand, FAT_FULL);
                if (rc < 0) {
                    return rc;
                }
                t = (uint32_t)sc->tails << 1;
            }
        }
        if (seq >= 100) {
            return CAIRN_EACCES;
        }
        cairn_fat_numname(ent, sc->nm.sfn, v->name, seq);
    }
    ent[FAT_DIR_NTRES] = sc->nm.ntres; // (0 with a long name)
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
        if (!(p.clust == 0 && v->fs_type != 32) || p.idx - in + per + n <= v->n_rootdir) {
            pad = per - in;
        }
    }
    uint8_t sum = cairn_fat_sum(ent);
    uint8_t *e;
    // long-name entries first, short entry last: a cut in between leaves an
    // orphaned long name that readers ignore and fsck removes
    for (uint32_t k = pad + n;;) {
        e = cairn_fat_dir_ptr(fs, &p, &rc);
        if (!e) {
            return rc;
        }
        if (--k >= n) {
            if (e[0] == 0) {
                e[0] = FAT_DDEM;
                v->win_dirty = 1;
            }
        } else {
            // k: entries after this one
            if (k == n - 1) {
                sc->f.lfn = p; // (sc->f describes the new set from here on)
            }
            if (k == 0) {
                break;
            }
            fat_lfn_put(e, v->name, sc->nm.len, k, sum, k == n - 1);
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
    sc->f.n_ent = n;
    memcpy(sc->f.ent, ent, FAT_DIRENT);
    fat_dc_added(fs, sc, ent);
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
    struct fat_dpos p = f->sfn;
    for (uint32_t i = 0; i < f->n_ent; i++) {
        uint8_t *e = cairn_fat_dir_ptr(fs, &p, &rc);
        if (!e) {
            return rc;
        }
        e[0] = FAT_DDEM;
        v->win_dirty = 1;
        if (i == 0) {
            p = f->lfn;
        } else {
            rc = cairn_fat_dir_next(fs, &p, 0);
            if (rc) {
                return rc == CAIRN_ENOENT ? CAIRN_ECORRUPT : rc;
            }
        }
    }
    return 0;
}

// 1 if directory `sclust` holds nothing but . and .., 0 if not.
int cairn_fat_dir_empty(struct cairn_fs *fs, uint32_t sclust)
{
    struct fat_dpos p;
    struct fat_found f;
    int rc = cairn_fat_dir_start(fs, &p, sclust);
    if (rc == 0) {
        rc = fat_step(fs, &p, &f, FAT_LFN_NONE, NULL);
    }
    return rc < 0 ? rc : rc != FAT_STEP_FOUND;
}
