/*
 * littlefs v2 driver: metadata pairs: fetch (a CRC pass, then a name matcher), backward tag
 * lookup, commits with FCRC/CRC, compaction, splitting, relocation, and the
 * cache of known pair states.
 */
#include "lx.h"

/* 1 when pair p shares a block with the superblock pair {0,1}. */
static int lx_issb(const uint32_t p[2])
{
    return p[0] < 2 || p[1] < 2;
}

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

/* 1 when entry `id` of dir is the source of the move on disk: it reads as gone. */
LX_TINY_NOINLINE static int lx_movedaway(lx_t *L, const lx_mdir *dir, uint32_t id)
{
    return lx_g_hasmovehere(&L->gdisk, dir->pair) && lx_id(L->gdisk.tag) == id;
}

/* ---- cache of known pair states ------------------------------------------ */
#if !CAIRN_LFS2_TINY

/* A slot: a pair's state and its name-range key. */
struct lx_mce {
    lx_mdir m; /* first */
    uint8_t k[CAIRN_LFS2_MKEY];
};
_Static_assert(sizeof(struct lx_mce) == sizeof(lx_mdir) + CAIRN_LFS2_MKEY, "slot size (mount.c)");
#define LX_MC(L) ((struct lx_mce *)(void *)(L)->mc)
#define lx_mkey(e) (((struct lx_mce *)(void *)(e))->k)

static lx_mdir *lx_mc_find(lx_t *L, const uint32_t pair[2])
{
    struct lx_mce *e = LX_MC(L);
    for (uint32_t i = 0; i < L->mc_n; i++, e++) {
        // (an empty slot holds {LX_NULL, LX_NULL}: no pair asked for is null)
        if (lx_pair_sync(e->m.pair, pair)) {
            L->mc_used |= 1u << i;
            return &e->m;
        }
    }
    return NULL;
}

void cairn_lfs2_mc_put(lx_t *L, const lx_mdir *dir)
{
    if (!L->mc_n)
        return;
    // (a state is put when a commit changed it or a fetch found it unknown:
    // the name-range key starts unknown)
    lx_mdir *e = lx_mc_find(L, dir->pair);
    if (!e) {
        // clock: a slot used since the hand last passed gets a second
        // chance (a chain longer than the cache then keeps a stable part
        // of it instead of missing on every pair); the root's first pair
        // (the one slot holding its block root[0]) stays: every path lookup
        // starts there
        uint32_t i = L->mc_next, n = L->mc_n, k = 0;
        for (;;) {
            e = &LX_MC(L)[i].m;
            uint32_t bit = 1u << i;
            i = i + 1 == n ? 0 : i + 1;
            if (k++ == 2 * n || e->pair[0] == LX_NULL ||
                (!(L->mc_used & bit) && e->pair[0] != L->root[0] && e->pair[1] != L->root[0])) {
                L->mc_used |= bit;
                break;
            }
            L->mc_used &= ~bit;
        }
        L->mc_next = (uint8_t)i;
    }
    *e = *dir;
    lx_mkey(e)[1] = 0;
}

/*
 * Name-range keys: an upper bound of the names in a pair's log (live or
 * not): k[1] the length of the greatest name and k[2..] its first bytes
 * (k[0] unused). The order is the format's: common bytes first, then the
 * shorter name is the greater; past the stored bytes it is unknown. Length
 * 0 is no bound (no name sorts after it); a log without names has one no
 * name of a path can reach: 255 zero bytes (a path's names hold no NUL).
 * A lookup's scan finds no name sorting after a name greater than the key,
 * so it goes on to the tail (or, in a directory's last pair, ends: not
 * found, a new entry goes at the end): a lookup's fetch skips the scan of
 * such a pair. Mount's walk computes the keys too.
 */

/* How a name (len bytes, the first min(len, LX_KPRE) at p) sorts against
 * the name of key k: > 0 after, 0 when unknown past the stored bytes. */
LX_NOINLINE static int lx_kcmp(const uint8_t *k, const void *p, uint32_t len)
{
    int c = memcmp(p, k + 2, lx_min(lx_min(len, LX_KPRE), k[1]));
    return c || len > LX_KPRE ? c : (int)k[1] - (int)len;
}

/* Set the key of known pair dir (its state as cached) to the bound `k`
 * found by a whole-log scan. */
static void lx_mc_setkey(lx_t *L, const lx_mdir *dir, const uint8_t *k)
{
    lx_mdir *e = lx_mc_find(L, dir->pair);
    if (e)
        memcpy(lx_mkey(e), k, CAIRN_LFS2_MKEY);
}
#endif

/* ---- fetch ------------------------------------------------------------------- */

struct lx_mstate {
    uint32_t mid, mtag;
    uint8_t meq;
    uint32_t noff; /* data offset of the matching name */
#if !CAIRN_LFS2_TINY
    uint8_t kmax[CAIRN_LFS2_MKEY]; /* name bound so far (key format) */
    uint32_t g[3]; /* kind 3: the newest move state so far, as on disk (0s: none) */
#endif
};

#if !CAIRN_LFS2_TINY

/* Scan state of one found name at the end of a known pair's log. */
struct lx_memo {
    uint32_t block, rev, len; /* the key (the name itself is checked on disk) */
    uint32_t off, ptag;
    struct lx_mstate t;
};
_Static_assert(sizeof(struct lx_memo) <= 72, "memo space (CAIRN_LFS2_BUFFER_AUX)");

static struct lx_memo *lx_memo(lx_t *L)
{
    return (struct lx_memo *)(void *)L->memo;
}

void cairn_lfs2_forget_memos(lx_t *L, uint32_t block)
{
    // (a hit under mask m: every word when block is LX_NULL; pk is the
    // memo without a map)
    uint32_t m = block == LX_NULL ? 0 : ~0u;
    if (!((*L->memo ^ block) & m))
        *L->memo = LX_NULL;
    if (!((*L->pk ^ block) & m))
        *L->pk = LX_NULL;
}

void cairn_lfs2_forget(lx_t *L, uint32_t block)
{
    uint32_t m = block == LX_NULL ? 0 : ~0u;
    for (struct lx_mce *e = LX_MC(L), *end = e + L->mc_n; e < end; e++)
        if (!((e->m.pair[0] ^ block) & m) || !((e->m.pair[1] ^ block) & m))
            e->m.pair[0] = e->m.pair[1] = LX_NULL;
    cairn_lfs2_forget_memos(L, block);
}
#endif

