/*
 * littlefs v2 driver: private declarations shared by the files of src/lfs2.
 */
#ifndef CAIRN_LFS2_LX_H
#define CAIRN_LFS2_LX_H

#include <stddef.h>
#include <string.h>

#include "cairn/lfs2.h"

// Out of line: GCC -Os inlines a static function with one caller, and in the
// big scans that makes more code (register pressure) than the call saves.
#if defined(__GNUC__)
#define LX_NOINLINE __attribute__((noinline))
#else
#define LX_NOINLINE
#endif
// (the same where only the size-first configuration's code gets smaller)
#if CAIRN_LFS2_TINY
#define LX_TINY_NOINLINE LX_NOINLINE
#else
#define LX_TINY_NOINLINE
#endif

typedef struct cairn_lfs2_private lx_t;
typedef struct cairn_lfs2_mdir lx_mdir;
typedef struct cairn_lfs2_cache lx_cache;
typedef struct cairn_lfs2_gstate lx_gstate;

#define LX_NULL 0xffffffffu
#define LX_INLINE 0xfffffffeu

#define LX_TAG(t, id, sz) (((uint32_t)(t) << 20) | ((uint32_t)(id) << 10) | (uint32_t)(sz))

enum {
    LX_T_NAME = 0x000,
    LX_T_REG = 0x001,
    LX_T_DIR = 0x002,
    LX_T_SUPERBLOCK = 0x0ff,
    LX_T_FROM_MOVE = 0x101, /* in memory only */
    LX_T_STRUCT = 0x200,
    LX_T_DIRSTRUCT = 0x200,
    LX_T_INLINESTRUCT = 0x201,
    LX_T_CTZSTRUCT = 0x202,
    LX_T_USERATTR = 0x300,
    LX_T_SPLICE = 0x400,
    LX_T_CREATE = 0x401,
    LX_T_DELETE = 0x4ff,
    LX_T_CRC = 0x500,
    LX_T_FCRC = 0x5ff,
    LX_T_TAIL = 0x600,
    LX_T_SOFTTAIL = 0x600,
    LX_T_HARDTAIL = 0x601,
    LX_T_MOVESTATE = 0x7ff,
};

/* commit outcomes besides errors */
#define LX_OK_RELOCATED 1
#define LX_OK_DROPPED 2
#define LX_OK_ORPHANED 3

/* open handle bookkeeping: every open file/dir sits on the mount's list so
 * commits can fix up ids and pairs under it */
struct lx_mlist {
    struct lx_mlist *next;
    uint16_t id;
    uint8_t type; /* LX_T_REG, LX_T_DIR, 0 = temporary */
    uint8_t flags; /* CAIRN_LFS2_TINY files: the access mode and LX_F_* (lx_ff) */
    lx_mdir m;
};

#if CAIRN_LFS2_TINY
// (one byte with the access mode, in the list entry: the handle has no flags
// word; in the default build the byte costs more code than the word)
#define lx_ff l.flags
#define LX_F_APPEND 0x04u
#define LX_F_DIRTY 0x08u
#define LX_F_WRITING 0x10u
#define LX_F_READING 0x20u
#define LX_F_ERRED 0x40u
#define LX_F_INLINE 0x80u
#else
#define lx_ff flags
#define LX_F_APPEND CAIRN_O_APPEND
#define LX_F_DIRTY 0x010000u
#define LX_F_WRITING 0x020000u
#define LX_F_READING 0x040000u
#define LX_F_ERRED 0x080000u
#define LX_F_INLINE 0x100000u
#define LX_F_MTIME 0x200000u
#endif

struct lx_file {
    struct lx_mlist l;
    uint32_t head, size; /* ctz (or LX_INLINE, inline size) */
#if !CAIRN_LFS2_TINY
    uint32_t flags; /* the access mode, CAIRN_O_APPEND and LX_F_* (lx_ff) */
#endif
    uint32_t pos;
    union { /* the block at pos and the offset in it; bo: lx_ctz_find's out[2] */
        struct {
            uint32_t block, off;
        };
        uint32_t bo[2];
    };
    lx_cache cache;
    uint8_t mtime[8];
    /* cache_size bytes follow */
};

_Static_assert(offsetof(struct lx_file, off) == offsetof(struct lx_file, bo[1]), "lx_file bo");

struct lx_dir {
    struct lx_mlist l;
    uint32_t head[2];
    uint32_t pos;
};

struct lx_attr {
    uint32_t tag;
    const void *buf;
};

