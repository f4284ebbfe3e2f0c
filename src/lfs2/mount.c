/*
 * littlefs v2 driver: configuration, format and mount.
 */
#include "lx.h"

/* ---- configuration ---------------------------------------------------- */

LX_NOINLINE static void lx_caches_zero(lx_t *L)
{
    lx_cache_zero(L, &L->rcache);
    lx_cache_zero(L, &L->pcache);
}

#if CAIRN_LFS2_TINY
#define LX_GCLEAR (3 * sizeof(lx_gstate))
#else
#define LX_GCLEAR (offsetof(lx_t, seed) + sizeof L->seed - offsetof(lx_t, gstate))
_Static_assert(offsetof(lx_t, seed) == offsetof(lx_t, gstate) + 3 * sizeof(lx_gstate),
               "lx_setup clears gstate..seed at once");
#endif

/* The cache size cfg gives or implies on a device of block size dbs (0 = not
 * known yet), or 0 when the read, program and cache sizes do not divide (a
 * given cache size always; with `dev`, the default one and the device's block
 * size too) or the buffer is missing, misaligned or too small for a cache
 * size that is known. */
static uint32_t lx_cfg_cache(lx_t *L, const struct cairn_lfs2_config *cfg, uint32_t dbs, int dev)
{
    // (the sizes go into L too: for lx_setup, which sets the rest)
    uint32_t rs = cfg->read_size ? cfg->read_size : 32, ps = cfg->prog_size ? cfg->prog_size : 32;
    uint32_t bs = cfg->block_size ? cfg->block_size : dbs;
#if !CAIRN_LFS2_TINY
    L->read_size = rs;
#endif
    L->prog_size = ps;
    L->block_size = bs;
    uint32_t cs = cfg->cache_size, known = cs, cbs = dev ? bs : cfg->block_size;
    if (!cs) {
        // the default depends on the block size
        cs = 4 * lx_max(rs, ps);
        if (bs)
            cs = lx_min(bs, cs);
        known = bs;
    }
    uint32_t la = cfg->lookahead_size ? cfg->lookahead_size : 32;
    if (((dev || cfg->cache_size) && (cs % rs || cs % ps || (cbs && cbs % cs))) ||
        !cfg->buffer || ((uintptr_t)cfg->buffer & 3) ||
        (known && cfg->buffer_size < CAIRN_LFS2_BUFFER_MIN(cs, la)))
        return 0;
    return cs;
}

