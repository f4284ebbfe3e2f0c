// mkfs: the layout VfsFat.mkfs (FatFs f_mkfs) chooses, plus the explicit
// options of struct cairn_fat_config.
#include "fat_int.h"

#define FAT_MKFS_ABORT 1

struct fat_layout {
    uint32_t b_vol;  // first sector of the volume (63 behind an MBR)
    uint32_t sz_vol; // sectors in the volume
    uint32_t pau;    // sectors per cluster
    uint32_t sz_rsv;
    uint32_t sz_fat;
    uint32_t sz_dir;
    uint32_t n_clst;
    uint32_t n_fats;
    uint32_t n_root;
    uint32_t fmt;    // 12, 16, 32
    uint32_t ss, total, au, no_mbr; // (in)
};

// FAT12/16 (fmt 16) or FAT32 (fmt 32) sizing, as FatFs does it.
static int fat_layout_calc(struct fat_layout *L, uint32_t fmt)
{
    uint32_t ss = L->ss, au = L->au;
    uint32_t b_vol = fmt == 32 && !L->no_mbr ? 63 : 0;
    if (L->total <= b_vol + 1) {
        return FAT_MKFS_ABORT;
    }
    uint32_t sz_vol = L->total - b_vol;
    // (at most twice: a retry sets au)
    for (int guard = 0; guard < 2; guard++) {
        uint32_t pau = au, n, sz_rsv = 32, sz_dir = 0;
        if (pau == 0) {
            // FatFs's tables: a doubling per 1, 2, 4 .. 32 (FAT32, in 128 Ki
            // sectors) or 1, 4, 16, 64, 256, 512 (in 4 Ki sectors) units, up to 64
            n = sz_vol >> (fmt == 32 ? 17 : 12);
            pau = n >= 512 ? 64 : 1;
            for (uint32_t k = 1; pau < 64 && k <= n; k <<= (fmt == 32 ? 1 : 2)) {
                pau <<= 1;
            }
        }
        uint32_t n_clst = sz_vol / pau;
        if (fmt == 32) {
            if (n_clst <= FAT_MAX16 || n_clst > FAT_MAX32) {
                break;
            }
        } else {
            sz_rsv = 1;
            if (n_clst <= FAT_MAX12) {
                fmt = 12;
            }
            sz_dir = L->n_root * FAT_DIRENT / ss;
        }
        // the FAT: fmt / 4 half-bytes an entry, entries 0 and 1 included ((n_clst
        // + 2) * 4 overflows only for an explicit FAT16 cluster with n_clst >=
        // 2^30 - 2: refused below all the same)
        n = ((n_clst + 2) * (fmt / 4) + 1) / 2;
        uint32_t sz_fat = (n + ss - 1) / ss;
        uint32_t b_data = sz_rsv + sz_fat * L->n_fats + sz_dir;
        if (sz_vol < b_data + pau * 16) { // (b_data < 2^27, pau <= 128)
            break;
        }
        n_clst = (sz_vol - b_data) / pau;
        // out of the format's range (FAT12 cannot be: n_clst <= sz_vol / pau)
        if (fmt == 32 ? n_clst <= FAT_MAX16
                      : fmt == 16 && n_clst - FAT_MAX12 - 1 >= FAT_MAX16 - FAT_MAX12) {
            // auto sizing: once more with half (FAT32) or twice (FAT16) the cluster
            n = fmt == 32 ? pau / 2 : pau * 2;
            if (au == 0 && n - 1 < 128) {
                au = n;
                continue;
            }
            break;
        }
        // the boundary counts where Microsoft's and FatFs's rules disagree
        // (at most pau rounds: n_clst is one less by then, and b_data stays
        // below sz_vol)
        while (n_clst == FAT_MAX12 || n_clst == FAT_MAX16) {
            sz_rsv++;
            b_data++;
            n_clst = (sz_vol - b_data) / pau;
        }
        L->b_vol = b_vol;
        L->sz_vol = sz_vol;
        L->pau = pau;
        L->sz_rsv = sz_rsv;
        L->sz_fat = sz_fat;
        L->sz_dir = sz_dir;
        L->n_clst = n_clst;
        L->fmt = fmt;
        return 0;
    }
    return FAT_MKFS_ABORT;
}

