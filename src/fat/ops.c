// The FAT driver's operations table and the path-level operations: stat,
// mkdir, remove, rmdir, rename, directories, statvfs, label, info.
#include "fat_int.h"

int cairn_fat_init(struct cairn_fat *fat, struct cairn_bdev *bd,
                   const struct cairn_fat_config *cfg)
{
    if (fat == NULL || bd == NULL) {
        return CAIRN_EINVAL;
    }
    memset(fat, 0, sizeof *fat);
    fat->fs.ops = &cairn_fat_ops;
    fat->fs.bdev = bd;
    fat->priv.cfg = cfg;
    cairn_fat_win_reset(&fat->priv);
    return 0;
}

static size_t fat_file_size(const struct cairn_fs *fs)
{
    (void)fs;
    return sizeof(struct fat_file);
}

static size_t fat_dir_size(const struct cairn_fs *fs)
{
    (void)fs;
    return sizeof(struct fat_dir);
}

FAT_NOINLINE static int fat_finish(struct cairn_fs *fs, int rc)
{
    int r2 = cairn_fat_sync_vol(fs);
    return rc ? rc : r2;
}

// A path walk from a clean scan state (`create`: collect a slot for the name).
int cairn_fat_find(struct cairn_fs *fs, const char *path, struct fat_scan *sc, uint32_t create)
{
    memset(sc, 0, sizeof *sc);
    sc->create = create;
    return cairn_fat_lookup(fs, path, sc);
}

// What a path op accepts: FAT_T_RW a modifying op (-EROFS; the root
// -EINVAL); a trailing separator after a file -ENOENT (FAT_T_FILE), after a
// directory -EINVAL (FAT_T_DIR).
#define FAT_T_RW 1
#define FAT_T_FILE 2
#define FAT_T_DIR 4

// A path op's existing target: FAT_FOUND with sc filled, FAT_ROOT, or the
// error (missing: -ENOENT).
static int fat_target(struct cairn_fs *fs, const char *path, struct fat_scan *sc, int how)
{
    int rc = how & FAT_T_RW ? cairn_fat_check_rw(fs) : 0;
    if (rc == 0) {
        rc = cairn_fat_find(fs, path, sc, 0);
    }
    if (rc == FAT_MISSING) {
        return CAIRN_ENOENT;
    }
    if (rc == FAT_ROOT && (how & FAT_T_RW)) {
        return CAIRN_EINVAL;
    }
    if (rc == FAT_FOUND && sc->trail) {
        int dir = (sc->f.ent[FAT_DIR_ATTR] & FAT_AM_DIR) != 0;
        if (how & (dir ? FAT_T_DIR : FAT_T_FILE)) {
            return dir ? CAIRN_EINVAL : CAIRN_ENOENT;
        }
    }
    return rc;
}

// ---- stat -----------------------------------------------------------------------------------

// What stat and readdir report of an entry: its type, and its size (0 for
// a directory, D10).
FAT_NOINLINE static uint32_t fat_type_size(const uint8_t *ent, int64_t *size)
{
    int dir = (ent[FAT_DIR_ATTR] & FAT_AM_DIR) != 0;
    *size = dir ? 0 : fat_ld32(ent + FAT_DIR_SIZE);
    return dir ? CAIRN_S_IFDIR : CAIRN_S_IFREG;
}

static int fat_stat(struct cairn_fs *fs, const char *path, struct cairn_stat *st)
{
    struct fat_scan sc;
    int rc = fat_target(fs, path, &sc, FAT_T_FILE | FAT_T_DIR);
    uint8_t *ent = sc.f.ent;
    if (rc < 0) {
        return rc;
    }
    if (rc == FAT_ROOT) {
        // as the reference reports the root: a directory of 2000-01-01 00:00
        ent[FAT_DIR_ATTR] = FAT_AM_DIR; // (what is read of it below)
        fat_st32(ent + FAT_DIR_MODTIME, ((20u << 9) | (1u << 5) | 1u) << 16);
    }
    memset(st, 0, sizeof *st);
    st->mode = fat_type_size(ent, &st->size);
    st->attr = ent[FAT_DIR_ATTR] & (FAT_AM_RDO | FAT_AM_HID | FAT_AM_SYS | FAT_AM_DIR | FAT_AM_ARC);
    st->mtime = cairn_fat_time_to_unix(fat_ld16(ent + FAT_DIR_MODTIME + 2),
                                       fat_ld16(ent + FAT_DIR_MODTIME));
    st->has_mtime = 1;
    return 0;
}

