/*
 * littlefs v2 driver: attributes, whole-filesystem operations (statvfs, gc, grow, info, fsck)
 * and the ops table.
 */
#include "lx.h"

/* ---- attributes ---------------------------------------------------------------------------- */

/* Resolve a path to (pair, id) for attribute access; the root maps to id 0. */
static int lx_attr_target(lx_t *L, const char *path, lx_mdir *cwd, uint32_t *id)
{
    const char *p = path;
    int32_t tag = lx_find(L, cwd, &p, NULL);
    if (tag < 0)
        return tag;
    *id = lx_id((uint32_t)tag);
    if (*id == 0x3ff) {
        *id = 0;
        return lx_fetch(L, cwd, L->root);
    }
    return 0;
}

static int32_t lx_getattr(struct cairn_fs *fs, const char *path, uint8_t type, void *buf,
                          uint32_t len)
{
    lx_t *L = lx_of(fs);
    lx_mdir cwd;
    uint32_t id;
    int err = lx_attr_target(L, path, &cwd, &id);
    if (err)
        return err;
    int32_t t = lx_get(L, &cwd, LX_TAG(LX_T_USERATTR + type, id, lx_min(len, L->attr_max)), buf);
    if (t == CAIRN_ENOENT)
        return CAIRN_ENODATA;
    if (t < 0)
        return t;
    return (int32_t)lx_tsize((uint32_t)t);
}

static int lx_commitattr(struct cairn_fs *fs, const char *path, uint8_t type, const void *buf,
                         uint32_t len)
{
    lx_t *L = lx_of(fs);
    int err = lx_writable(L);
    if (err)
        return err;
    lx_mdir cwd;
    uint32_t id;
    err = lx_attr_target(L, path, &cwd, &id);
    if (err)
        return err;
    struct lx_attr a = {LX_TAG(LX_T_USERATTR + type, id, len), buf};
    return lx_commit(L, &cwd, &a, 1);
}

static int lx_setattr(struct cairn_fs *fs, const char *path, uint8_t type, const void *buf,
                      uint32_t len)
{
    if (len > lx_of(fs)->attr_max)
        return CAIRN_ENOSPC;
    return lx_commitattr(fs, path, type, buf, len);
}

static int lx_removeattr(struct cairn_fs *fs, const char *path, uint8_t type)
{
    return lx_commitattr(fs, path, type, NULL, 0x3ff);
}

static int lx_set_mtime(struct cairn_fs *fs, const char *path, int64_t ns)
{
    uint8_t b[8];
    lx_ple32(b, (uint32_t)(uint64_t)ns);
    lx_ple32(b + 4, (uint32_t)((uint64_t)ns >> 32));
    return lx_setattr(fs, path, CAIRN_LFS2_ATTR_MTIME, b, 8);
}

/* ---- whole filesystem ---------------------------------------------------------------------- */

/* Blocks in use (with `orphans`, orphaned pairs' too), or an error. */
LX_NOINLINE static int32_t lx_count(lx_t *L, int orphans)
{
    uint32_t n = 0;
    int err = lx_traverse(L, cairn_lfs2_count_cb, &n, orphans);
    return err ? err : (int32_t)n;
}

int32_t cairn_lfs2_fs_size(struct cairn_lfs2 *lfs)
{
    return lx_count(&lfs->priv, 0);
}

/* Free blocks (every pair and file counted, orphans too), or an error. */
static int32_t lx_free(lx_t *L)
{
    int32_t n = lx_count(L, 1);
    return n < 0 ? n : (int32_t)((uint32_t)n > L->block_count ? 0 : L->block_count - (uint32_t)n);
}

static int lx_statvfs(struct cairn_fs *fs, struct cairn_statvfs *st)
{
    lx_t *L = lx_of(fs);
    // re-validate every pair, as the reference does: a medium damaged behind
    // the mount's back shows here (vfs_lfs_corrupt)
    cairn_lfs2_forget(L, LX_NULL);
    int32_t r = lx_free(L);
    if (r < 0)
        return r;
    memset(st, 0, sizeof *st);
    st->f_bsize = st->f_frsize = L->block_size;
    st->f_blocks = L->block_count;
    st->f_bfree = st->f_bavail = (uint32_t)r;
    st->f_namemax = L->name_max;
    return 0;
}