/* A candidate `tag` (data at d) compared `res` (0 equal, 1 before, 2 after). */
#if CAIRN_LFS2_TINY
static void lx_mset(struct lx_mstate *t, int res, uint32_t tag, uint32_t d) // (inlined: smaller)
#else
LX_NOINLINE static void lx_mset(struct lx_mstate *t, int res, uint32_t tag, uint32_t d)
#endif
{
    uint32_t id = lx_id(tag);
    if (res == 0)
        t->mid = id, t->meq = 1, t->mtag = tag, t->noff = d;
    else if (t->mid == id && lx_type3(t->mtag) == lx_type3(tag))
        t->mid = 0x3ff, t->meq = 0;
    else if (res == 2 && id <= t->mid)
        t->mid = id, t->meq = 0, t->mtag = tag;
}

/* Run the matcher over one tag of a forward scan (data at block:off+4). */
static int lx_match_tag(lx_t *L, const struct lx_match *m, struct lx_mstate *t, uint32_t tag,
                        uint32_t block, uint32_t off)
{
    // the tags each kind compares: names, a dirstruct's pair, the superblock
    static const uint32_t cand[3][2] = {
        {0x78000000u, 0},
        {0x7ff003ffu, LX_TAG(LX_T_DIRSTRUCT, 0, 8)},
        {0x7ff00000u, LX_TAG(LX_T_SUPERBLOCK, 0, 0)},
    };
    uint32_t t3 = lx_type3(tag), id = lx_id(tag), sz = lx_tsize(tag), d = off + 4;
    int kind = m->kind, res, err;
    if (lx_type1(tag) == LX_T_SPLICE) {
        if (t->mid == 0x3ff || id > t->mid)
            return 0;
        if (t3 == LX_T_DELETE && id == t->mid)
            t->meq = 0;
        else
            t->mid = (uint32_t)((int)t->mid + lx_splice(tag)) & 0x3ff;
        return 0;
    }
#if CAIRN_LFS2_TINY
    uint32_t w[3];
    uint8_t *b = (uint8_t *)w;
    // (names compare on disk: only a dirstruct's pair is read)
    if ((tag & cand[kind - 1][0]) != cand[kind - 1][1])
        return 0;
    if (kind == 2) {
        err = lx_read_rc(L, L->block_size - d, block, d, b, 8);
        if (err)
            return err;
    }
#else
    // kind 3 keeps the newest move state (what a backward get would give)
    // and, with kind 1, the name bound: mount's first lookups skip
    int mv = kind == 3 && t3 == LX_T_MOVESTATE, key = (kind & 1) && (t3 & 0x780) == 0;
    int c = (tag & cand[kind - 1][0]) == cand[kind - 1][1];
    if (!(mv | key | c))
        return 0;
    uint32_t w[3];
    uint8_t *b = (uint8_t *)w, *p = mv ? (uint8_t *)t->g : b;
    memset(p, 0, 12);
    uint32_t n = mv && lx_isdelete(tag) ? 0 : lx_min(sz, 12);
    err = lx_read_rc(L, L->block_size - d, block, d, p, n);
    if (err || mv)
        return err;
    // (past the stored bytes either of two names serves as the bound)
    if (key && lx_kcmp(t->kmax, b, sz) > 0) {
        t->kmax[1] = (uint8_t)sz;
        memcpy(t->kmax + 2, b, LX_KPRE); // (zeros past the name: never compared)
    }
    if (!c)
        return 0;
#endif
    if (kind == 2) {
        w[0] = lx_le32(b), w[1] = lx_le32(b + 4); // (in place)
        res = lx_pair_cmp(w, m->pair);
    } else {
        res = lx_cmp(L, L->block_size - d, block, d, m->name, lx_min(m->len, sz));
        if (res < 0)
            return res;
        if (res == 0 && m->len != sz)
            res = m->len < sz ? 1 : 2;
    }
    lx_mset(t, res, tag, d);
    return 0;
}

LX_TINY_NOINLINE static void lx_match_done(lx_t *L, const lx_mdir *dir, struct lx_match *m,
                                            struct lx_mstate *t)
{
    if (t->meq && lx_movedaway(L, dir, t->mid))
        t->meq = 0;
    m->id = (uint16_t)lx_min(t->mid, dir->count);
    m->eq = t->meq;
    m->tag = (t->mtag & ~LX_TAG(0, 0x3ff, 0)) | LX_TAG(0, t->mid, 0);
#if !CAIRN_LFS2_TINY
    const uint8_t *g = (const uint8_t *)t->g;
    m->g.tag = lx_le32(g), m->g.pair[0] = lx_le32(g + 4), m->g.pair[1] = lx_le32(g + 8);
#endif
}

/*
 * Forward scan of the log of dir->pair[0] (revision dir->rev). Without m:
 * check it commit by commit, the newest valid commit sets dir's state
 * (dir->off stays 0 when there is none). With m: run the matcher over the
 * valid log (up to dir->off). CAIRN_LFS2_TINY: one pass does both (the
 * matcher's state as of the newest valid commit counts).
 */