static int lx_setup(struct cairn_lfs2 *lf)
{
    lx_t *L = &lf->priv;
    const struct cairn_lfs2_config *cfg = L->cfg;
    struct cairn_bdev *bd = lf->fs.bdev;
    if (lf->fs.mounted)
        return CAIRN_EBUSY;
    if (!cfg || !bd)
        return CAIRN_EINVAL;
    int err = cairn_bdev_probe(bd, 0, 0);
    if (err)
        return err;
    L->cache_size = lx_cfg_cache(L, cfg, bd->block_size, 1);
    L->block_count = cfg->block_count ? cfg->block_count : bd->block_count;
#if !CAIRN_LFS2_TINY
    L->la_bytes = cfg->lookahead_size ? cfg->lookahead_size : 32;
    L->block_cycles = cfg->block_cycles ? cfg->block_cycles : 100;
#endif
#if !CAIRN_LFS2_TINY
    // (stored first: less code)
    L->metadata_max = cfg->metadata_max ? cfg->metadata_max : L->block_size;
#endif
    uint32_t mmax = lx_metadata_max(L);
    uint32_t name_max = cfg->name_max ? cfg->name_max : 255;
    L->file_max = cfg->file_max ? cfg->file_max : 2147483647u;
    uint32_t attr_max = cfg->attr_max ? cfg->attr_max : 1022;
    uint32_t imax = lx_min(lx_min(L->cache_size, attr_max), mmax / 8);
    uint32_t inline_max = cfg->inline_max ? cfg->inline_max : imax;
#if CAIRN_LFS2_TINY
    uint32_t minor = (cfg->disk_version ? cfg->disk_version : CAIRN_LFS2_DISK_VERSION_2_1) -
                     CAIRN_LFS2_DISK_VERSION_2_0;
    L->minor = (uint8_t)minor;
#define LX_MINOR minor
#else
    L->disk_version = cfg->disk_version ? cfg->disk_version : CAIRN_LFS2_DISK_VERSION_2_1;
#define LX_MINOR (L->disk_version - CAIRN_LFS2_DISK_VERSION_2_0) // (less code than a local)
#endif
#if !CAIRN_LFS2_TINY
    L->no_mtime = cfg->no_mtime;
    L->verify = cfg->prog_verify;
#endif
    // (the sizes are nonzero here: a zero takes its default; a cache larger
    // than the block fails the divisibility test)
    if (L->block_size < 64 || !L->cache_size || name_max > 255 || L->file_max > 2147483647u ||
        attr_max > 1022 ||
        mmax > L->block_size || mmax < 64 || inline_max > imax ||
        LX_MINOR > 1 || lx_verify(L) > CAIRN_LFS2_VERIFY_NONE)
        return CAIRN_EINVAL;
#undef LX_MINOR
    L->name_max = (uint8_t)name_max; // in range: checked above
    L->attr_max = (uint16_t)attr_max;
    L->inline_max = (uint16_t)inline_max;
    uint8_t *buf = cfg->buffer;
#if !CAIRN_LFS2_TINY
    uint32_t fixed = CAIRN_LFS2_BUFFER_MIN(L->cache_size, L->la_bytes);
    L->la_buf = buf;
#endif
    buf += (lx_la_bytes(L) + 3u) & ~3u;
    L->rcache.buf = buf;
    L->pcache.buf = buf + L->cache_size;
#if !CAIRN_LFS2_TINY
    buf = (uint8_t *)cfg->buffer + fixed - CAIRN_LFS2_BUFFER_AUX;
    L->memo = (uint32_t *)(void *)buf;
    // what is left goes to pair states first, then skip-list pointers
    uint32_t left = cfg->buffer_size - fixed;
    L->mc = (lx_mdir *)(void *)((uint8_t *)cfg->buffer + fixed);
    L->mc_n = (uint8_t)lx_min(left / (sizeof(lx_mdir) + CAIRN_LFS2_MKEY),
                              CAIRN_LFS2_MCACHE < 32 ? CAIRN_LFS2_MCACHE : 32);
    uint32_t mcb = L->mc_n * (uint32_t)(sizeof(lx_mdir) + CAIRN_LFS2_MKEY);
    left -= mcb;
    L->pk = (uint32_t *)(void *)((uint8_t *)L->mc + mcb);
    // (pk_n: the map's index slots past its header; none below 3 of them)
    left = lx_min(left / 4, 255);
    L->pk_n = (uint8_t)(left >= 8 ? left - 5 : 0);
    if (!L->pk_n)
        L->pk = L->memo; // no map (ctz.c): its key word is the memo's
    memset(L->memo, 0, CAIRN_LFS2_BUFFER_AUX); // (the forget below marks it unused)
#endif
    lx_caches_zero(L);
    L->root[0] = L->root[1] = LX_NULL;
    // gstate, gdisk, gdelta and seed are adjacent: one clear
    memset(&L->gstate, 0, LX_GCLEAR);
#if CAIRN_LFS2_TINY
    L->la_start = 0; // (the seed)
#endif
    L->mlist = NULL;
    L->ro = 0;
    cairn_lfs2_forget(L, LX_NULL);
    lx_alloc_drop(L);
    return 0;
}