/* Optional matcher run during a fetch's forward scan (one pass per pair);
 * kind 1 skips the scan of a known pair whose name-range key sorts before
 * the name (eq 0, id its count). */
struct lx_match {
    int kind; /* 1 name (REG/DIR), 2 dirstruct pair, 3 superblock magic */
    const char *name;
    uint32_t len;
    const uint32_t *pair;
    /* results */
    uint16_t id;
    uint8_t eq;
    uint32_t tag;
    lx_gstate g; /* kind 3: the pair's move state (its newest MOVESTATE) */
};

/* internal cross-file functions (core.c) */
int cairn_lfs2_pair_cmp(const uint32_t a[2], const uint32_t b[2]);
uint32_t cairn_lfs2_crc(uint32_t crc, const void *buf, size_t size);
void cairn_lfs2_cache_zero(lx_t *L, lx_cache *c);
int cairn_lfs2_read(lx_t *L, const lx_cache *pc, lx_cache *rc, uint32_t hint, uint32_t block, uint32_t off, void *buf, uint32_t size);
/* cairn_lfs2_read through the read cache alone (no program cache can shadow
 * the range): fewer arguments at the many metadata read sites. */
int cairn_lfs2_read_rc(lx_t *L, uint32_t hint, uint32_t block, uint32_t off, void *buf, uint32_t size);
/* Read size bytes at block:off through the read cache and compare them with
 * p (0 equal, 1 the disk sorts first, 2 after) or, LX_DCRC in size, add them
 * to the CRC at p. */
#define LX_DCRC 0x80000000u
int cairn_lfs2_disk(lx_t *L, uint32_t hint, uint32_t block, uint32_t off, uint32_t size, void *p);
/* CRC of `size` bytes at block:off, read through the read cache. */
#define lx_crc_disk(L, h, b, o, n, crc) cairn_lfs2_disk(L, h, b, o, (n) | LX_DCRC, crc)
int cairn_lfs2_flush(lx_t *L, lx_cache *pc, int validate);
/* Program through pc (the read cache drops what changes). */
int cairn_lfs2_prog(lx_t *L, lx_cache *pc, int validate, uint32_t block, uint32_t off, const void *buf, uint32_t size);
int cairn_lfs2_erase(lx_t *L, uint32_t block);
/* Flush the program cache (metadata: not read back) and sync the device. */
int cairn_lfs2_bd_sync(lx_t *L);
int cairn_lfs2_hasmovehere(const lx_gstate *g, const uint32_t pair[2]);
void cairn_lfs2_preporphans(lx_t *L, int n);
void cairn_lfs2_prepmove(lx_t *L, uint32_t id, const uint32_t pair[2]);
/* A pending move out of `pair` is about to be committed there: clear it and
 * return the id its delete must name (0x3ff = none pending). */
uint32_t cairn_lfs2_takemove(lx_t *L, const uint32_t pair[2]);
int cairn_lfs2_fetch_m(lx_t *L, lx_mdir *dir, const uint32_t pair[2], struct lx_match *m);
int cairn_lfs2_fetch(lx_t *L, lx_mdir *dir, const uint32_t pair[2]);
/* Backward scan of a pair's log from {dir->off, dir->etag}: each step moves
 * to the next older tag (*tag; its data at off + 4). 1, 0 at the log's start,
 * or an error. */
struct lx_bscan {
    uint32_t off, ntag;
};
int cairn_lfs2_bstep(lx_t *L, uint32_t block, struct lx_bscan *s, uint32_t *tag);
#define lx_bstep cairn_lfs2_bstep
/* The newest tag matching `want` (type and id; LX_GET_T1 in want: the type's
 * upper 3 bits and id; MOVESTATE: the type alone), its data into buf (the
 * size field of `want` bytes, zero-filled past the tag's). */
#define LX_GET_T1 0x80000000u
int32_t cairn_lfs2_get(lx_t *L, const lx_mdir *dir, uint32_t want, void *buf);
int cairn_lfs2_alloc(lx_t *L, uint32_t *block);
/* An empty lookahead window (none of its blocks known used) at la_start. */
void cairn_lfs2_la_open(lx_t *L);
#if !CAIRN_LFS2_TINY
/* Mount's walk: mark one pair's blocks and references in the window, which
 * mount made a bitmap of the whole device. */
