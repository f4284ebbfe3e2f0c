/*
 * FAT12/16/32 driver with long names (VFAT), PC-compatible, ordered for
 * power-loss safety, with fsck and repair. Plugs into the VFS through
 * struct cairn_fs (fs.h).
 *
 *   struct cairn_fat fat;
 *   cairn_fat_init(&fat, bdev, NULL);          // NULL = VfsFat defaults
 *   fat.fs.ops->mkfs(&fat.fs);                 // VfsFat.mkfs
 *   cairn_vfs_mount(&fat.fs, "/sd", 0);
 *
 * The device needs the simple interface (an extended-only device is served
 * block by block by the bdev wrappers). The sector size is the device's block
 * size, 512..CAIRN_FAT_MAX_SS (D14).
 *
 * Behaviour (vfs.md §7-§12 with decisions D4-D20): every device error is
 * -EIO; a failing INIT ioctl is -EBUSY; no FAT volume is -ENODEV. Names are
 * UTF-8 in the API and UTF-16 in long-name entries; short names use code
 * page 437. Writes are ordered for power loss: file data, then the FAT (all
 * copies), then the directory entry; a new entry set goes inside one sector
 * when it fits, short entry last. Clusters a file grows by are linked in the
 * FAT at its next sync or close (one FAT-sector write per sync, not one per
 * cluster); a cut before that leaves them free. The "in use" mark in FAT[1]
 * is optional (CAIRN_FAT_DIRTY_MARK, off by default). A read-only mount
 * writes nothing.
 *
 * RAM (32-bit target, default options): the mount state, struct cairn_fat,
 * is CAIRN_FAT_MAX_SS (one sector window) + CAIRN_FAT_BLOOM_BYTES (1024) +
 * 1024 (two name buffers) + 232 bytes: 6,376 bytes with CAIRN_FAT_MAX_SS
 * 4096 (config.h), 2,792 bytes when built with CAIRN_FAT_MAX_SS 512 (SD
 * cards, 512-byte sectors only). CAIRN_FAT_WINDOWS 2 adds CAIRN_FAT_MAX_SS.
 * An open file costs 44 bytes (fs_ops file_size()), an open directory 24
 * (dir_size()); nothing else: no heap, no per-file sector buffer.
 *
 * fsck (fs.h) checks chains (loops, bad links, cross-links, sizes), lost
 * clusters, . and .., orphaned long names, FAT copies (repaired from FAT #1,
 * which is always written first), FSInfo and the boot sector's copy of the
 * label (set from the root's label entry); it needs no memory beyond the
 * mount state: the tree is walked once per range of 8192 clusters, with that
 * range's bitmap in the name buffers, using a stack of 32 directory levels.
 */
#ifndef CAIRN_FAT_H
#define CAIRN_FAT_H

#include "cairn/fs.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Options. Zero fields mean "as VfsFat.mkfs does" (FAT12/16 by size with the
 * reference's cluster sizes, FAT32 with an MBR as fallback; 1 FAT; 512 root
 * entries; label "NO NAME"). `partition` selects the MBR partition at mount:
 * 0 = the first FAT partition (or the whole device without an MBR), 1..4 an
 * entry. The config must outlive the mount.
 */
struct cairn_fat_config {
    uint8_t fat_type;       /* mkfs: 0 auto, 12, 16 or 32 */
    uint8_t n_fats;         /* mkfs: 0 -> 1 (the reference's), or 2 */
    uint8_t partition;      /* mount: 0 auto, 1..4 */
    uint8_t no_mbr;         /* mkfs: 1 = never write a partition table */
    uint32_t cluster_size;  /* mkfs: bytes, 0 auto */
    uint16_t root_entries;  /* mkfs FAT12/16: 0 -> 512 */
    char label[12];         /* mkfs: "" -> "NO NAME" */
    uint32_t serial;        /* mkfs: 0 -> from the clock, as FatFs does */
};

/* Bytes of the directory-name filter in the mount state (a power of two,
 * 64..8192). More bytes keep creating new names in big directories free of
 * rescans for longer: false "maybe" answers cost one directory pass each. */
#ifndef CAIRN_FAT_BLOOM_BYTES
#define CAIRN_FAT_BLOOM_BYTES 1024
#endif

/* 1: FAT16/32 volumes carry the "in use" mark in FAT[1] from the first
 * change until a clean unmount (FAT-sector writes at each end of a modifying
 * session). 0 (default): no mark is written, so a session costs no writes
 * beyond the reference's; a mark set by another system is still reported by
 * fsck and info, and cleared by fsck --repair. */
#ifndef CAIRN_FAT_DIRTY_MARK
#define CAIRN_FAT_DIRTY_MARK 0
#endif

/* 1 (default): the fsck op (fs.h) checks and repairs as described above.
 * 0: fsck is not compiled (about 4 KB less code on Cortex-M4) and the op
 * returns -EOPNOTSUPP, as the reference (FatFs) has no fsck. */
#ifndef CAIRN_FAT_FSCK
#define CAIRN_FAT_FSCK 1
#endif

/* Sector buffers in the mount state: 1 (the window) or 2 (the window plus
 * the last sector it held, kept clean: directory and data sectors of a small
 * append, or a directory and its FAT sector, then stay in memory). Each costs
 * CAIRN_FAT_MAX_SS bytes. The default, 1, re-reads more (the bench's
 * append-log reads 1 MB instead of 45 KB) but writes exactly as much. */
