// The file allocation table: entries, chains, allocation and the free count.
#include "fat_int.h"

uint32_t cairn_fat_eoc(const fat_vol *v)
{
    return (0xFFFFFFFFu >> ((32u - v->fs_type) & 31u)) & 0x0FFFFFFFu; // (0xFFF, 0xFFFF)
}

// Entry `clst` of FAT #1 through the window, byte by byte (a FAT12 entry may
// straddle two sectors): its value (at most 28 bits), or (put) it becomes
// `val` (then 0); or an error.
int32_t cairn_fat_ent(struct cairn_fs *fs, uint32_t clst, uint32_t val, int put)
{
    fat_vol *v = fat_v(fs);
    uint32_t t = v->fs_type;
    if (clst >= v->n_fatent || (put && clst < 2)) {
        return CAIRN_ECORRUPT;
    }
    if (t == 0) {
        return CAIRN_ENODEV;
    }
    // byte offset: 1.5, 2 or 4 bytes an entry; FAT12's odd entries sit 4 bits up
    uint32_t bc = clst * (t >> 2) >> 1, sh = (t == 12 && (clst & 1)) ? 4 : 0;
    uint32_t n = t == 32 ? 4 : 2, m = cairn_fat_eoc(v) << sh, old = 0;
    for (uint32_t i = 0; i < (put ? 2 * n : n); i++) {
        uint32_t b = bc + i % n;
        uint32_t s = v->fatbase + b / v->ss;
        int rc = i < n ? cairn_fat_win_move(fs, s) : FAT_WIN_CHG(fs, s);
        if (rc) {
            return rc;
        }
        uint8_t *p = v->win + (b & (v->ss - 1));
        if (i < n) {
            old |= (uint32_t)*p << 8 * i;
        } else {
            // (the top four bits of a FAT32 entry are reserved: kept)
            *p = (uint8_t)(((old & ~m) | ((val << sh) & m)) >> 8 * (i - n));
            FAT_DIRTY(v);
        }
    }
    return put ? 0 : (int32_t)((old & m) >> sh);
}

#if CAIRN_FAT_FSCK
int cairn_fat_get(struct cairn_fs *fs, uint32_t clst, uint32_t *val)
{
    int32_t r = cairn_fat_ent(fs, clst, 0, 0);
    *val = (uint32_t)r;
    return r < 0 ? r : 0;
}
#endif

int cairn_fat_put(struct cairn_fs *fs, uint32_t clst, uint32_t val)
{
    return cairn_fat_ent(fs, clst, val, 1);
}

// Next cluster of a chain: *next = 0 at the end of the chain. A free, bad or
// out-of-range link is corruption.
int cairn_fat_next(struct cairn_fs *fs, uint32_t clst, uint32_t *next)
{
    fat_vol *v = fat_v(fs);
    if (clst < 2) {
        return CAIRN_ECORRUPT;
    }
    int32_t r = cairn_fat_ent(fs, clst, 0, 0);
    if (r < 0) {
        return r;
    }
    uint32_t val = (uint32_t)r;
    // (n_fatent - 1 is below every end mark, and below the bad mark 0x..FF7)
    if (val > (cairn_fat_eoc(v) & ~8u)) {
        val = 0; // the end of the chain
    } else if (val - 2 >= v->n_fatent - 2) {
        return CAIRN_ECORRUPT; // free, bad or out of range
    }
    *next = val;
    return 0;
}

// Link the pending run of a file into the FAT: the run's own entries first,
// then the link to it, so that a cut leaves lost clusters, never a dangling
// link. Its data is on the device or in the window, which the FAT sector
// only replaces after writing it.
int cairn_fat_pr_commit(struct cairn_fs *fs)
{
    fat_vol *v = fat_v(fs);
    uint32_t n = v->pr_n, c = v->pr_first;
    const void *owner = v->pr_file;
    v->pr_n = 0; // (the puts below may move the window: no run pending meanwhile)
    v->pr_file = NULL;
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < n; i++, c++) {
        rc = cairn_fat_put(fs, c, i + 1 < n ? c + 1 : cairn_fat_eoc(v));
    }
    if (rc == 0 && n && v->pr_prev) {
        rc = cairn_fat_put(fs, v->pr_prev, v->pr_first);
    }
    if (rc) {
        // still pending: its owner goes on using those clusters, so they
        // must be linked by a later commit, not forgotten (and taken again)
        v->pr_n = n;
        v->pr_file = owner;
    }
    return rc;
}

