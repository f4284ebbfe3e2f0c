/*
 * littlefs v2 driver: block allocator (lookahead window) and the whole-filesystem traversal.
 */
#include "lx.h"

/* ---- allocator ---------------------------------------------------------- */


static int lx_la_cb(void *ctx, uint32_t block)
{
    lx_t *L = ctx;
    uint32_t off = (block + L->block_count - L->la_start) % L->block_count;
    if (block < L->block_count && off < L->la_size)
        lx_la_buf(L)[off / 8] |= (uint8_t)(1u << (off % 8));
    return 0;
}

void cairn_lfs2_la_open(lx_t *L)
{
    L->la_next = 0;
    L->la_size = lx_min(8 * lx_la_bytes(L), L->la_ckpoint);
    memset(lx_la_buf(L), 0, lx_la_bytes(L));
}

int cairn_lfs2_alloc(lx_t *L, uint32_t *block)
{
    for (int found = 0;;) {
        // past the block taken, on to the next free one (or the window's end)
        while (L->la_next < L->la_size) {
            uint32_t i = L->la_next, used = (lx_la_buf(L)[i / 8] >> (i % 8)) & 1;
            if (found && !used)
                return 0;
            L->la_next++;
            L->la_ckpoint--;
            if (!used) {
                *block = (L->la_start + i) % L->block_count;
                cairn_lfs2_forget_memos(L, *block);
                found = 1;
            }
        }
        if (found)
            return 0;
        if ((int32_t)L->la_ckpoint <= 0)
            return CAIRN_ENOSPC;
        L->la_start = (L->la_start + L->la_next) % L->block_count;
        cairn_lfs2_la_open(L);
        int err = lx_traverse(L, lx_la_cb, L, 1);
        if (err) {
            lx_alloc_drop(L);
            return err;
        }
    }
}

/* ---- traversal -------------------------------------------------------------- */

/* Counts blocks: the traversal recognises it and counts CTZ files from their
 * size instead of walking their pointers. */
int cairn_lfs2_count_cb(void *ctx, uint32_t block)
{
    (void)block;
    *(uint32_t *)ctx += 1;
    return 0;
}

#if CAIRN_LFS2_TINY
/* The blocks of one pair and those its entries reference (CTZ files, and with
 * `orphans` the pairs of child directories): a lookup per entry. */
static int lx_traverse_pair(lx_t *L, const lx_mdir *dir, int (*cb)(void *, uint32_t), void *ctx,
                            int orphans)
{
    for (int i = 0; i < 2; i++) {
        int err = cb(ctx, dir->pair[i]);
        if (err)
            return err;
    }
    for (uint32_t id = 0; id < dir->count; id++) {
        uint8_t b[8];
        int32_t tag = lx_get_struct(L, dir, id, b);
        if (tag == CAIRN_ENOENT)
            continue;
        if (tag < 0)
            return tag;
        uint32_t t3 = lx_type3((uint32_t)tag), h = lx_le32(b), t = lx_le32(b + 4);
        int err = 0;
        if (lx_tsize((uint32_t)tag) < 8)
            continue;
        if (t3 == LX_T_CTZSTRUCT) {
            err = lx_ctz_traverse(L, NULL, h, t, cb, ctx);
        } else if (orphans && t3 == LX_T_DIRSTRUCT) {
            err = cb(ctx, h);
            if (!err)
                err = cb(ctx, t);
        }
        if (err)
            return err;
    }
    return 0;
}
#else
/* Bit i of `done`: entry i (as numbered at the scan position) needs no more
 * looking at: its newest struct was seen, or it is deleted by then. */
static uint32_t lx_bit(const uint32_t *b, uint32_t i)
{
    return i < 1024 ? (b[i / 32] >> (i % 32)) & 1 : 1;
}

static void lx_bit_put(uint32_t *b, uint32_t i, uint32_t v)
{
    if (i < 1024)
        b[i / 32] = (b[i / 32] & ~(1u << (i % 32))) | (v << (i % 32));
}

/*
 * The blocks of one pair and those its entries reference (CTZ files, and with
 * `orphans` the pairs of child directories), in one backward scan of its log
 * instead of a lookup per entry.
 */