// ---- directories ----------------------------------------------------------------------------

static int fat_closedir(struct cairn_fs *fs, void *dir);

static int fat_opendir(struct cairn_fs *fs, void *dir, const char *path)
{
    fat_vol *v = fat_v(fs);
    struct fat_dir *d = dir;
    for (struct fat_dir *o = v->dirs; o; o = o->next) {
        if (o == d) {
            (void)fat_closedir(fs, d); // (a listing opened again without a close)
            break;
        }
    }
    d->magic = 0;
    struct fat_scan sc;
    int rc = fat_target(fs, path, &sc, FAT_T_FILE | FAT_T_DIR);
    if (rc < 0) {
        return rc;
    }
    uint32_t cl = 0;
    if (rc == FAT_FOUND) {
        if (!(sc.f.ent[FAT_DIR_ATTR] & FAT_AM_DIR)) {
            return CAIRN_ENOENT;
        }
        cl = cairn_fat_dir_clust(v, sc.f.ent);
        if (cl == 0) {
            return CAIRN_ECORRUPT; // a sub-directory without a cluster
        }
    }
    rc = cairn_fat_dir_start(fs, &d->pos, cl);
    if (rc) {
        return rc;
    }
    d->magic = FAT_DIR_MAGIC;
    d->next = v->dirs;
    v->dirs = d;
    return 0;
}

static int fat_readdir(struct cairn_fs *fs, void *dir, struct cairn_dirent *ent)
{
    fat_vol *v = fat_v(fs);
    struct fat_dir *d = dir;
    if (d == NULL || (d->magic & ~FAT_DIR_END) != FAT_DIR_MAGIC) {
        return CAIRN_EBADF;
    }
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    if (d->magic & FAT_DIR_END) {
        return 0;
    }
    struct fat_found f;
    int rc = cairn_fat_dir_read(fs, &d->pos, &f);
    if (rc < 0) {
        return rc;
    }
    int got = rc == FAT_FOUND;
    if (got) {
        uint32_t n = v->lfn_len ? v->lfn_len : cairn_fat_sfn_to_utf16(f.ent, v->name);
        cairn_fat_utf16_to_utf8(v->name, n, ent->name, sizeof ent->name);
        ent->type = fat_type_size(f.ent, &ent->size);
        rc = cairn_fat_dir_next(fs, &d->pos, 0);
        if (rc != CAIRN_ENOENT) {
            return rc ? rc : 1;
        }
    }
    d->magic |= FAT_DIR_END;
    return got; // (0, or 1 with the entry)
}

static int fat_closedir(struct cairn_fs *fs, void *dir)
{
    struct fat_dir *d = dir, **pp = &fat_v(fs)->dirs;
    if (d && (d->magic & ~FAT_DIR_END) == FAT_DIR_MAGIC) {
        while (*pp && *pp != d) {
            pp = &(*pp)->next;
        }
        if (*pp) {
            *pp = d->next;
        }
        d->magic = 0;
    }
    return 0;
}

// ".." and, one on, "." as short names (11 bytes each)
static const char fat_dots[13] = "..          ";

// ---- mkdir / remove / rmdir ------------------------------------------------------------------

