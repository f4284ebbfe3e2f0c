/*
 * littlefs v2 driver: global state: move and orphan bookkeeping, predecessor/parent search,
 * orphan repair, pending-move repair, superblock upgrade.
 */
#include "lx.h"

void cairn_lfs2_preporphans(lx_t *L, int n)
{
    L->gstate.tag += (uint32_t)n;
    L->gstate.tag = (L->gstate.tag & ~0x80000000u) | ((lx_g_orphans(&L->gstate) != 0) ? 0x80000000u : 0);
}

void cairn_lfs2_prepmove(lx_t *L, uint32_t id, const uint32_t pair[2])
{
    L->gstate.tag = (L->gstate.tag & ~LX_TAG(0x7ff, 0x3ff, 0)) |
                    (id != 0x3ff ? LX_TAG(LX_T_DELETE, id, 0) : 0);
    L->gstate.pair[0] = id != 0x3ff ? pair[0] : 0;
    L->gstate.pair[1] = id != 0x3ff ? pair[1] : 0;
}

uint32_t cairn_lfs2_takemove(lx_t *L, const uint32_t pair[2])
{
    if (!lx_g_hasmovehere(&L->gstate, pair))
        return 0x3ff;
    uint32_t id = lx_id(L->gstate.tag);
    lx_prepmove(L, 0x3ff, NULL);
    return id;
}

/* Walk the metadata list from {0,1} for `pair`: its predecessor (the pair
 * whose tail points at it; returns 0) or, with `parent`, the pair holding the
 * directory entry that points at it (returns the entry's DIRSTRUCT tag). */
static int32_t lx_pwalk(lx_t *L, const uint32_t pair[2], lx_mdir *d, int parent)
{
    struct lx_cycle cyc;
    cyc.n = 0;
    for (;;) {
        struct lx_match m = {2, NULL, 0, pair, 0, 0, 0, {0, {0, 0}}};
        int r = cairn_lfs2_walk(L, d, &cyc, parent ? &m : NULL);
        if (r <= 0)
            return r ? r : CAIRN_ENOENT;
        if (parent ? m.eq : lx_pair_cmp(d->tail, pair) == 0)
            return parent ? (int32_t)LX_TAG(LX_T_DIRSTRUCT, m.id, 8) : 0;
    }
}

/* Find the pair whose tail points at `pair`. */
int cairn_lfs2_pred(lx_t *L, const uint32_t pair[2], lx_mdir *pdir)
{
    return (int)lx_pwalk(L, pair, pdir, 0);
}

/* Find the directory entry pointing at `pair`; returns its DIRSTRUCT tag. */
int32_t cairn_lfs2_parent(lx_t *L, const uint32_t pair[2], lx_mdir *parent)
{
    return lx_pwalk(L, pair, parent, 1);
}

/* ---- consistency: pending moves, orphans, superblock upgrade --------------- */

int cairn_lfs2_deorphan(lx_t *L, int powerloss)
{
    if (!lx_g_orphans(&L->gstate))
        return 0;
    for (uint32_t guard = 0, pass = 0; pass < 2; guard++) {
        if (guard > 2 * L->block_count + 4)
            return CAIRN_ECORRUPT;
        lx_mdir pdir, dir;
        pdir.split = 1; // (the rest of pdir is set before it is used)
        pdir.tail[0] = 0;
        pdir.tail[1] = 1;
        int more = 0;
        for (uint32_t hops = 0; !lx_pair_isnull(pdir.tail); hops++) {
            if (hops >= 4 * L->block_count + 8)
                return CAIRN_ECORRUPT;
            int err = lx_fetch(L, &dir, pdir.tail);
            if (err)
                return err;
            if (!pdir.split) {
                lx_mdir parent;
                int32_t tag = lx_parent(L, pdir.tail, &parent);
                if (tag < 0 && tag != CAIRN_ENOENT)
                    return tag;
                uint8_t b[8];
                uint32_t moveid = 0x3ff, atag = 0;
                if (pass == 0 && tag != CAIRN_ENOENT) {
                    // (tag is a dirstruct's, of 8 bytes)
                    int32_t st = lx_get(L, &parent, (uint32_t)tag, b);
                    if (st < 0)
                        return st;
                    uint32_t pair[2] = {lx_le32(b), lx_le32(b + 4)};
                    if (!lx_pair_sync(pair, pdir.tail)) {
                        // half-orphan: the parent points at the relocated pair
                        moveid = lx_takemove(L, pdir.pair);
                        atag = LX_TAG(LX_T_SOFTTAIL, 0x3ff, 8);
                    }
                } else if (pass == 1 && tag == CAIRN_ENOENT && powerloss) {
                    // full orphan: nobody references it
                    struct lx_attr t;
                    err = lx_steal(L, &dir, b, &t);
                    if (err)
                        return err;
                    atag = t.tag;
                }
                if (atag) {
                    int mv = moveid != 0x3ff;
                    struct lx_attr a[2] = {{LX_TAG(LX_T_DELETE, moveid, 0), NULL}, {atag, b}};
                    int state = lx_orphaningcommit(L, &pdir, a + 1 - mv, 1 + mv);
                    if (state < 0)
                        return state;
                    if (state == LX_OK_ORPHANED)
                        more = 1;
                    continue;
                }
            }
            pdir = dir;
        }
        pass = more ? 0 : pass + 1;
    }
    lx_preporphans(L, -(int)lx_g_orphans(&L->gstate));
    return 0;
}

