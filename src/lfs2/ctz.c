/*
 * littlefs v2 driver: CTZ skip-list files: position -> block, traversal, extension
 * (copy-on-write of the last block).
 */
#include "lx.h"

/* ---- CTZ skip lists ---------------------------------------------------------- */

// (a loop: smaller than the bit-twiddling form, and the counts are small)
static uint32_t lx_bits(uint32_t a)
{
    uint32_t n = 0;
    for (; a; a &= a - 1)
        n++;
    return n;
}

uint32_t cairn_lfs2_ctz_index(lx_t *L, uint32_t *off)
{
    uint32_t size = *off;
    uint32_t b = L->block_size - 8;
    uint32_t i = size / b;
    if (i == 0)
        return 0;
    i = (size - 4 * (lx_bits(i - 1) + 2)) / b;
    *off = size - b * i - 4 * lx_bits(i);
    return i;
}

/* Index of the last byte of a list of `size` bytes (size > 0). */
static uint32_t lx_ctz_top(lx_t *L, uint32_t size)
{
    size--;
    return lx_ctz_index(L, &size);
}

/*
 * The skip-list map (caller's buffer, LX_PM_HDR + pk_n slots of 4 bytes;
 * pk_n 0: no map): pk[0] the head block of the list it describes, pk[1] the
 * head's index, pk[2..4] a run (first index, end index, block minus index:
 * consecutive indices in consecutive blocks, as appends allocate them), then
 * the blocks of the first indices.
 * Blocks of a list below its head never change (appends copy only the last
 * block), so what a walk or an append learnt stays true while the same head
 * is used again; the head being erased invalidates it.
 */
#define LX_PM_HDR 5u

#if CAIRN_LFS2_TINY
// no map: every walk starts at the list's head
static inline uint32_t lx_pm_get(lx_t *L, uint32_t idx)
{
    (void)L, (void)idx;
    return LX_NULL;
}
static inline void lx_pm_note(lx_t *L, uint32_t idx, uint32_t blk) { (void)L, (void)idx, (void)blk; }
static inline void lx_pm_set(lx_t *L, uint32_t head, uint32_t top, int reset)
{
    (void)L, (void)head, (void)top, (void)reset;
}
#else
/* Map slots for indices, 0 = no map. */
static uint32_t lx_pm_cap(const lx_t *L)
{
    return L->pk_n;
}

/* The block at index idx when the map knows it, else LX_NULL. */
static uint32_t lx_pm_get(lx_t *L, uint32_t idx)
{
    const uint32_t *r = L->pk + 2;
    uint32_t n = lx_pm_cap(L);
    if (n && idx - r[0] < r[1] - r[0])
        return idx + r[2];
    return idx < n ? r[3 + idx] : LX_NULL;
}

LX_NOINLINE static void lx_pm_note(lx_t *L, uint32_t idx, uint32_t blk)
{
    if (idx < lx_pm_cap(L))
        L->pk[LX_PM_HDR + idx] = blk;
}

/* The list's head is `head` at index `top`: with `reset`, a map of another
 * list starts afresh (the map of this one stays); else the same list grew by
 * a block or had its last one copied. */
static void lx_pm_set(lx_t *L, uint32_t head, uint32_t top, int reset)
{
    uint32_t *r = L->pk + 2;
    if (!lx_pm_cap(L))
        return;
    if (reset) {
        if (L->pk[0] == head && L->pk[1] == top)
            return;
        memset(r, 0xff, (lx_pm_cap(L) + 3) * 4u);
    }
    L->pk[0] = head;
    L->pk[1] = top;
    lx_pm_note(L, top, head);
    if (top - r[0] < r[1] - r[0])
        r[1] = top; // a copied last block left the run
    if (r[0] == r[1])
        r[0] = top, r[1] = top, r[2] = head - top;
    if (r[1] == top && top + r[2] == head)
        r[1]++;
}

void cairn_lfs2_ctz_moved(lx_t *L, uint32_t old, uint32_t nb, uint32_t size)
{
    // a block is the head of one list at one index: the map's when it names
    // old (an inline file's new list needs nothing: no map names LX_INLINE,
    // and the next look at the list starts one afresh; without a map pk is
    // the memo's key and lx_pm_set does nothing)
    if (size > 0 && L->pk[0] == old)
        lx_pm_set(L, nb, L->pk[1], 0);
}
#endif

int cairn_lfs2_ctz_find(lx_t *L, struct lx_file *f, uint32_t pos, uint32_t *out)
{
#if CAIRN_LFS2_TINY
    lx_cache *rc = &L->rcache; // (the handle's cache keeps only data)
#else
    lx_cache *rc = out == f->bo ? &f->cache : &L->rcache;
#endif
    uint32_t head = f->head, size = f->size;
    if (size == 0) {
        out[0] = LX_NULL;
        out[1] = 0;
        return 0;
    }
    uint32_t cur = lx_ctz_top(L, size), target = lx_ctz_index(L, &pos);
#if !CAIRN_LFS2_TINY
    if (lx_pm_cap(L)) {
        lx_pm_set(L, head, cur, 1);
        // start from the known block with the smallest index >= target
        for (uint32_t j = target; j < cur; j++) {
            uint32_t v = lx_pm_get(L, j);
            if (v != LX_NULL) {
                cur = j, head = v;
                break;
            }
        }
    }
#endif
    while (cur > target) {
        uint32_t skip = lx_min(31 - (uint32_t)__builtin_clz(cur - target), lx_ctz(cur));
        uint8_t b[4];
        int err = lx_read(L, NULL, rc, 4, head, 4 * skip, b, 4);
        if (err)
            return err;
        head = lx_le32(b);
        cur -= 1u << skip;
        if (head < L->block_count)
            lx_pm_note(L, cur, head);
    }
    if (head >= L->block_count)
        return CAIRN_ECORRUPT;
    out[0] = head;
    out[1] = pos;
    return 0;
}