// Find a free cluster from the hint on, without taking it.
int cairn_fat_find_free(struct cairn_fs *fs, uint32_t *out)
{
    fat_vol *v = fat_v(fs);
    int prc = cairn_fat_pr_commit(fs); // pending clusters read as free in the FAT
    if (prc) {
        return prc;
    }
#if !CAIRN_FAT_TINY
    if (v->free_clst == 0 && v->free_exact) {
        return CAIRN_ENOSPC; // an FSInfo count of 0 is only a hint: look anyway
    }
#endif
    uint32_t n = v->n_fatent - 2;
    uint32_t c = v->last_clst + 1; // (a hint out of range starts at 2)
    for (uint32_t i = 0; i < n; i++, c++) {
        if (c - 2 >= n) {
            c = 2;
        }
        int32_t val = cairn_fat_ent(fs, c, 0, 0);
        if (val < 0) {
            return val;
        }
        if (val == 0) {
            if (v->free_clst == 0) {
                v->free_clst = 0xFFFFFFFFu; // the hint was wrong: count again when asked
            }
            *out = c;
            return 0;
        }
    }
    v->free_clst = 0;
#if !CAIRN_FAT_TINY
    v->free_exact = 1;
#endif
    return CAIRN_ENOSPC;
}

// Take cluster `clst` as the new end of a chain, linked after `prev` (0 = a
// new chain). The caller has written its contents already.
int cairn_fat_link(struct cairn_fs *fs, uint32_t prev, uint32_t clst)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_pr_commit(fs);
    if (rc) {
        return rc;
    }
    // a run of one, linked at once (its entry first, then the link to it)
    v->pr_first = clst;
    v->pr_prev = prev;
    v->pr_n = 1;
    rc = cairn_fat_pr_commit(fs);
    if (rc == 0) {
        cairn_fat_took(v, clst);
    }
    return rc;
}

void cairn_fat_took(fat_vol *v, uint32_t clst)
{
    if (v->free_clst != 0xFFFFFFFFu && v->free_clst > 0) {
        v->free_clst--;
    }
    v->last_clst = clst;
    v->fsi_dirty = 1;
}

// Free the chain from `clst`; when `prev` is given it becomes the new end
// first, so that a cut leaves lost clusters, never a dangling link.
int cairn_fat_free_chain(struct cairn_fs *fs, uint32_t clst, uint32_t prev)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_pr_commit(fs);
    if (rc) {
        return rc;
    }
#if !CAIRN_FAT_TINY
    v->cc_valid = 0; // a cached chain position may point into what goes
#endif
    if (prev) {
        rc = cairn_fat_put(fs, prev, cairn_fat_eoc(v));
        if (rc) {
            return rc;
        }
    }
    for (uint32_t i = 0; clst && i < v->n_fatent; i++) {
        if (clst < 2) {
            return CAIRN_ECORRUPT;
        }
        int32_t r = cairn_fat_ent(fs, clst, 0, 0); // (-ECORRUPT beyond the FAT)
        if (r <= 0) {
            return r; // (0: already free: stop, do not follow)
        }
        uint32_t val = (uint32_t)r;
        rc = cairn_fat_put(fs, clst, 0);
        if (rc) {
            return rc;
        }
        if (v->free_clst < v->n_fatent - 2) {
            v->free_clst++;
        }
        v->fsi_dirty = 1;
        clst = val - 2 < v->n_fatent - 2 ? val : 0; // (an end mark is above n_fatent)
    }
    return 0;
}

// Free clusters: the cached count, else one scan of the FAT (then cached).
int cairn_fat_count_free(struct cairn_fs *fs, uint32_t *out)
{
    fat_vol *v = fat_v(fs);
    if (v->free_clst <= v->n_fatent - 2) {
        *out = v->free_clst;
        return 0;
    }
    uint32_t n = 0;
    for (uint32_t c = 2; c < v->n_fatent; c++) {
        int32_t val = cairn_fat_ent(fs, c, 0, 0);
        if (val < 0) {
            return val;
        }
        n += val == 0;
    }
    n -= v->pr_n; // taken, though not linked yet
    v->free_clst = n;
#if !CAIRN_FAT_TINY
    v->free_exact = 1;
#endif
    v->fsi_dirty = 1; // (only FAT32 has an FSInfo sector to rewrite)
    *out = n;
    return 0;
}
