/*
 * littlefs v2 driver: metadata pairs: fetch (with a one-pass name matcher), backward tag
 * lookup, commits with FCRC/CRC, compaction, splitting, relocation, and the
 * cache of known pair states.
 */
#include "lx.h"

static const uint32_t lx_sbpair[2] = {0, 1};

static void lx_ppair(uint8_t b[8], const uint32_t p[2])
{
    lx_ple32(b, p[0]);
    lx_ple32(b + 4, p[1]);
}

#define LX_KPRE (CAIRN_LFS2_MKEY - 2) /* name bytes in a name-range key */

int cairn_lfs2_hasmovehere(const lx_gstate *g, const uint32_t pair[2])
{
    return lx_g_hasmove(g) && lx_pair_cmp(g->pair, pair) == 0;
}

/* ---- cache of known pair states ------------------------------------------ */

static uint8_t *lx_mkey(lx_t *L, const lx_mdir *e)
{
    return (uint8_t *)(L->mc + L->mc_n) + (size_t)(e - L->mc) * CAIRN_LFS2_MKEY;
}

static lx_mdir *lx_mc_find(lx_t *L, const uint32_t pair[2])
{
    for (int i = 0; i < L->mc_n; i++) {
        if (L->mc[i].pair[0] != LX_NULL && lx_pair_sync(L->mc[i].pair, pair)) {
            L->mc_used |= 1u << i;
            return &L->mc[i];
        }
    }
    return NULL;
}

void cairn_lfs2_mc_put(lx_t *L, const lx_mdir *dir)
{
    if (!L->mc_n)
        return;
    lx_mdir *e = lx_mc_find(L, dir->pair);
    if (e && memcmp(e, dir, sizeof *e) == 0)
        return; // unchanged: its name-range key still holds
    if (!e) {
        // clock replacement: recently used entries get a second chance
        for (int k = 0; k < 2 * L->mc_n; k++) {
            uint32_t bit = 1u << L->mc_next;
            // the root's first pair stays: every path lookup starts there
            if (L->mc[L->mc_next].pair[0] == LX_NULL ||
                (!(L->mc_used & bit) && !lx_pair_sync(L->mc[L->mc_next].pair, L->root)))
                break;
            L->mc_used &= ~bit;
            L->mc_next = (uint8_t)((L->mc_next + 1) % L->mc_n);
        }
        e = &L->mc[L->mc_next];
        L->mc_used |= 1u << L->mc_next;
        L->mc_next = (uint8_t)((L->mc_next + 1) % L->mc_n);
    }
    *e = *dir;
    L->mc_mask |= (uint8_t)(1u << (dir->pair[0] & 7) | 1u << (dir->pair[1] & 7));
    lx_mkey(L, e)[0] = 0;
}

/*
 * Name-range keys: an upper bound of the names in a pair's log (live or
 * not): k[0] 0 unknown, 1 no names, 2 k[1] = length of the greatest name and
 * k[2..] its first bytes. The order is the format's: common bytes first,
 * then the shorter name is the greater; past the stored bytes it is unknown.
 * A lookup's scan finds no name sorting after a name greater than the key,
 * so it goes on to the tail (or, in a directory's last pair, ends: not
 * found, a new entry goes at the end): the lookup skips such a pair without
 * the scan. Mount's walk computes the keys too.
 */

int cairn_lfs2_mc_skip(lx_t *L, lx_mdir *dir, const uint32_t pair[2], const char *name,
                       uint32_t len)
{
    const lx_mdir *e = lx_mc_find(L, pair);
    if (!e)
        return 0;
    const uint8_t *k = lx_mkey(L, e);
    if (k[0] != 1) {
        if (k[0] != 2)
            return 0;
        uint32_t kl = k[1];
        int c = memcmp(name, k + 2, lx_min(len, lx_min(kl, LX_KPRE)));
        if (c < 0 || (c == 0 && (len >= kl || len > LX_KPRE)))
            return 0;
    }
    *dir = *e;
    return 1;
}

/* Set the key of known pair dir to the bound `k` found by a whole-log scan. */
static void lx_mc_setkey(lx_t *L, const lx_mdir *dir, const uint8_t *k)
{
    lx_mdir *e = lx_mc_find(L, dir->pair);
    if (e && memcmp(e, dir, sizeof *e) == 0)
        memcpy(lx_mkey(L, e), k, CAIRN_LFS2_MKEY);
}

/* Forget every cached pair that uses `block`. */
void cairn_lfs2_mc_drop(lx_t *L, uint32_t block)
{
    if (!(L->mc_mask & 1u << (block & 7)))
        return;
    for (int i = 0; i < L->mc_n; i++)
        if (L->mc[i].pair[0] == block || L->mc[i].pair[1] == block)
            L->mc[i].pair[0] = L->mc[i].pair[1] = LX_NULL;
}

/* Resize the pair cache to `n` slots in place, keeping the states (and keys)
 * of the first min(n, mc_n) slots. */
void cairn_lfs2_mc_resize(lx_t *L, uint8_t n)
{
    uint8_t k = L->mc_n;
    if (n < k) {
        k = n;
        L->mc_used &= (1u << n) - 1;
        if (L->mc_next >= n)
            L->mc_next = 0;
    }
    // keys sit right after the slots: move them with the table's end
    memmove((uint8_t *)(L->mc + n), lx_mkey(L, L->mc), (size_t)k * CAIRN_LFS2_MKEY);
    for (uint8_t i = k; i < n; i++)
        L->mc[i].pair[0] = L->mc[i].pair[1] = LX_NULL;
    L->mc_n = n;
}

void cairn_lfs2_mc_clear(lx_t *L)
{
    cairn_lfs2_ctz_forget(L, LX_NULL);
    cairn_lfs2_memo_drop(L, LX_NULL);
    L->mc_used = 0;
    L->mc_mask = 0;
    L->mc_next = 0;
    for (int i = 0; i < L->mc_n; i++)
        L->mc[i].pair[0] = L->mc[i].pair[1] = LX_NULL;
}

/* ---- fetch ------------------------------------------------------------------- */

struct lx_mstate {
    uint32_t mid, mtag;
    uint8_t meq;
    uint32_t stag, soff, atag, aoff;
    uint32_t noff; /* data offset of the matching name */
    uint8_t kmax[CAIRN_LFS2_MKEY]; /* name bound so far (key format) */
};

/* Scan state of one found name at the end of a known pair's log. */
struct lx_memo {
    uint32_t block, rev, off, ptag, hash, len;
    struct lx_mstate t;
};
_Static_assert(sizeof(struct lx_memo) <= 72, "memo space (CAIRN_LFS2_BUFFER_AUX)");

static struct lx_memo *lx_memo(lx_t *L)
{
    return (struct lx_memo *)(void *)L->memo;
}

void cairn_lfs2_memo_drop(lx_t *L, uint32_t block)
{
    struct lx_memo *mm = lx_memo(L);
    if (mm->block == block || block == LX_NULL)
        mm->block = LX_NULL;
}

