/*
 * littlefs v2 driver: CTZ skip-list files: position -> block, traversal, extension
 * (copy-on-write of the last block).
 */
#include "lx.h"

/* ---- CTZ skip lists ---------------------------------------------------------- */

/* Pointer `slot` of CTZ block `block`, through the pointer cache (in the
 * caller's buffer: pk_n block numbers, values, slots, last uses). A block's
 * pointers stay as read until it is allocated or erased again. */
static int lx_ctz_ptr(lx_t *L, lx_cache *rc, uint32_t block, uint32_t slot, uint32_t *val)
{
    uint32_t n = L->pk_n, *blk = L->pk, *pv = blk + n;
    uint8_t *ps = (uint8_t *)(pv + n), *pu = ps + n;
    for (uint32_t i = 0; i < n; i++) {
        if (blk[i] == block && ps[i] == slot) {
            pu[i] = ++L->pk_clock;
            if (rc)
                *val = pv[i];
            else
                pv[i] = *val;
            return 0;
        }
    }
    uint32_t lru = 0;
    for (uint32_t i = 1; i < n; i++)
        if ((uint8_t)(L->pk_clock - pu[i]) > (uint8_t)(L->pk_clock - pu[lru]))
            lru = i;
    uint8_t b[4];
    if (rc) {
        int err = lx_read(L, NULL, rc, 4, block, 4 * slot, b, 4);
        if (err)
            return err;
        *val = lx_le32(b);
    }
    if (n) {
        blk[lru] = block;
        ps[lru] = (uint8_t)slot;
        pv[lru] = *val;
        pu[lru] = ++L->pk_clock;
    }
    return 0;
}

void cairn_lfs2_ctz_forget(lx_t *L, uint32_t block)
{
    for (uint32_t i = 0; i < L->pk_n; i++)
        if (L->pk[i] == block || block == LX_NULL)
            L->pk[i] = LX_NULL;
}

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

int cairn_lfs2_ctz_find(lx_t *L, lx_cache *rc, uint32_t head, uint32_t size,
                        uint32_t pos, uint32_t *block, uint32_t *off)
{
    if (size == 0) {
        *block = LX_NULL;
        *off = 0;
        return 0;
    }
    uint32_t last = size - 1;
    uint32_t cur = lx_ctz_index(L, &last);
    uint32_t target = lx_ctz_index(L, &pos);
    while (cur > target) {
        uint32_t skip = lx_min(31 - (uint32_t)__builtin_clz(cur - target), lx_ctz(cur));
        if (head >= L->block_count)
            return CAIRN_ECORRUPT;
        int err = lx_ctz_ptr(L, rc, head, skip, &head);
        if (err)
            return err;
        cur -= 1u << skip;
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
        if (size == 0) {
            *block = nb;
            *off = 0;
            return 0;
        }
        uint32_t noff = size - 1;
        uint32_t index = lx_ctz_index(L, &noff);
        noff += 1;
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
            *block = nb;
            *off = noff;
            return 0;
        }
        index += 1;
        uint32_t skips = lx_ctz(index) + 1;
        uint32_t nhead = head;
        for (uint32_t i = 0; i < skips; i++) {
            uint8_t b[4];
            lx_ple32(b, nhead);
            err = lx_prog(L, pc, rc, 1, nb, 4 * i, b, 4);
            if (err) {
                if (err == CAIRN_ECORRUPT)
                    goto relocate;
                return err;
            }
            lx_ctz_ptr(L, NULL, nb, i, &nhead); // remember what nb will hold
            if (i != skips - 1) {
                err = lx_ctz_ptr(L, rc, nhead, i, &nhead);
                if (err)
                    return err;
                if (nhead >= L->block_count)
                    return CAIRN_ECORRUPT;
            }
        }
        *block = nb;
        *off = 4 * skips;
        return 0;
relocate:
        lx_cache_zero(L, pc);
    }
}