int cairn_lfs2_init(struct cairn_lfs2 *lfs, struct cairn_bdev *bd,
                    const struct cairn_lfs2_config *cfg)
{
    if (!lfs || !bd)
        return CAIRN_EINVAL;
    memset(lfs, 0, sizeof *lfs);
    lfs->fs.ops = &cairn_lfs2_ops;
    lfs->fs.bdev = bd;
    lfs->priv.cfg = cfg;
    // what can be checked without the device (mkfs/mount check again)
    return cfg && lx_cfg_cache(&lfs->priv, cfg, bd->block_size, 0) ? 0 : CAIRN_EINVAL;
}

/* ---- format / mount --------------------------------------------------- */

int lx_mkfs(struct cairn_fs *fs)
{
    struct cairn_lfs2 *lf = (struct cairn_lfs2 *)fs;
    lx_t *L = &lf->priv;
    int err = lx_setup(lf);
    if (err)
        return err;
    if (L->block_count < 2)
        return CAIRN_ENOSPC;
    if (cairn_bdev_is_readonly(fs->bdev))
        return CAIRN_EROFS;
    L->la_start = 0;
    cairn_lfs2_la_open(L); // (lx_setup dropped the rest: la_ckpoint is the block count)
    lx_mdir root;
    err = lx_dir_alloc(L, &root);
    if (err)
        return err;
    uint8_t sb[24];
    lx_sb_encode(L, sb);
    struct lx_attr a[3] = {
        {LX_TAG(LX_T_CREATE, 0, 0), NULL},
        {LX_TAG(LX_T_SUPERBLOCK, 0, 8), "littlefs"},
        {LX_TAG(LX_T_INLINESTRUCT, 0, 24), sb},
    };
    L->root[0] = 0;
    L->root[1] = 1;
    err = lx_commit(L, &root, a, 3);
    if (err)
        return err;
    // compact once more so no older superblock copy can be picked up
    root.erased = 0;
    err = lx_commit(L, &root, NULL, 0);
    if (err)
        return err;
    err = lx_fetch(L, &root, L->root); // {0, 1}: the superblock pair never moves
    L->root[0] = L->root[1] = LX_NULL;
    return err;
}

#if !CAIRN_LFS2_TINY
/* Place the walk's bitmap at the end of the buffer, shrinking the pair cache
 * to what is left and the pointer cache to nothing for the walk, and make it
 * the lookahead window (over the whole device); NULL when the buffer has not
 * room for it. */
LX_NOINLINE static uint8_t *lx_seed_setup(lx_t *L)
{
    // what follows the fixed part (pair states first) is free to borrow
    uint8_t *end = (uint8_t *)L->cfg->buffer + L->cfg->buffer_size;
    uint32_t aux = (uint32_t)(end - (uint8_t *)L->mc), nb = L->block_count / 8 + 1;
    if (nb > aux)
        return NULL;
    uint32_t k = (aux - nb) / (uint32_t)(sizeof(lx_mdir) + CAIRN_LFS2_MKEY);
    L->pk_n = 0;
    // the superblock pair just fetched (slot 0) keeps its state and name key
    if (k < L->mc_n)
        L->mc_n = (uint8_t)k, L->mc_next = 0;
    uint8_t *bm = end - nb;
    memset(bm, 0, nb);
    L->la_buf = bm;
    L->la_start = 0;
    L->la_size = L->block_count;
    return bm;
}
#endif