/* Run the matcher over one tag of a forward scan (data at block:off+4; its
 * first LX_KPRE bytes at `head` when the caller has them, else NULL). */
static int lx_match_tag(lx_t *L, const struct lx_match *m, struct lx_mstate *t, uint32_t tag,
                        uint32_t block, uint32_t off, const uint8_t *head)
{
    uint32_t t1 = lx_type1(tag), id = lx_id(tag);
    if (t1 == LX_T_NAME) {
        int isname = (lx_type3(tag) & 0x780) == 0;
        if ((m->kind & 1) && isname) {
            // mount's walk (kind 3) keeps the bound too: the first lookups skip
            uint8_t b[LX_KPRE];
            uint32_t bl = lx_tsize(tag), n = lx_min(bl, LX_KPRE);
            if (head) {
                memcpy(b, head, n);
            } else {
                int err = lx_read_rc(L, L->block_size - off - 4, block, off + 4, b, n);
                if (err)
                    return err;
            }
            uint32_t al = t->kmax[1], na = lx_min(al, LX_KPRE);
            int c = t->kmax[0] == 2 ? memcmp(t->kmax + 2, b, lx_min(na, n)) : -1;
            if (c < 0 || (c == 0 && bl < al)) {
                t->kmax[0] = 2, t->kmax[1] = (uint8_t)bl;
                memcpy(t->kmax + 2, b, n);
            }
        }
        if ((m->kind == 1 && isname) || (m->kind == 3 && lx_type3(tag) == LX_T_SUPERBLOCK)) {
            int res;
            if (m->kind == 3 && lx_tsize(tag) != 8) {
                res = 2;
            } else {
                uint32_t n = lx_min(m->len, lx_tsize(tag));
                res = lx_cmp(L, NULL, &L->rcache, L->block_size - off - 4, block, off + 4, m->name, n);
                if (res < 0)
                    return res;
                if (res == 0 && m->len != lx_tsize(tag))
                    res = m->len < lx_tsize(tag) ? 1 : 2;
            }
            if (res == 0) {
                t->mid = id, t->meq = 1, t->mtag = tag, t->noff = off + 4;
                if (m->kind == 1) // (kind 3 keeps its move state there)
                    t->stag = t->atag = 0;
            } else if (t->mid == id && lx_type3(t->mtag) == lx_type3(tag)) {
                t->mid = 0x3ff, t->meq = 0;
            } else if (res == 2 && id <= t->mid) {
                t->mid = id, t->meq = 0, t->mtag = tag;
            }
        }
    } else if (t1 == LX_T_SPLICE) {
        if (lx_type3(tag) == LX_T_DELETE && id == t->mid && t->mid != 0x3ff)
            t->meq = 0;
        else if (t->mid != 0x3ff && id <= t->mid)
            t->mid = (uint32_t)((int)t->mid + lx_splice(tag)) & 0x3ff;
    } else if (m->kind == 1 && t->meq && id == t->mid) {
        if (t1 == LX_T_STRUCT)
            t->stag = tag, t->soff = off + 4;
        else if (lx_type3(tag) == LX_T_USERATTR + CAIRN_LFS2_ATTR_MTIME)
            t->atag = tag, t->aoff = off + 4;
    } else if (m->kind == 3 && lx_type3(tag) == LX_T_MOVESTATE) {
        // kind 3 keeps the newest move state in stag/soff/atag (it has no
        // use for them): what a backward get of it would return
        uint8_t b[12];
        memset(b, 0, sizeof b);
        if (!lx_isdelete(tag)) {
            uint32_t n = lx_min(12, lx_tsize(tag));
            int err = lx_read_rc(L, L->block_size - off - 4, block, off + 4, b, n);
            if (err)
                return err;
        }
        t->stag = lx_le32(b), t->soff = lx_le32(b + 4), t->atag = lx_le32(b + 8);
    } else if (m->kind == 2 && lx_type3(tag) == LX_T_DIRSTRUCT && lx_tsize(tag) == 8) {
        uint8_t b[8];
        int err = lx_read_rc(L, L->block_size - off - 4, block, off + 4, b, 8);
        if (err)
            return err;
        uint32_t p[2] = {lx_le32(b), lx_le32(b + 4)};
        if (lx_pair_cmp(p, m->pair) == 0)
            t->mid = id, t->meq = 1, t->mtag = tag;
        else if (t->meq && t->mid == id)
            t->mid = 0x3ff, t->meq = 0;
    }
    return 0;
}

static void lx_match_done(lx_t *L, const lx_mdir *dir, struct lx_match *m, struct lx_mstate *t)
{
    if (t->meq && lx_g_hasmovehere(&L->gdisk, dir->pair) && lx_id(L->gdisk.tag) == t->mid)
        t->meq = 0;
    m->id = (uint16_t)lx_min(t->mid, dir->count);
    m->eq = t->meq;
    m->tag = (t->mtag & ~LX_TAG(0, 0x3ff, 0)) | LX_TAG(0, t->mid, 0);
    m->stag = t->meq ? t->stag : 0;
    m->soff = t->soff;
    m->atag = t->meq ? t->atag : 0;
    m->aoff = t->aoff;
    m->g.tag = t->stag, m->g.pair[0] = t->soff, m->g.pair[1] = t->atag;
}

/* A pair whose state is known valid: only the matcher needs the tags. */
static int lx_fetch_known(lx_t *L, const lx_mdir *dir, struct lx_match *m)
{
    struct lx_mstate t = {0x3ff, 0, 0, 0, 0, 0, 0, 0, {1}};
    uint32_t off = 4, ptag = 0xffffffff, hash = 0;
    struct lx_memo *mm = lx_memo(L);
    if (m->kind == 1) {
        // resume from the memo when it is this name's (checked on disk) in this log
        hash = lx_crc(0xffffffff, m->name, m->len);
        if (mm->block == dir->pair[0] && mm->rev == dir->rev && mm->off <= dir->off &&
            mm->hash == hash && mm->len == m->len) {
            int res = lx_cmp(L, NULL, &L->rcache, m->len, dir->pair[0], mm->t.noff, m->name, m->len);
            if (res < 0)
                return res;
            if (res == 0)
                t = mm->t, off = mm->off, ptag = mm->ptag;
        }
    }
    while (off < dir->off) {
        uint8_t b[4];
        int err = lx_read_rc(L, L->block_size - off, dir->pair[0], off, b, 4);
        if (err)
            return err;
        uint32_t tag = lx_be32(b) ^ ptag;
        if (tag & 0x80000000u)
            return CAIRN_ECORRUPT;
        uint32_t dsz = lx_dsize(tag);
        if (((tag >> 20) & 0x780) == 0x500) {
            ptag = tag ^ ((lx_chunk(tag) & 1u) << 31);
            off += dsz;
            continue;
        }
        ptag = tag;
        err = lx_match_tag(L, m, &t, tag, dir->pair[0], off, NULL);
        if (err)
            return err;
        off += dsz;
    }
    mm->block = LX_NULL;
    if (m->kind == 1)
        lx_mc_setkey(L, dir, t.kmax);
    if (m->kind == 1 && t.meq && lx_tsize(t.mtag) == m->len) {
        mm->block = dir->pair[0], mm->rev = dir->rev, mm->off = off, mm->ptag = ptag;
        mm->hash = hash, mm->len = m->len, mm->t = t;
    }
    lx_match_done(L, dir, m, &t);
    return 0;
}