LX_TINY_NOINLINE static int lx_scan(lx_t *L, lx_mdir *dir, struct lx_match *m)
{
    uint32_t blk = dir->pair[0], bs = L->block_size;
#if CAIRN_LFS2_TINY
    struct lx_mstate ts, tv, *t = &ts;
#else
    struct lx_memo *mm = lx_memo(L); // a match's scan state, kept as the next one's memo
    struct lx_mstate *t = &mm->t;
#endif
    uint32_t off = 4, ptag = 0xffffffff, tcount = 0, ttail[2] = {LX_NULL, LX_NULL}, end = bs;
    uint8_t tsplit = 0;
    int hasfcrc = 0, maybeerased = 0, err = 0;
    uint32_t fsize = 0, fcrcv = 0;
    uint8_t b[8];
    lx_ple32(b, dir->rev);
    uint32_t crc = lx_crc(0xffffffff, b, 4);
#if CAIRN_LFS2_TINY
    memset(t, 0, sizeof *t);
    t->mid = 0x3ff;
    tv = ts;
#else
    if (m) {
        end = dir->off;
        err = 1;
        // resume from the memo when it is this name's (checked on disk) in this log
        if (m->kind == 1 && mm->block == blk && mm->rev == dir->rev && mm->len == m->len &&
            mm->off <= end) {
            err = lx_cmp(L, m->len, blk, mm->t.noff, m->name, m->len);
            if (err < 0)
                return err;
        }
        if (err) {
            memset(mm, 0, sizeof *mm);
            mm->rev = dir->rev, mm->len = m->len;
            mm->off = 4, mm->ptag = 0xffffffff, t->mid = 0x3ff;
            t->kmax[1] = 255; // no names yet (see the key format)
        }
        err = 0;
        mm->block = LX_NULL; // (until the scan ends)
        off = mm->off, ptag = mm->ptag;
    }
#endif
    while (off + 4 <= end) {
        err = lx_read_rc(L, bs, blk, off, b, 4);
        if (err)
            break;
        if (CAIRN_LFS2_TINY || !m)
            crc = lx_crc(crc, b, 4);
        uint32_t tag = lx_be32(b) ^ ptag;
        if (tag & 0x80000000u) {
            maybeerased = ((ptag >> 20) & 0x780) == 0x500;
            err = CAIRN_ECORRUPT;
            break;
        }
        uint32_t dsz = lx_dsize(tag), t1 = lx_type1(tag), id = lx_id(tag);
        if (off + dsz > bs)
            break;
        ptag = tag;
        if (((tag >> 20) & 0x780) == 0x500) {
            // commit CRC
            ptag ^= (lx_chunk(tag) & 1u) << 31;
            if (CAIRN_LFS2_TINY || !m) {
                err = lx_read_rc(L, bs, blk, off + 4, b, 4);
                if (err || crc != lx_le32(b))
                    break;
#if CAIRN_LFS2_TINY
                // the seed gathers in la_start until the mount is done (only
                // its walk fetches while not mounted before mkfs's last
                // allocation: la_start is the allocator's from then on)
                if (!lx_fs(L)->mounted)
                    L->la_start = lx_crc(L->la_start, b, 4);
#else
                L->seed = lx_crc(L->seed, b, 4); // (b holds the CRC)
#endif
                dir->off = off + dsz;
                dir->etag = ptag;
                dir->count = (uint16_t)tcount;
                dir->tail[0] = ttail[0];
                dir->tail[1] = ttail[1];
                dir->split = tsplit;
                crc = 0xffffffff;
#if CAIRN_LFS2_TINY
                tv = ts;
#endif
            }
#if !CAIRN_LFS2_TINY
        } else if (m) {
            err = lx_match_tag(L, m, t, tag, blk, off);
            if (err)
                break;
#endif
        } else {
            hasfcrc = 0;
            err = lx_crc_disk(L, bs, blk, off + 4, dsz - 4, &crc);
            if (err)
                break;
            if (t1 == LX_T_NAME) {
                if (id != 0x3ff && id >= tcount)
                    tcount = id + 1;
            } else if (t1 == LX_T_SPLICE) {
                if (lx_splice(tag) < 0 && tcount == 0)
                    break;
                tcount = (uint32_t)((int)tcount + lx_splice(tag));
            } else if (t1 == LX_T_TAIL || (lx_type3(tag) == LX_T_FCRC && lx_tsize(tag) >= 8)) {
                err = lx_read_rc(L, bs, blk, off + 4, b, 8);
                if (err)
                    break;
                if (t1 == LX_T_TAIL) {
                    tsplit = lx_chunk(tag) & 1;
                    ttail[0] = lx_le32(b);
                    ttail[1] = lx_le32(b + 4);
                } else {
                    fsize = lx_le32(b);
                    fcrcv = lx_le32(b + 4);
                    hasfcrc = 1;
                }
            }
            if (tcount > 0x3ff)
                break;
#if CAIRN_LFS2_TINY
            // (after the CRC pass: its data read without error)
            if (m && (err = lx_match_tag(L, m, t, tag, blk, off)) != 0)
                break;
#endif
        }
        off += dsz;
    }
#if !CAIRN_LFS2_TINY
    if (m) {
        if (err)
            return err;
        if (m->kind == 1 && t->meq) // (meq: the name found, of the same length)
            mm->block = blk, mm->off = off, mm->ptag = ptag;
        if (m->kind & 1) // (mount's walk keys the pairs too: its first lookups skip)
            lx_mc_setkey(L, dir, t->kmax);
        lx_match_done(L, dir, m, t);
        return 0;
    }
#endif
    if (err && err != CAIRN_ECORRUPT)
        return err;
    if (dir->off == 0)
        return 0;
    uint32_t ps = L->prog_size;
    dir->erased = 0;
    if (maybeerased && dir->off % ps == 0 && hasfcrc) {
        uint32_t c = 0xffffffff;
        err = lx_crc_disk(L, ps, blk, dir->off, fsize, &c);
        if (err && err != CAIRN_ECORRUPT)
            return err;
        dir->erased = (!err && c == fcrcv);
    }
    cairn_lfs2_mc_put(L, dir);
#if CAIRN_LFS2_TINY
    if (m)
        lx_match_done(L, dir, m, &tv);
#endif
    return 0;
}

/* The revision of block blk into *rev: 1, 0 when unreadable (*rev 0), or an
 * error. */
LX_NOINLINE static int lx_rev(lx_t *L, uint32_t blk, uint32_t *rev)
{
    uint8_t b[4];
    int err = lx_read_rc(L, 4, blk, 0, b, 4);
    *rev = err ? 0 : lx_le32(b);
    return err == CAIRN_ECORRUPT ? 0 : err ? err : 1;
}

int cairn_lfs2_fetch_m(lx_t *L, lx_mdir *dir, const uint32_t pair[2], struct lx_match *m)
{
    uint32_t revs[2] = {0, 0};
    int r = 0;
    if (pair[0] >= L->block_count || pair[1] >= L->block_count)
        return CAIRN_ECORRUPT;
#if !CAIRN_LFS2_TINY
    const lx_mdir *known = lx_mc_find(L, pair); // (pair may alias dir's fields)
    if (known) {
        *dir = *known;
        // a name sorting after the key: not in the log, it would go at the
        // end (no scan; m->eq stays 0)
        if (m && m->kind == 1 && lx_kcmp(lx_mkey(known), m->name, m->len) > 0) {
            m->id = dir->count;
            return 0;
        }
    } else
#endif
    {
        uint32_t p[2] = {pair[0], pair[1]};
        for (int i = 0; i < 2; i++) {
            int ok = lx_rev(L, p[i], &revs[i]);
            if (ok < 0)
                return ok;
            if (i == 1 && ok && lx_scmp(revs[1], revs[0]) > 0)
                r = 1;
        }
        // the newer block first; the other when it has no valid commit
        dir->off = 0;
        for (int a = 0; !dir->off; a++) {
            if (a == 2)
                return CAIRN_ECORRUPT;
            dir->pair[0] = p[r ^ a];
            dir->pair[1] = p[r ^ a ^ 1];
            dir->rev = revs[r ^ a];
            int err = lx_scan(L, dir, CAIRN_LFS2_TINY ? m : NULL);
            if (err)
                return err;
        }
    }
    return m && !CAIRN_LFS2_TINY ? lx_scan(L, dir, m) : 0;
}

