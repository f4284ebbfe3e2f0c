/*
 * littlefs v2 driver: CTZ skip-list files: position -> block, traversal, extension
 * (copy-on-write of the last block).
 */
#include "lx.h"

/* ---- CTZ skip lists ---------------------------------------------------------- */

uint32_t cairn_lfs2_ctz_index(lx_t *L, uint32_t *off)
{
    uint32_t size = *off;
    uint32_t b = L->block_size - 8;
    uint32_t i = size / b;
    if (i == 0)
        return 0;
    i = (size - 4 * (lx_popc(i - 1) + 2)) / b;
    *off = size - b * i - 4 * lx_popc(i);
    return i;
}

/*
 * The skip-list map (caller's buffer, pk_n slots of 4 bytes): pk[0] the head
 * block of the list it describes, pk[1] the head's index, pk[2..3] the lowest
 * and highest block of the list when it was built here from its first block
 * (pk[2] LX_NULL: not known), pk[4..5] a file size and the index of its last
 * byte (a memo); then, from 32 slots up, LX_PM_RUNS runs (first index, end
 * index, first block: consecutive indices in consecutive blocks, as appends
 * allocate them), then the block of every (1 << pm_shift)-th index. Blocks of
 * a list below its head never change (appends copy only the last block), so
 * what a walk or an append learnt stays true while the same head is used
 * again; the head being erased invalidates it.
 */
#define LX_PM_HDR 6u
#define LX_PM_RUNS 4u

struct lx_pm {
    lx_t *L;
    uint32_t *m, *runs;
    uint32_t cap, rn;
};

static int lx_pm_init(lx_t *L, struct lx_pm *p)
{
    if (L->pk_n < LX_PM_HDR + 2)
        return 0;
    p->L = L;
    p->rn = L->pk_n >= 32 ? LX_PM_RUNS : 0;
    p->runs = L->pk + LX_PM_HDR;
    p->m = p->runs + 3 * p->rn;
    p->cap = L->pk_n - LX_PM_HDR - 3 * p->rn;
    return 1;
}

static void lx_pm_note(struct lx_pm *p, uint32_t idx, uint32_t blk)
{
    uint32_t sh = p->L->pm_shift;
    if (!(idx & ((1u << sh) - 1)) && (idx >> sh) < p->cap)
        p->m[idx >> sh] = blk;
}

/* The block at index t from a run, or LX_NULL. */
static uint32_t lx_pm_run(const struct lx_pm *p, uint32_t t)
{
    for (uint32_t k = 0; k < p->rn; k++) {
        const uint32_t *e = p->runs + 3 * k;
        if (t >= e[0] && t < e[1])
            return e[2] + (t - e[0]);
    }
    return LX_NULL;
}

/* The head is now `blk` at index `idx` (a new index or a copied last block). */
static void lx_pm_run_add(struct lx_pm *p, uint32_t idx, uint32_t blk)
{
    uint32_t *r = p->runs, k, pick = 0;
    for (k = 0; k < p->rn; k++) {
        uint32_t *e = r + 3 * k;
        if (idx >= e[0] && idx < e[1]) {
            e[1] = idx; // the copied block left the list
            if (e[1] == e[0])
                e[0] = e[1] = LX_NULL;
        }
    }
    for (k = 0; k < p->rn; k++) {
        uint32_t *e = r + 3 * k;
        if (e[0] != LX_NULL && e[1] == idx && e[2] + (idx - e[0]) == blk) {
            e[1]++;
            return;
        }
        // a free run, else the shortest
        if (e[0] == LX_NULL ||
            (r[3 * pick] != LX_NULL && e[1] - e[0] < r[3 * pick + 1] - r[3 * pick]))
            pick = k;
    }
    if (p->rn) {
        r[3 * pick] = idx;
        r[3 * pick + 1] = idx + 1;
        r[3 * pick + 2] = blk;
    }
}

static void lx_pm_reset(struct lx_pm *p, uint32_t head, uint32_t top)
{
    lx_t *L = p->L;
    uint32_t sh = 0;
    while ((top >> sh) >= p->cap)
        sh++;
    L->pk[0] = head;
    L->pk[1] = top;
    L->pk[2] = LX_NULL;
    L->pm_shift = (uint8_t)sh;
    memset(p->runs, 0xff, (L->pk_n - LX_PM_HDR) * 4u);
    lx_pm_note(p, top, head);
}

static uint32_t lx_pm_get(const struct lx_pm *p, uint32_t idx)
{
    uint32_t sh = p->L->pm_shift;
    if (!(idx & ((1u << sh) - 1)) && (idx >> sh) < p->cap && p->m[idx >> sh] != LX_NULL)
        return p->m[idx >> sh];
    return lx_pm_run(p, idx);
}