int cairn_lfs2_gc(struct cairn_lfs2 *lfs)
{
    lx_t *L = &lfs->priv;
    int err = lx_writable(L);
    if (err)
        return err;
    // refill the lookahead window now rather than on the next allocation
    if (L->la_next >= L->la_size) {
        uint32_t b;
        lx_alloc_ckpoint(L);
        err = lx_alloc(L, &b);
        if (err && err != CAIRN_ENOSPC)
            return err;
        if (!err)
            L->la_next = 0, L->la_size = 0; // give it back: rescans next time
    }
    return 0;
}

int cairn_lfs2_grow(struct cairn_lfs2 *lfs, uint32_t block_count)
{
    lx_t *L = &lfs->priv;
    if (L->ro)
        return CAIRN_EROFS;
    if (block_count < L->block_count)
        return CAIRN_EINVAL;
    if (lfs->fs.bdev->block_count && block_count > lfs->fs.bdev->block_count)
        return CAIRN_EINVAL;
    if (block_count == L->block_count)
        return 0;
    int err = lx_forceconsistency(L);
    if (err)
        return err;
    uint32_t old = L->block_count;
    lx_alloc_drop(L); // the window was computed for the old size
    L->block_count = block_count;
    err = cairn_lfs2_sb_commit(L);
    if (err)
        L->block_count = old;
    lx_alloc_drop(L);
    return err;
}

static int lx_sync_fs(struct cairn_fs *fs)
{
    lx_t *L = lx_of(fs);
    if (L->ro)
        return 0;
    for (struct lx_mlist *d = L->mlist; d; d = d->next) {
        // (lx_sync passes over a handle not open for writing)
        if (d->type == LX_T_REG) {
            int err = lx_sync(fs, d);
            if (err)
                return err;
        }
    }
    return cairn_bdev_sync(fs->bdev);
}

static int lx_info(struct cairn_fs *fs, struct cairn_fs_info *info)
{
    lx_t *L = lx_of(fs);
    memset(info, 0, sizeof *info);
    // (all zeroed: each string ends where its copy does)
    memcpy(info->type, "littlefs v2.1", 8);
    memcpy(info->version, &"littlefs v2.1"[10], 3);
    if ((L->gstate.tag & 0x200) || !lx_minor(L))
        info->version[2] = '0';
    info->block_size = info->unit_size = L->block_size;
    info->block_count = L->block_count;
    info->units_total = L->block_count;
    int32_t r = lx_free(L);
    if (r < 0)
        return r;
    info->units_free = (uint32_t)r;
    info->name_max = L->name_max;
    return 0;
}

#if CAIRN_LFS2_FSCK
static const uint32_t lx_sb_pair[2] = {0, 1};

struct lx_fsck {
    lx_t *L;
    cairn_fsck_report_fn report;
    void *ctx;
    int32_t problems;
};

static void lx_problem(struct lx_fsck *k, const char *what)
{
    k->problems++;
    if (k->report)
        k->report(k->ctx, what, 0);
}

static int lx_fsck_cb(void *ctx, uint32_t block)
{
    struct lx_fsck *k = ctx;
    if (block >= k->L->block_count)
        lx_problem(k, "block pointer out of range");
    return 0;
}