#ifndef CAIRN_FAT_WINDOWS
#define CAIRN_FAT_WINDOWS 1
#endif

/* A position in a directory (private to the driver). */
struct cairn_fat_dpos {
    uint32_t sclust, clust, sect, idx;
};

/* Mount state (caller-owned). Fields are private to the driver: one sector
 * window (CAIRN_FAT_MAX_SS bytes), the volume geometry, the free-cluster
 * count and hint, and two name buffers (about 1 KiB) used while walking
 * directories. Open files and directories live in caller memory of
 * file_size()/dir_size() bytes. */
struct cairn_fat_private {
    const struct cairn_fat_config *cfg;
    uint32_t win_sect;  /* device sector held in win, UINT32_MAX = none */
    uint32_t volbase;   /* first device sector of the volume */
    uint32_t volsize;   /* sectors in the volume */
    uint32_t fatbase;   /* first sector of FAT #1 */
    uint32_t fsize;     /* sectors per FAT */
    uint32_t dirbase;   /* root: first sector (FAT12/16) or cluster (FAT32) */
    uint32_t database;  /* first sector of cluster 2 */
    uint32_t n_fatent;  /* clusters + 2 */
    uint32_t free_clst; /* free clusters, UINT32_MAX = unknown */
    uint32_t last_clst; /* allocation hint: last cluster allocated */
    uint32_t fsi_sect;  /* FSInfo sector (device), 0 = none */
    uint32_t csize;     /* sectors per cluster */
    uint32_t ss;        /* sector size */
    uint16_t n_rootdir; /* root entries (FAT12/16) */
    uint8_t fs_type;    /* 0 = not mounted, 12, 16, 32 */
    uint8_t n_fats;
    uint8_t free_exact; /* free_clst was counted here, not taken from FSInfo */
    uint8_t win_dirty;
    uint8_t fsi_dirty;  /* FSInfo values changed since last written */
    uint8_t vol_dirty;  /* the on-disk "not cleanly unmounted" mark is set */
    uint8_t ro;         /* mounted read-only (or the device is) */
    uint8_t was_dirty;  /* the volume was not cleanly unmounted before mount */
    /* Directory cache for one directory: a Bloom filter of its names (so
     * that creating a new name needs no scan), where its free space starts,
     * and where the last lookup stopped (so that lookups in slot order need
     * no rescan). CAIRN_FAT_BLOOM_BYTES + 50 bytes. */
    uint32_t dc_dir;              /* the directory (0 = root) */
    uint8_t dc_valid;             /* bloom, end and hole describe dc_dir */
    uint8_t dc_end_full;          /* the chain is full after dc_end */
    uint8_t dc_last_valid;        /* dc_last is a set boundary in dc_dir */
    uint8_t dirty_known;          /* was_dirty has been read from FAT[1] */
    struct cairn_fat_dpos dc_end;  /* first entry of the free tail */
    struct cairn_fat_dpos dc_hole; /* no free entry before this one */
    struct cairn_fat_dpos dc_last; /* first entry of the last set found */
    uint32_t dc_last_dir;
    uint8_t dc_bloom[CAIRN_FAT_BLOOM_BYTES];
    /* The directory the last path's parent resolved to, keyed by a 64-bit
     * hash of the path up to its last component (so "/d/f1", "/d/f2" walk
     * "/d" once), and the last chain position of a closed file (so that an
     * append reopening it does not walk its chain again). */
    int64_t tm_s;       /* the last clock second asked for, and its FAT time */
    uint32_t tm_fat;
    uint8_t tm_valid;
    uint64_t pc_hash;
    uint32_t pc_dir;
    uint16_t pc_len;
    uint8_t pc_valid;
    uint8_t cc_valid;
    uint32_t cc_sclust, cc_idx, cc_clust;
    /* Clusters a file has taken but not yet linked in the FAT: the run
     * pr_first.. (pr_n clusters, chain index pr_idx on) after cluster pr_prev
     * (0 = the chain starts there). Linked at the next sync, so that a file
     * written cluster by cluster costs one FAT-sector write per sync. */
    const void *pr_file;
    uint32_t pr_prev, pr_first, pr_n, pr_idx;
    /* What the last parsed name, still in `name`, gave (an ASCII name
     * parsed again, as a file reopened, then costs one comparison). */
    uint8_t nc_sfn[11];
    uint8_t nc_ntres, nc_lossy, nc_need_lfn, nc_valid;
    uint16_t nc_len;
    uint16_t lfn_len;
    uint16_t lfn[256];  /* long name being assembled from disk */
    uint16_t name[256]; /* name component being looked up / created */
    uint32_t alt_sect;  /* sector held in alt (never dirty), UINT32_MAX = none */
    uint8_t win[CAIRN_FAT_MAX_SS];
#if CAIRN_FAT_WINDOWS > 1
    uint8_t alt[CAIRN_FAT_MAX_SS];
#endif
};

struct cairn_fat {
    struct cairn_fs fs; /* first: the VFS sees this */
    struct cairn_fat_private priv;
};

extern const struct cairn_fs_ops cairn_fat_ops;

/* Prepare `fat` for mkfs/mount on `bd` (cfg NULL = defaults). Does not touch
 * the device. Returns 0 or -EINVAL (NULL arguments). */
int cairn_fat_init(struct cairn_fat *fat, struct cairn_bdev *bd,
                   const struct cairn_fat_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_FAT_H */
