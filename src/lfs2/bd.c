/*
 * littlefs v2 driver: block device access for the littlefs v2 driver: CRC-32, the read and
 * program caches, erase and sync, bad-block error mapping.
 */
#include "lx.h"

int cairn_lfs2_pair_cmp(const uint32_t a[2], const uint32_t b[2])
{
    return !(a[0] == b[0] || a[1] == b[1] || a[0] == b[1] || a[1] == b[0]);
}

int cairn_lfs2_walk(lx_t *L, lx_mdir *d, struct lx_cycle *c, struct lx_match *m)
{
    if (!c->n) {
        c->p[0] = c->p[1] = LX_NULL;
        c->i = c->n = 1;
        d->tail[0] = 0;
        d->tail[1] = 1;
    }
    if (lx_pair_isnull(d->tail))
        return 0;
    if (lx_cycle(c, d->tail))
        return CAIRN_ECORRUPT;
    int err = lx_fetch_m(L, d, d->tail, m); // (it may alias)
    return err ? err : 1;
}

/* ---- CRC-32 (reflected 0xEDB88320, no final xor) ------------------------ */

#if CAIRN_LFS2_TINY
// two bits at a time: a 16-byte table (the default build's nibble table
// takes 64 bytes and half the instructions)
uint32_t cairn_lfs2_crc(uint32_t crc, const void *buf, size_t size)
{
    const uint8_t *p = buf;
    static const uint32_t t2[4] = {0, 0x76dc4190, 0xedb88320, 0x9b64c2b0};
    for (const uint8_t *e = p + size; p < e;) {
        crc ^= *p++;
        for (int k = 0; k < 4; k++)
            crc = (crc >> 2) ^ t2[crc & 3];
    }
    return crc;
}
#else
static const uint32_t lx_crctab[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

// a nibble at a time: a 64-byte table instead of 1 KiB (bit at a time costs a third more
// instructions on metadata-heavy workloads)
uint32_t cairn_lfs2_crc(uint32_t crc, const void *buf, size_t size)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < size; i++) {
        crc = (crc >> 4) ^ lx_crctab[(crc ^ p[i]) & 0xf];
        crc = (crc >> 4) ^ lx_crctab[(crc ^ ((uint32_t)p[i] >> 4)) & 0xf];
    }
    return crc;
}
#endif

/* ---- block device + caches ------------------------------------------------ */

void cairn_lfs2_cache_zero(lx_t *L, lx_cache *c)
{
    memset(c->buf, 0xff, L->cache_size);
    c->block = LX_NULL;
    c->off = 0;
    c->size = 0;
}
/*
 * A program or erase failure marks the block bad: callers relocate. A device
 * that keeps failing is broken rather than worn: report its error.
 */
#define LX_MAX_BAD_RUN 4
static int lx_wrerr(lx_t *L, int err)
{
    if (!err) {
        L->bad_run = 0;
        return 0;
    }
    if (err == CAIRN_EIO && L->bad_run < LX_MAX_BAD_RUN) {
        L->bad_run++;
        return CAIRN_ECORRUPT;
    }
    return err;
}

int cairn_lfs2_read_rc(lx_t *L, uint32_t hint, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    return cairn_lfs2_read(L, NULL, &L->rcache, hint, block, off, buf, size);
}

int cairn_lfs2_read(lx_t *L, const lx_cache *pc, lx_cache *rc, uint32_t hint, uint32_t block,
                    uint32_t off, void *buf, uint32_t size)
{
    uint8_t *d = buf;
    if (block >= L->block_count || off > L->block_size || size > L->block_size - off)
        return CAIRN_ECORRUPT;
    while (size > 0) {
        uint32_t diff = size;
        // pending program data first, then the read cache
        for (const lx_cache *c = pc ? pc : rc;; c = rc) {
            if (block == c->block && off < c->off + c->size) {
                if (off >= c->off) {
                    diff = lx_min(diff, c->size - (off - c->off));
                    memcpy(d, &c->buf[off - c->off], diff);
                    goto next;
                }
                diff = lx_min(diff, c->off - off);
            }
            if (c == rc)
                break;
        }
#if !CAIRN_LFS2_TINY
        if (size >= hint && off % L->read_size == 0 && diff >= L->read_size) {
            // big aligned reads bypass the cache
            diff = lx_aligndown(diff, L->read_size);
            int err = cairn_bdev_read_ext(lx_bd(L), block, off, d, diff);
            if (err)
                return err;
        } else
#endif
        {
            uint32_t rs = lx_read_size(L);
            rc->block = block;
            rc->off = lx_aligndown(off, rs);
            rc->size = lx_min(lx_min(lx_alignup(off + lx_max(hint, 1), rs), L->block_size) - rc->off,
                              L->cache_size);
            int err = cairn_bdev_read_ext(lx_bd(L), rc->block, rc->off, rc->buf, rc->size);
            if (err) {
                rc->block = LX_NULL;
                return err;
            }
            continue;
        }
next:
        d += diff, off += diff, size -= diff;
        // the hint is what is still wanted from here: what follows a cached
        // head may bypass the cache
        hint -= lx_min(hint, diff);
    }
    return 0;
}