int cairn_lfs2_fetch(lx_t *L, lx_mdir *dir, const uint32_t pair[2])
{
    return lx_fetch_m(L, dir, pair, NULL);
}

/* ---- get: newest tag matching (mask, want), scanning the log backwards -- */

int cairn_lfs2_bstep(lx_t *L, uint32_t block, struct lx_bscan *s, uint32_t *tag)
{
    uint32_t d = lx_dsize(s->ntag);
    if (s->off < 4 + d)
        return 0;
    s->off -= d;
    *tag = s->ntag;
    uint8_t b[4];
    int err = lx_read_rc(L, 4, block, s->off, b, 4);
    if (err)
        return err;
    s->ntag = (lx_be32(b) ^ *tag) & 0x7fffffff;
    return 1;
}

int32_t cairn_lfs2_get(lx_t *L, const lx_mdir *dir, uint32_t want, void *buf)
{
    uint32_t mask = (want & LX_GET_T1) ? LX_TAG(0x700, 0x3ff, 0)
                    : lx_type3(want) == LX_T_MOVESTATE ? LX_TAG(0x7ff, 0, 0)
                    : LX_TAG(0x7ff, 0x3ff, 0);
    uint32_t size = lx_tsize(want);
    struct lx_bscan bs = {dir->off, dir->etag};
    uint32_t cur = want; // `want` as numbered where the scan is
    if ((mask & LX_TAG(0, 0x3ff, 0)) && lx_movedaway(L, dir, lx_id(want)))
        return CAIRN_ENOENT;
    for (;;) {
        uint32_t tag;
        int err = lx_bstep(L, dir->pair[0], &bs, &tag);
        if (err <= 0)
            return err ? err : CAIRN_ENOENT;
        if ((mask & LX_TAG(0, 0x3ff, 0)) && lx_type1(tag) == LX_T_SPLICE && lx_id(tag) <= lx_id(cur)) {
            if (tag == (LX_TAG(LX_T_CREATE, 0, 0) | (LX_TAG(0, 0x3ff, 0) & cur)))
                return CAIRN_ENOENT;
            cur -= (uint32_t)lx_splice(tag) << 10;
        }
        if ((mask & tag) == (mask & cur)) {
            if (lx_isdelete(tag))
                return CAIRN_ENOENT;
            if (buf) {
                uint32_t n = lx_min(size, lx_tsize(tag));
                err = lx_read_rc(L, n, dir->pair[0], bs.off + 4, buf, n);
                if (err)
                    return err;
                memset((uint8_t *)buf + n, 0, size - n);
            }
            return (int32_t)((tag + (want - cur)) & 0x7fffffff);
        }
    }
}

int lx_getgstate(lx_t *L, const lx_mdir *dir, lx_gstate *g)
{
    uint8_t b[12];
    int32_t t = lx_get(L, dir, LX_TAG(LX_T_MOVESTATE, 0, 12), b);
    if (t < 0)
        return t == CAIRN_ENOENT ? 0 : t;
    g->tag ^= lx_le32(b);
    g->pair[0] ^= lx_le32(b + 4);
    g->pair[1] ^= lx_le32(b + 8);
    return 0;
}

/* A commit being written (sizing: emitted entries only add up their sizes
 * in size), with the pending attrs on top of the log its entries come from. */
struct lx_em {
    lx_t *L;
    uint32_t block, off, ptag, crc, begin, end;
    uint32_t sizing, size;
    const struct lx_attr *attrs;
    int n;
    uint32_t src; /* the block lx_cattr copies entries from */
};

static int lx_cprog(struct lx_em *c, const void *buf, uint32_t size)
{
    lx_t *L = c->L;
    int err = lx_prog(L, &L->pcache, 0, c->block, c->off, buf, size);
    if (err)
        return err;
    c->crc = lx_crc(c->crc, buf, size);
    c->off += size;
    return 0;
}

/* One entry: tag plus data from memory, or copied from disk (mem == NULL:
 * from c->src at doff). */
static int lx_cattr(struct lx_em *c, uint32_t tag, const void *mem, uint32_t doff)
{
    lx_t *L = c->L;
    uint32_t dsz = lx_dsize(tag);
    if (c->off + dsz > c->end)
        return CAIRN_ENOSPC;
    uint8_t b[32];
    lx_pbe32(b, (tag & 0x7fffffff) ^ c->ptag);
    c->ptag = tag & 0x7fffffff; // (a failed commit is not resumed)
    int err = lx_cprog(c, b, 4);
    for (uint32_t i = 0; i < dsz - 4 && !err;) {
        uint32_t n = dsz - 4 - i;
        const void *p = b;
        if (mem) {
            p = (const uint8_t *)mem + i;
        } else {
            n = lx_min(n, sizeof b);
            err = lx_read(L, &L->pcache, &L->rcache, dsz - 4 - i, c->src, doff + i, b, n);
        }
        if (!err)
            err = lx_cprog(c, p, n);
        i += n;
    }
    return err;
}