int cairn_lfs2_alloc_seed_pair(lx_t *L, const lx_mdir *dir);
/* Fill the first lookahead window at la_start from the walk's bitmap. */
void cairn_lfs2_alloc_seed_window(lx_t *L, const uint8_t *bm);
#endif
uint32_t cairn_lfs2_ctz_index(lx_t *L, uint32_t *off);
/* the block and offset of byte pos of f's list, into out[0] and out[1]; read
 * through f's cache when out is f->bo (the handle's position), else the read
 * cache (CAIRN_LFS2_TINY: always the read cache) */
int cairn_lfs2_ctz_find(lx_t *L, struct lx_file *f, uint32_t pos, uint32_t *out);
/* Copy the first n bytes of block src (LX_INLINE: of spc's buffer; else read
 * through spc and the read cache) to nb through pc: 0, 1 when nb would not
 * take them (relocate), or an error. */
int cairn_lfs2_copy(lx_t *L, const lx_cache *spc, lx_cache *pc, uint32_t src, uint32_t nb,
                    uint32_t n);
/* a block for f->pos onwards: the file's list (last block f->block) copied
 * or extended; into f->block and f->off */
int cairn_lfs2_ctz_extend(lx_t *L, struct lx_file *f);
int cairn_lfs2_dir_alloc(lx_t *L, lx_mdir *dir);
int cairn_lfs2_pred(lx_t *L, const uint32_t pair[2], lx_mdir *pdir);
int32_t cairn_lfs2_parent(lx_t *L, const uint32_t pair[2], lx_mdir *parent);
int cairn_lfs2_commit(lx_t *L, lx_mdir *dir, const struct lx_attr *attrs, int n);
int cairn_lfs2_drop(lx_t *L, lx_mdir *dir, const lx_mdir *tail);
/* The attr that drops pair x from the list (x's tail, data in b); x's gstate
 * delta goes to gdelta, for that commit to carry. */
int cairn_lfs2_steal(lx_t *L, const lx_mdir *x, uint8_t b[8], struct lx_attr *a);
#define lx_steal cairn_lfs2_steal
int cairn_lfs2_deorphan(lx_t *L, int powerloss);
void cairn_lfs2_sb_encode(lx_t *L, uint8_t *b);
int cairn_lfs2_forceconsistency(lx_t *L);
/* Commit the superblock entry the mount's state describes to the root pair. */
int cairn_lfs2_sb_commit(lx_t *L);
/* CAIRN_EROFS on a read-only mount, else forceconsistency: before any change. */
int cairn_lfs2_writable(lx_t *L);
/* forceconsistency, then commit the cleared global state to the medium. */
#if CAIRN_LFS2_FSCK
int cairn_lfs2_mkconsistent(lx_t *L);
#endif
int cairn_lfs2_count_cb(void *ctx, uint32_t block);
#if CAIRN_LFS2_TINY
// no speed caches: nothing to keep up to date
static inline void cairn_lfs2_mc_put(lx_t *L, const lx_mdir *dir) { (void)L, (void)dir; }
static inline void cairn_lfs2_forget(lx_t *L, uint32_t block) { (void)L, (void)block; }
static inline void cairn_lfs2_forget_memos(lx_t *L, uint32_t block) { (void)L, (void)block; }
static inline void cairn_lfs2_ctz_moved(lx_t *L, uint32_t old, uint32_t nb, uint32_t size)
{
    (void)L, (void)old, (void)nb, (void)size;
}
#else
int cairn_lfs2_get_entry(lx_t *L, const lx_mdir *dir, uint32_t id, uint32_t *e4);
void cairn_lfs2_mc_put(lx_t *L, const lx_mdir *dir);

/* Forget what the caches keyed by block (pair states, the lookup memo, the
 * skip-list map) know of `block` (LX_NULL: everything). */
void cairn_lfs2_forget(lx_t *L, uint32_t block);
/* Forget the lookup memo and the skip-list map if they are about `block`
 * (cairn_lfs2_forget without the pair states: the allocator's case, since an
 * allocated block is erased, which forgets its pair state, before it holds a
 * pair). */
void cairn_lfs2_forget_memos(lx_t *L, uint32_t block);
/* The last block `old` (LX_INLINE: an inline file) of a list of `size` bytes
 * was copied to `nb`: the map follows it. */
void cairn_lfs2_ctz_moved(lx_t *L, uint32_t old, uint32_t nb, uint32_t size);
#endif
/* Brent's cycle check over a walk of pairs (lx_cycle): start at
 * LX_CYCLE_INIT, step once per pair visited; 1 when `t` comes round again. */
