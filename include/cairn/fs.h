/*
 * The filesystem driver contract. FAT and littlefs plug into the VFS (and the
 * CLI) through one const table of operations; nothing reaches around it.
 *
 * Ownership: the caller owns every object. A driver's mount state embeds
 * struct cairn_fs as its FIRST member (so `struct cairn_fs *` converts to the
 * driver's type). Open files and directories live in caller memory of the size
 * the driver's file_size()/dir_size() report for that mount, aligned for any
 * type (as malloc's); the driver keeps no pointers to them after close.
 *
 * Paths: the VFS hands drivers absolute paths inside the filesystem, already
 * normalised: they start with '/', contain no empty, "." or ".." components,
 * and "/" names the root. A trailing '/' is kept when the caller wrote one
 * ("/dir/"), so the driver can apply its own rule (FAT: EINVAL/ENOENT,
 * littlefs: allowed on directories, ENOTDIR on files).
 *
 * Every entry is non-NULL; unsupported ones point at cairn_fs_unsupported_*
 * helpers that return -EOPNOTSUPP.
 */
#ifndef CAIRN_FS_H
#define CAIRN_FS_H

#include "cairn/bdev.h"
#include "cairn/cairn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* open flags */
#define CAIRN_O_RDONLY 0x0001
#define CAIRN_O_WRONLY 0x0002
#define CAIRN_O_RDWR 0x0003
#define CAIRN_O_ACCMODE 0x0003
#define CAIRN_O_CREAT 0x0100
#define CAIRN_O_EXCL 0x0200
#define CAIRN_O_TRUNC 0x0400
#define CAIRN_O_APPEND 0x0800

/* seek whence */
#define CAIRN_SEEK_SET 0
#define CAIRN_SEEK_CUR 1
#define CAIRN_SEEK_END 2

/* mount flags */
#define CAIRN_MOUNT_RDONLY 0x1

/* Capabilities: where the filesystems differ by nature, callers (and the
 * conformance suite) ask these bits, never the filesystem's name. */
#define CAIRN_FS_CAP_CASE_INSENSITIVE 0x0001 /* FAT */
#define CAIRN_FS_CAP_NAME_CHARSET 0x0002     /* some characters are illegal (FAT) */
#define CAIRN_FS_CAP_MTIME_2S 0x0004         /* timestamps in 2-second steps (FAT) */
#define CAIRN_FS_CAP_MTIME_NS 0x0008         /* nanosecond mtime attribute (littlefs) */
#define CAIRN_FS_CAP_USER_ATTRS 0x0010       /* getattr/setattr (littlefs) */
#define CAIRN_FS_CAP_DOS_ATTRS 0x0020        /* read-only/hidden/system/archive (FAT) */
#define CAIRN_FS_CAP_LABEL 0x0040            /* volume label (FAT) */
#define CAIRN_FS_CAP_SORTED_DIRS 0x0080      /* listing in name order (littlefs) */
#define CAIRN_FS_CAP_ATOMIC 0x0100           /* metadata ops all-or-nothing (littlefs) */
#define CAIRN_FS_CAP_DOTDOT_CLAMP 0x0200     /* ".." at the root stays at the root (FAT) */
#define CAIRN_FS_CAP_TRAILING_SLASH 0x0400   /* "dir/" accepted (littlefs) */
#define CAIRN_FS_CAP_APPEND_ONCE 0x0800      /* O_APPEND seeks to EOF once at open (FAT) */

/* fsck flags and report */
#define CAIRN_FSCK_REPAIR 0x1
#define CAIRN_FSCK_VERBOSE 0x2

/* Called once per problem found; `fixed` says whether it was repaired. */
typedef void (*cairn_fsck_report_fn)(void *ctx, const char *problem, int fixed);

/* cairn_fs_info.flags */
#define CAIRN_FS_INFO_UNCLEAN 0x1 /* not cleanly unmounted before this mount (FAT) */

/* What `cairn info` shows. Strings are NUL-terminated. The layout fields are
 * numbers, not text: formatting is the tools' business, not the firmware's. */
struct cairn_fs_info {
    char type[16];          /* "FAT12", "FAT16", "FAT32", "littlefs" */
    char version[16];       /* "2.1" for littlefs, "" for FAT */
    char label[32];         /* FAT volume label, "" if none */
    uint32_t block_size;    /* device block (sector) size */
    uint32_t block_count;   /* device blocks */
    uint32_t unit_size;     /* allocation unit: cluster or block */
    uint64_t units_total;   /* data clusters / blocks */
    uint64_t units_free;
    uint32_t name_max;
    /* the volume's layout (FAT; 0 where a filesystem has no such thing) */
    uint32_t vol_start;     /* first device block of the volume */
    uint32_t vol_blocks;    /* blocks in the volume */
    uint32_t fat_copies;    /* copies of the FAT */
    uint32_t fat_blocks;    /* blocks per copy */
    uint32_t root_entries;  /* FAT12/16 fixed root directory entries */
    uint32_t flags;         /* CAIRN_FS_INFO_* */
};