static int fat_mkdir(struct cairn_fs *fs, const char *path)
{
    fat_vol *v = fat_v(fs);
    struct fat_scan sc;
    int rc = cairn_fat_check_rw(fs);
    if (rc) {
        return rc;
    }
    rc = cairn_fat_find(fs, path, &sc, 1);
    if (rc < 0) {
        return rc;
    }
    if (rc == FAT_ROOT || rc == FAT_FOUND) {
        return CAIRN_EEXIST;
    }
    if (sc.trail) {
        return CAIRN_ENOENT;
    }
    rc = cairn_fat_mark_dirty(fs);
    if (rc) {
        return rc;
    }
    uint32_t c;
    rc = cairn_fat_find_free(fs, &c);
    if (rc) {
        return rc == CAIRN_ENOSPC ? CAIRN_EACCES : rc; // as FatFs: "denied"
    }
    uint32_t tm = cairn_fat_now(v);
    // the new directory's cluster: zeros, then . and .. in its first sector;
    // all of it written before the FAT links the cluster
    rc = cairn_fat_dir_clear_cluster(fs, c, 1);
    if (rc) {
        return rc;
    }
    v->win_sect = UINT32_MAX; // (the window becomes sector s0 once written)
    uint32_t s0 = cairn_fat_clust2sect(v, c);
    uint8_t *e = v->win;
    for (uint32_t k = 0; k < 2; k++, e += FAT_DIRENT) {
        cairn_fat_ent_init(e, FAT_AM_DIR, tm);
        cairn_fat_name11(e, fat_dots + 1 - k); // "." or ".."
        cairn_fat_ent_set_clust(v, e, k ? sc.dir : c); // .. is 0 when the parent is the root
    }
    e = v->win;
    uint8_t ent[FAT_DIRENT];
    cairn_fat_ent_copy(ent, e); // (the new entry: "." but for its name)
    rc = cairn_fat_dev_write(fs, s0, e, 1);
    if (rc) {
        return rc;
    }
    v->win_sect = s0;
    rc = cairn_fat_link(fs, 0, c);
    if (rc) {
        return rc;
    }
    rc = cairn_fat_dir_register(fs, &sc, ent);
    if (rc) {
        // give the cluster back
        (void)cairn_fat_free_chain(fs, c, 0);
    }
    return fat_finish(fs, rc);
}

// Remove an entry set, then free its chain: the entry goes first, so that a
// cut leaves lost clusters, never a file pointing at freed ones.
static int fat_unlink(struct cairn_fs *fs, const struct fat_found *f)
{
    fat_vol *v = fat_v(fs);
    uint32_t cl = cairn_fat_ent_clust(v, f->ent);
    int gone = 0;
    int rc = cairn_fat_dir_remove(fs, f, &gone);
    // (a file still open keeps its clusters until its last handle closes;
    // its handles leave the slot as soon as the short entry is deleted,
    // even if a long-name entry after it could not be: the slot is free)
    int held = gone && cairn_fat_files_move(v, &f->sfn, 0, 0);
    if (rc == 0 && !held && cl) {
        rc = cairn_fat_win_flush(fs);
        if (rc == 0) {
            rc = cairn_fat_free_chain(fs, cl, 0);
        }
    }
    return rc;
}

static int fat_remove_common(struct cairn_fs *fs, const char *path, int want_dir)
{
    fat_vol *v = fat_v(fs);
    struct fat_scan sc;
    int rc = fat_target(fs, path, &sc, FAT_T_RW | FAT_T_FILE | FAT_T_DIR);
    if (rc) {
        return rc;
    }
    uint8_t a = sc.f.ent[FAT_DIR_ATTR];
    int is_dir = (a & FAT_AM_DIR) != 0;
    if (want_dir != is_dir) {
        return is_dir ? CAIRN_EISDIR : CAIRN_ENOTDIR;
    }
    if (a & FAT_AM_RDO) {
        return CAIRN_EACCES;
    }
    uint32_t cl = 0;
    if (is_dir) {
        cl = cairn_fat_dir_clust(v, sc.f.ent);
        if (cl == 0) {
            return CAIRN_ECORRUPT;
        }
        rc = cairn_fat_dir_empty(fs, cl);
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            return CAIRN_ENOTEMPTY; // D9
        }
        cairn_fat_dc_forget(v, cl); // its cluster may hold another directory later
    }
    rc = cairn_fat_mark_dirty(fs);
    if (rc == 0) {
        rc = fat_unlink(fs, &sc.f);
    }
    for (struct fat_dir *d = v->dirs; rc == 0 && cl && d; d = d->next) {
        if (d->pos.sclust == cl) {
            d->magic |= FAT_DIR_END; // a listing of it ends (its cluster is free)
        }
    }
    return fat_finish(fs, rc);
}

static int fat_remove(struct cairn_fs *fs, const char *path)
{
    return fat_remove_common(fs, path, 0);
}

static int fat_rmdir(struct cairn_fs *fs, const char *path)
{
    return fat_remove_common(fs, path, 1);
}

// ---- rename -------------------------------------------------------------------------------------