struct lx_cycle {
    uint32_t p[2], i, n;
};
#define LX_CYCLE_INIT {{LX_NULL, LX_NULL}, 1, 1}
/* One step of a walk of the metadata list from the superblock pair: fetch
 * the pair d->tail names (c->n 0: the walk starts, at {0, 1}) with the
 * optional matcher m. 1 when a pair was fetched, 0 at the list's end, or an
 * error (a cycle: CAIRN_ECORRUPT). */
int cairn_lfs2_walk(lx_t *L, lx_mdir *d, struct lx_cycle *c, struct lx_match *m);
int cairn_lfs2_traverse(lx_t *L, int (*cb)(void *, uint32_t), void *ctx, int orphans);
int cairn_lfs2_ctz_traverse(lx_t *L, const lx_cache *pc, uint32_t head,
                            uint32_t size, int (*cb)(void *, uint32_t), void *ctx);

#define lx_pair_cmp cairn_lfs2_pair_cmp
#define lx_crc cairn_lfs2_crc
#define lx_cache_zero cairn_lfs2_cache_zero
#define lx_read cairn_lfs2_read
#define lx_read_rc cairn_lfs2_read_rc
#define lx_flush cairn_lfs2_flush
#define lx_prog cairn_lfs2_prog
#define lx_erase cairn_lfs2_erase
#define lx_bd_sync cairn_lfs2_bd_sync
#define lx_g_hasmovehere cairn_lfs2_hasmovehere
#define lx_preporphans cairn_lfs2_preporphans
#define lx_prepmove cairn_lfs2_prepmove
#define lx_takemove cairn_lfs2_takemove
#define lx_fetch_m cairn_lfs2_fetch_m
#define lx_fetch cairn_lfs2_fetch
#define lx_get cairn_lfs2_get
#define lx_traverse cairn_lfs2_traverse
#define lx_alloc cairn_lfs2_alloc
#define lx_ctz_index cairn_lfs2_ctz_index
#define lx_ctz_find cairn_lfs2_ctz_find
#define lx_ctz_traverse cairn_lfs2_ctz_traverse
#define lx_dir_alloc cairn_lfs2_dir_alloc
#define lx_pred cairn_lfs2_pred
#define lx_parent cairn_lfs2_parent
#define lx_deorphan cairn_lfs2_deorphan
#define lx_commit cairn_lfs2_commit
#define lx_drop cairn_lfs2_drop
#define lx_forceconsistency cairn_lfs2_forceconsistency
#define lx_writable cairn_lfs2_writable
#define lx_ctz_extend cairn_lfs2_ctz_extend
#define lx_sb_encode cairn_lfs2_sb_encode

/* ---- small helpers shared by the driver files ---- */
/* ---- small helpers --------------------------------------------------------- */

