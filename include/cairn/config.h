/*
 * Compile-time limits. Every value can be overridden with -D; each comment
 * says what it costs in RAM so the total stays known.
 */
#ifndef CAIRN_CONFIG_H
#define CAIRN_CONFIG_H

/* The size-first configuration, as FatFs's FF_FS_TINY: CAIRN_LFS2_TINY=1 and
 * CAIRN_FAT_TINY=1 (documented in lfs2.h and fat.h; default 0) leave the
 * drivers' speed caches out, code and RAM, and keep every behaviour and what
 * reaches the medium. They change the state structs: build the library and
 * everything that includes its headers with the same setting. */

/* Longest name in bytes of UTF-8 a dirent can carry. FAT names are up to
 * 255 UTF-16 units (765 bytes of UTF-8 at most); littlefs names up to 255
 * bytes. Costs this many bytes in every struct cairn_dirent. */
#ifndef CAIRN_NAME_MAX
#define CAIRN_NAME_MAX 765
#endif

/* Longest path the VFS accepts, in bytes (MicroPython's PATH_MAX on Zephyr).
 * The VFS keeps one normalised path buffer of this size per call on the stack
 * and one for the current directory. */
#ifndef CAIRN_PATH_MAX
#define CAIRN_PATH_MAX 512
#endif

/* Largest FAT sector size supported (D14): 512..4096. A mounted FAT volume
 * holds one window buffer of this size. */
#ifndef CAIRN_FAT_MAX_SS
#define CAIRN_FAT_MAX_SS 4096
#endif

/* VFS pools (no malloc): mount table entries, open files, open directories. */
#ifndef CAIRN_VFS_MAX_MOUNTS
#define CAIRN_VFS_MAX_MOUNTS 8
#endif
#ifndef CAIRN_VFS_MAX_FILES
#define CAIRN_VFS_MAX_FILES 8
#endif
#ifndef CAIRN_VFS_MAX_DIRS
#define CAIRN_VFS_MAX_DIRS 4
#endif

/* Bytes of driver state per VFS file / directory slot (aligned storage the
 * VFS hands to the driver's open/opendir). A driver whose file_size() for a
 * mount exceeds this cannot open files through the VFS (-ENOMEM). */
#ifndef CAIRN_VFS_FILE_STATE
#define CAIRN_VFS_FILE_STATE 1280
#endif
#ifndef CAIRN_VFS_DIR_STATE
#define CAIRN_VFS_DIR_STATE 256
#endif

/* Longest mount point including its NUL ("/" or "/name", D1). Costs this many
 * bytes per mount-table entry. */
#ifndef CAIRN_VFS_POINT_MAX
#define CAIRN_VFS_POINT_MAX 32
#endif

/* Filesystem objects the VFS owns for cairn_vfs_mount_bdev: each is a union
 * of the FAT and littlefs mount state (FAT's holds a CAIRN_FAT_MAX_SS window:
 * about 5.5 KB with the default 4096), a littlefs config and buffer
 * (CAIRN_LFS2_BUFFER_SIZE(cache, lookahead)) and a read-only device view:
 * about 5.9 KB each on Cortex-M4 with the defaults. More mounts of raw
 * devices at once than this -> -EMFILE. */
#ifndef CAIRN_VFS_BDEV_POOL
#define CAIRN_VFS_BDEV_POOL 2
#endif
/* littlefs cache and lookahead sizes the pool's buffers are sized for:
 * MicroPython's defaults (cache min(block, 128), lookahead 32 bytes). */
#ifndef CAIRN_VFS_LFS2_CACHE
#define CAIRN_VFS_LFS2_CACHE 128
#endif
#ifndef CAIRN_VFS_LFS2_LOOKAHEAD
#define CAIRN_VFS_LFS2_LOOKAHEAD 32
#endif

#endif /* CAIRN_CONFIG_H */