int lx_mount(struct cairn_fs *fs, uint32_t flags)
{
    struct cairn_lfs2 *lf = (struct cairn_lfs2 *)fs;
    lx_t *L = &lf->priv;
    int err = lx_setup(lf);
    if (err)
        return err;
    uint32_t want_count = L->block_count;
    if (L->block_count == 0)
        L->block_count = 0xfffffffe; // adopt the superblock's
    if (fs->bdev->block_size != L->block_size)
        return CAIRN_EINVAL;
    L->ro = (flags & CAIRN_MOUNT_RDONLY) || cairn_bdev_is_readonly(fs->bdev);
    lx_mdir dir;
    struct lx_cycle cyc;
    cyc.n = 0;
    int sbseen = 0;
#if !CAIRN_LFS2_TINY
    int first = 1;
    // a bit per block, filled by this walk so the first allocations need no
    // second one; it borrows the end of the buffer (pointer and pair caches)
    uint8_t *bm = NULL;
    uint8_t mc_n = L->mc_n, pk_n = L->pk_n;
#endif
    for (;;) {
        struct lx_match m;
        memset(&m, 0, sizeof m);
        m.kind = 3;
        m.name = "littlefs";
        m.len = 8;
        err = cairn_lfs2_walk(L, &dir, &cyc, &m);
        if (err < 0)
            return err;
        if (!err)
            break;
        // the pair's move state goes into gstate (its bit 0x200 is ours); the
        // fetch's scan found it, so the log is not read a second time
#if CAIRN_LFS2_TINY
        uint32_t ours = L->gstate.tag & 0x200;
        err = lx_getgstate(L, &dir, &L->gstate);
        if (err)
            return err;
        L->gstate.tag = (L->gstate.tag & ~0x200u) | ours;
#else
        L->gstate.tag ^= m.g.tag & ~0x200u;
        L->gstate.pair[0] ^= m.g.pair[0];
        L->gstate.pair[1] ^= m.g.pair[1];
#endif
        if (m.eq) {
            uint32_t v[6]; // (little-endian words)
            int32_t tag = lx_get(L, &dir, LX_TAG(LX_T_INLINESTRUCT, 0, sizeof v), v);
            if (tag < 0)
                return tag == CAIRN_ENOENT ? CAIRN_ECORRUPT : tag;
            for (int i = 0; i < 6; i++)
                v[i] = lx_le32((const uint8_t *)&v[i]);
            uint32_t version = v[0], bs = v[1], bc = v[2], nm = v[3], fm = v[4], am = v[5];
            uint32_t minor = version - CAIRN_LFS2_DISK_VERSION_2_0; // 2.0 or 2.1 only
            if (minor > 1)
                return CAIRN_EINVAL;
            if (minor < lx_minor(L))
                L->gstate.tag |= 0x200; // rewrite the superblock before the first write
            else
                L->gstate.tag &= ~0x200u;
            // (zero keeps the configured limit)
            if (nm > L->name_max || fm > L->file_max || am > L->attr_max ||
                (want_count && bc != want_count) || bs != L->block_size || bc < 2 ||
                (fs->bdev->block_count && bc > fs->bdev->block_count))
                return CAIRN_EINVAL;
            if (nm)
                L->name_max = (uint8_t)nm;
            if (fm)
                L->file_max = fm;
            if (am) {
                L->attr_max = (uint16_t)am;
                if (L->inline_max > am)
                    L->inline_max = (uint16_t)am;
            }
            L->block_count = bc;
            L->root[0] = dir.pair[0];
            L->root[1] = dir.pair[1];
            sbseen = 1;
#if !CAIRN_LFS2_TINY
            if (first && !L->ro)
                bm = lx_seed_setup(L);
#endif
        }
#if !CAIRN_LFS2_TINY
        first = 0;
        // every pair's references are marked as soon as it is fetched (the
        // tail of its log is still in the read cache), so the first
        // allocation after mount costs the same whatever is stored
        if (bm && cairn_lfs2_alloc_seed_pair(L, &dir))
            bm = NULL; // unreadable references: the first allocation scans
#endif
    }
    if (!sbseen)
        return CAIRN_ECORRUPT;
    if (L->gstate.tag & 0x80000000u)
        L->gstate.tag += 1;
    L->gdisk = L->gstate;
#if CAIRN_LFS2_TINY
    L->la_start %= L->block_count; // (the seed)
    lx_alloc_drop(L);
#else
    L->la_buf = L->cfg->buffer; // (where lx_setup put it)
    L->la_start = L->seed % L->block_count;
    if (bm)
        cairn_lfs2_alloc_seed_window(L, bm);
    else
        lx_alloc_drop(L);
    // keep the pair states the walk left; the slots the bitmap took are empty
    const uint32_t sl = (uint32_t)(sizeof(lx_mdir) + CAIRN_LFS2_MKEY);
    for (uint8_t *e = (uint8_t *)L->mc + L->mc_n * sl; e < (uint8_t *)L->mc + mc_n * sl; e += sl)
        ((lx_mdir *)(void *)e)->pair[0] = ((lx_mdir *)(void *)e)->pair[1] = LX_NULL;
    L->mc_n = mc_n;
    L->pk_n = pk_n;
    L->pk[0] = LX_NULL; // (the bitmap may have overwritten the skip-list map)
#endif
    lx_caches_zero(L);
    fs->mounted = 1;
    fs->mount_flags = flags;
    return 0;
}