LX_TINY_NOINLINE static int lx_ccrc(struct lx_em *c)
{
    lx_t *L = c->L;
    uint32_t end = lx_alignup(lx_min(c->off + 20, L->block_size), L->prog_size);
    uint32_t off1 = 0, crc1 = 0;
    int err;
    while (c->off < end) {
        uint32_t noff = lx_min(end - (c->off + 4), 0x3fe) + (c->off + 4);
        uint8_t eperturb = 0xff;
        if (noff < end) {
            noff = lx_min(noff, end - 20);
        } else if (noff <= L->block_size - L->prog_size) {
            err = lx_read_rc(L, L->prog_size, c->block, noff, &eperturb, 1);
            if (err && err != CAIRN_ECORRUPT)
                return err;
            if (lx_minor(L)) {
                uint32_t fc[2] = {L->prog_size, 0xffffffff};
                uint8_t *fb = (uint8_t *)fc;
                err = lx_crc_disk(L, fc[0], c->block, noff, fc[0], &fc[1]);
                if (err && err != CAIRN_ECORRUPT)
                    return err;
                lx_ple32(fb, fc[0]); // (in place)
                lx_ple32(fb + 4, fc[1]);
                err = lx_cattr(c, LX_TAG(LX_T_FCRC, 0x3ff, 8), fb, 0);
                if (err)
                    return err;
            }
        }
        // the valid bit of the next tag is the inverse of the erased state's
        uint32_t vb = (uint32_t)(uint8_t)~eperturb >> 7;
        uint32_t ntag = LX_TAG(LX_T_CRC, 0x3ff, noff - (c->off + 4)) + (vb << 20);
        uint8_t cc[8];
        lx_pbe32(cc, ntag ^ c->ptag);
        c->crc = lx_crc(c->crc, cc, 4);
        lx_ple32(cc + 4, c->crc);
        if (off1 == 0)
            off1 = c->off + 4, crc1 = c->crc;
        err = lx_cprog(c, cc, 8);
        if (err)
            return err;
        c->off = noff;
        c->ptag = ntag ^ (vb << 31);
        c->crc = 0xffffffff;
        if (noff >= end || noff >= L->pcache.off + L->cache_size) {
            err = lx_bd_sync(L);
            if (err)
                return err;
        }
    }
    if (lx_verify(L) == CAIRN_LFS2_VERIFY_NONE)
        return 0;
    // read the commit back: catches silently failed programs. Its CRC must be
    // the one computed here (a self-consistent stale commit left by a failed
    // erase is not ours), and the CRC word must hold it (the CRC over both is 0)
    uint32_t crc = 0xffffffff, n = off1 - c->begin;
    err = lx_crc_disk(L, n + 4, c->block, c->begin, n, &crc);
    if (!err && crc != crc1)
        return CAIRN_ECORRUPT;
    if (!err)
        err = lx_crc_disk(L, 4, c->block, off1, 4, &crc);
    return err ? err : crc ? CAIRN_ECORRUPT : 0;
}

/* ---- entry emission (compaction, moves, size estimates) ------------------ */

/*
 * What one backward scan finds of an entry: its newest name, struct and up to
 * two user attribute types (CAIRN_LFS2_TINY: one). The pending attrs count first. Compaction scans
 * for LX_WIN entries at once (seen NULL); an entry that needs more (a move,
 * more than two attribute types) takes the one-id path (lx_emit): its scan
 * has a `seen` set of the types of earlier passes (more: another pass
 * follows) and a move sends it on to its source's log.
 */
#define LX_WIN 8
#define LX_SLOT_MEM 0x80000000u /* off holds an attrs[] index */
struct lx_sloc {
    uint32_t tag, off;
};
struct lx_slot {
    uint32_t x;  /* the entry's id where the scan is */
    uint32_t mv; /* one-id path: 1 + attrs index of the entry's FROM_MOVE */
    /* more: in a window, the entry needs the one-id path; there, another pass.
     * ns: name (1) and struct (2) seen (a move's source: its name counts as seen) */
    uint8_t done, more, ns, nat, nsonly;
    uint8_t atype[2 - CAIRN_LFS2_TINY];
    struct lx_sloc l[4 - CAIRN_LFS2_TINY]; /* name, struct, attributes */
};

/* Feed one tag (newest first) to slot q; `loc` is a data offset, or
 * LX_SLOT_MEM | attrs index. */
LX_NOINLINE static void lx_see(struct lx_slot *q, uint8_t *seen, uint32_t tag, uint32_t loc)
{
    uint32_t t1 = lx_type1(tag), t3 = lx_type3(tag), tid = lx_id(tag);
    if (q->done)
        return;
    if (t1 == LX_T_SPLICE) {
        if (tid == q->x && t3 == LX_T_CREATE)
            q->done = 1;
        else if (tid <= q->x && tid != 0x3ff) // (before a create: one lower)
            q->x -= (uint32_t)lx_splice(tag);
        return;
    }
    if (tid != q->x)
        return;
    struct lx_sloc l = {tag, loc};
    if ((loc & LX_SLOT_MEM) && t3 == LX_T_FROM_MOVE) {
        // older attrs (the new name) still count; the source comes last
#if !CAIRN_LFS2_TINY
        if (!seen)
            q->more = q->done = 1;
        else
#endif
        if (!q->mv)
            q->mv = (loc & ~LX_SLOT_MEM) + 1;
    } else if (!(t1 & 0x500)) { // name (0x000) or struct (0x200)
        uint32_t k = (t1 >> 9) + 1;
        if (!(q->ns & k)) {
            q->ns |= (uint8_t)k;
            if (!lx_isdelete(tag))
                q->l[k - 1] = l;
        }
#if !CAIRN_LFS2_TINY
        if (q->nsonly && q->ns == 3)
            q->done = 1;
#endif
    } else if (t1 == LX_T_USERATTR) {
        uint8_t k = (uint8_t)lx_chunk(tag);
        // (tiny: every scan has a `seen` set, and takes one type)
        if (((CAIRN_LFS2_TINY || seen) && (seen[k / 8] & (1u << (k % 8)))) ||
            (q->nat && q->atype[0] == k) ||
            (!CAIRN_LFS2_TINY && q->nat > 1 && q->atype[1] == k))
            return;
        if (q->nat == 2 - CAIRN_LFS2_TINY) {
            q->more = 1;
            return;
        }
        q->atype[q->nat] = k;
        if (!lx_isdelete(tag))
            q->l[2 + q->nat] = l;
        q->nat++;
    }
}

/* Feed one tag to every slot: 1 while one is open. */
static int lx_feed(struct lx_slot *sl, uint32_t nw, uint8_t *seen, uint32_t tag, uint32_t loc)
{
#if CAIRN_LFS2_TINY
    // (one slot: compaction scans an entry at a time)
    (void)nw;
    lx_see(sl, seen, tag, loc);
    return !sl->done;
#else
    int open = 0;
    for (uint32_t i = 0; i < nw; i++) {
        lx_see(&sl[i], seen, tag, loc);
        open |= !sl[i].done;
    }
    return open;
#endif
}

/* Fill the slots from the pending attrs, then the disk log, newest first. On
 * the one-id path (seen) a moved entry's log is its source's: *dirp. */
static int lx_wscan(struct lx_em *e, struct lx_slot *sl, uint32_t nw, uint8_t *seen,
                    const lx_mdir **dirp)
{
    const struct lx_attr *attrs = e->attrs;
    const lx_mdir *dir = NULL;
    struct lx_bscan bs;
    int ai = e->n, open = 1;
    for (;;) {
        uint32_t tag, loc;
        if (ai > 0 && open) {
            tag = attrs[--ai].tag, loc = LX_SLOT_MEM | (uint32_t)ai;
        } else {
            if (!dir) {
                if (sl->mv) {
                    const struct lx_attr *a = &attrs[sl->mv - 1];
                    *dirp = a->buf;
                    sl->x = lx_tsize(a->tag);
                    sl->ns |= 1;
                    sl->done = 0;
                    open = 1;
                }
                dir = *dirp;
                bs.off = dir->off, bs.ntag = dir->etag; // (an empty log ends at once)
                ai = 0;
            }
            if (!open)
                return 0;
            int err = lx_bstep(e->L, dir->pair[0], &bs, &tag);
            if (err <= 0)
                return err;
            if (lx_id(tag) == 0x3ff)
                continue;
            loc = bs.off + 4;
        }
        open = lx_feed(sl, nw, seen, tag, loc);
    }
}

