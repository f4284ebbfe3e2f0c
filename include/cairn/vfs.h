/*
 * The VFS: MicroPython's `vfs` module in C. One mount table, one current
 * directory, open files and directory iterators from static pools (config.h),
 * over any filesystem driver (fs.h).
 *
 * Paths are UTF-8, absolute or relative to the current directory; "." and
 * ".." and repeated slashes are resolved here, and drivers see normalised
 * paths inside their own mount. Everything returns a negative errno on
 * failure (cairn.h), with MicroPython's numbers and the decisions D1-D20.
 *
 * Thread safety: with a lock installed (cairn_vfs_set_lock) every public call
 * holds it for its duration. Without one, calls must not overlap.
 */
#ifndef CAIRN_VFS_H
#define CAIRN_VFS_H

#include "cairn/fs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cairn_vfs_mount_bdev flags (with CAIRN_MOUNT_RDONLY from fs.h) */
#define CAIRN_MOUNT_MKFS 0x2 /* format first, with the named fs (FAT by default, D16) */

/* ---- mounts ------------------------------------------------------------ */

/*
 * Mount an initialised filesystem object (cairn_fat_init / cairn_lfs2_init)
 * at `point`: "/" or "/name" (D1). Calls the driver's mount first, as the
 * reference does, but checks the mount point before (D2: -EPERM when taken).
 * The object stays the caller's and must outlive the mount.
 */
int cairn_vfs_mount(struct cairn_fs *fs, const char *point, uint32_t flags);

/*
 * Mount a block device, detecting its filesystem as the reference does
 * (littlefs magic at byte 8 of block 0 or 1, else FAT), or with `fstype`
 * ("fat" / "lfs2") forced. The filesystem state comes from the VFS's own pool
 * (CAIRN_VFS_MAX_MOUNTS). CAIRN_MOUNT_MKFS formats first (FAT when fstype is
 * NULL). No filesystem found -> -ENODEV; nothing is ever formatted implicitly.
 */
int cairn_vfs_mount_bdev(struct cairn_bdev *bd, const char *point, uint32_t flags,
                         const char *fstype);

/* Unmount by mount point. Open files or directories on it -> -EBUSY unless
 * `force`, which closes them (their handles then give -EBADF) (D3). */
int cairn_vfs_umount(const char *point, int force);

/* Unmount the first mount of `fs` (by object, as umount(fsobj) does). */
int cairn_vfs_umount_fs(struct cairn_fs *fs, int force);

/* The i-th mount in table order: 0 and its point/fs, or -ENOENT past the end. */
int cairn_vfs_mount_info(int index, const char **point, struct cairn_fs **fs);

/* Unmount everything (forced) and reset the cwd: tests and shutdown. */
void cairn_vfs_reset(void);

/* ---- files ---------------------------------------------------------------- */

/*
 * Open with a Python mode string ("r", "w", "a", "x", "+", "b", "t"; D4/D5
 * rules) and return a handle >= 0. Handles are never reused while a stale
 * copy could still name them: a closed handle gives -EBADF (D13).
 */
int cairn_vfs_open(const char *path, const char *mode);

/* Open with CAIRN_O_* flags. */
int cairn_vfs_open_flags(const char *path, uint32_t flags);

int cairn_vfs_close(int fd); /* closing twice is a no-op success */
int32_t cairn_vfs_read(int fd, void *buf, uint32_t len);
int32_t cairn_vfs_write(int fd, const void *buf, uint32_t len);
/* Up to and including '\n', at most len - 1 bytes, NUL-terminated; returns
 * the byte count (0 at EOF). */
int32_t cairn_vfs_readline(int fd, char *buf, uint32_t len);
int64_t cairn_vfs_seek(int fd, int64_t off, int whence);
int64_t cairn_vfs_tell(int fd);
int64_t cairn_vfs_fsize(int fd);
int cairn_vfs_flush(int fd);
int cairn_vfs_truncate(int fd, int64_t size);

/* ---- directories ------------------------------------------------------------ */

/* ilistdir: open an iterator (>= 0). At the VFS root it lists the mount
 * points, then the root filesystem's own entries (vfs.md section 7). */
int cairn_vfs_opendir(const char *path);
/* 1 and an entry, 0 at the end (and after), or a negative errno. */
int cairn_vfs_readdir(int dd, struct cairn_dirent *ent);
int cairn_vfs_closedir(int dd); /* idempotent */

/* ---- paths ------------------------------------------------------------------------ */

int cairn_vfs_stat(const char *path, struct cairn_stat *st);
int cairn_vfs_statvfs(const char *path, struct cairn_statvfs *st);
int cairn_vfs_mkdir(const char *path);
int cairn_vfs_rmdir(const char *path);
int cairn_vfs_remove(const char *path);
int cairn_vfs_rename(const char *from, const char *to); /* across mounts: -EXDEV (D18) */
int cairn_vfs_chdir(const char *path);
/* The current directory into buf; -ENAMETOOLONG (nothing written) if it does
 * not fit. */
int cairn_vfs_getcwd(char *buf, uint32_t len);

/* Extensions beyond MicroPython's API, used by the CLI. */
int cairn_vfs_set_mtime(const char *path, int64_t mtime_ns);
int32_t cairn_vfs_getattr(const char *path, uint8_t type, void *buf, uint32_t len);
int cairn_vfs_setattr(const char *path, uint8_t type, const void *buf, uint32_t len);
int cairn_vfs_removeattr(const char *path, uint8_t type);
int cairn_vfs_label(const char *path, char *buf, uint32_t len, const char *set);
int cairn_vfs_info(const char *path, struct cairn_fs_info *info);
int32_t cairn_vfs_fsck(const char *path, uint32_t flags, cairn_fsck_report_fn report, void *ctx);
int cairn_vfs_sync(void); /* sync every mounted filesystem */

/* ---- locking -------------------------------------------------------------------- */

typedef void (*cairn_lock_fn)(void *ctx);
void cairn_vfs_set_lock(cairn_lock_fn lock, cairn_lock_fn unlock, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_VFS_H */
