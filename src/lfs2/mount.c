/*
 * littlefs v2 driver: configuration, format and mount.
 */
#include "lx.h"

/* ---- configuration ---------------------------------------------------- */

static int lx_setup(struct cairn_lfs2 *lf)
{
    lx_t *L = &lf->priv;
    const struct cairn_lfs2_config *cfg = L->cfg;
    struct cairn_bdev *bd = lf->fs.bdev;
    if (!cfg || !bd)
        return CAIRN_EINVAL;
    int err = cairn_bdev_probe(bd, 0, 0);
    if (err)
        return err;
    L->read_size = cfg->read_size ? cfg->read_size : 32;
    L->prog_size = cfg->prog_size ? cfg->prog_size : 32;
    L->block_size = cfg->block_size ? cfg->block_size : bd->block_size;
    L->block_count = cfg->block_count ? cfg->block_count : bd->block_count;
    L->cache_size = cfg->cache_size ? cfg->cache_size
                                    : lx_min(L->block_size, 4 * lx_max(L->read_size, L->prog_size));
    L->la_bytes = cfg->lookahead_size ? cfg->lookahead_size : 32;
    L->block_cycles = cfg->block_cycles ? cfg->block_cycles : 100;
    L->name_max = cfg->name_max ? cfg->name_max : 255;
    L->file_max = cfg->file_max ? cfg->file_max : 2147483647u;
    L->attr_max = cfg->attr_max ? cfg->attr_max : 1022;
    L->metadata_max = cfg->metadata_max ? cfg->metadata_max : L->block_size;
    L->inline_max = cfg->inline_max ? cfg->inline_max
                                    : lx_min(lx_min(L->cache_size, L->attr_max), L->metadata_max / 8);
    L->disk_version = cfg->disk_version ? cfg->disk_version : CAIRN_LFS2_DISK_VERSION_2_1;
    L->no_mtime = cfg->no_mtime;
    if (L->block_size < 64 || L->read_size == 0 || L->prog_size == 0 ||
        L->cache_size % L->read_size || L->cache_size % L->prog_size ||
        L->block_size % L->cache_size || L->cache_size > L->block_size || L->la_bytes == 0 ||
        L->name_max > 255 || L->file_max > 2147483647u || L->attr_max > 1022 ||
        L->metadata_max > L->block_size || L->metadata_max < 64 || L->inline_max > L->cache_size ||
        L->inline_max > L->attr_max || L->inline_max > L->metadata_max / 8 + 0 * 1 ||
        (L->disk_version != CAIRN_LFS2_DISK_VERSION_2_0 &&
         L->disk_version != CAIRN_LFS2_DISK_VERSION_2_1))
        return CAIRN_EINVAL;
    if (!cfg->buffer || cfg->buffer_size < CAIRN_LFS2_BUFFER_MIN(L->cache_size, L->la_bytes) ||
        ((uintptr_t)cfg->buffer & 3))
        return CAIRN_EINVAL;
    uint8_t *buf = cfg->buffer;
    uint32_t fixed = CAIRN_LFS2_BUFFER_MIN(L->cache_size, L->la_bytes);
    L->la_buf = buf;
    buf += (L->la_bytes + 3u) & ~3u;
    L->rcache.buf = buf;
    L->pcache.buf = buf + L->cache_size;
    L->mc = (lx_mdir *)(void *)((uint8_t *)cfg->buffer + fixed);
    L->mc_n = (uint8_t)lx_min((cfg->buffer_size - fixed) / (sizeof(lx_mdir) + CAIRN_LFS2_MKEY), 32);
    lx_cache_zero(L, &L->rcache);
    lx_cache_zero(L, &L->pcache);
    L->root[0] = L->root[1] = LX_NULL;
    memset(&L->gstate, 0, sizeof L->gstate);
    memset(&L->gdisk, 0, sizeof L->gdisk);
    memset(&L->gdelta, 0, sizeof L->gdelta);
    L->seed = 0;
    L->mlist = NULL;
    L->ro = 0;
    cairn_lfs2_mc_clear(L);
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
    if (!cfg)
        return CAIRN_EINVAL;
    // what can be checked without the device
    uint32_t rs = cfg->read_size ? cfg->read_size : 32, ps = cfg->prog_size ? cfg->prog_size : 32;
    if (cfg->cache_size && (cfg->cache_size % rs || cfg->cache_size % ps))
        return CAIRN_EINVAL;
    if (cfg->block_size && cfg->cache_size && cfg->block_size % cfg->cache_size)
        return CAIRN_EINVAL;
    // the default cache depends on the block size: check the buffer only when
    // that is known without asking the device (mkfs/mount check again)
    uint32_t bs = cfg->block_size ? cfg->block_size : bd->block_size;
    uint32_t cs = cfg->cache_size ? cfg->cache_size : 4 * lx_max(rs, ps);
    if (bs && !cfg->cache_size)
        cs = lx_min(bs, cs);
    uint32_t la = cfg->lookahead_size ? cfg->lookahead_size : 32;
    if (!cfg->buffer || ((uintptr_t)cfg->buffer & 3) ||
        ((cfg->cache_size || bs) && cfg->buffer_size < CAIRN_LFS2_BUFFER_MIN(cs, la)))
        return CAIRN_EINVAL;
    return 0;
}

/* ---- format / mount --------------------------------------------------- */