int cairn_lfs2_fetch_m(lx_t *L, lx_mdir *dir, const uint32_t pair[2], struct lx_match *m)
{
    uint32_t revs[2] = {0, 0};
    int r = 0;
    if (pair[0] >= L->block_count || pair[1] >= L->block_count)
        return CAIRN_ECORRUPT;
    const lx_mdir *known = lx_mc_find(L, pair);
    if (known) {
        *dir = *known;
        return m ? lx_fetch_known(L, dir, m) : 0;
    }
    for (int i = 0; i < 2; i++) {
        uint8_t b[4];
        int err = lx_read_rc(L, 4, pair[i], 0, b, 4);
        if (err && err != CAIRN_ECORRUPT)
            return err;
        revs[i] = err ? 0 : lx_le32(b);
        if (i == 1 && !err && lx_scmp(revs[1], revs[0]) > 0)
            r = 1;
    }
    dir->pair[0] = pair[r];
    dir->pair[1] = pair[1 - r];
    dir->rev = revs[r];
    dir->off = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        uint32_t off = 4, ptag = 0xffffffff;
        uint32_t tcount = 0, ttail[2] = {LX_NULL, LX_NULL};
        uint8_t tsplit = 0;
        struct lx_mstate tm = {0x3ff, 0, 0, 0, 0, 0, 0, 0, {1}}, cm = tm;
        int hasfcrc = 0, maybeerased = 0;
        uint32_t fsize = 0, fcrcv = 0;
        uint8_t b[8];
        lx_ple32(b, dir->rev);
        uint32_t crc = lx_crc(0xffffffff, b, 4);
        for (;;) {
            if (off + 4 > L->block_size)
                break;
            int err = lx_read_rc(L, L->block_size, dir->pair[0], off, b, 4);
            if (err) {
                if (err == CAIRN_ECORRUPT)
                    break;
                return err;
            }
            crc = lx_crc(crc, b, 4);
            uint32_t tag = lx_be32(b) ^ ptag;
            if (tag & 0x80000000u) {
                maybeerased = ((ptag >> 20) & 0x780) == 0x500;
                break;
            }
            uint32_t dsz = lx_dsize(tag);
            if (off + dsz > L->block_size)
                break;
            ptag = tag;
            if (((tag >> 20) & 0x780) == 0x500) {
                // commit CRC
                err = lx_read_rc(L, L->block_size, dir->pair[0], off + 4, b, 4);
                if (err) {
                    if (err == CAIRN_ECORRUPT)
                        break;
                    return err;
                }
                if (crc != lx_le32(b))
                    break;
                ptag ^= (lx_chunk(tag) & 1u) << 31;
                lx_ple32(b, crc);
                L->seed = lx_crc(L->seed, b, 4);
                cm = tm;
                dir->off = off + dsz;
                dir->etag = ptag;
                dir->count = (uint16_t)tcount;
                dir->tail[0] = ttail[0];
                dir->tail[1] = ttail[1];
                dir->split = tsplit;
                crc = 0xffffffff;
                off += dsz;
                continue;
            }
            hasfcrc = 0;
            // the data's head is kept for the matcher's name key: read again
            // later it could miss the read cache, which has moved on
            uint8_t head[LX_KPRE];
            uint32_t hn = lx_min(dsz - 4, LX_KPRE);
            err = lx_read_rc(L, L->block_size, dir->pair[0], off + 4, head, hn);
            if (!err) {
                crc = lx_crc(crc, head, hn);
                err = lx_crc_disk(L, L->block_size, dir->pair[0], off + 4 + hn, dsz - 4 - hn, &crc);
            }
            if (err) {
                if (err == CAIRN_ECORRUPT)
                    break;
                return err;
            }
            uint32_t t1 = lx_type1(tag), id = lx_id(tag);
            int bad = 0;
            if (t1 == LX_T_NAME) {
                if (id != 0x3ff && id >= tcount)
                    tcount = id + 1;
            } else if (t1 == LX_T_SPLICE) {
                if (lx_splice(tag) < 0 && tcount == 0)
                    bad = 1;
                tcount = (uint32_t)((int)tcount + lx_splice(tag));
            } else if (t1 == LX_T_TAIL) {
                tsplit = lx_chunk(tag) & 1;
                err = lx_read_rc(L, L->block_size, dir->pair[0], off + 4, b, 8);
                if (err) {
                    if (err == CAIRN_ECORRUPT)
                        break;
                    return err;
                }
                ttail[0] = lx_le32(b);
                ttail[1] = lx_le32(b + 4);
            } else if (lx_type3(tag) == LX_T_FCRC && lx_tsize(tag) >= 8) {
                err = lx_read_rc(L, L->block_size, dir->pair[0], off + 4, b, 8);
                if (err) {
                    if (err == CAIRN_ECORRUPT)
                        break;
                    return err;
                }
                fsize = lx_le32(b);
                fcrcv = lx_le32(b + 4);
                hasfcrc = 1;
            }
            if (m) {
                // (a delete-sized tag has no data: head holds nothing)
                err = lx_match_tag(L, m, &tm, tag, dir->pair[0], off,
                                   lx_isdelete(tag) ? NULL : head);
                if (err)
                    return err;
            }
            if (bad || tcount > 0x3ff)
                break;
            off += dsz;
        }
        if (dir->off > 0) {
            dir->erased = 0;
            if (maybeerased && dir->off % L->prog_size == 0 && hasfcrc) {
                uint32_t c = 0xffffffff;
                int err = lx_crc_disk(L, L->prog_size, dir->pair[0], dir->off, fsize, &c);
                if (err && err != CAIRN_ECORRUPT)
                    return err;
                dir->erased = (!err && c == fcrcv);
            }
            cairn_lfs2_mc_put(L, dir);
            if (m && (m->kind & 1))
                lx_mc_setkey(L, dir, cm.kmax);
            if (m)
                lx_match_done(L, dir, m, &cm);
            return 0;
        }
        lx_pair_swap(dir->pair);
        dir->rev = revs[1 - r];
    }
    return CAIRN_ECORRUPT;
}

int cairn_lfs2_fetch(lx_t *L, lx_mdir *dir, const uint32_t pair[2])
{
    uint32_t p[2] = {pair[0], pair[1]}; // pair may alias dir->tail
    return lx_fetch_m(L, dir, p, NULL);
}

/* ---- get: newest tag matching (mask, want), scanning the log backwards -- */