static int fat_mkfs_write(struct cairn_fs *fs, uint32_t sect, const uint8_t *buf)
{
    int rc = cairn_bdev_write(fs->bdev, sect, buf, 1);
    if (rc == CAIRN_EROFS) {
        return rc;
    }
    return rc ? CAIRN_EIO : 0;
}

// Sector buf at `sect`, then zeros in the next n - 1 sectors (n >= 1).
static int fat_mkfs_area(struct cairn_fs *fs, uint8_t *buf, uint32_t ss, uint32_t sect,
                         uint32_t n)
{
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        rc = fat_mkfs_write(fs, sect + i, buf);
        memset(buf, 0, ss); // (after every sector: less code than a test for the first)
    }
    return rc;
}

static int fat_mkfs_do(struct cairn_fs *fs, const struct fat_layout *L, uint32_t serial,
                       const uint8_t *label)
{
    fat_vol *v = fat_v(fs);
    cairn_fat_win_reset(v);
    uint8_t *w = v->win;
    uint32_t ss = fs->bdev->block_size;
    uint32_t b = L->b_vol;
    int rc;

    // boot sector
    memset(w, 0, ss);
    cairn_fat_name11(w, "\xEB\xFE\x90" "MSDOS5.0");
    fat_st16(w + 11, (uint16_t)ss);
    w[13] = (uint8_t)L->pau;
    fat_st16(w + 14, (uint16_t)L->sz_rsv);
    w[16] = (uint8_t)L->n_fats;
    fat_st16(w + 17, (uint16_t)(L->fmt == 32 ? 0 : L->n_root));
    if (L->sz_vol < 0x10000) {
        fat_st16(w + 19, (uint16_t)L->sz_vol);
    } else {
        fat_st32(w + 32, L->sz_vol);
    }
    w[21] = 0xF8;
    fat_st32(w + 24, 0x00FF003Fu); // 63 sectors a track, 255 heads
    fat_st32(w + 28, b);
    // the extended boot record sits at 36 (FAT12/16) or 64 (FAT32)
    uint8_t *x = w + 36;
    if (L->fmt == 32) {
        fat_st32(w + 36, L->sz_fat);
        fat_st32(w + 44, 2);
        fat_st32(w + 48, 0x00060001u); // FSInfo at 1, the backup at 6
        x = w + 64;
    } else {
        fat_st16(w + 22, (uint16_t)L->sz_fat);
    }
    x[0] = 0x80;
    x[2] = 0x29;
    fat_st32(x + 3, serial);
    cairn_fat_name11(x + 7, label);
    fat_st32(x + 18, 0x20544146u); // "FAT     " or "FAT32   "
    fat_st32(x + 22, 0x20202020u);
    if (L->fmt == 32) {
        fat_st16(x + 21, 0x3233u);
    }
    fat_st16(w + 510, 0xAA55);
    // FAT32: the backup boot sector at 6, FSInfo at 7 and 1
    rc = 0;
    for (uint32_t k = 0; k < (L->fmt == 32 ? 4u : 1u) && rc == 0; k++) {
        if (k == 2) {
            cairn_fat_fsinfo(w, ss, L->n_clst - 1, 2);
        }
        rc = fat_mkfs_write(fs, b + (uint8_t)"\0\6\7\1"[k], w);
    }
    if (rc) {
        return rc;
    }
    // FATs: entries 0 and 1 (and the FAT32 root's end of chain), zeros elsewhere
    // (fat_mkfs_area leaves the buffer zeroed for the next area)
    uint32_t sect = b + L->sz_rsv;
    memset(w, 0, ss);
    for (uint32_t i = 0; i <= L->n_fats; i++) {
        uint32_t n = L->sz_fat;
        if (i < L->n_fats) {
            fat_st32(w, L->fmt == 12 ? 0x00FFFFF8u : 0xFFFFFFF8u);
            if (L->fmt == 32) {
                fat_st32(w + 4, 0xFFFFFFFFu);
                fat_st32(w + 8, 0x0FFFFFFFu);
            }
        } else {
            // root directory: the fixed region, or cluster 2
            n = L->fmt == 32 ? L->pau : L->sz_dir;
            if (memcmp(label, cairn_fat_noname, 11) != 0) {
                cairn_fat_ent_init(w, FAT_AM_VOL | FAT_AM_ARC, serial);
                cairn_fat_name11(w, label);
            }
        }
        rc = fat_mkfs_area(fs, w, ss, sect, n);
        if (rc) {
            return rc;
        }
        sect += n;
    }
    if (b) {
        uint8_t *pt = w + 446;
        uint32_t cyl = (b + L->sz_vol) / (63 * 255);
        fat_st16(pt + 1, 0x0101); // CHS start 0/1/1
        // type FAT32 LBA (only FAT32 volumes get a partition table), CHS end
        fat_st32(pt + 4, 0xFE0Cu | (((cyl >> 2) & 0xC0) | 63) << 16 | cyl << 24);
        fat_st32(pt + 8, b);
        fat_st32(pt + 12, L->sz_vol);
        fat_st16(w + 510, 0xAA55);
        rc = fat_mkfs_write(fs, 0, w);
        if (rc) {
            return rc;
        }
    }
    (void)cairn_bdev_sync(fs->bdev);
    return 0;
}