int cairn_lfs2_ctz_traverse(lx_t *L, const lx_cache *pc, uint32_t head,
                            uint32_t size, int (*cb)(void *, uint32_t), void *ctx)
{
    if (size == 0)
        return 0;
    uint32_t index = lx_ctz_top(L, size);
    if (cb == cairn_lfs2_count_cb) {
        // just counting: the blocks follow from the size
        *(uint32_t *)ctx += index + 1;
        return 0;
    }
    for (;;) {
        if (head >= L->block_count)
            return CAIRN_ECORRUPT;
        int err = cb(ctx, head);
        if (err)
            return err;
        if (index == 0)
            return 0;
        uint32_t cnt = 2 - (index & 1);
        uint8_t b[8];
        err = lx_read(L, pc, &L->rcache, cnt * 4, head, 0, b, cnt * 4);
        if (err)
            return err;
        if (cnt == 2) {
            uint32_t h0 = lx_le32(b);
            if (h0 >= L->block_count)
                return CAIRN_ECORRUPT;
            err = cb(ctx, h0);
            if (err)
                return err;
        }
        head = lx_le32(b + 4 * (cnt - 1));
        index -= cnt;
    }
}

int cairn_lfs2_copy(lx_t *L, const lx_cache *spc, lx_cache *pc, uint32_t src, uint32_t nb,
                    uint32_t n)
{
    for (uint32_t i = 0; i < n;) {
        uint8_t t[32];
        const uint8_t *d = t;
        uint32_t k = lx_min(n - i, sizeof t);
        int err = 0;
        if (src == LX_INLINE)
            d = spc->buf + i;
        else
            err = lx_read(L, spc, &L->rcache, n - i, src, i, t, k);
        if (err)
            return err;
        err = lx_prog(L, pc, 1, nb, i, d, k);
        if (err)
            return err == CAIRN_ECORRUPT ? 1 : err;
        i += k;
    }
    return 0;
}

int cairn_lfs2_ctz_extend(lx_t *L, struct lx_file *f)
{
    lx_cache *pc = &f->cache;
    uint32_t head = f->block, size = f->pos;
    for (;;) {
        uint32_t nb, noff = size - 1, index = 0;
        int err = lx_alloc(L, &nb);
        if (err)
            return err;
        err = lx_erase(L, nb);
        if (err)
            goto fail;
        if (size == 0) {
            noff = 0;
        } else {
            index = lx_ctz_index(L, &noff);
            noff += 1;
            lx_pm_set(L, head, index, 1);
#if !CAIRN_LFS2_TINY
            uint32_t rn = lx_alignup(noff, L->read_size);
            if (noff != L->block_size && rn <= L->cache_size && pc->block == LX_NULL) {
                // the partial last block fits the program cache: read it straight
                // in (the read cache keeps what it holds, e.g. the file's pair)
                if (head >= L->block_count)
                    return CAIRN_ECORRUPT;
                err = cairn_bdev_read_ext(lx_bd(L), head, 0, pc->buf, rn);
                if (err)
                    return err;
                pc->block = nb;
                pc->off = 0;
                pc->size = noff;
            } else
#endif
            if (noff != L->block_size) {
                // the last block is partial: copy it
                err = cairn_lfs2_copy(L, NULL, pc, head, nb, noff);
                if (err < 0)
                    return err;
                if (err)
                    goto relocate;
            } else {
                index += 1;
                uint32_t skips = lx_ctz(index) + 1;
                uint8_t ptrs[4 * 32];
                for (uint32_t i = 0; i < skips; i++) {
                    lx_ple32(ptrs + 4 * i, head);
                    if (i != skips - 1) {
                        // block index - 2^(i+1): from the map, else head's pointer i
                        uint32_t want = index - (2u << i), v = lx_pm_get(L, want);
                        if (v != LX_NULL) {
                            head = v;
                        } else {
                            uint8_t b[4];
                            err = lx_read_rc(L, 4, head, 4 * i, b, 4);
                            if (err)
                                return err;
                            head = lx_le32(b);
                            if (head >= L->block_count)
                                return CAIRN_ECORRUPT;
                            lx_pm_note(L, want, head);
                        }
                    }
                }
                noff = 4 * skips;
                err = lx_prog(L, pc, 1, nb, 0, ptrs, noff);
                if (err)
                    goto fail;
            }
        }
        lx_pm_set(L, nb, index, !size); // (a new list: index 0)
        f->block = nb;
        f->off = noff;
        return 0;
fail:
        if (err != CAIRN_ECORRUPT)
            return err;
relocate:
        lx_cache_zero(L, pc);
    }
}
