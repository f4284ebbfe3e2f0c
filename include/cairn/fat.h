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
 * cluster); a cut before that leaves them free. A new file with a short name
 * only has its entry written at its first sync or close, with its cluster
 * and size (once, not at creation and again at close): until then lookups
 * see it, and a cut loses it (leaving at most clusters for fsck to reclaim,
 * as for any file not synced). FAT16/32 volumes carry the "in use" mark
 * while a session changes them (CAIRN_FAT_DIRTY_MARK). A read-only mount
 * writes nothing.
 *
 * Open files: handles on one file share it as POSIX descriptors share an
 * inode (a write, a truncation or an O_TRUNC open through one is seen at
 * once through the others; the size is the file's, not the last closer's;
 * a sync through any of them writes what all of them wrote).
 * A file removed, or replaced by a rename, while open keeps its clusters
 * until its last handle closes (a cut before that leaves them lost, for
 * fsck); a file renamed while open is written under its new name. FatFs
 * without FF_FS_LOCK calls both illegal: its handles write into freed
 * clusters. A listing of a directory removed while open ends. Unmount
 * closes the files still open (their data written, a removed file's
 * clusters freed); their handles are dead afterwards (-EBADF). fsck refuses
 * to repair while a file is open (-EBUSY); a check then counts the clusters
 * of open files that no entry names yet (a removed file, a new file not
 * synced) as lost.
 *
 * RAM (32-bit target, default options): the mount state, struct cairn_fat,
 * is CAIRN_FAT_MAX_SS (the sector window) + CAIRN_FAT_ALT_SS (512, the
 * second buffer) + CAIRN_FAT_BLOOM_BYTES (1024) + 512 (the name buffer) +
 * 256 bytes: 6,400 bytes with CAIRN_FAT_MAX_SS 4096 (config.h), 2,816 bytes
 * when built with CAIRN_FAT_MAX_SS 512 (SD cards, 512-byte sectors only);
 * 5,888 with CAIRN_FAT_ALT_SS 0. An open file costs 44 bytes (fs_ops
 * file_size()), an open directory 24 (dir_size()); nothing else: no heap,
 * no per-file sector buffer.
 *
 * fsck (fs.h) checks chains (loops, bad links, cross-links, sizes), lost
 * clusters, . and .., orphaned long names, FAT copies (repaired from FAT #1,
 * which is always written first), FSInfo and the boot sector's copy of the
 * label (set from the root's label entry); it needs no memory beyond the
 * mount state: the tree is walked once per range of 12,288 clusters (with
 * the default filter size), with that range's bitmap in the directory filter
 * and the name buffer, using a stack of 32 directory levels.
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

/* 1: the size-first configuration (as FatFs's FF_FS_TINY): the speed caches
 * are left out, code and RAM: the directory-name filter (CAIRN_FAT_BLOOM_BYTES),
 * the directory position and free-slot cache, the parsed-name cache, the
 * second sector buffer (CAIRN_FAT_ALT_SS is 0), the closed file's chain
 * position, a file's known contiguous run, the "volume known full" shortcut,
 * the clock conversion cache, and multi-sector transfers (file data moves
 * through the window sector by sector; a whole sector is still written at
 * once, unread). Lookups and creations then pass over the directory from its
 * start (a new name with a numeric tail: one pass per tail tried), a file
 * reopened walks its chain again, and a directory sector and a data sector no
 * longer stay in memory together: more reads, device calls and instructions,
 * the same bytes written. What is written to the device, every error and
 * every other behaviour are the same as in the default build, and so is the
 * order of FAT and directory writes (the power-loss ordering; the "in use"
 * mark is still written with the first FAT or directory sector a session
 * writes, before any change to another one); only the data sectors of one
 * write call may reach the device in another order (a partial sector can go
 * before the whole ones after it: none of them is part of the file before
 * its next sync). The same setting must be used for the library and every
 * file that includes this header (the structs differ). RAM: the mount
 * state is CAIRN_FAT_MAX_SS + 512 (the name buffer) + 180 bytes: 4,788 with
 * CAIRN_FAT_MAX_SS 4096, 1,204 with 512; an open file 40 bytes (no known
 * contiguous run), a directory 24. 0 (default): the caches are in. */
#ifndef CAIRN_FAT_TINY
#define CAIRN_FAT_TINY 0
#endif

/* Bytes of the directory-name filter in the mount state (a power of two,
 * 64..8192). More bytes keep creating new names in big directories free of
 * rescans for longer: false "maybe" answers cost one directory pass each. */
#ifndef CAIRN_FAT_BLOOM_BYTES
#define CAIRN_FAT_BLOOM_BYTES 1024
#endif

/* 1 (default): FAT16/32 volumes carry the "in use" mark (FAT[1]'s clean
 * bit cleared) while mounted read-write, from the first change of a session
 * until a clean unmount. The mark is written with the first FAT or directory
 * sector a session writes (inside it when that is the first FAT sector, as
 * for the first allocation on a fresh volume, else just before it), and
 * cleared with one FAT-sector write at unmount; a read-only mount or a
 * session that changes nothing never writes it. Without the second buffer
 * (CAIRN_FAT_ALT_SS) it is written at the first change (in the size-first
 * configuration, CAIRN_FAT_TINY: with or before the first change made to a
 * FAT or directory sector, as with the second buffer). 0: no mark is
 * written; a mark set by another system is still reported by fsck and info,
 * and cleared by fsck --repair. */
#ifndef CAIRN_FAT_DIRTY_MARK
#define CAIRN_FAT_DIRTY_MARK 1
#endif

/* 1 (default): the fsck op (fs.h) checks and repairs as described above.
 * 0: fsck is not compiled (about 4 KB less code on Cortex-M4) and the op
 * returns -EOPNOTSUPP, as the reference (FatFs) has no fsck. */
#ifndef CAIRN_FAT_FSCK
#define CAIRN_FAT_FSCK 1
#endif

/* The second sector buffer, in bytes (0 = none): it keeps the last sector the
 * window held, clean, so that a directory sector and a data sector (a small
 * append), or a directory and its FAT sector, stay in memory (the bench's
 * append-log reads 45 KB instead of 1 MB), and through which the "in use"
 * mark is written lazily (CAIRN_FAT_DIRTY_MARK). Used when the volume's
 * sector size is at most this; the default, 512, serves SD cards and
 * 512-byte disks (for 4 KiB-sector flash, 0 saves the 512 bytes and 4096
 * keeps the behaviour).
 * (CAIRN_FAT_WINDOWS, the older switch: 1 = no second buffer, 2 = one of
 * CAIRN_FAT_MAX_SS bytes.) */
#if CAIRN_FAT_TINY
#undef CAIRN_FAT_ALT_SS
#define CAIRN_FAT_ALT_SS 0 /* (left out in the size-first configuration) */
#endif
#ifndef CAIRN_FAT_ALT_SS
#if defined(CAIRN_FAT_WINDOWS) && CAIRN_FAT_WINDOWS > 1
#define CAIRN_FAT_ALT_SS CAIRN_FAT_MAX_SS
#elif defined(CAIRN_FAT_WINDOWS)
#define CAIRN_FAT_ALT_SS 0
#else
#define CAIRN_FAT_ALT_SS 512
#endif
#endif

/* A position in a directory (private to the driver). */
struct cairn_fat_dpos {
    uint32_t sclust, clust, sect, idx;
};

/* A name prepared for lookup and creation (private to the driver). */
struct cairn_fat_name {
    uint8_t sfn[11];
    uint8_t ntres; /* NT case flags for a short-only name */
    uint8_t lossy; /* the short name is not the name (needs a numeric tail) */
    uint8_t need_lfn;
    uint16_t len; /* UTF-16 units in the name buffer */
};

/* An open file's / directory listing's state (private to the driver). */
struct cairn_fat_file;
struct cairn_fat_dir;

/* Mount state (caller-owned). Fields are private to the driver: the sector
 * window (CAIRN_FAT_MAX_SS bytes) and the second buffer (CAIRN_FAT_ALT_SS),
 * the volume geometry, the free-cluster count and hint, the directory cache
 * and a name buffer (512 bytes) used while walking directories. Open files
 * and directories live in caller memory of file_size()/dir_size() bytes. */
struct cairn_fat_private {
    /* (the fields used most come first: short offsets mean smaller code) */
    uint8_t fs_type;    /* 0 = not mounted, 12, 16, 32 */
    uint8_t win_dirty;
    uint8_t ro;         /* mounted read-only (or the device is) */
    uint8_t n_fats;
#if !CAIRN_FAT_TINY
    uint8_t win_data;   /* the window holds file data (needs no mark first) */
#endif
    uint8_t mk_pending; /* the "in use" mark must reach FAT[1] before the next
                         * write of a FAT or directory sector */
    uint8_t vol_dirty;  /* the on-disk "not cleanly unmounted" mark is set */
    uint8_t fsi_dirty;  /* FSInfo values changed since last written */
    uint8_t pe_valid;
#if CAIRN_FAT_TINY
    uint8_t mk_hold;    /* a change about to become the pending entry: no mark yet */
#else
    uint8_t cc_valid;
#endif
    uint8_t was_dirty;  /* the volume was not cleanly unmounted before mount */
    uint8_t dirty_known; /* was_dirty has been read from FAT[1] */
#if !CAIRN_FAT_TINY
    uint8_t free_exact; /* free_clst was counted here, not taken from FSInfo */
    uint8_t tm_valid;
#endif
    uint16_t pe_idx;    /* byte offset of the entry in pe_sect */
    uint16_t n_rootdir; /* root entries (FAT12/16) */
    uint16_t gone_id;   /* the last id given to the handles of a removed file */
    uint32_t ss;        /* sector size */
    /* The window and the second buffer: each points into wbuf or abuf (they
     * trade places rather than copy; set at mkfs and mount). */
    uint8_t *win;
    uint32_t win_sect;  /* device sector held in win, UINT32_MAX = none */
    uint32_t n_fatent;  /* clusters + 2 */
    uint32_t free_clst; /* free clusters, UINT32_MAX = unknown */
#if !CAIRN_FAT_TINY
    uint32_t alt_sect;  /* sector held in alt (never dirty), UINT32_MAX = none */
#endif
    uint32_t pr_n;
    uint32_t fatbase;   /* first sector of FAT #1 */
    uint32_t dirbase;   /* root: first sector (FAT12/16) or cluster (FAT32) */
    uint32_t csize;     /* sectors per cluster */
    uint32_t fsize;     /* sectors per FAT */
    /* A new file's short entry not written yet (written at its first sync,
     * with its cluster and size): laid over sector pe_sect whenever the
     * window reads it, so that every lookup sees the file. */
    uint32_t pe_sect;
#if !CAIRN_FAT_TINY
    uint8_t *alt;
#endif
    /* Clusters a file has taken but not yet linked in the FAT: the run
     * pr_first.. (pr_n clusters, chain index pr_idx on) after cluster pr_prev
     * (0 = the chain starts there). Linked at the next sync, so that a file
     * written cluster by cluster costs one FAT-sector write per sync. */
    const void *pr_file;
    uint32_t pr_first;
    struct cairn_fat_file *files; /* the open file handles (a list through them) */
    struct cairn_fat_dir *dirs;   /* the open directory listings (the same) */
    uint32_t last_clst; /* allocation hint: last cluster allocated */
    uint32_t fsi_sect;  /* FSInfo sector (device), 0 = none */
#if !CAIRN_FAT_TINY
    /* the last chain position of a closed file (so that an append
     * reopening it does not walk its chain again) */
    uint32_t cc_sclust, cc_idx, cc_clust;
#endif
    uint32_t pr_prev, pr_idx;
    uint32_t volbase;   /* first device sector of the volume */
    uint32_t volsize;   /* sectors in the volume */
    uint32_t database;  /* first sector of cluster 2 */
#if !CAIRN_FAT_TINY
    uint32_t tm_fat;
#endif
    const struct cairn_fat_config *cfg;
    uint8_t pe_ent[32];
#if !CAIRN_FAT_TINY
    int64_t tm_s;       /* the last clock second asked for, and its FAT time */
    /* Directory cache for one directory: a Bloom filter of its names (so
     * that creating a new name needs no scan), where its free space starts,
     * and where the last lookup stopped (so that lookups in slot order need
     * no rescan). CAIRN_FAT_BLOOM_BYTES + 40 bytes. */
    uint32_t dc_dir;               /* the directory + 1 that bloom and hole
                                    * describe (1 = root, 0 = none) */
    struct cairn_fat_dpos dc_hole; /* no free entry before this one */
    struct cairn_fat_dpos dc_last; /* first entry of the last set found */
    uint32_t dc_last_dir;          /* its directory + 1 (0 = none) */
    uint8_t dc_bloom[CAIRN_FAT_BLOOM_BYTES];
    uint8_t nc_valid;   /* nc is still what the name in `name` gives (an
                         * ASCII name parsed again then costs one comparison) */
#endif
    struct cairn_fat_name nc; /* what the last parsed name gave */
    uint16_t lfn_len;   /* units of the long name a listing read into name */
    uint16_t name[256]; /* name component being looked up / created (long
                         * names on disk are compared with it piece by piece) */
    uint8_t wbuf[CAIRN_FAT_MAX_SS];
#if CAIRN_FAT_ALT_SS > 0
    uint8_t abuf[CAIRN_FAT_ALT_SS];
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