static int lx_demove(lx_t *L)
{
    if (!lx_g_hasmove(&L->gdisk))
        return 0;
    lx_mdir movedir;
    int err = lx_fetch(L, &movedir, L->gdisk.pair);
    if (err)
        return err;
    uint32_t moveid = lx_id(L->gdisk.tag);
    // only a file or directory can be a move source: a damaged gstate naming
    // the superblock (or nothing) is just cleared
    int32_t nt = CAIRN_ENOENT;
    if (moveid < movedir.count) {
        uint32_t keep = L->gdisk.tag;
        L->gdisk.tag &= ~LX_TAG(0x700, 0, 0); // look past the move's own hiding
        nt = lx_get(L, &movedir, LX_GET_T1 | LX_TAG(LX_T_NAME, moveid, 0), NULL);
        L->gdisk.tag = keep;
        if (nt < 0 && nt != CAIRN_ENOENT)
            return nt;
    }
    lx_prepmove(L, 0x3ff, NULL);
    // (a commit of nothing still carries the cleared move)
    struct lx_attr a = {LX_TAG(LX_T_DELETE, moveid, 0), NULL};
    return lx_commit(L, &movedir, &a, nt >= 0 && lx_type3((uint32_t)nt) - LX_T_REG < 2);
}

void cairn_lfs2_sb_encode(lx_t *L, uint8_t *b)
{
#if CAIRN_LFS2_TINY
    lx_ple32(b, CAIRN_LFS2_DISK_VERSION_2_0 + L->minor);
#else
    lx_ple32(b, L->disk_version);
#endif
    lx_ple32(b + 4, L->block_size);
    lx_ple32(b + 8, L->block_count);
    lx_ple32(b + 12, L->name_max);
    lx_ple32(b + 16, L->file_max);
    lx_ple32(b + 20, L->attr_max);
}

int cairn_lfs2_sb_commit(lx_t *L)
{
    lx_mdir root;
    int err = lx_fetch(L, &root, L->root);
    if (err)
        return err;
    uint8_t b[24];
    cairn_lfs2_sb_encode(L, b);
    struct lx_attr a = {LX_TAG(LX_T_INLINESTRUCT, 0, 24), b};
    return lx_commit(L, &root, &a, 1);
}

int cairn_lfs2_forceconsistency(lx_t *L)
{
    if (L->gstate.tag & 0x200) {
        // an older minor version: rewrite the superblock first
        int err = cairn_lfs2_sb_commit(L);
        if (err)
            return err;
        L->gstate.tag &= ~0x200u;
    }
    int err = lx_demove(L);
    if (err)
        return err;
    return lx_deorphan(L, 1);
}

int cairn_lfs2_writable(lx_t *L)
{
    return L->ro ? CAIRN_EROFS : lx_forceconsistency(L);
}

#if CAIRN_LFS2_FSCK
int cairn_lfs2_mkconsistent(lx_t *L)
{
    int err = lx_forceconsistency(L);
    if (err)
        return err;
    // the repaired state lives in RAM until some commit carries its delta:
    // write one now (to the root) so the medium itself is consistent
    lx_gstate d = L->gstate;
    lx_g_xor(&d, &L->gdisk);
    d.tag &= ~0x3ffu;
    if (lx_g_iszero(&d))
        return 0;
    lx_mdir root;
    err = lx_fetch(L, &root, L->root);
    if (err)
        return err;
    return lx_commit(L, &root, NULL, 0);
}
#endif