int cairn_lfs2_bstep(lx_t *L, uint32_t block, struct lx_bscan *s, uint32_t *tag)
{
    uint32_t d = lx_dsize(s->ntag);
    if (s->off < 4 + d)
        return 0;
    s->off -= d;
    *tag = s->ntag;
    lx_cache *rc = &L->rcache;
    if (s->whole && !(rc->block == block && s->off >= rc->off && s->off + 4 <= rc->off + rc->size)) {
        // a whole-log scan reads the log once: the window on a miss ends
        // just past this tag's first data word (a struct read hits) and
        // reaches back a cache's worth, where the next tags are
        uint32_t end = lx_alignup(s->off + 12, L->read_size);
        uint32_t start = end > L->cache_size ? end - L->cache_size : 0;
        if (start > s->off)
            start = lx_aligndown(s->off, L->read_size);
        lx_cache_drop(rc);
        uint8_t one;
        int err = lx_read_rc(L, end - start, block, start, &one, 1);
        if (err)
            return err;
    }
    uint8_t b[4];
    int err = lx_read_rc(L, 4, block, s->off, b, 4);
    if (err)
        return err;
    s->ntag = (lx_be32(b) ^ *tag) & 0x7fffffff;
    return 1;
}

int32_t cairn_lfs2_get(lx_t *L, const lx_mdir *dir, uint32_t mask, uint32_t want, void *buf,
                       uint32_t size)
{
    struct lx_bscan bs = {dir->off, dir->etag, 0};
    int32_t gdiff = 0;
    if ((mask & LX_TAG(0, 0x3ff, 0)) && lx_g_hasmovehere(&L->gdisk, dir->pair) &&
        lx_id(L->gdisk.tag) == lx_id(want))
        return CAIRN_ENOENT;
    for (;;) {
        uint32_t tag;
        int err = lx_bstep(L, dir->pair[0], &bs, &tag);
        if (err <= 0)
            return err ? err : CAIRN_ENOENT;
        uint32_t off = bs.off, cur = want - (uint32_t)(gdiff * (1 << 10));
        if ((mask & LX_TAG(0, 0x3ff, 0)) && lx_type1(tag) == LX_T_SPLICE && lx_id(tag) <= lx_id(cur)) {
            if (tag == (LX_TAG(LX_T_CREATE, 0, 0) | (LX_TAG(0, 0x3ff, 0) & cur)))
                return CAIRN_ENOENT;
            gdiff += lx_splice(tag);
            cur = want - (uint32_t)(gdiff * (1 << 10));
        }
        if ((mask & tag) == (mask & cur)) {
            if (lx_isdelete(tag))
                return CAIRN_ENOENT;
            if (buf) {
                uint32_t n = lx_min(size, lx_tsize(tag));
                err = lx_read_rc(L, n, dir->pair[0], off + 4, buf, n);
                if (err)
                    return err;
                memset((uint8_t *)buf + n, 0, size - n);
            }
            return (int32_t)((tag + (uint32_t)(gdiff * (1 << 10))) & 0x7fffffff);
        }
    }
    return CAIRN_ENOENT;
}

int lx_getgstate(lx_t *L, const lx_mdir *dir, lx_gstate *g)
{
    uint8_t b[12];
    int32_t t = lx_get(L, dir, LX_TAG(0x7ff, 0, 0), LX_TAG(LX_T_MOVESTATE, 0, 0), b, 12);
    if (t == CAIRN_ENOENT)
        return 0;
    if (t < 0)
        return t;
    lx_gstate d = {lx_le32(b), {lx_le32(b + 4), lx_le32(b + 8)}};
    lx_g_xor(g, &d);
    return 0;
}

static int lx_cprog(lx_t *L, struct lx_commit *c, const void *buf, uint32_t size)
{
    int err = lx_prog(L, &L->pcache, &L->rcache, 0, c->block, c->off, buf, size);
    if (err)
        return err;
    c->crc = lx_crc(c->crc, buf, size);
    c->off += size;
    return 0;
}

/* One entry: tag plus data from memory, or copied from disk (mem == NULL). */
static int lx_cattr(lx_t *L, struct lx_commit *c, uint32_t tag, const void *mem, uint32_t dblock,
                    uint32_t doff)
{
    uint32_t dsz = lx_dsize(tag);
    if (c->off + dsz > c->end)
        return CAIRN_ENOSPC;
    uint8_t b[32];
    lx_pbe32(b, (tag & 0x7fffffff) ^ c->ptag);
    int err = lx_cprog(L, c, b, 4);
    if (err)
        return err;
    if (dsz > 4) {
        if (mem) {
            err = lx_cprog(L, c, mem, dsz - 4);
            if (err)
                return err;
        } else {
            for (uint32_t i = 0; i < dsz - 4;) {
                uint32_t n = lx_min(dsz - 4 - i, sizeof b);
                err = lx_read(L, &L->pcache, &L->rcache, dsz - 4 - i, dblock, doff + i, b, n);
                if (err)
                    return err;
                err = lx_cprog(L, c, b, n);
                if (err)
                    return err;
                i += n;
            }
        }
    }
    c->ptag = tag & 0x7fffffff;
    return 0;
}

// Append a gstate delta (little-endian, unlike tags) to a commit.
static int lx_cmovestate(lx_t *L, struct lx_commit *c, const lx_gstate *d)
{
    uint8_t b[12];
    lx_ple32(b, d->tag);
    lx_ple32(b + 4, d->pair[0]);
    lx_ple32(b + 8, d->pair[1]);
    return lx_cattr(L, c, LX_TAG(LX_T_MOVESTATE, 0x3ff, 12), b, 0, 0);
}

static int lx_ccrc(lx_t *L, struct lx_commit *c)
{
    uint32_t end = lx_alignup(lx_min(c->off + 20, L->block_size), L->prog_size);
    uint32_t off1 = 0, crc1 = 0;
    int err;
    while (c->off < end) {
        uint32_t noff = lx_min(end - (c->off + 4), 0x3fe) + (c->off + 4);
        if (noff < end)
            noff = lx_min(noff, end - 20);
        uint8_t eperturb = 0xff;
        if (noff >= end && noff <= L->block_size - L->prog_size) {
            err = lx_read_rc(L, L->prog_size, c->block, noff, &eperturb, 1);
            if (err && err != CAIRN_ECORRUPT)
                return err;
            if (L->disk_version > CAIRN_LFS2_DISK_VERSION_2_0) {
                uint32_t fc = 0xffffffff;
                err = lx_crc_disk(L, L->prog_size, c->block, noff, L->prog_size, &fc);
                if (err && err != CAIRN_ECORRUPT)
                    return err;
                uint8_t fb[8];
                lx_ple32(fb, L->prog_size);
                lx_ple32(fb + 4, fc);
                err = lx_cattr(L, c, LX_TAG(LX_T_FCRC, 0x3ff, 8), fb, 0, 0);
                if (err)
                    return err;
            }
        }
        uint32_t ntag = LX_TAG(LX_T_CRC + (((uint8_t)~eperturb) >> 7), 0x3ff, noff - (c->off + 4));
        uint8_t cc[8];
        lx_pbe32(cc, ntag ^ c->ptag);
        c->crc = lx_crc(c->crc, cc, 4);
        lx_ple32(cc + 4, c->crc);
        err = lx_prog(L, &L->pcache, &L->rcache, 0, c->block, c->off, cc, 8);
        if (err)
            return err;
        if (off1 == 0) {
            off1 = c->off + 4;
            crc1 = c->crc;
        }
        c->off = noff;
        c->ptag = ntag ^ ((uint32_t)(0x80u & ~eperturb) << 24);
        c->crc = 0xffffffff;
        if (noff >= end || noff >= L->pcache.off + L->cache_size) {
            err = lx_bd_sync(L, &L->pcache, &L->rcache, 0);
            if (err)
                return err;
        }
    }
    if (L->verify == CAIRN_LFS2_VERIFY_NONE)
        return 0;
    // read the commit back: catches silently failed programs
    uint32_t crc = 0xffffffff;
    err = lx_crc_disk(L, off1 + 4, c->block, c->begin, off1 - c->begin, &crc);
    if (err)
        return err;
    if (crc != crc1)
        return CAIRN_ECORRUPT;
    err = lx_crc_disk(L, 4, c->block, off1, 4, &crc);
    if (err)
        return err;
    if (crc != 0)
        return CAIRN_ECORRUPT;
    return 0;
}