/* The known block with the smallest index >= t (*idx, *blk start at the head). */
static void lx_pm_anchor(const struct lx_pm *p, uint32_t t, uint32_t *idx, uint32_t *blk)
{
    uint32_t sh = p->L->pm_shift, top = *idx;
    for (uint32_t j = (t >> sh) + ((t & ((1u << sh) - 1)) != 0); j <= (top >> sh) && j < p->cap;
         j++) {
        if (p->m[j] != LX_NULL) {
            if ((j << sh) < top)
                *idx = j << sh, *blk = p->m[j];
            return;
        }
    }
}

/* The list's head moves to `head`, index `top` (one past the old or the same):
 * every other map slot goes while the map is too short. */
static void lx_pm_grow(struct lx_pm *p, uint32_t head, uint32_t top)
{
    lx_t *L = p->L;
    while ((top >> L->pm_shift) >= p->cap) {
        for (uint32_t j = 0; j < p->cap; j++)
            p->m[j] = 2 * j < p->cap ? p->m[2 * j] : LX_NULL;
        L->pm_shift++;
    }
    L->pk[0] = head;
    L->pk[1] = top;
    if (L->pk[2] != LX_NULL) {
        L->pk[2] = lx_min(L->pk[2], head);
        L->pk[3] = lx_max(L->pk[3], head);
    }
    lx_pm_note(p, top, head);
    lx_pm_run_add(p, top, head);
}

/* Make the map describe the list ending at `head` (index `top`). */
static void lx_pm_use(struct lx_pm *p, uint32_t head, uint32_t top)
{
    if (p->L->pk[0] != head || p->L->pk[1] != top)
        lx_pm_reset(p, head, top);
}

/* A list starting at `nb` (index 0): every block of it will be known. */
static void lx_pm_start(struct lx_pm *p, uint32_t nb)
{
    lx_pm_reset(p, nb, 0);
    lx_pm_run_add(p, 0, nb);
    p->L->pk[2] = p->L->pk[3] = nb;
}

void cairn_lfs2_ctz_forget(lx_t *L, uint32_t block)
{
    if (L->pk_n >= LX_PM_HDR + 2 && (block == LX_NULL || block == L->pk[0])) {
        L->pk[0] = LX_NULL;
        if (block == LX_NULL)
            L->pk[4] = 0; // the buffer may have been borrowed
    }
}

/* Index of the last byte of a list of `size` bytes (size > 0), through the memo. */
static uint32_t lx_ctz_top(lx_t *L, uint32_t size)
{
    int memo = L->pk_n >= LX_PM_HDR + 2;
    if (memo && L->pk[4] == size)
        return L->pk[5];
    uint32_t last = size - 1, top = lx_ctz_index(L, &last);
    if (memo)
        L->pk[4] = size, L->pk[5] = top;
    return top;
}

void cairn_lfs2_ctz_moved(lx_t *L, uint32_t old, uint32_t nb, uint32_t size)
{
    struct lx_pm p;
    if (!lx_pm_init(L, &p))
        return;
    if (old == LX_INLINE)
        lx_pm_start(&p, nb);
    else if (size > 0 && L->pk[0] == old && L->pk[1] == lx_ctz_top(L, size))
        lx_pm_grow(&p, nb, L->pk[1]);
}

int cairn_lfs2_ctz_range(lx_t *L, uint32_t head, uint32_t size, uint32_t *lo, uint32_t *hi)
{
    if (size == 0 || L->pk_n < LX_PM_HDR + 2 || L->pk[0] != head || L->pk[2] == LX_NULL ||
        L->pk[1] != lx_ctz_top(L, size))
        return 0;
    *lo = L->pk[2];
    *hi = L->pk[3];
    return 1;
}

int cairn_lfs2_ctz_find(lx_t *L, lx_cache *rc, uint32_t head, uint32_t size,
                        uint32_t pos, uint32_t *block, uint32_t *off)
{
    if (size == 0) {
        *block = LX_NULL;
        *off = 0;
        return 0;
    }
    uint32_t cur = lx_ctz_top(L, size);
    uint32_t target = lx_ctz_index(L, &pos);
    struct lx_pm p;
    int map = lx_pm_init(L, &p);
    if (map) {
        lx_pm_use(&p, head, cur);
        uint32_t v = lx_pm_run(&p, target);
        if (v != LX_NULL)
            cur = target, head = v;
        else
            lx_pm_anchor(&p, target, &cur, &head);
    }
    while (cur > target) {
        uint32_t skip = lx_min(31 - (uint32_t)__builtin_clz(cur - target), lx_ctz(cur));
        if (head >= L->block_count)
            return CAIRN_ECORRUPT;
        uint8_t b[4];
        int err = lx_read(L, NULL, rc, 4, head, 4 * skip, b, 4);
        if (err)
            return err;
        head = lx_le32(b);
        cur -= 1u << skip;
        if (map && head < L->block_count)
            lx_pm_note(&p, cur, head);
    }
    if (head >= L->block_count)
        return CAIRN_ECORRUPT;
    *block = head;
    *off = pos;
    return 0;
}