/* Write what slot q found renumbered as `newid`. */
static int lx_wout(struct lx_em *e, const lx_mdir *dir, const struct lx_slot *q, uint32_t newid)
{
    e->src = dir->pair[0];
    for (int k = 0; k < 4 - CAIRN_LFS2_TINY; k++) {
        uint32_t tag = q->l[k].tag, o = q->l[k].off;
        int err = 0;
        if (!tag)
            continue;
        tag = (tag & ~LX_TAG(0, 0x3ff, 0)) | LX_TAG(0, newid, 0);
        if (e->sizing)
            e->size += lx_dsize(tag);
        else
            err = lx_cattr(e, tag, o & LX_SLOT_MEM ? e->attrs[o & ~LX_SLOT_MEM].buf : NULL, o);
        if (err)
            return err;
    }
    return 0;
}

/*
 * Find the live tags of entry `id` as numbered after `attrs` are applied on
 * top of `dir`'s log, and write them to `c` renumbered as `newid` (see
 * lx_wout). Name first (the superblock magic must sit at offset 8), then
 * struct, then user attributes. `moveonly` keeps only structs and user
 * attributes (the source of a move).
 */
static int lx_emit(struct lx_em *e, const lx_mdir *dir0, uint32_t id0, uint32_t newid,
                   int moveonly)
{
    uint8_t seen[32]; // user attribute types already emitted/deleted
    uint8_t ns = 0;
    memset(seen, 0, sizeof seen);
    // 256 types, two per pass (tiny: one)
    for (int pass = 0; pass < (CAIRN_LFS2_TINY ? 258 : 130); pass++) {
        struct lx_slot q;
        memset(&q, 0, sizeof q);
        q.x = id0;
        q.ns = (uint8_t)(ns | moveonly);
        const lx_mdir *dir = dir0;
        int err = lx_wscan(e, &q, 1, seen, &dir);
        if (!err)
            err = lx_wout(e, dir, &q, newid);
        if (err)
            return err;
        if (!q.more)
            return 0;
        ns = q.ns;
        for (int i = 0; i < q.nat; i++) // (all of them: there is more)
            seen[q.atype[i] / 8] |= (uint8_t)(1u << (q.atype[i] % 8));
    }
    return CAIRN_ECORRUPT;
}

/* What a compaction writes: entries [begin, end) of `source` with `attrs`
 * applied (source NULL: the attrs are appended). */
struct lx_job {
    const struct lx_attr *attrs;
    int n;
    const lx_mdir *source;
    uint32_t end;
};

/* Emit entries [begin, j->end) renumbered from 0, a window of ids per scan. */
static int lx_emit_range(struct lx_em *e, const struct lx_job *j, uint32_t begin)
{
#if CAIRN_LFS2_TINY
    // an entry per scan (the same entries in the same order)
    for (uint32_t id = begin; id < j->end; id++) {
        int err = lx_emit(e, j->source, id, id - begin, 0);
        if (err)
            return err;
    }
    return 0;
#else
    const lx_mdir *dir = j->source;
    for (uint32_t w = begin; w < j->end; w += LX_WIN) {
        struct lx_slot sl[LX_WIN];
        uint32_t nw = lx_min(LX_WIN, j->end - w);
        memset(sl, 0, sizeof sl);
        for (uint32_t i = 0; i < nw; i++)
            sl[i].x = w + i;
        const lx_mdir *d = dir;
        int err = lx_wscan(e, sl, nw, NULL, &d);
        for (uint32_t i = 0; i < nw && !err; i++) {
            uint32_t id = w + i;
            err = sl[i].more ? lx_emit(e, dir, id, id - begin, 0)
                             : lx_wout(e, dir, &sl[i], id - begin);
        }
        if (err)
            return err;
    }
    return 0;
#endif
}

#if !CAIRN_LFS2_TINY
/*
 * One backward scan for both the name (REG/DIR) and the struct of entry `id`:
 * their tags and data offsets into e4 {ntag, noff, stag, soff} (tag 0 = none).
 * ENOENT when the name is missing.
 */
int cairn_lfs2_get_entry(lx_t *L, const lx_mdir *dir, uint32_t id, uint32_t *e4)
{
    struct lx_slot q;
    memset(&q, 0, sizeof q);
    q.x = id;
    q.nsonly = 1;
    e4[0] = 0;
    if (lx_movedaway(L, dir, id))
        return CAIRN_ENOENT;
    struct lx_em e; // (a scan: no commit, no attrs)
    e.L = L, e.attrs = NULL, e.n = 0;
    int err = lx_wscan(&e, &q, 1, NULL, &dir);
    if (err)
        return err;
    memcpy(e4, q.l, 16);
    // (the superblock's name is no entry's)
    if (e4[0] && (lx_type3(e4[0]) & 0x780) == 0)
        return 0;
    return CAIRN_ENOENT;
}
#endif

/* ---- metadata pair allocation, compaction, commit ---------------------------- */

/* The revision period after which a pair moves (wear levelling), 0 = never. */
LX_TINY_NOINLINE static uint32_t lx_cycles(lx_t *L)
{
    int32_t bc = lx_block_cycles(L);
    return bc > 0 ? ((uint32_t)bc + 1) | 1 : 0;
}

LX_NOINLINE static int lx_needsreloc(lx_t *L, const lx_mdir *dir)
{
    uint32_t p = lx_cycles(L);
    return p && (dir->rev + 1) % p == 0;
}

int cairn_lfs2_dir_alloc(lx_t *L, lx_mdir *dir)
{
    int err = lx_alloc(L, &dir->pair[1]);
    if (!err)
        err = lx_alloc(L, &dir->pair[0]);
    if (!err)
        err = lx_rev(L, dir->pair[0], &dir->rev);
    if (err < 0)
        return err;
    uint32_t p = lx_cycles(L);
    if (p)
        dir->rev = lx_alignup(dir->rev, p);
    dir->off = 4;
    dir->etag = 0xffffffff;
    dir->count = 0;
    dir->tail[0] = dir->tail[1] = LX_NULL;
    dir->erased = 0;
    dir->split = 0;
    return 0;
}