/* ---- entry emission (compaction, moves, size estimates) ------------------ */

/* Write one live tag renumbered as `newid` (or add its size to *sizep when c
 * is NULL). */
static int lx_eput(lx_t *L, struct lx_commit *c, uint32_t *sizep, uint32_t tag, uint32_t newid,
                   const void *mem, uint32_t block, uint32_t off)
{
    tag = (tag & ~LX_TAG(0, 0x3ff, 0)) | LX_TAG(0, newid, 0);
    if (!c) {
        *sizep += lx_dsize(tag);
        return 0;
    }
    return lx_cattr(L, c, tag, mem, block, off);
}

/* An entry's name and struct, newest first: 1 (name) or 2 (struct) when `tag`
 * is the live one to keep, else 0; *ns has bit0/bit1 set once each is seen. */
static uint32_t lx_ns_see(uint8_t *ns, uint32_t tag)
{
    uint32_t t1 = lx_type1(tag), k = t1 == LX_T_NAME ? 1 : t1 == LX_T_STRUCT ? 2 : 0;
    if (!k || (*ns & k))
        return 0;
    *ns |= (uint8_t)k;
    return lx_isdelete(tag) ? 0 : k;
}

/*
 * Emit entries [begin, end) (renumbered from 0), LX_WIN ids per backward scan
 * of the log instead of one scan per id. Entries the window cannot describe
 * (moves, more than two attribute types) take the one-id path (lx_emit), which
 * runs the same scan for one slot with a `seen` set of attribute types: it
 * follows a move to its source and takes any number of types, two per pass.
 */
#define LX_WIN 8
#define LX_SLOT_MEM 0x80000000u /* off holds an attrs[] index */
struct lx_sloc {
    uint32_t tag, off;
};
struct lx_slot {
    uint32_t x;
    uint32_t mv; /* one-id path: 1 + attrs index of the entry's FROM_MOVE */
    uint8_t done, complex, ns, nat, more, moveonly, nsonly;
    uint8_t atype[2];
    struct lx_sloc name, st, at[2];
};

static void lx_slot_see(struct lx_slot *sl, uint8_t *seen, uint32_t tag, uint32_t off)
{
    struct lx_sloc l = {tag, off};
    uint32_t w = lx_ns_see(&sl->ns, tag);
    if (w == 1 && !sl->moveonly) {
        sl->name = l;
    } else if (w == 2) {
        sl->st = l;
    } else if (lx_type1(tag) == LX_T_USERATTR) {
        uint8_t k = (uint8_t)lx_chunk(tag);
        if (seen) {
            uint8_t bit = (uint8_t)(1u << (k % 8));
            if (seen[k / 8] & bit)
                return;
            if (!lx_isdelete(tag)) {
                if (sl->nat == 2) {
                    sl->more = 1; // for the next pass
                    return;
                }
                sl->at[sl->nat++] = l;
            }
            seen[k / 8] |= bit;
            return;
        }
        for (int i = 0; i < sl->nat; i++)
            if (sl->atype[i] == k)
                return;
        if (sl->nat == 2) {
            sl->complex = 1;
            return;
        }
        sl->atype[sl->nat] = k;
        sl->at[sl->nat] = l;
        if (lx_isdelete(tag))
            sl->at[sl->nat].tag = 0;
        sl->nat++;
    }
}

/* Feed one tag (newest first) to the open slots of a window; `loc` is a data
 * offset, or LX_SLOT_MEM | attrs index. Returns how many slots it closed. */
static uint32_t lx_slots_see(struct lx_slot *sl, uint32_t nw, uint8_t *seen, uint32_t tag,
                             uint32_t loc)
{
    uint32_t t3 = lx_type3(tag), tid = lx_id(tag), closed = 0;
    for (uint32_t i = 0; i < nw; i++) {
        struct lx_slot *q = &sl[i];
        if (q->done)
            continue;
        if ((loc & LX_SLOT_MEM) && t3 == LX_T_FROM_MOVE) { // moves exist in memory only
            // older attrs (the new name) still count; the source comes last
            if (tid == q->x && seen && !q->mv)
                q->mv = (loc & ~LX_SLOT_MEM) + 1;
            else if (tid == q->x && !seen)
                q->complex = 1, q->done = 1, closed++;
        } else if (lx_type1(tag) == LX_T_SPLICE) {
            if (tid == q->x && t3 == LX_T_CREATE)
                q->done = 1, closed++;
            else if (tid <= q->x && tid != 0x3ff)
                q->x = t3 == LX_T_CREATE ? q->x - 1 : q->x + 1;
        } else if (tid == q->x) {
            lx_slot_see(q, seen, tag, loc);
            if (q->nsonly && q->ns == 3)
                q->done = 1, closed++;
        }
    }
    return closed;
}

/* Fill the slots: the pending attrs, then the disk log, newest first. On the
 * one-id path (nw 1, seen) a moved entry's log is its source's: *dirp. */
static int lx_wscan(lx_t *L, struct lx_slot *sl, uint32_t nw, uint8_t *seen, const lx_mdir **dirp,
                    const struct lx_attr *attrs, int n)
{
    uint32_t open = nw;
    for (int ai = attrs ? n - 1 : -1; ai >= 0 && open; ai--)
        open -= lx_slots_see(sl, nw, seen, attrs[ai].tag, LX_SLOT_MEM | (uint32_t)ai);
    if (sl->mv) {
        const struct lx_attr *a = &attrs[sl->mv - 1];
        *dirp = a->buf;
        sl->x = lx_tsize(a->tag);
        sl->moveonly = 1;
        sl->done = 0;
        open = 1;
    }
    const lx_mdir *dir = *dirp;
    if (open && dir && dir->off > 0) {
        struct lx_bscan bs = {dir->off, dir->etag, 0};
        while (open) {
            uint32_t tag;
            int err = lx_bstep(L, dir->pair[0], &bs, &tag);
            if (err < 0)
                return err;
            if (!err)
                break;
            if (lx_id(tag) == 0x3ff)
                continue;
            open -= lx_slots_see(sl, nw, seen, tag, bs.off + 4);
        }
    }
    return 0;
}