// The parent (0 = the root) that directory `dir`'s ".." names, or an error;
// with `set` other than UINT32_MAX, ".." is made to name `set` instead (0).
static int32_t fat_dotdot(struct cairn_fs *fs, uint32_t dir, uint32_t set)
{
    fat_vol *v = fat_v(fs);
    struct fat_dpos p;
    int rc = cairn_fat_dir_start(fs, &p, dir);
    if (rc) {
        return rc;
    }
    p.idx = 1; // (a sector holds 16 entries at least)
    int err;
    uint8_t *e = FAT_DIR_PTR(fs, &p, &err, 0);
    if (!e) {
        return err;
    }
    if (memcmp(e, fat_dots, 11) != 0) {
        return CAIRN_ECORRUPT;
    }
    if (set != UINT32_MAX) {
        rc = FAT_CHG_HERE(fs, p.sect);
        if (rc == 0) {
            cairn_fat_ent_set_clust(v, e, set);
            FAT_DIRTY(v);
        }
        return rc;
    }
    return (int32_t)cairn_fat_dir_clust(v, e);
}

// Is directory `dir` (0 = root) the directory `anc` or inside it? Walks up
// through the ".." entries.
static int fat_inside(struct cairn_fs *fs, uint32_t dir, uint32_t anc)
{
    for (uint32_t i = 0; i < 65536 && dir != 0; i++) {
        if (dir == anc) {
            return 1;
        }
        int32_t up = fat_dotdot(fs, dir, UINT32_MAX);
        if (up < 0) {
            return up;
        }
        dir = (uint32_t)up;
    }
    return 0;
}

static int fat_rename(struct cairn_fs *fs, const char *from, const char *to)
{
    fat_vol *v = fat_v(fs);
    struct fat_scan src, dst;
    int rc = fat_target(fs, from, &src, FAT_T_RW | FAT_T_FILE);
    if (rc) {
        return rc;
    }
    int src_dir = (src.f.ent[FAT_DIR_ATTR] & FAT_AM_DIR) != 0;
    uint32_t src_cl = cairn_fat_ent_clust(v, src.f.ent);
    int found = cairn_fat_find(fs, to, &dst, 1); // leaves the new name in vol->name
    if (found < 0) {
        return found;
    }
    if (found == FAT_ROOT) {
        return CAIRN_EINVAL;
    }
    if (dst.trail) {
        return CAIRN_ENOENT;
    }
    if (src_dir) {
        if (src_cl == 0) {
            return CAIRN_ECORRUPT;
        }
        int in = fat_inside(fs, dst.dir, src_cl);
        if (in < 0) {
            return in;
        }
        if (in) {
            return CAIRN_EINVAL; // D7: into its own subtree
        }
    }
    if (found == FAT_FOUND) {
        if (memcmp(&dst.f.sfn, &src.f.sfn, sizeof src.f.sfn) == 0) {
            // the same entry: the same name, or a change of case only
            size_t n1, n2;
            const char *a = cairn_fat_last_comp(from, &n1);
            const char *b = cairn_fat_last_comp(to, &n2);
            if (n1 == n2 && memcmp(a, b, n1) == 0) {
                return 0;
            }
            dst.ignore = src.f.sfn;
        } else if (dst.f.ent[FAT_DIR_ATTR] & FAT_AM_DIR) {
            return CAIRN_EISDIR;
        } else if (dst.f.ent[FAT_DIR_ATTR] & FAT_AM_RDO) {
            return CAIRN_EACCES;
        }
    }
    rc = cairn_fat_mark_dirty(fs);
    if (rc) {
        return rc;
    }
    if (found == FAT_FOUND) {
        if (dst.ignore.sect == 0) {
            // replace the file: remove it, then look again for a slot
            rc = fat_unlink(fs, &dst.f);
            if (rc) {
                goto out;
            }
        }
        rc = cairn_fat_lookup(fs, to, &dst);
        if (rc != FAT_MISSING) {
            rc = rc < 0 ? rc : CAIRN_ECORRUPT;
            goto out;
        }
    }
    uint8_t ent[FAT_DIRENT];
    cairn_fat_ent_copy(ent, src.f.ent);
    ent[FAT_DIR_ATTR] |= (uint8_t)((~ent[FAT_DIR_ATTR] & FAT_AM_DIR) << 1); // ARC unless a dir
    rc = cairn_fat_dir_register(fs, &dst, ent);
    int reg = rc == 0, gone = 0;
    if (rc == 0 && src_dir && dst.dir != src.dir) {
        rc = fat_dotdot(fs, src_cl, dst.dir);
    }
    if (rc == 0) {
        // the new entry is in place before the old one goes
        rc = cairn_fat_dir_remove(fs, &src.f, &gone);
        if (gone) {
            // (the handles follow the new entry once the old one is deleted)
            (void)cairn_fat_files_move(v, &src.f.sfn, dst.f.sfn.sect, dst.f.sfn.idx);
        }
    }
    if (rc && reg && !gone) {
        // the old entry stays: the new one goes again (its sector is usually
        // still the unwritten window), or the chain would have two names and
        // freeing it through one would leave the other, and open handles, on
        // freed clusters
        int g2 = 0;
        (void)cairn_fat_dir_remove(fs, &dst.f, &g2);
        if (src_dir && dst.dir != src.dir) {
            (void)fat_dotdot(fs, src_cl, src.dir);
        }
    }
out:
    return fat_finish(fs, rc);
}