int cairn_lfs2_ctz_traverse(lx_t *L, const lx_cache *pc, lx_cache *rc, uint32_t head,
                            uint32_t size, int (*cb)(void *, uint32_t), void *ctx)
{
    if (size == 0)
        return 0;
    uint32_t last = size - 1;
    uint32_t index = lx_ctz_index(L, &last);
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
        err = lx_read(L, pc, rc, cnt * 4, head, 0, b, cnt * 4);
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

int cairn_lfs2_ctz_extend(lx_t *L, lx_cache *pc, lx_cache *rc, uint32_t head, uint32_t size,
                          uint32_t *block, uint32_t *off)
{
    for (;;) {
        uint32_t nb;
        int err = lx_alloc(L, &nb);
        if (err)
            return err;
        err = lx_erase(L, nb);
        if (err) {
            if (err == CAIRN_ECORRUPT)
                goto relocate;
            return err;
        }
        struct lx_pm p;
        int map = lx_pm_init(L, &p);
        if (size == 0) {
            if (map)
                lx_pm_start(&p, nb);
            *block = nb;
            *off = 0;
            return 0;
        }
        uint32_t noff = size - 1;
        uint32_t index = lx_ctz_index(L, &noff);
        noff += 1;
        if (map)
            lx_pm_use(&p, head, index);
        if (noff != L->block_size && lx_alignup(noff, L->read_size) <= L->cache_size &&
            pc->block == LX_NULL) {
            // the partial last block fits the program cache: read it straight
            // in (the read cache keeps what it holds, e.g. the file's pair)
            if (head >= L->block_count)
                return CAIRN_ECORRUPT;
            err = cairn_bdev_read_ext(lx_bd(L), head, 0, pc->buf, lx_alignup(noff, L->read_size));
            if (err)
                return err;
            pc->block = nb;
            pc->off = 0;
            pc->size = noff;
            if (map)
                lx_pm_grow(&p, nb, index);
            *block = nb;
            *off = noff;
            return 0;
        }
        if (noff != L->block_size) {
            // the last block is partial: copy it
            for (uint32_t i = 0; i < noff;) {
                uint8_t t[32];
                uint32_t n = lx_min(noff - i, sizeof t);
                err = lx_read(L, NULL, rc, noff - i, head, i, t, n);
                if (err)
                    return err;
                err = lx_prog(L, pc, rc, 1, nb, i, t, n);
                if (err) {
                    if (err == CAIRN_ECORRUPT)
                        goto relocate;
                    return err;
                }
                i += n;
            }
            if (map)
                lx_pm_grow(&p, nb, index);
            *block = nb;
            *off = noff;
            return 0;
        }
        index += 1;
        uint32_t skips = lx_ctz(index) + 1;
        uint32_t nhead = head;
        uint8_t ptrs[4 * 32];
        for (uint32_t i = 0; i < skips; i++) {
            lx_ple32(ptrs + 4 * i, nhead);
            if (i != skips - 1) {
                // block index - 2^(i+1): from the map, else nhead's pointer i
                uint8_t b[4];
                uint32_t want = index - (2u << i), v = map ? lx_pm_get(&p, want) : LX_NULL;
                if (v == LX_NULL) {
                    err = lx_read(L, NULL, rc, 4, nhead, 4 * i, b, 4);
                    if (err)
                        return err;
                    v = lx_le32(b);
                    if (v >= L->block_count)
                        return CAIRN_ECORRUPT;
                    if (map)
                        lx_pm_note(&p, want, v);
                }
                nhead = v;
            }
        }
        err = lx_prog(L, pc, rc, 1, nb, 0, ptrs, 4 * skips);
        if (err) {
            if (err == CAIRN_ECORRUPT)
                goto relocate;
            return err;
        }
        if (map)
            lx_pm_grow(&p, nb, index);
        *block = nb;
        *off = 4 * skips;
        return 0;
relocate:
        lx_cache_zero(L, pc);
    }
}