/* Write what slot q found, renumbered as `newid` (see lx_eput). */
static int lx_wout(lx_t *L, struct lx_commit *c, uint32_t *sizep, const lx_mdir *dir,
                   const struct lx_attr *attrs, const struct lx_slot *q, uint32_t newid)
{
    const struct lx_sloc *all[4] = {&q->name, &q->st, &q->at[0], &q->at[1]};
    for (int k = 0; k < 4; k++) {
        if (!all[k]->tag || (k >= 2 && k - 2 >= q->nat))
            continue;
        uint32_t o = all[k]->off;
        int err = (o & LX_SLOT_MEM)
                      ? lx_eput(L, c, sizep, all[k]->tag, newid, attrs[o & ~LX_SLOT_MEM].buf, 0, 0)
                      : lx_eput(L, c, sizep, all[k]->tag, newid, NULL, dir->pair[0], o);
        if (err)
            return err;
    }
    return 0;
}

/*
 * Find the live tags of entry `id` as numbered after `attrs` are applied on
 * top of `dir`'s log, and write them to `c` renumbered as `newid` (or add
 * their sizes to *sizep when c is NULL). Name first (the superblock magic must
 * sit at offset 8), then struct, then user attributes. `moveonly` keeps only
 * structs and user attributes (the source of a move).
 */
static int lx_emit(lx_t *L, struct lx_commit *c, uint32_t *sizep, const lx_mdir *dir0,
                   const struct lx_attr *attrs, int n, uint32_t id0, uint32_t newid, int moveonly)
{
    uint8_t seen[32]; // user attribute types already emitted/deleted
    uint8_t ns = 0;
    memset(seen, 0, sizeof seen);
    for (int pass = 0; pass < 130; pass++) { // 256 types, two per pass
        struct lx_slot q;
        memset(&q, 0, sizeof q);
        q.x = id0;
        q.ns = ns;
        q.moveonly = (uint8_t)moveonly;
        const lx_mdir *dir = dir0;
        int err = lx_wscan(L, &q, 1, seen, &dir, attrs, n);
        if (!err)
            err = lx_wout(L, c, sizep, dir, attrs, &q, newid);
        if (err)
            return err;
        ns = q.ns;
        if (!q.more)
            return 0;
    }
    return CAIRN_ECORRUPT;
}

static int lx_emit_range(lx_t *L, struct lx_commit *c, uint32_t *sizep, const lx_mdir *dir,
                         const struct lx_attr *attrs, int n, uint32_t begin, uint32_t end)
{
    for (uint32_t w = begin; w < end; w += LX_WIN) {
        struct lx_slot sl[LX_WIN];
        uint32_t nw = lx_min(LX_WIN, end - w);
        memset(sl, 0, sizeof sl);
        for (uint32_t i = 0; i < nw; i++)
            sl[i].x = w + i;
        const lx_mdir *d = dir;
        int err = lx_wscan(L, sl, nw, NULL, &d, attrs, n);
        if (err)
            return err;
        for (uint32_t i = 0; i < nw; i++) {
            uint32_t newid = w + i - begin;
            if (sl[i].complex)
                err = lx_emit(L, c, sizep, dir, attrs, n, w + i, newid, 0);
            else
                err = lx_wout(L, c, sizep, dir, attrs, &sl[i], newid);
            if (err)
                return err;
        }
    }
    return 0;
}

/*
 * One backward scan for both the name (REG/DIR) and the struct of entry `id`:
 * their tags and data offsets (tag 0 = none). ENOENT when the name is missing.
 */
int cairn_lfs2_get_entry(lx_t *L, const lx_mdir *dir, uint32_t id, uint32_t *ntag,
                         uint32_t *noff, uint32_t *stag, uint32_t *soff)
{
    struct lx_slot q;
    memset(&q, 0, sizeof q);
    q.x = id;
    q.nsonly = 1;
    *ntag = *stag = 0;
    if (dir->off == 0 || (lx_g_hasmovehere(&L->gdisk, dir->pair) && lx_id(L->gdisk.tag) == id))
        return CAIRN_ENOENT;
    int err = lx_wscan(L, &q, 1, NULL, &dir, NULL, 0);
    if (err)
        return err;
    // (the superblock's name is no entry's)
    if (q.name.tag && (lx_type3(q.name.tag) & 0x780) == 0)
        *ntag = q.name.tag, *noff = q.name.off;
    if (q.st.tag)
        *stag = q.st.tag, *soff = q.st.off;
    return *ntag ? 0 : CAIRN_ENOENT;
}

/* Write the attrs of an append commit in order (moves expanded). */
static int lx_cattrs(lx_t *L, struct lx_commit *c, const struct lx_attr *attrs, int n)
{
    for (int i = 0; i < n; i++) {
        uint32_t tag = attrs[i].tag;
        int err;
        if (lx_type3(tag) == LX_T_FROM_MOVE)
            err = lx_emit(L, c, NULL, attrs[i].buf, NULL, 0, lx_tsize(tag), lx_id(tag), 1);
        else
            err = lx_cattr(L, c, tag, attrs[i].buf, 0, 0);
        if (err)
            return err;
    }
    return 0;
}

/* ---- metadata pair allocation, compaction, commit ---------------------------- */

static int lx_needsreloc(lx_t *L, const lx_mdir *dir)
{
    return L->block_cycles > 0 && (dir->rev + 1) % (((uint32_t)L->block_cycles + 1) | 1) == 0;
}

int cairn_lfs2_dir_alloc(lx_t *L, lx_mdir *dir)
{
    for (int i = 0; i < 2; i++) {
        int err = lx_alloc(L, &dir->pair[(i + 1) % 2]);
        if (err)
            return err;
    }
    dir->rev = 0;
    uint8_t b[4];
    int err = lx_read_rc(L, 4, dir->pair[0], 0, b, 4);
    if (err && err != CAIRN_ECORRUPT)
        return err;
    if (!err)
        dir->rev = lx_le32(b);
    if (L->block_cycles > 0)
        dir->rev = lx_alignup(dir->rev, ((uint32_t)L->block_cycles + 1) | 1);
    dir->off = 4;
    dir->etag = 0xffffffff;
    dir->count = 0;
    dir->tail[0] = dir->tail[1] = LX_NULL;
    dir->erased = 0;
    dir->split = 0;
    return 0;
}