// ---- statvfs, set_mtime, label, info, sync ------------------------------------------------------

static int fat_statvfs(struct cairn_fs *fs, struct cairn_statvfs *st)
{
    fat_vol *v = fat_v(fs);
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    uint32_t fr;
    int rc = cairn_fat_count_free(fs, &fr);
    if (rc) {
        return rc;
    }
    memset(st, 0, sizeof *st);
    st->f_bsize = st->f_frsize = v->csize * v->ss;
    st->f_blocks = v->n_fatent - 2;
    st->f_bfree = st->f_bavail = fr;
    st->f_namemax = 255;
    return 0;
}

static int fat_set_mtime(struct cairn_fs *fs, const char *path, int64_t mtime_ns)
{
    fat_vol *v = fat_v(fs);
    struct fat_scan sc;
    int rc = fat_target(fs, path, &sc, FAT_T_RW);
    if (rc) {
        return rc;
    }
    rc = cairn_fat_mark_dirty(fs);
    if (rc) {
        return rc;
    }
    // (seconds toward zero: any time before 1980 is clamped to 1980 anyway)
    int64_t s = mtime_ns / 1000000000LL;
    int err;
    uint8_t *e = FAT_DIR_PTR(fs, &sc.f.sfn, &err, 1);
    if (!e) {
        return err;
    }
    fat_st32(e + FAT_DIR_MODTIME, cairn_fat_fattime(s));
    FAT_DIRTY(v);
    return fat_finish(fs, 0);
}

static int fat_label(struct cairn_fs *fs, char *buf, uint32_t len, const char *set)
{
    fat_vol *v = fat_v(fs);
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    struct fat_scan sc; // (the label, else where a new one goes)
    int rc;
    if (buf && len) {
        rc = cairn_fat_find_label(fs, &sc);
        if (rc < 0) {
            return rc;
        }
        buf[0] = 0;
        if (rc == FAT_FOUND) {
            const uint8_t *e = sc.f.ent;
            uint16_t u[11];
            uint32_t n = 0; // (trailing spaces are padding)
            for (uint32_t i = 0; i < 11; i++) {
                u[i] = cairn_fat_oem2uni(e[i]);
                n = e[i] != ' ' ? i + 1 : n;
            }
            cairn_fat_utf16_to_utf8(u, n, buf, len);
        }
    }
    if (set == NULL) {
        return 0;
    }
    rc = cairn_fat_check_rw(fs);
    if (rc) {
        return rc;
    }
    // the new label: upper case, short-name characters, at most 11 bytes
    uint8_t lab[11];
    cairn_fat_name11(lab, cairn_fat_noname); // (the boot sector's copy when there is none)
    size_t sl = strlen(set);
    if (sl > 0) {
        rc = cairn_fat_make_label(v, set, sl, cairn_fat_badlab, lab);
        if (rc) {
            return rc;
        }
        if (v->name[0] == ' ') {
            return CAIRN_EINVAL;
        }
    }
    rc = cairn_fat_mark_dirty(fs);
    if (rc) {
        return rc;
    }
    cairn_fat_dc_forget(v, 0);
    rc = cairn_fat_find_label(fs, &sc);
    if (rc < 0) {
        return rc;
    }
    if (rc == FAT_FOUND) {
        int err;
        uint8_t *e = FAT_DIR_PTR(fs, &sc.f.sfn, &err, 1);
        if (!e) {
            return err;
        }
        uint32_t tm = cairn_fat_now(v);
        if (sl == 0) {
            e[0] = FAT_DDEM;
        } else {
            cairn_fat_name11(e, lab);
            fat_st32(e + FAT_DIR_MODTIME, tm);
        }
        FAT_DIRTY(v);
    } else if (sl > 0) {
        // a new entry in the first free one (the root grows if it must and
        // can; a full FAT12/16 root: -EACCES); no case flags
        uint8_t ent[FAT_DIRENT], nt = v->nc.ntres;
        cairn_fat_ent_init(ent, FAT_AM_VOL | FAT_AM_ARC, cairn_fat_now(v));
        cairn_fat_name11(sc.cand, lab);
        v->nc.ntres = 0;
        rc = cairn_fat_dir_register(fs, &sc, ent);
        v->nc.ntres = nt; // (still what the parsed name gives)
        if (rc) {
            return rc;
        }
    }
    // the boot sector's copy
    rc = FAT_WIN_CHG(fs, v->volbase);
    if (rc) {
        return rc;
    }
    cairn_fat_name11(v->win + (v->fs_type == 32 ? 71 : 43), lab);
    FAT_DIRTY(v);
    return fat_finish(fs, 0);
}