struct cairn_fs;
struct cairn_fs_ops;

/* The head of every driver's mount state. */
struct cairn_fs {
    const struct cairn_fs_ops *ops;
    struct cairn_bdev *bdev; /* the device the driver talks to */
    uint32_t mount_flags;    /* CAIRN_MOUNT_* while mounted */
    uint8_t mounted;
};

struct cairn_fs_ops {
    const char *name; /* "fat", "lfs2" */
    uint32_t caps;    /* CAIRN_FS_CAP_* */

    /* Format the device with the options the driver was initialised with.
     * Leaves the fs unmounted. */
    int (*mkfs)(struct cairn_fs *fs);
    /* Mount / unmount. Mount never formats (D19): unformatted -> -ENODEV,
     * damaged -> -ECORRUPT (littlefs) or -ENODEV/-EIO (FAT). */
    int (*mount)(struct cairn_fs *fs, uint32_t flags);
    int (*umount)(struct cairn_fs *fs);

    /* Bytes of caller memory one open file / directory needs on this mount. */
    size_t (*file_size)(const struct cairn_fs *fs);
    size_t (*dir_size)(const struct cairn_fs *fs);

    /* Files. read/write return the byte count (>= 0) or a negative errno;
     * seek returns the new position. */
    int (*open)(struct cairn_fs *fs, void *file, const char *path, uint32_t flags);
    int (*close)(struct cairn_fs *fs, void *file);
    int32_t (*read)(struct cairn_fs *fs, void *file, void *buf, uint32_t len);
    int32_t (*write)(struct cairn_fs *fs, void *file, const void *buf, uint32_t len);
    int64_t (*seek)(struct cairn_fs *fs, void *file, int64_t off, int whence);
    int64_t (*tell)(struct cairn_fs *fs, void *file);
    int64_t (*size)(struct cairn_fs *fs, void *file);
    int (*truncate)(struct cairn_fs *fs, void *file, int64_t size);
    int (*sync)(struct cairn_fs *fs, void *file);

    /* Directories. readdir returns 1 with an entry, 0 at the end (and keeps
     * returning 0), or a negative errno. "." and ".." are never returned. */
    int (*opendir)(struct cairn_fs *fs, void *dir, const char *path);
    int (*readdir)(struct cairn_fs *fs, void *dir, struct cairn_dirent *ent);
    int (*closedir)(struct cairn_fs *fs, void *dir);

    /* Paths. */
    int (*stat)(struct cairn_fs *fs, const char *path, struct cairn_stat *st);
    int (*mkdir)(struct cairn_fs *fs, const char *path);
    int (*remove)(struct cairn_fs *fs, const char *path); /* files only (D8) */
    int (*rmdir)(struct cairn_fs *fs, const char *path);  /* empty dirs only (D8, D9) */
    int (*rename)(struct cairn_fs *fs, const char *from, const char *to);
    int (*statvfs)(struct cairn_fs *fs, struct cairn_statvfs *st);

    /* Set a path's modification time (ns since 1970): pack keeps host mtimes. */
    int (*set_mtime)(struct cairn_fs *fs, const char *path, int64_t mtime_ns);
    /* User attributes (littlefs): getattr returns the attribute's size. */
    int32_t (*getattr)(struct cairn_fs *fs, const char *path, uint8_t type, void *buf,
                       uint32_t len);
    int (*setattr)(struct cairn_fs *fs, const char *path, uint8_t type, const void *buf,
                   uint32_t len);
    int (*removeattr)(struct cairn_fs *fs, const char *path, uint8_t type);
    /* Volume label: get into buf (size len) and/or set when `set` != NULL. */
    int (*label)(struct cairn_fs *fs, char *buf, uint32_t len, const char *set);

    /* Whole-filesystem operations. */
    int (*sync_fs)(struct cairn_fs *fs);
    int (*info)(struct cairn_fs *fs, struct cairn_fs_info *info);
    /* Check the volume (mounted read-only or read-write; repair needs rw and,
     * in FAT, no open file: -EBUSY). Returns the number of problems left
     * unrepaired (0 = clean) or an errno. */
    int32_t (*fsck)(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report,
                    void *ctx);
};

/* Shared "not supported" entries for drivers' tables. */
int32_t cairn_fs_unsupported_getattr(struct cairn_fs *fs, const char *path, uint8_t type,
                                     void *buf, uint32_t len);
int cairn_fs_unsupported_setattr(struct cairn_fs *fs, const char *path, uint8_t type,
                                 const void *buf, uint32_t len);
int cairn_fs_unsupported_removeattr(struct cairn_fs *fs, const char *path, uint8_t type);
int cairn_fs_unsupported_label(struct cairn_fs *fs, char *buf, uint32_t len, const char *set);
int32_t cairn_fs_unsupported_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report,
                                  void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_FS_H */