_Static_assert(sizeof(lx_gstate) == 12, "a gstate is three words");

/* The gstate delta a commit to dir carries (d): what RAM holds beyond the
 * disk's (after a relocation only gdelta) on top of dir's own. 1 when the
 * commit writes it, else 0, or an error. */
static int lx_gdelta(lx_t *L, const lx_mdir *dir, lx_gstate *d, int relocated, int compact)
{
    const uint32_t *a = (const uint32_t *)(const void *)&L->gdelta;
    const uint32_t *b = (const uint32_t *)(const void *)&L->gdisk;
    const uint32_t *c = (const uint32_t *)(const void *)&L->gstate;
    uint32_t *o = (uint32_t *)(void *)d;
    for (int i = 0; i < 3; i++)
        o[i] = a[i] ^ (relocated ? 0 : b[i] ^ c[i]);
    d->tag &= ~0x3ffu;
    if (!compact && lx_g_iszero(d))
        return 0;
    int err = lx_getgstate(L, dir, d);
    if (err)
        return err;
    return !compact || !lx_g_iszero(d);
}

/* Write one commit: a compaction (source set: dir's other block is erased,
 * then gets the revision and source's entries [begin, end)) or attrs
 * appended to dir's log (moves expanded); then the gstate delta and the
 * CRCs. On success dir takes the new log's state. (dir's own delta is read
 * first: a read error is never one that sends the commit elsewhere,
 * ECORRUPT or ENOSPC.) */
static int lx_cwrite(lx_t *L, lx_mdir *dir, const struct lx_job *j, uint32_t begin,
                     int relocated)
{
    const lx_mdir *source = j->source;
    // (the moves of an append bring their source's entries, not attrs)
    struct lx_em c = {L, dir->pair[0], dir->off, dir->etag, 0xffffffff, dir->off,
                      lx_metadata_max(L) - 8, 0, 0, j->attrs, 0, 0};
    if (source)
        c.block = dir->pair[1], c.off = c.begin = 0, c.ptag = 0xffffffff, c.n = j->n;
    uint8_t b[8];
    lx_gstate d;
    int err = lx_gdelta(L, dir, &d, relocated, source != NULL), wd = err;
    if (err < 0)
        return err;
    err = 0;
    if (source) {
        err = lx_erase(L, c.block);
        if (!err) {
            lx_ple32(b, dir->rev);
            err = lx_cprog(&c, b, 4);
        }
        if (!err)
            err = lx_emit_range(&c, j, begin);
        if (!err && !lx_pair_isnull(dir->tail)) {
            lx_ppair(b, dir->tail);
            err = lx_cattr(&c, LX_TAG(LX_T_TAIL + dir->split, 0x3ff, 8), b, 0);
        }
    } else {
        for (int i = 0; i < j->n && !err; i++) {
            const struct lx_attr *a = &j->attrs[i];
            if (lx_type3(a->tag) == LX_T_FROM_MOVE)
                err = lx_emit(&c, a->buf, lx_tsize(a->tag), lx_id(a->tag), 1);
            else
                err = lx_cattr(&c, a->tag, a->buf, 0);
        }
    }
    if (!err && wd) {
        // little-endian, unlike tags (in place: a no-op on such targets)
        uint8_t *g = (uint8_t *)&d;
        lx_ple32(g, d.tag);
        lx_ple32(g + 4, d.pair[0]);
        lx_ple32(g + 8, d.pair[1]);
        err = lx_cattr(&c, LX_TAG(LX_T_MOVESTATE, 0x3ff, 12), g, 0);
    }
    if (!err)
        err = lx_ccrc(&c);
    if (err)
        return err;
    if (source) {
        lx_pair_swap(dir->pair);
        dir->count = (uint16_t)(j->end - begin);
        dir->erased = 1;
    }
    dir->off = c.off;
    dir->etag = c.ptag;
    cairn_lfs2_mc_put(L, dir);
    L->gdelta.tag = L->gdelta.pair[0] = L->gdelta.pair[1] = 0;
    if (!relocated)
        L->gdisk = L->gstate;
    return 0;
}

static int lx_compact(lx_t *L, lx_mdir *dir, const struct lx_job *j, uint32_t begin)
{
    int relocated = 0;
    int tired = lx_needsreloc(L, dir);
    cairn_lfs2_forget(L, dir->pair[0]); // (and with it the state of dir->pair)
    dir->rev += 1;
    int reloc = tired && !lx_issb(dir->pair);
    for (uint32_t guard = 0;; guard++) {
        if (guard > L->block_count + 2)
            return CAIRN_ENOSPC;
        if (!reloc) {
            int err = lx_cwrite(L, dir, j, begin, relocated);
            if (!err)
                return relocated ? LX_OK_RELOCATED : 0;
            if (err != CAIRN_ECORRUPT)
                return err;
        }
        // bad block (or worn): move this half of the pair elsewhere
        reloc = 0;
        relocated = 1;
        lx_cache_zero(L, &L->pcache);
        if (lx_issb(dir->pair))
            return L->bad_run ? CAIRN_EIO : CAIRN_ENOSPC;
        int err = lx_alloc(L, &dir->pair[1]);
        if (err && (err != CAIRN_ENOSPC || !tired))
            return err;
        tired = 0;
    }
}

/* A reference `p` to pair `from` (one sharing a block with it) now names `to`. */
static void lx_repoint(uint32_t p[2], const uint32_t from[2], const uint32_t to[2])
{
    if (lx_pair_cmp(p, from) == 0)
        p[0] = to[0], p[1] = to[1];
}

static int lx_split(lx_t *L, lx_mdir *dir, const struct lx_job *j, uint32_t split)
{
    lx_mdir tail;
    int err = lx_dir_alloc(L, &tail);
    if (err)
        return err;
    tail.split = dir->split;
    tail.tail[0] = dir->tail[0];
    tail.tail[1] = dir->tail[1];
    int res = lx_compact(L, &tail, j, split);
    if (res < 0)
        return res;
    dir->tail[0] = tail.pair[0];
    dir->tail[1] = tail.pair[1];
    dir->split = 1;
    if (split == 0)
        lx_repoint(L->root, dir->pair, tail.pair);
    return 0;
}

/* Compact entries [0, j->end) of j->source into dir, first moving the upper
 * halves out to new tail pairs while they do not fit (j->end shrinks). */