static int32_t lx_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report,
                       void *ctx)
{
    lx_t *L = lx_of(fs);
    struct lx_fsck k = {L, report, ctx, 0};
    // check every pair for real: forget the states known to be valid
    cairn_lfs2_forget(L, LX_NULL);
    if ((flags & CAIRN_FSCK_REPAIR) && !L->ro) {
        int orphans = (L->gdisk.tag & 0x80000000u) != 0, move = lx_g_hasmove(&L->gdisk);
        int err = cairn_lfs2_mkconsistent(L);
        if (err)
            return err;
        if (report && orphans)
            report(ctx, "orphans pending repair", 1);
        if (report && move)
            report(ctx, "move pending repair", 1);
    }
    lx_mdir dir;
    dir.tail[0] = 0;
    dir.tail[1] = 1;
    struct lx_cycle cyc = LX_CYCLE_INIT;
    while (!lx_pair_isnull(dir.tail)) {
        if (lx_cycle(&cyc, dir.tail)) {
            lx_problem(&k, "cycle in the metadata list");
            break;
        }
        if (dir.tail[0] >= L->block_count || dir.tail[1] >= L->block_count) {
            lx_problem(&k, "metadata pair out of range");
            break;
        }
        int err = lx_fetch(L, &dir, dir.tail);
        if (err == CAIRN_ECORRUPT) {
            lx_problem(&k, "metadata pair has no valid commit");
            break;
        }
        if (err)
            return err;
        for (uint32_t id = 0; id < dir.count; id++) {
            uint8_t s[8];
            int32_t tag = lx_get_struct(L, &dir, id, s);
            if (tag == CAIRN_ENOENT)
                continue;
            if (tag < 0)
                return tag;
            uint32_t t3 = lx_type3((uint32_t)tag);
            if (t3 == LX_T_CTZSTRUCT) {
                err = lx_ctz_traverse(L, NULL, lx_le32(s), lx_le32(s + 4), lx_fsck_cb, &k);
                if (err == CAIRN_ECORRUPT)
                    lx_problem(&k, "file block list out of range");
                else if (err)
                    return err;
            } else if (t3 == LX_T_DIRSTRUCT) {
                uint32_t pp[2] = {lx_le32(s), lx_le32(s + 4)};
                lx_mdir child;
                err = pp[0] < L->block_count && pp[1] < L->block_count ? lx_fetch(L, &child, pp)
                                                                       : CAIRN_ECORRUPT;
                if (err == CAIRN_ECORRUPT)
                    lx_problem(&k, "directory pair unreadable");
                else if (err)
                    return err;
                // the tree must be a tree: no pointer back at the root or at
                // the entry's own pair, and one reference per directory
                if (!err && (lx_pair_cmp(pp, L->root) == 0 || lx_pair_cmp(pp, dir.pair) == 0 ||
                             lx_pair_cmp(pp, lx_sb_pair) == 0)) {
                    lx_problem(&k, "directory cycle");
                } else if (!err) {
                    lx_mdir parent;
                    int32_t pt = lx_parent(L, pp, &parent);
                    if (pt < 0 && pt != CAIRN_ENOENT)
                        return pt;
                    if (pt < 0 || lx_pair_cmp(parent.pair, dir.pair) != 0 ||
                        lx_id((uint32_t)pt) != id)
                        lx_problem(&k, "directory referenced twice");
                }
            }
        }
    }
    if (L->gstate.tag & 0x80000000u && lx_pair_isnull(L->root) == 0)
        lx_problem(&k, "orphans pending repair");
    return k.problems;
}
#else
#define lx_fsck cairn_fs_unsupported_fsck // not compiled in: the reference has none
#endif

const struct cairn_fs_ops cairn_lfs2_ops = {
    .name = "lfs2",
    .caps = CAIRN_FS_CAP_MTIME_NS | CAIRN_FS_CAP_USER_ATTRS | CAIRN_FS_CAP_SORTED_DIRS |
            CAIRN_FS_CAP_ATOMIC | CAIRN_FS_CAP_TRAILING_SLASH,
    .mkfs = lx_mkfs,
    .mount = lx_mount,
    .umount = lx_umount,
    .file_size = lx_file_size,
    .dir_size = lx_dir_size,
    .open = lx_open,
    .close = lx_close,
    .read = lx_read_op,
    .write = lx_write_op,
    .seek = lx_seek,
    .tell = lx_tell,
    .size = lx_size_op,
    .truncate = lx_truncate,
    .sync = lx_sync,
    .opendir = lx_opendir,
    .readdir = lx_readdir,
    .closedir = lx_closedir,
    .stat = lx_stat,
    .mkdir = lx_mkdir,
    .remove = lx_remove,
    .rmdir = lx_rmdir,
    .rename = lx_rename,
    .statvfs = lx_statvfs,
    .set_mtime = lx_set_mtime,
    .getattr = lx_getattr,
    .setattr = lx_setattr,
    .removeattr = lx_removeattr,
    .label = cairn_fs_unsupported_label,
    .sync_fs = lx_sync_fs,
    .info = lx_info,
    .fsck = lx_fsck,
};