static int fat_sync_fs(struct cairn_fs *fs)
{
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    if (fat_v(fs)->ro) {
        return 0;
    }
    return cairn_fat_sync_vol(fs);
}

static int fat_info(struct cairn_fs *fs, struct cairn_fs_info *info)
{
    fat_vol *v = fat_v(fs);
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    memset(info, 0, sizeof *info);
    memcpy(info->type, "FAT", 3);
    info->type[3] = (char)('0' + v->fs_type / 10);
    info->type[4] = (char)('0' + v->fs_type % 10);
    int rc = fat_label(fs, info->label, sizeof info->label, NULL);
    if (rc) {
        return rc;
    }
    uint32_t fr;
    rc = cairn_fat_count_free(fs, &fr);
    if (rc) {
        return rc;
    }
    int wd = cairn_fat_was_dirty(fs);
    if (wd < 0) {
        return wd;
    }
    info->flags = (uint32_t)wd * CAIRN_FS_INFO_UNCLEAN; // (wd: 0 or 1)
    info->block_size = fs->bdev->block_size;
    info->block_count = fs->bdev->block_count;
    info->unit_size = v->csize * v->ss;
    info->units_total = v->n_fatent - 2;
    info->units_free = fr;
    info->name_max = 255;
    info->vol_start = v->volbase;
    info->vol_blocks = v->volsize;
    info->fat_copies = v->n_fats;
    info->fat_blocks = v->fsize;
    info->root_entries = v->n_rootdir; // (0 on FAT32)
    return 0;
}

const struct cairn_fs_ops cairn_fat_ops = {
    .name = "fat",
    .caps = CAIRN_FS_CAP_CASE_INSENSITIVE | CAIRN_FS_CAP_NAME_CHARSET | CAIRN_FS_CAP_MTIME_2S |
            CAIRN_FS_CAP_DOS_ATTRS | CAIRN_FS_CAP_LABEL | CAIRN_FS_CAP_DOTDOT_CLAMP |
            CAIRN_FS_CAP_APPEND_ONCE,
    .mkfs = cairn_fat_mkfs,
    .mount = cairn_fat_mount,
    .umount = cairn_fat_umount,
    .file_size = fat_file_size,
    .dir_size = fat_dir_size,
    .open = cairn_fat_open,
    .close = cairn_fat_close,
    .read = cairn_fat_read,
    .write = cairn_fat_write,
    .seek = cairn_fat_seek,
    .tell = cairn_fat_tell,
    .size = cairn_fat_size,
    .truncate = cairn_fat_truncate,
    .sync = cairn_fat_sync,
    .opendir = fat_opendir,
    .readdir = fat_readdir,
    .closedir = fat_closedir,
    .stat = fat_stat,
    .mkdir = fat_mkdir,
    .remove = fat_remove,
    .rmdir = fat_rmdir,
    .rename = fat_rename,
    .statvfs = fat_statvfs,
    .set_mtime = fat_set_mtime,
    .getattr = cairn_fs_unsupported_getattr,
    .setattr = cairn_fs_unsupported_setattr,
    .removeattr = cairn_fs_unsupported_removeattr,
    .label = fat_label,
    .sync_fs = fat_sync_fs,
    .info = fat_info,
#if CAIRN_FAT_FSCK
    .fsck = cairn_fat_fsck,
#else
    .fsck = cairn_fs_unsupported_fsck, // not compiled in: the reference has none
#endif
};