LX_NOINLINE static int lx_splittingcompact(lx_t *L, lx_mdir *dir, struct lx_job *j)
{
    struct lx_em e; // (sizing: no commit fields)
    e.L = L, e.sizing = 1, e.attrs = j->attrs, e.n = j->n;
    for (;;) {
        uint32_t split = 0, end = j->end;
        while (end - split > 1) {
            e.size = 0;
            int err = lx_emit_range(&e, j, split);
            if (err)
                return err;
            uint32_t mm = lx_metadata_max(L);
            if (end - split < 0xff && e.size <= lx_min(mm - 40, lx_alignup(mm / 2, L->prog_size)))
                break;
            split = split + (end - split) / 2;
        }
        if (split == 0)
            break;
        int err = lx_split(L, dir, j, split);
        if (err && err != CAIRN_ENOSPC)
            return err;
        if (err)
            break;
        j->end = split;
    }
    if (lx_needsreloc(L, dir) && lx_issb(dir->pair)) {
        // {0,1} cannot move: when it wears, move the root out and keep only a
        // superblock copy there (littlefs cannot take this back, so only
        // while the volume is less than ~88% full)
        uint32_t used = 0;
        int err = lx_traverse(L, cairn_lfs2_count_cb, &used, 0);
        if (err)
            return err;
        if (L->block_count - used > L->block_count / 8) {
            err = lx_split(L, dir, j, 0);
            if (err && err != CAIRN_ENOSPC)
                return err;
            if (!err)
                j->end = 1;
        }
    }
    return lx_compact(L, dir, j, 0);
}

static int lx_relocatingcommit(lx_t *L, lx_mdir *dir, const uint32_t *selfpair,
                               const struct lx_attr *attrs, int n, lx_mdir *pdir)
{
    int state = 0, hasdelete = 0;
    uint32_t oldpair[2] = {selfpair[0], selfpair[1]};
    struct lx_job j = {attrs, n, NULL, 0};
    for (int i = 0; i < n; i++) {
        uint32_t tag = attrs[i].tag;
        if (lx_type1(tag) == LX_T_SPLICE) {
            int dl = lx_splice(tag); // CREATE +1, DELETE -1
            if (dir->count + dl < 0)
                return CAIRN_ECORRUPT;
            dir->count = (uint16_t)(dir->count + dl);
            hasdelete |= dl < 0;
        } else if (lx_type1(tag) == LX_T_TAIL) {
            const uint8_t *p = attrs[i].buf;
            dir->tail[0] = lx_le32(p);
            dir->tail[1] = lx_le32(p + 4);
            dir->split = lx_chunk(tag) & 1;
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
#if !CAIRN_LFS2_TINY
        // (an append leaves the lookup memo's resume point valid)
        uint32_t mb = lx_memo(L)->block;
        cairn_lfs2_forget(L, dir->pair[0]);
        lx_memo(L)->block = mb;
#endif
        int err = lx_cwrite(L, dir, &j, 0, 0);
        if (!err)
            goto fixmlist;
        if (err != CAIRN_ENOSPC && err != CAIRN_ECORRUPT)
            return err;
    }
    lx_cache_zero(L, &L->pcache);
    {
        lx_mdir source = *dir;
        j.source = &source;
        j.end = dir->count;
        state = lx_splittingcompact(L, dir, &j);
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
                uint32_t tag = attrs[i].tag, id = lx_id(tag);
                int dl = lx_type1(tag) == LX_T_SPLICE ? lx_splice(tag) : 0; // CREATE +1, DELETE -1
                if (dl < 0 && d->id == id && d->type != LX_T_DIR) {
                    d->m.pair[0] = d->m.pair[1] = LX_NULL;
                } else if (dl && d->id >= id + (dl < 0)) {
                    d->id = (uint16_t)(d->id + dl);
                    if (d->type == LX_T_DIR)
                        ((struct lx_dir *)d)->pos += (uint32_t)dl;
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

int cairn_lfs2_steal(lx_t *L, const lx_mdir *x, uint8_t b[8], struct lx_attr *a)
{
    lx_ppair(b, x->tail);
    a->tag = LX_TAG(LX_T_TAIL + x->split, 0x3ff, 8);
    a->buf = b;
    return lx_getgstate(L, x, &L->gdelta);
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
        uint8_t b[8];
        struct lx_attr a;
        int err = lx_steal(L, dir, b, &a);
        if (err)
            return err;
        lpair[0] = pdir.pair[0];
        lpair[1] = pdir.pair[1];
        state = lx_relocatingcommit(L, &pdir, lpair, &a, 1, NULL);
        if (state < 0)
            return state;
        // (only ldir's pair is used from here on)
        ldir.pair[0] = pdir.pair[0], ldir.pair[1] = pdir.pair[1];
    }
    int orphans = 0;
    for (uint32_t guard = 0; state == LX_OK_RELOCATED; guard++) {
        if (guard > L->block_count)
            return CAIRN_ECORRUPT;
        state = 0;
        // (the commit that relocated lpair has already moved the open
        // handles' states on to ldir.pair)
        lx_repoint(L->root, lpair, ldir.pair);
        for (struct lx_mlist *d = L->mlist; d; d = d->next)
            if (d->type == LX_T_DIR)
                lx_repoint(((struct lx_dir *)d)->head, lpair, ldir.pair);
        // the parent's dirstruct, then the predecessor's tail, point at
        // ldir.pair; a relocated parent starts the next round
        for (int step = 0, hasparent = 0; step < 2; step++) {
            int32_t tag = step ? lx_pred(L, lpair, &pdir) : lx_parent(L, lpair, &pdir);
            if (tag == CAIRN_ENOENT)
                continue;
            if (tag < 0)
                return tag;
            if (!step || lx_g_orphans(&L->gstate))
                lx_preporphans(L, step ? -hasparent : 1);
            hasparent = 1;
            if (step)
                tag = (int32_t)LX_TAG(LX_T_TAIL + pdir.split, 0x3ff, 8);
            uint32_t pp[2];
            state = lx_fixcommit(L, &pdir, pp, (uint32_t)tag, ldir.pair);
            if (state < 0)
                return state;
            if (state == LX_OK_RELOCATED) {
                lpair[0] = pp[0], lpair[1] = pp[1];
                ldir.pair[0] = pdir.pair[0], ldir.pair[1] = pdir.pair[1];
                orphans |= !step;
                break;
            }
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
    uint8_t b[8];
    struct lx_attr a;
    int err = lx_steal(L, tail, b, &a);
    return err ? err : lx_commit(L, dir, &a, 1);
}