int cairn_fat_mkfs(struct cairn_fs *fs)
{
    fat_vol *v = fat_v(fs);
    struct cairn_fat_config zero = {0}; // (all "as VfsFat.mkfs does")
    const struct cairn_fat_config *cfg = v->cfg ? v->cfg : &zero;
    int32_t r = cairn_fat_dev_start(fs);
    if (r) {
        return r < 0 ? r : CAIRN_EROFS;
    }
    uint32_t ss = fs->bdev->block_size;
    struct fat_layout L; // (every field is set before it is read)
    uint32_t type = cfg->fat_type;
    L.n_fats = cfg->n_fats ? cfg->n_fats : 1;
    L.n_root = cfg->root_entries ? cfg->root_entries : 512;
    uint32_t au = 0;
    if (cfg->cluster_size) {
        au = cfg->cluster_size / ss;
        if (au > 128 || (au & (au - 1)) || au * ss != cfg->cluster_size) {
            return CAIRN_EINVAL;
        }
    }
    // (types 0, 12, 16, 32: bits 0, 3, 4, 8 of 0x119 by type / 4)
    if (L.n_fats - 1 > 1 || type % 4 || type > 32 || !((0x119u >> type / 4) & 1) ||
        (L.n_root & (ss / FAT_DIRENT - 1)) != 0) {
        return CAIRN_EINVAL;
    }
    uint8_t label[11];
    cairn_fat_name11(label, cairn_fat_noname);
    if (cfg->label[0]) {
        const char *z = memchr(cfg->label, 0, sizeof cfg->label);
        size_t n = z ? (size_t)(z - cfg->label) : sizeof cfg->label;
        if (cairn_fat_make_label(v, cfg->label, n, cairn_fat_badlab + 2, label)) {
            return CAIRN_EINVAL;
        }
    }
    uint32_t serial = cfg->serial ? cfg->serial : cairn_fat_now(v);
    L.ss = ss;
    L.total = fs->bdev->block_count;
    L.au = au;
    L.no_mbr = cfg->no_mbr;
    int rc = FAT_MKFS_ABORT;
    if (type != 32) {
        rc = fat_layout_calc(&L, 16);
        if (rc == 0 && type != 0 && L.fmt != type) {
            return CAIRN_EINVAL; // the size does not suit the requested type
        }
    }
    if (rc && (type == 0 || type == 32)) {
        rc = fat_layout_calc(&L, 32);
    }
    if (rc) {
        return CAIRN_EIO; // "aborted", as the reference reports it
    }
    return fat_mkfs_do(fs, &L, serial, label); // (the window stays empty: win_sect none)
}