int lx_umount(struct cairn_fs *fs)
{
    lx_t *L = lx_of(fs);
    L->mlist = NULL;
    cairn_lfs2_forget(L, LX_NULL);
    fs->mounted = 0;
    fs->mount_flags = 0;
    return 0;
}

/* ---- superblock probe -------------------------------------------------- */

#if CAIRN_LFS2_PROBE

/* A read-only window of a device seen with a candidate block size: block b,
 * byte o is byte base + b * bs + o of the device below. */
struct lx_view {
    struct cairn_bdev bd; /* first */
    struct cairn_bdev_ops ops;
    struct cairn_bdev *lower;
    uint64_t base;
    uint32_t bs, count;
};

static int lx_view_read(struct cairn_bdev *bd, uint32_t block, uint32_t off, void *buf,
                        uint32_t len)
{
    struct lx_view *v = (struct lx_view *)bd;
    uint32_t lbs = v->lower->block_size;
    uint64_t pos = v->base + (uint64_t)block * v->bs + off;
    uint8_t *d = buf;
    while (len) {
        uint64_t lb = pos / lbs;
        uint32_t lo = (uint32_t)(pos % lbs), n = lx_min(len, lbs - lo);
        if (lb >= v->lower->block_count)
            return CAIRN_EIO;
        int err = cairn_bdev_read_ext(v->lower, (uint32_t)lb, lo, d, n);
        if (err)
            return err;
        d += n, pos += n, len -= n;
    }
    return 0;
}

static int32_t lx_view_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct lx_view *v = (struct lx_view *)bd;
    (void)arg;
    if (op == CAIRN_BDEV_BLOCK_SIZE)
        return (int32_t)v->bs;
    if (op == CAIRN_BDEV_BLOCK_COUNT)
        return (int32_t)v->count;
    return op == CAIRN_BDEV_INIT || op == CAIRN_BDEV_SYNC ? 0 : CAIRN_BDEV_IOCTL_NONE;
}

/* Fetch `pair` as mount does and read its superblock entry: 1 found, 0 none,
 * or an error other than corruption. */
static int lx_probe_pair(lx_t *L, const uint32_t pair[2], struct cairn_lfs2_probe_info *info)
{
    lx_mdir dir;
    struct lx_match m = {3, "littlefs", 8, NULL, 0, 0, 0, {0, {0, 0}}};
    lx_gstate g = {0, {0, 0}};
    uint32_t p[2] = {pair[0], pair[1]};
    int err = lx_fetch_m(L, &dir, p, &m);
    if (!err)
        err = lx_getgstate(L, &dir, &g); // as mount: an unreadable one fails the pair
    if (err)
        return err == CAIRN_ECORRUPT ? 0 : err;
    if (!m.eq)
        return 0;
    uint8_t sb[24];
    int32_t tag = lx_get(L, &dir, LX_TAG(LX_T_INLINESTRUCT, 0, sizeof sb),
                         sb);
    if (tag == CAIRN_ENOENT || tag == CAIRN_ECORRUPT || (tag >= 0 && lx_tsize((uint32_t)tag) < 12))
        return 0;
    if (tag < 0)
        return tag;
    if (lx_le32(sb + 4) != L->block_size)
        return 0;
    info->disk_version = lx_le32(sb);
    info->block_size = L->block_size;
    info->block_count = lx_le32(sb + 8);
    info->rev = dir.rev;
    info->block = (uint8_t)dir.pair[0];
    return 1;
}