int lx_mkfs(struct cairn_fs *fs)
{
    struct cairn_lfs2 *lf = (struct cairn_lfs2 *)fs;
    lx_t *L = &lf->priv;
    if (fs->mounted)
        return CAIRN_EBUSY;
    int err = lx_setup(lf);
    if (err)
        return err;
    if (L->block_count < 2)
        return CAIRN_ENOSPC;
    if (cairn_bdev_is_readonly(fs->bdev))
        return CAIRN_EROFS;
    memset(L->la_buf, 0, L->la_bytes);
    L->la_start = 0;
    L->la_size = lx_min(8 * L->la_bytes, L->block_count);
    L->la_next = 0;
    lx_alloc_ckpoint(L);
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
    static const uint32_t sbp[2] = {0, 1};
    err = lx_fetch(L, &root, sbp);
    L->root[0] = L->root[1] = LX_NULL;
    return err;
}

int lx_mount(struct cairn_fs *fs, uint32_t flags)
{
    struct cairn_lfs2 *lf = (struct cairn_lfs2 *)fs;
    lx_t *L = &lf->priv;
    if (fs->mounted)
        return CAIRN_EBUSY;
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
    dir.tail[0] = 0;
    dir.tail[1] = 1;
    uint32_t tort[2] = {LX_NULL, LX_NULL}, ti = 1, tp = 1;
    int sbseen = 0;
    while (!lx_pair_isnull(dir.tail)) {
        if ((dir.tail[0] == tort[0] && dir.tail[1] == tort[1]) ||
            (dir.tail[0] == tort[1] && dir.tail[1] == tort[0]))
            return CAIRN_ECORRUPT;
        if (ti == tp) {
            tort[0] = dir.tail[0], tort[1] = dir.tail[1];
            ti = 0;
            tp *= 2;
        }
        ti++;
        struct lx_match m = {3, "littlefs", 8, NULL, 0, 0, 0, 0, 0, 0, 0};
        uint32_t t[2] = {dir.tail[0], dir.tail[1]};
        err = lx_fetch_m(L, &dir, t, &m);
        if (err)
            return err;
        if (m.eq) {
            uint8_t sb[24];
            int32_t tag = lx_get(L, &dir, LX_TAG(0x7ff, 0x3ff, 0), LX_TAG(LX_T_INLINESTRUCT, 0, 0),
                                 sb, sizeof sb);
            if (tag < 0)
                return tag == CAIRN_ENOENT ? CAIRN_ECORRUPT : tag;
            uint32_t version = lx_le32(sb), bs = lx_le32(sb + 4), bc = lx_le32(sb + 8);
            uint32_t nm = lx_le32(sb + 12), fm = lx_le32(sb + 16), am = lx_le32(sb + 20);
            uint32_t major = version >> 16, minor = version & 0xffff;
            if (major != 2 || minor > 1)
                return CAIRN_EINVAL;
            if (minor < (L->disk_version & 0xffff))
                L->gstate.tag |= 0x200; // rewrite the superblock before the first write
            else
                L->gstate.tag &= ~0x200u;
            if (nm) {
                if (nm > L->name_max)
                    return CAIRN_EINVAL;
                L->name_max = nm;
            }
            if (fm) {
                if (fm > L->file_max)
                    return CAIRN_EINVAL;
                L->file_max = fm;
            }
            if (am) {
                if (am > L->attr_max)
                    return CAIRN_EINVAL;
                L->attr_max = am;
                if (L->inline_max > am)
                    L->inline_max = am;
            }
            if (want_count && bc != want_count)
                return CAIRN_EINVAL;
            if (bs != L->block_size)
                return CAIRN_EINVAL;
            if (bc < 2 || (fs->bdev->block_count && bc > fs->bdev->block_count))
                return CAIRN_EINVAL;
            L->block_count = bc;
            L->root[0] = dir.pair[0];
            L->root[1] = dir.pair[1];
            sbseen = 1;
        }
        lx_gstate d = {0, {0, 0}};
        {
            uint8_t b[12];
            int32_t t2 = lx_get(L, &dir, LX_TAG(0x7ff, 0, 0), LX_TAG(LX_T_MOVESTATE, 0, 0), b, 12);
            if (t2 >= 0) {
                d.tag = lx_le32(b), d.pair[0] = lx_le32(b + 4), d.pair[1] = lx_le32(b + 8);
            } else if (t2 != CAIRN_ENOENT) {
                return t2;
            }
        }
        L->gstate.tag ^= d.tag & ~0x200u;
        L->gstate.pair[0] ^= d.pair[0];
        L->gstate.pair[1] ^= d.pair[1];
    }
    if (!sbseen)
        return CAIRN_ECORRUPT;
    if (L->gstate.tag & 0x80000000u)
        L->gstate.tag += 1;
    L->gdisk = L->gstate;
    L->la_start = L->seed % L->block_count;
    lx_alloc_drop(L);
    lx_cache_zero(L, &L->rcache);
    lx_cache_zero(L, &L->pcache);
    fs->mounted = 1;
    fs->mount_flags = flags;
    return 0;
}

int lx_umount(struct cairn_fs *fs)
{
    lx_t *L = lx_of(fs);
    L->mlist = NULL;
    cairn_lfs2_mc_clear(L);
    fs->mounted = 0;
    fs->mount_flags = 0;
    return 0;
}