static int lx_compact(lx_t *L, lx_mdir *dir, const struct lx_attr *attrs, int n,
                      const lx_mdir *source, uint32_t begin, uint32_t end)
{
    int relocated = 0;
    int tired = lx_needsreloc(L, dir);
    cairn_lfs2_mc_drop(L, dir->pair[0]);
    cairn_lfs2_mc_drop(L, dir->pair[1]);
    dir->rev += 1;
    int reloc = tired && lx_pair_cmp(dir->pair, lx_sbpair) != 0;
    for (uint32_t guard = 0;; guard++) {
        int err = 0;
        if (guard > L->block_count + 2)
            return CAIRN_ENOSPC;
        if (!reloc) {
            struct lx_commit c = {dir->pair[1], 0, 0xffffffff, 0xffffffff, 0, L->metadata_max - 8};
            uint8_t b[12];
            err = lx_erase(L, dir->pair[1]);
            if (!err) {
                lx_ple32(b, dir->rev);
                err = lx_cprog(L, &c, b, 4);
            }
            if (!err)
                err = lx_emit_range(L, &c, NULL, source, attrs, n, begin, end);
            if (!err && !lx_pair_isnull(dir->tail)) {
                lx_ppair(b, dir->tail);
                err = lx_cattr(L, &c, LX_TAG(LX_T_TAIL + dir->split, 0x3ff, 8), b, 0, 0);
            }
            if (!err) {
                lx_gstate d = {0, {0, 0}};
                if (!relocated) {
                    lx_g_xor(&d, &L->gdisk);
                    lx_g_xor(&d, &L->gstate);
                }
                lx_g_xor(&d, &L->gdelta);
                d.tag &= ~0x3ffu;
                err = lx_getgstate(L, dir, &d);
                if (err)
                    return err;
                if (!lx_g_iszero(&d))
                    err = lx_cmovestate(L, &c, &d);
            }
            if (!err)
                err = lx_ccrc(L, &c);
            if (!err) {
                lx_pair_swap(dir->pair);
                dir->count = (uint16_t)(end - begin);
                dir->off = c.off;
                dir->etag = c.ptag;
                dir->erased = 1;
                cairn_lfs2_mc_put(L, dir);
                L->gdelta.tag = L->gdelta.pair[0] = L->gdelta.pair[1] = 0;
                if (!relocated)
                    L->gdisk = L->gstate;
                return relocated ? LX_OK_RELOCATED : 0;
            }
            if (err != CAIRN_ECORRUPT)
                return err;
        }
        // bad block (or worn): move this half of the pair elsewhere
        reloc = 0;
        relocated = 1;
        lx_cache_zero(L, &L->pcache);
        if (lx_pair_cmp(dir->pair, lx_sbpair) == 0)
            return L->bad_run ? CAIRN_EIO : CAIRN_ENOSPC;
        err = lx_alloc(L, &dir->pair[1]);
        if (err && (err != CAIRN_ENOSPC || !tired))
            return err;
        tired = 0;
    }
}

static int lx_split(lx_t *L, lx_mdir *dir, const struct lx_attr *attrs, int n,
                    const lx_mdir *source, uint32_t split, uint32_t end)
{
    lx_mdir tail;
    int err = lx_dir_alloc(L, &tail);
    if (err)
        return err;
    tail.split = dir->split;
    tail.tail[0] = dir->tail[0];
    tail.tail[1] = dir->tail[1];
    int res = lx_compact(L, &tail, attrs, n, source, split, end);
    if (res < 0)
        return res;
    dir->tail[0] = tail.pair[0];
    dir->tail[1] = tail.pair[1];
    dir->split = 1;
    if (lx_pair_cmp(dir->pair, L->root) == 0 && split == 0) {
        L->root[0] = tail.pair[0];
        L->root[1] = tail.pair[1];
    }
    return 0;
}

static int lx_splittingcompact(lx_t *L, lx_mdir *dir, const struct lx_attr *attrs, int n,
                               const lx_mdir *source, uint32_t begin, uint32_t end)
{
    for (;;) {
        uint32_t split = begin;
        while (end - split > 1) {
            uint32_t size = 0;
            int err = lx_emit_range(L, NULL, &size, source, attrs, n, split, end);
            if (err)
                return err;
            uint32_t mm = L->metadata_max;
            if (end - split < 0xff && size <= lx_min(mm - 40, lx_alignup(mm / 2, L->prog_size)))
                break;
            split = split + (end - split) / 2;
        }
        if (split == begin)
            break;
        int err = lx_split(L, dir, attrs, n, source, split, end);
        if (err && err != CAIRN_ENOSPC)
            return err;
        if (err)
            break;
        end = split;
    }
    if (lx_needsreloc(L, dir) && lx_pair_cmp(dir->pair, lx_sbpair) == 0) {
        // {0,1} cannot move: when it wears, move the root out and keep only a
        // superblock copy there (littlefs cannot take this back, so only
        // while the volume is less than ~88% full)
        uint32_t used = 0;
        int err = lx_traverse(L, cairn_lfs2_count_cb, &used, 0);
        if (err)
            return err;
        if (L->block_count - used > L->block_count / 8) {
            err = lx_split(L, dir, attrs, n, source, begin, end);
            if (err && err != CAIRN_ENOSPC)
                return err;
            if (!err)
                end = 1;
        }
    }
    return lx_compact(L, dir, attrs, n, source, begin, end);
}

static int lx_relocatingcommit(lx_t *L, lx_mdir *dir, const uint32_t *selfpair,
                               const struct lx_attr *attrs, int n, lx_mdir *pdir)
{
    int state = 0, hasdelete = 0;
    uint32_t oldpair[2] = {selfpair[0], selfpair[1]};
    for (int i = 0; i < n; i++) {
        uint32_t t3 = lx_type3(attrs[i].tag);
        if (t3 == LX_T_CREATE) {
            dir->count++;
        } else if (t3 == LX_T_DELETE) {
            if (dir->count == 0)
                return CAIRN_ECORRUPT;
            dir->count--;
            hasdelete = 1;
        } else if (lx_type1(attrs[i].tag) == LX_T_TAIL) {
            const uint8_t *p = attrs[i].buf;
            dir->tail[0] = lx_le32(p);
            dir->tail[1] = lx_le32(p + 4);
            dir->split = lx_chunk(attrs[i].tag) & 1;
        }
    }
    // an emptied pair that continues a directory is dropped from the list
    // (not for the internal tail/parent fix-ups, which pass no pdir)
    if (hasdelete && dir->count == 0 && pdir) {
        int err = lx_pred(L, dir->pair, pdir);
        if (err && err != CAIRN_ENOENT)
            return err;
        if (err != CAIRN_ENOENT && pdir->split) {
            state = LX_OK_DROPPED;
            goto fixmlist;
        }
    }
    if (dir->erased) {
        struct lx_commit c = {dir->pair[0], dir->off, dir->etag, 0xffffffff, dir->off,
                              L->metadata_max - 8};
        cairn_lfs2_mc_drop(L, dir->pair[0]);
        int err = lx_cattrs(L, &c, attrs, n);
        if (!err) {
            lx_gstate d = L->gstate;
            lx_g_xor(&d, &L->gdisk);
            lx_g_xor(&d, &L->gdelta);
            d.tag &= ~0x3ffu;
            if (!lx_g_iszero(&d)) {
                err = lx_getgstate(L, dir, &d);
                if (err)
                    return err;
                err = lx_cmovestate(L, &c, &d);
            }
        }
        if (!err)
            err = lx_ccrc(L, &c);
        if (!err) {
            dir->off = c.off;
            dir->etag = c.ptag;
            cairn_lfs2_mc_put(L, dir);
            L->gdisk = L->gstate;
            L->gdelta.tag = L->gdelta.pair[0] = L->gdelta.pair[1] = 0;
            goto fixmlist;
        }
        if (err != CAIRN_ENOSPC && err != CAIRN_ECORRUPT)
            return err;
    }
    lx_cache_zero(L, &L->pcache);
    {
        lx_mdir source = *dir;
        state = lx_splittingcompact(L, dir, attrs, n, &source, 0, dir->count);
        if (state < 0)
            return state;
    }
fixmlist:
    for (struct lx_mlist *d = L->mlist; d; d = d->next) {
        if (lx_pair_cmp(d->m.pair, oldpair) != 0)
            continue;
        d->m = *dir;
        if (d->m.pair != selfpair) {
            for (int i = 0; i < n; i++) {
                uint32_t t3 = lx_type3(attrs[i].tag), id = lx_id(attrs[i].tag);
                if (t3 == LX_T_DELETE && d->id == id && d->type != LX_T_DIR) {
                    d->m.pair[0] = d->m.pair[1] = LX_NULL;
                } else if (t3 == LX_T_DELETE && d->id > id) {
                    d->id--;
                    if (d->type == LX_T_DIR)
                        ((struct lx_dir *)d)->pos--;
                } else if (t3 == LX_T_CREATE && d->id >= id) {
                    d->id++;
                    if (d->type == LX_T_DIR)
                        ((struct lx_dir *)d)->pos++;
                }
            }
        }
        for (uint32_t guard = 0; d->id >= d->m.count && d->m.split; guard++) {
            if (guard > L->block_count)
                return CAIRN_ECORRUPT;
            if (lx_pair_cmp(d->m.tail, L->root) != 0)
                d->id -= d->m.count;
            int err = lx_fetch(L, &d->m, d->m.tail);
            if (err)
                return err;
        }
    }
    return state;
}