static inline uint32_t lx_min(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t lx_max(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t lx_aligndown(uint32_t a, uint32_t b) { return a - (a % b); }
static inline uint32_t lx_alignup(uint32_t a, uint32_t b) { return lx_aligndown(a + b - 1, b); }
static inline uint32_t lx_ctz(uint32_t a) { return (uint32_t)__builtin_ctz(a); }
// no __builtin_popcount: without a popcount instruction it is a libgcc call
static inline uint32_t lx_popc(uint32_t a)
{
    a = a - ((a >> 1) & 0x55555555u);
    a = (a & 0x33333333u) + ((a >> 2) & 0x33333333u);
    return (((a + (a >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}
static inline int lx_scmp(uint32_t a, uint32_t b) { return (int)(int32_t)(a - b); }
// the memcpy forms let GCC load or store a word at once (unaligned loads on
// Cortex-M3/M4; byte code where the target has none)
static inline uint32_t lx_le32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}
static inline void lx_ple32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 4);
#else
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
#endif
}
static inline uint32_t lx_be32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap32(lx_le32(p));
#else
    return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
#endif
}
static inline void lx_pbe32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
    memcpy(p, &v, 4);
#else
    p[3] = (uint8_t)v, p[2] = (uint8_t)(v >> 8), p[1] = (uint8_t)(v >> 16), p[0] = (uint8_t)(v >> 24);
#endif
}
static inline uint32_t lx_type1(uint32_t t) { return (t >> 20) & 0x700; }
static inline uint32_t lx_type3(uint32_t t) { return (t >> 20) & 0x7ff; }
static inline uint32_t lx_chunk(uint32_t t) { return (t >> 20) & 0xff; }
static inline uint32_t lx_id(uint32_t t) { return (t >> 10) & 0x3ff; }
static inline uint32_t lx_tsize(uint32_t t) { return t & 0x3ff; }
static inline int lx_isdelete(uint32_t t) { return (t & 0x3ff) == 0x3ff; }
static inline uint32_t lx_dsize(uint32_t t) { return 4 + (lx_isdelete(t) ? 0 : lx_tsize(t)); }
static inline int lx_splice(uint32_t t) { return (int8_t)lx_chunk(t); }
static inline int lx_pair_sync(const uint32_t a[2], const uint32_t b[2])
{
    return (a[0] == b[0] && a[1] == b[1]) || (a[0] == b[1] && a[1] == b[0]);
}
static inline int lx_pair_isnull(const uint32_t a[2]) { return a[0] == LX_NULL || a[1] == LX_NULL; }
static inline void lx_pair_swap(uint32_t p[2])
{
    uint32_t t = p[0];
    p[0] = p[1];
    p[1] = t;
}
static inline int lx_cycle(struct lx_cycle *c, const uint32_t t[2])
{
    if (lx_pair_sync(t, c->p))
        return 1;
    if (c->i == c->n) {
        c->p[0] = t[0], c->p[1] = t[1];
        c->i = 0;
        c->n *= 2;
    }
    c->i++;
    return 0;
}
/* Configuration values the size-first build reads where it uses them (the
 * default build keeps them in the mount state, as lx_setup resolved them). */
#if CAIRN_LFS2_TINY
static inline uint32_t lx_cfgv(uint32_t v, uint32_t def) { return v ? v : def; }
#define lx_la_bytes(L) lx_cfgv((L)->cfg->lookahead_size, 32)
#define lx_read_size(L) lx_cfgv((L)->cfg->read_size, 32)
#define lx_metadata_max(L) lx_cfgv((L)->cfg->metadata_max, (L)->block_size)
#define lx_la_buf(L) ((uint8_t *)(L)->cfg->buffer)
#define lx_block_cycles(L) ((int32_t)lx_cfgv((uint32_t)(L)->cfg->block_cycles, 100))
#define lx_minor(L) ((L)->minor)
#define lx_no_mtime(L) ((L)->cfg->no_mtime)
#define lx_verify(L) ((L)->cfg->prog_verify)
#else
#define lx_la_bytes(L) ((L)->la_bytes)
#define lx_read_size(L) ((L)->read_size)
#define lx_metadata_max(L) ((L)->metadata_max)
#define lx_la_buf(L) ((L)->la_buf)
#define lx_block_cycles(L) ((L)->block_cycles)
#define lx_minor(L) ((L)->disk_version & 0xffff)
#define lx_no_mtime(L) ((L)->no_mtime)
#define lx_verify(L) ((L)->verify)
#endif
static inline void lx_cache_drop(lx_cache *c) { c->block = LX_NULL; }
/* The allocator may look at every block once more before it reports ENOSPC. */
static inline void lx_alloc_ckpoint(lx_t *L) { L->la_ckpoint = L->block_count; }
/* Forget the lookahead window: the next allocation scans afresh. */
static inline void lx_alloc_drop(lx_t *L)
{
    L->la_size = L->la_next = 0;
    lx_alloc_ckpoint(L);
}
/* ---- global state ---------------------------------------------------------- */

static inline int lx_g_iszero(const lx_gstate *g) { return !g->tag && !g->pair[0] && !g->pair[1]; }
static inline void lx_g_xor(lx_gstate *a, const lx_gstate *b)
{
    a->tag ^= b->tag, a->pair[0] ^= b->pair[0], a->pair[1] ^= b->pair[1];
}
static inline uint32_t lx_g_orphans(const lx_gstate *g) { return g->tag & 0x1ff; }
static inline int lx_g_hasmove(const lx_gstate *g) { return lx_type1(g->tag) != 0; }
/* The filesystem object L is the private part of. */
static inline struct cairn_fs *lx_fs(lx_t *L)
{
    return &((struct cairn_lfs2 *)(void *)((char *)L - offsetof(struct cairn_lfs2, priv)))->fs;
}
static inline struct cairn_bdev *lx_bd(lx_t *L) { return lx_fs(L)->bdev; }
static inline lx_t *lx_of(struct cairn_fs *fs) { return &((struct cairn_lfs2 *)fs)->priv; }
static inline void lx_mlist_append(lx_t *L, struct lx_mlist *m)
{
    m->next = L->mlist;
    L->mlist = m;
}
static inline void lx_mlist_remove(lx_t *L, struct lx_mlist *m)
{
    for (struct lx_mlist **p = (struct lx_mlist **)&L->mlist; *p; p = &(*p)->next) {
        if (*p == m) {
            *p = m->next;
            return;
        }
    }
}

/* functions shared between the driver files */
#define lx_getgstate cairn_lfs2_getgstate
#define lx_orphaningcommit cairn_lfs2_orphaningcommit
#define lx_mkfs cairn_lfs2_mkfs
#define lx_mount cairn_lfs2_mount
#define lx_umount cairn_lfs2_umount
#define lx_file_size cairn_lfs2_file_size
#define lx_dir_size cairn_lfs2_dir_size
#define lx_open cairn_lfs2_open
#define lx_close cairn_lfs2_close
#define lx_sync cairn_lfs2_sync
#define lx_read_op cairn_lfs2_read_op
#define lx_write_op cairn_lfs2_write_op
#define lx_seek cairn_lfs2_seek
#define lx_tell cairn_lfs2_tell
#define lx_size_op cairn_lfs2_size_op
#define lx_truncate cairn_lfs2_truncate
#define lx_namelen cairn_lfs2_namelen
#define lx_path_islast cairn_lfs2_path_islast
#define lx_find cairn_lfs2_find
#define lx_get_struct cairn_lfs2_get_struct
#define lx_get_mtime cairn_lfs2_get_mtime
#define lx_opendir cairn_lfs2_opendir
#define lx_readdir cairn_lfs2_readdir
#define lx_closedir cairn_lfs2_closedir
#define lx_stat cairn_lfs2_stat
#define lx_mkdir cairn_lfs2_mkdir
#define lx_remove cairn_lfs2_remove
#define lx_rmdir cairn_lfs2_rmdir
#define lx_rename cairn_lfs2_rename
/* Compare disk bytes (through the read cache) with buf: 0 equal, 1 disk
 * sorts first, 2 disk sorts after. */
#define lx_cmp(L, h, b, o, buf, n) cairn_lfs2_disk(L, h, b, o, n, (void *)(buf))
int lx_getgstate(lx_t *L, const lx_mdir *dir, lx_gstate *g);
int lx_orphaningcommit(lx_t *L, lx_mdir *dir, const struct lx_attr *attrs, int n);
int lx_mkfs(struct cairn_fs *fs);
int lx_mount(struct cairn_fs *fs, uint32_t flags);
int lx_umount(struct cairn_fs *fs);
size_t lx_file_size(const struct cairn_fs *fs);
size_t lx_dir_size(const struct cairn_fs *fs);
int lx_open(struct cairn_fs *fs, void *fp, const char *path, uint32_t flags);
int lx_close(struct cairn_fs *fs, void *fp);
int lx_sync(struct cairn_fs *fs, void *fp);
int32_t lx_read_op(struct cairn_fs *fs, void *fp, void *buf, uint32_t len);
int32_t lx_write_op(struct cairn_fs *fs, void *fp, const void *buf, uint32_t len);
int64_t lx_seek(struct cairn_fs *fs, void *fp, int64_t off, int whence);
int64_t lx_tell(struct cairn_fs *fs, void *fp);
int64_t lx_size_op(struct cairn_fs *fs, void *fp);
int lx_truncate(struct cairn_fs *fs, void *fp, int64_t size);
uint32_t lx_namelen(const char *p);
int lx_path_islast(const char *p);
/* Walk `*path` from the root. Returns the entry's name tag (id 0x3ff for the
 * root), leaving *path at the last name looked at and `dir` at its pair; on
 * NOENT *id is where a new entry of that name goes. */
int32_t lx_find(lx_t *L, lx_mdir *dir, const char **path, uint16_t *id);
int32_t lx_get_struct(lx_t *L, const lx_mdir *dir, uint32_t id, uint8_t b[8]);
int32_t lx_get_mtime(lx_t *L, const lx_mdir *dir, uint32_t id, uint8_t b[8]);
int lx_opendir(struct cairn_fs *fs, void *dp, const char *path);
int lx_readdir(struct cairn_fs *fs, void *dp, struct cairn_dirent *ent);
int lx_closedir(struct cairn_fs *fs, void *dp);
int lx_stat(struct cairn_fs *fs, const char *path, struct cairn_stat *st);
int lx_mkdir(struct cairn_fs *fs, const char *path);
int lx_remove(struct cairn_fs *fs, const char *path);
int lx_rmdir(struct cairn_fs *fs, const char *path);
int lx_rename(struct cairn_fs *fs, const char *from, const char *to);


#endif