/* One candidate block size: 1 found, 0 none, or an error. */
static int lx_probe_bs(struct cairn_bdev *bd, uint64_t base, uint32_t bs,
                       struct cairn_lfs2_probe_info *info)
{
    uint64_t avail = (uint64_t)bd->block_size * bd->block_count;
    if (base >= avail || (avail - base) / bs == 0)
        return 0;
    struct lx_view v;
    memset(&v, 0, sizeof v);
    v.ops.read_ext = lx_view_read;
    v.ops.ioctl = lx_view_ioctl;
    v.bd.ops = &v.ops;
    v.lower = bd;
    v.base = base;
    v.bs = bs;
    v.count = (avail - base) / bs >= 2 ? 2 : 1;
    int has[2] = {0, 0};
    for (uint32_t b = 0; b < v.count; b++) {
        uint8_t magic[8];
        int err = lx_view_read(&v.bd, b, 8, magic, 8);
        if (err)
            return err;
        has[b] = memcmp(magic, "littlefs", 8) == 0;
    }
    if (!has[0] && !has[1])
        return 0;
    // the driver's own fetch, over the view, with the smallest caches
    struct cairn_lfs2_config pcfg;
    memset(&pcfg, 0, sizeof pcfg);
    pcfg.read_size = pcfg.prog_size = 16;
    pcfg.lookahead_size = 4;
    pcfg.cache_size = 128;
    uint32_t buf[(CAIRN_LFS2_BUFFER_MIN(128, 4) + 3) / 4];
    pcfg.buffer = buf;
    pcfg.buffer_size = sizeof buf;
    struct cairn_lfs2 lf;
    memset(&lf, 0, sizeof lf);
    lf.fs.ops = &cairn_lfs2_ops;
    lf.fs.bdev = &v.bd;
    lf.priv.cfg = &pcfg;
    int err = lx_setup(&lf);
    if (err)
        return err;
    lx_t *L = &lf.priv;
    static const uint32_t both[2] = {0, 1}, first[2] = {0, 0};
    int found = lx_probe_pair(L, v.count == 2 ? both : first, info);
    if (found <= 0)
        return found;
    info->in_block0 = info->block == 0;
    if (!info->in_block0 && has[0]) {
        struct cairn_lfs2_probe_info b0;
        int r = lx_probe_pair(L, first, &b0);
        if (r < 0)
            return r;
        info->in_block0 = (uint8_t)r;
    }
    return 1;
}

int cairn_lfs2_probe(struct cairn_bdev *bd, uint64_t base, uint32_t block_size,
                     struct cairn_lfs2_probe_info *info)
{
    if (!bd || !info || !cairn_bdev_has_ext(bd))
        return CAIRN_EINVAL;
    memset(info, 0, sizeof *info);
    if (!bd->block_size) {
        int err = cairn_bdev_probe(bd, 0, 0);
        if (err)
            return err;
    }
    for (uint32_t bs = block_size ? block_size : 128; bs <= (block_size ? block_size : 65536);
         bs <<= 1) {
        int r = lx_probe_bs(bd, base, bs, info);
        if (r < 0)
            return r;
        if (r)
            return 0;
    }
    return CAIRN_ENOENT;
}
#else
int cairn_lfs2_probe(struct cairn_bdev *bd, uint64_t base, uint32_t block_size,
                     struct cairn_lfs2_probe_info *info)
{
    (void)bd, (void)base, (void)block_size, (void)info;
    return CAIRN_EOPNOTSUPP;
}
#endif