// a chunk at a time
int cairn_lfs2_disk(lx_t *L, uint32_t hint, uint32_t block, uint32_t off, uint32_t size, void *p)
{
    uint8_t t[32];
    uint32_t *crc = size & LX_DCRC ? p : NULL;
    const uint8_t *cmp = crc ? NULL : p;
    size &= ~LX_DCRC;
    for (uint32_t i = 0; i < size;) {
        uint32_t n = lx_min(size - i, cmp && !CAIRN_LFS2_TINY ? 16 : sizeof t);
        int err = lx_read_rc(L, hint > i ? hint - i : 1, block, off + i, t, n);
        if (err)
            return err;
        if (!cmp) {
            *crc = lx_crc(*crc, t, n);
        } else {
            int c = memcmp(t, cmp + i, n);
            if (c)
                return c < 0 ? 1 : 2;
        }
        i += n;
    }
    return 0;
}

/* A block is about to change: caches holding it would go stale. */
static void lx_changing(lx_t *L, uint32_t block)
{
    if (L->rcache.block == block)
        lx_cache_drop(&L->rcache);
}

/* Program `size` bytes (a multiple of prog_size) from d straight to the
 * device; with `validate` in VERIFY_ALL mode read them back and compare. */
static int lx_prog_direct(lx_t *L, int validate, uint32_t block, uint32_t off,
                          const uint8_t *d, uint32_t size)
{
    lx_changing(L, block);
    int err = lx_wrerr(L, cairn_bdev_write_ext(lx_bd(L), block, off, d, size));
    if (err)
        return err;
    if (validate && lx_verify(L) == CAIRN_LFS2_VERIFY_ALL) {
        lx_cache_drop(&L->rcache);
        err = lx_cmp(L, size, block, off, d, size);
        if (err)
            return err < 0 ? err : CAIRN_ECORRUPT;
    }
    return 0;
}

int cairn_lfs2_flush(lx_t *L, lx_cache *pc, int validate)
{
    if (pc->block != LX_NULL && pc->block != LX_INLINE) {
        uint32_t diff = lx_alignup(pc->size, L->prog_size);
        memset(pc->buf + pc->size, 0xff, diff - pc->size);
        int err = lx_prog_direct(L, validate, pc->block, pc->off, pc->buf, diff);
        if (err)
            return err;
        pc->block = LX_NULL;
        pc->size = 0;
    }
    return 0;
}

int cairn_lfs2_prog(lx_t *L, lx_cache *pc, int validate, uint32_t block,
                    uint32_t off, const void *buf, uint32_t size)
{
    const uint8_t *d = buf;
    uint32_t cs = L->cache_size;
    if (block >= L->block_count || off > L->block_size || size > L->block_size - off)
        return CAIRN_ECORRUPT;
    while (size > 0) {
        uint32_t at = off - pc->off;
        if (block == pc->block && at < cs) { // at wraps when off < pc->off
            uint32_t diff = lx_min(size, cs - at);
            if (at > pc->size) // a gap: keep it erased-looking
                memset(pc->buf + pc->size, 0xff, at - pc->size);
            memcpy(&pc->buf[at], d, diff);
            d += diff, off += diff, size -= diff;
            at += diff;
            pc->size = lx_max(pc->size, at);
            if (at < cs)
                return 0; // size is 0 too
        }
        // flushed, nothing is pending: a long aligned run goes straight to the device
        int err = lx_flush(L, pc, validate);
        if (err)
            return err;
#if !CAIRN_LFS2_TINY
        if (size >= cs && off % L->prog_size == 0) {
            uint32_t n = lx_aligndown(size, L->prog_size);
            err = lx_prog_direct(L, validate, block, off, d, n);
            if (err)
                return err;
            d += n, off += n, size -= n;
        }
#endif
        if (size) {
            pc->block = block;
            pc->off = lx_aligndown(off, L->prog_size);
            pc->size = 0;
        }
    }
    return 0;
}

int cairn_lfs2_erase(lx_t *L, uint32_t block)
{
    if (block >= L->block_count)
        return CAIRN_ECORRUPT;
    cairn_lfs2_forget(L, block);
    lx_changing(L, block);
    return lx_wrerr(L, cairn_bdev_erase(lx_bd(L), block));
}

int cairn_lfs2_bd_sync(lx_t *L)
{
    // no need to drop the read cache: every program or erase drops what it changes
    int err = lx_flush(L, &L->pcache, 0);
    if (err)
        return err;
    return cairn_bdev_sync(lx_bd(L));
}