/* Point `tag` (a parent's dirstruct or a predecessor's tail) of pdir at pair
 * p, deleting a pending move out of pdir in the same commit; pp gets pdir's
 * pair as it was before. */
static int lx_fixcommit(lx_t *L, lx_mdir *pdir, uint32_t pp[2], uint32_t tag, const uint32_t p[2])
{
    uint8_t b[8];
    lx_ppair(b, p);
    uint32_t moveid = lx_takemove(L, pdir->pair), m = moveid != 0x3ff;
    // the move's entry sits before the dirstruct's: its id shifts down
    if (moveid < lx_id(tag) && lx_id(tag) != 0x3ff)
        tag -= LX_TAG(0, 1, 0);
    struct lx_attr a[2] = {{LX_TAG(LX_T_DELETE, moveid, 0), NULL}, {tag, b}};
    pp[0] = pdir->pair[0], pp[1] = pdir->pair[1];
    return lx_relocatingcommit(L, pdir, pp, a + 1 - m, 1 + (int)m, NULL);
}

int lx_orphaningcommit(lx_t *L, lx_mdir *dir, const struct lx_attr *attrs, int n)
{
    uint32_t lpair[2] = {dir->pair[0], dir->pair[1]};
    lx_mdir ldir = *dir, pdir;
    int state = lx_relocatingcommit(L, &ldir, dir->pair, attrs, n, &pdir);
    if (state < 0)
        return state;
    if (lx_pair_cmp(dir->pair, lpair) == 0)
        *dir = ldir;
    if (state == LX_OK_DROPPED) {
        int err = lx_getgstate(L, dir, &L->gdelta);
        if (err)
            return err;
        lpair[0] = pdir.pair[0];
        lpair[1] = pdir.pair[1];
        uint8_t b[8];
        lx_ppair(b, dir->tail);
        struct lx_attr a = {LX_TAG(LX_T_TAIL + dir->split, 0x3ff, 8), b};
        state = lx_relocatingcommit(L, &pdir, lpair, &a, 1, NULL);
        if (state < 0)
            return state;
        ldir = pdir;
    }
    int orphans = 0;
    for (uint32_t guard = 0; state == LX_OK_RELOCATED; guard++) {
        if (guard > L->block_count)
            return CAIRN_ECORRUPT;
        state = 0;
        if (lx_pair_cmp(lpair, L->root) == 0) {
            L->root[0] = ldir.pair[0];
            L->root[1] = ldir.pair[1];
        }
        for (struct lx_mlist *d = L->mlist; d; d = d->next) {
            if (lx_pair_cmp(lpair, d->m.pair) == 0) {
                d->m.pair[0] = ldir.pair[0];
                d->m.pair[1] = ldir.pair[1];
            }
            if (d->type == LX_T_DIR && lx_pair_cmp(lpair, ((struct lx_dir *)d)->head) == 0) {
                ((struct lx_dir *)d)->head[0] = ldir.pair[0];
                ((struct lx_dir *)d)->head[1] = ldir.pair[1];
            }
        }
        int32_t tag = lx_parent(L, lpair, &pdir);
        if (tag < 0 && tag != CAIRN_ENOENT)
            return tag;
        int hasparent = tag != CAIRN_ENOENT;
        uint32_t pp[2];
        if (hasparent) {
            lx_preporphans(L, +1);
            state = lx_fixcommit(L, &pdir, pp, (uint32_t)tag, ldir.pair);
            if (state < 0)
                return state;
            if (state == LX_OK_RELOCATED) {
                lpair[0] = pp[0], lpair[1] = pp[1];
                ldir = pdir;
                orphans = 1;
                continue;
            }
        }
        int err = lx_pred(L, lpair, &pdir);
        if (err && err != CAIRN_ENOENT)
            return err;
        if (err != CAIRN_ENOENT) {
            if (lx_g_orphans(&L->gstate))
                lx_preporphans(L, -hasparent);
            state = lx_fixcommit(L, &pdir, lpair, LX_TAG(LX_T_TAIL + pdir.split, 0x3ff, 8),
                                 ldir.pair);
            if (state < 0)
                return state;
            ldir = pdir;
        }
    }
    return orphans ? LX_OK_ORPHANED : 0;
}

int cairn_lfs2_commit(lx_t *L, lx_mdir *dir, const struct lx_attr *attrs, int n)
{
    int orphans = lx_orphaningcommit(L, dir, attrs, n);
    if (orphans < 0)
        return orphans;
    if (orphans)
        return lx_deorphan(L, 0);
    return 0;
}

/* Drop `tail` (an empty or orphaned pair) from the list after `dir`. */
int cairn_lfs2_drop(lx_t *L, lx_mdir *dir, const lx_mdir *tail)
{
    int err = lx_getgstate(L, tail, &L->gdelta);
    if (err)
        return err;
    uint8_t b[8];
    lx_ppair(b, tail->tail);
    struct lx_attr a = {LX_TAG(LX_T_TAIL + tail->split, 0x3ff, 8), b};
    return lx_commit(L, dir, &a, 1);
}