static int lx_traverse_pair(lx_t *L, const lx_mdir *dir, int (*cb)(void *, uint32_t), void *ctx,
                            int orphans)
{
    uint32_t done[32], n = dir->count; // n: entries at the scan position
    for (int i = 0; i < 2; i++) {
        int err = cb(ctx, dir->pair[i]);
        if (err)
            return err;
    }
    memset(done, 0, sizeof done);
    if (lx_g_hasmovehere(&L->gdisk, dir->pair))
        lx_bit_put(done, lx_id(L->gdisk.tag), 1);
    struct lx_bscan bs = {dir->off, dir->etag};
    for (;;) {
        uint32_t tag;
        int err = lx_bstep(L, dir->pair[0], &bs, &tag);
        if (err <= 0)
            return err;
        uint8_t b[8];
        uint32_t id = lx_id(tag), t3 = lx_type3(tag);
        if (id == 0x3ff)
            continue;
        if (t3 == LX_T_CREATE) {
            // before a create the ids above it were one lower
            n -= n > 0;
            for (uint32_t i = id; i < n; i++)
                lx_bit_put(done, i, lx_bit(done, i + 1));
            continue;
        }
        if (t3 == LX_T_DELETE) {
            // before a delete its entry was there (and needs no look)
            n += n < 1024;
            for (uint32_t i = n; i > id; i--)
                lx_bit_put(done, i, lx_bit(done, i - 1));
            lx_bit_put(done, id, 1);
            continue;
        }
        if (id >= n || lx_type1(tag) != LX_T_STRUCT || lx_bit(done, id))
            continue;
        lx_bit_put(done, id, 1);
        if (lx_isdelete(tag) || lx_tsize(tag) < 8 ||
            !(t3 == LX_T_CTZSTRUCT || (orphans && t3 == LX_T_DIRSTRUCT)))
            continue;
        err = lx_read_rc(L, 8, dir->pair[0], bs.off + 4, b, 8);
        if (err)
            return err;
        if (t3 == LX_T_CTZSTRUCT) {
            err = lx_ctz_traverse(L, NULL, lx_le32(b), lx_le32(b + 4), cb, ctx);
        } else {
            err = cb(ctx, lx_le32(b));
            if (!err)
                err = cb(ctx, lx_le32(b + 4));
        }
        if (err)
            return err;
    }
}

/* ---- seeding from the mount's walk ---------------------------------------- */

/*
 * Mount's walk marks what one pair holds (its blocks and what its entries
 * reference, as the lookahead scan would) in a window over the whole device
 * (la_buf a bit per block, la_start 0). The move gstate is not known yet, so
 * a moved entry is counted at both ends: the same blocks, so no harm.
 */
int cairn_lfs2_alloc_seed_pair(lx_t *L, const lx_mdir *dir)
{
    return lx_traverse_pair(L, dir, lx_la_cb, L, 1);
}

/* The first window, from the walk's bitmap, at the first free block from
 * la_start on: no scan needed for the first allocations (no block has been
 * allocated since the walk). */
void cairn_lfs2_alloc_seed_window(lx_t *L, const uint8_t *bm)
{
    lx_alloc_drop(L);
    // start at the first free block: the whole device is known
    uint32_t skip = 0, at = L->la_start;
    while (skip < L->block_count && (bm[at / 8] & (1u << (at % 8)))) {
        skip++;
        at = at + 1 == L->block_count ? 0 : at + 1;
    }
    if (skip < L->block_count) {
        L->la_start = at;
        L->la_ckpoint -= skip;
    }
    cairn_lfs2_la_open(L); // (la_next is 0: dropped above)
    for (uint32_t b = 0; b < L->block_count; b++)
        if (bm[b / 8] & (1u << (b % 8)))
            lx_la_cb(L, b);
}
#endif

int cairn_lfs2_traverse(lx_t *L, int (*cb)(void *, uint32_t), void *ctx, int orphans)
{
    lx_mdir dir;
    struct lx_cycle cyc;
    cyc.n = 0;
    for (;;) {
        int err = cairn_lfs2_walk(L, &dir, &cyc, NULL);
        if (err < 0)
            return err;
        if (!err)
            break;
        err = lx_traverse_pair(L, &dir, cb, ctx, orphans);
        if (err)
            return err;
    }
    for (struct lx_mlist *d = L->mlist; d; d = d->next) {
        struct lx_file *f = (struct lx_file *)d;
        if (d->type != LX_T_REG || (f->lx_ff & LX_F_INLINE))
            continue;
        // an outlined file still has its old inline head until the flush
        if ((f->lx_ff & LX_F_DIRTY) && f->head != LX_INLINE) {
            int err = lx_ctz_traverse(L, &f->cache, f->head, f->size, cb, ctx);
            if (err)
                return err;
        }
        if (f->lx_ff & LX_F_WRITING) {
            int err = lx_ctz_traverse(L, &f->cache, f->block, f->pos, cb, ctx);
            if (err)
                return err;
        }
    }
    return 0;
}
