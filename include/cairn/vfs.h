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
 * Path rules: "" means the current directory. ".." never leaves a mounted
 * filesystem (as in MicroPython): at the root of a sub-mount it stays there
 * when the driver has CAIRN_FS_CAP_DOTDOT_CLAMP (FAT) and is -EINVAL
 * otherwise (littlefs; chdir then reports -ENOENT). The VFS root is its own
 * parent. A path that ends in '/' reaches the driver with a trailing '/'; one
 * that ends in "." or ".." must name a directory (-ENOTDIR otherwise),
 * reaches the driver without one, and cannot be removed or renamed (-EINVAL).
 * Mount points match exactly (case-sensitive) and come before the "/"
 * mount's own entries. With the cwd inside the "/" mount, relative paths are
 * resolved as POSIX does ("../sd" from "/a" reaches the /sd mount).
 * Results at the VFS root and with no mount follow vfs.md
 * section 3, with these choices: open/remove/rmdir of the VFS root -> -EPERM,
 * mkdir -> -EEXIST, a path under no mount -> -ENODEV; open of a mounted
 * filesystem's root -> -EISDIR, remove/rmdir/rename of it -> -EINVAL, mkdir
 * -> -EEXIST; rename with both sides under no mount -> -ENODEV, with one
 * side at the VFS root -> -EPERM, between two filesystems (or a filesystem
 * and no mount) -> -EXDEV (D18). A read-only mount answers every modifying call (write-capable
 * open, mkdir, remove, rmdir, rename, set_mtime, setattr, label set, fsck
 * repair) with -EROFS before the driver sees it (D5). Access modes are
 * checked here for both filesystems: read on a write-only handle and write
 * or truncate on a read-only one -> -EBADF (D4).
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
#define CAIRN_MOUNT_MKFS 0x2 /* format when nothing mountable is found (FAT by default, D16) */

/* ---- mounts ------------------------------------------------------------ */

/*
 * Mount an initialised filesystem object (cairn_fat_init / cairn_lfs2_init)
 * at `point`: "/" or "/name", one trailing '/' stripped; anything else
 * -EINVAL (D1). The point is checked before the driver's mount runs (D2:
 * -EPERM when taken, including a second "/"); a full table -> -EMFILE. Then
 * the driver mounts with CAIRN_MOUNT_RDONLY as given (D5/D6: the flag
 * belongs to this mount; the VFS also refuses modifying calls on it). With
 * CAIRN_MOUNT_MKFS a device holding no filesystem (-ENODEV / -ECORRUPT from
 * the driver's mount) is formatted and mounted, as the reference's
 * mount(mkfs=True) does; a formatted one is mounted as it is (with
 * CAIRN_MOUNT_RDONLY an unformatted one -> -EROFS, nothing written). A driver failure (-ENODEV unformatted,
 * -ECORRUPT, -EIO...) leaves the table unchanged. An object may be mounted
 * at several points: the driver mounts once and unmounts with the last. It
 * mounts read-only only while every point is read-only: a read-write point
 * joining read-only ones remounts it read-write (-EBUSY while files or
 * iterators are open on it). The object stays the caller's and must outlive
 * the mount.
 */
int cairn_vfs_mount(struct cairn_fs *fs, const char *point, uint32_t flags);

/*
 * Mount a block device, detecting its filesystem as the reference does
 * (blockdev.md section 5: an extended read of 44 bytes at byte 8 of block 0,
 * then block 1; "littlefs" there and a successful littlefs mount -> littlefs,
 * anything else -> FAT), or with `fstype` ("fat" / "lfs2") forced; another
 * name -> -EINVAL. The filesystem state comes from the VFS's own pool
 * (CAIRN_VFS_BDEV_POOL objects, -EMFILE when all are in use) and is freed at
 * umount. CAIRN_MOUNT_MKFS formats only when nothing mountable is found, as
 * the reference's mount(mkfs=True): with the named fs, FAT when fstype is
 * NULL (D16); with CAIRN_MOUNT_RDONLY that case is -EROFS, nothing written.
 * No filesystem found -> -ENODEV; nothing is ever formatted implicitly
 * (D19). A read-only mount puts a cairn_bdev_ro view under the driver, so
 * nothing below it can program or erase (D5). The device must outlive the
 * mount.
 */
int cairn_vfs_mount_bdev(struct cairn_bdev *bd, const char *point, uint32_t flags,
                         const char *fstype);

/* Unmount by mount point (exact, one trailing '/' ignored; not mounted ->
 * -EINVAL). Open files or directories on it -> -EBUSY unless `force`, which
 * closes them, flushing files (their handles then give -EBADF) (D3). A cwd
 * inside it goes back to "/". The entry is removed even if the driver's
 * umount fails; that error is returned. */
int cairn_vfs_umount(const char *point, int force);

/* Unmount the first mount of `fs` (by object, as umount(fsobj) does). */
int cairn_vfs_umount_fs(struct cairn_fs *fs, int force);

/* The i-th mount in table order: 0 and its point/fs, or -ENOENT past the end. */
int cairn_vfs_mount_info(int index, const char **point, struct cairn_fs **fs);

/* The flags (CAIRN_MOUNT_RDONLY) of the mount at `point` ("/" or "/name"),
 * or -EINVAL when nothing is mounted there. */
int cairn_vfs_mount_flags(const char *point);

/* Unmount everything (forced) and reset the cwd: tests and shutdown. */
void cairn_vfs_reset(void);

/* ---- files ---------------------------------------------------------------- */

/*
 * Open with a Python mode string (rules at cairn_vfs_parse_mode; D4/D5) and
 * return a handle >= 0. -EMFILE when CAIRN_VFS_MAX_FILES are open, -ENOMEM
 * when the driver's file state exceeds CAIRN_VFS_FILE_STATE. Handles carry a
 * generation, so a stale copy of a closed handle gives -EBADF for every
 * operation even after its slot is reused (D13). Appending follows the
 * driver (CAIRN_FS_CAP_APPEND_ONCE: one seek to EOF at open, FAT; otherwise
 * every write goes to EOF, littlefs).
 */
int cairn_vfs_open(const char *path, const char *mode);

/* Open with CAIRN_O_* flags (an access mode is required; unknown bits ->
 * -EINVAL). */
int cairn_vfs_open_flags(const char *path, uint32_t flags);

/*
 * The mode-string rules cairn_vfs_open applies, for both filesystems: one of
 * r/w/x/a (default r), then any of '+', 'b', 't' (b/t change nothing: data
 * is raw bytes). A second r/w/x/a, or one after '+', is -EINVAL ("rw", "wr",
 * "+w", "wa", "rr"). "" and "b" open read-only; "+" alone read-write. Other
 * characters are ignored, as in both reference filesystems. NULL means "r".
 */
int cairn_vfs_parse_mode(const char *mode, uint32_t *flags);

/* Flush and release. Closing twice (or after a forced umount) is a no-op
 * success; a handle never issued -> -EBADF. The slot is released even when
 * the final flush fails (that error is returned). */
int cairn_vfs_close(int fd);
/* Up to len bytes at the position; 0 at EOF. A handle not opened for
 * reading -> -EBADF (D4). */
int32_t cairn_vfs_read(int fd, void *buf, uint32_t len);
/* Writes all of buf or fails: a volume that fills up part-way gives -ENOSPC
 * (the bytes that fitted stay in the file, as in MicroPython). A handle not
 * opened for writing -> -EBADF (D4). len 0 does nothing; len above
 * INT32_MAX -> -EINVAL (its count would not fit the result). */
int32_t cairn_vfs_write(int fd, const void *buf, uint32_t len);
/* Up to and including '\n', at most len - 1 bytes, NUL-terminated; returns
 * the byte count (0 at EOF). len < 2 -> -EINVAL (no room for a byte). */
int32_t cairn_vfs_readline(int fd, char *buf, uint32_t len);
/* Returns the new position. A negative target, or an unknown whence ->
 * -EINVAL and the position is unchanged (D12). Past EOF is allowed; a later
 * write zero-fills the gap (D11). */
int64_t cairn_vfs_seek(int fd, int64_t off, int whence);
/* The position. */
int64_t cairn_vfs_tell(int fd);
/* The file's size as this handle sees it (including unflushed writes). */
int64_t cairn_vfs_fsize(int fd);
/* Commit data and metadata to the device (the handle stays open). */
int cairn_vfs_flush(int fd);
/* Cut or grow (zero-filled) to `size`; the position is unchanged. A handle
 * not opened for writing -> -EBADF; size < 0 -> -EINVAL. */
int cairn_vfs_truncate(int fd, int64_t size);

/* ---- directories ------------------------------------------------------------ */

/* ilistdir: open an iterator (>= 0; -EMFILE when CAIRN_VFS_MAX_DIRS are
 * open). At the VFS root it lists the mount points (as directories, in table
 * order), then the "/" filesystem's own entries (vfs.md section 7). Errors of
 * the path (-ENOENT, -ENOTDIR...) come from this call. An iterator may be
 * abandoned (close it), and the directory may change while it is open. */
int cairn_vfs_opendir(const char *path);
/* 1 and an entry, 0 at the end (and at every call after), or a negative
 * errno. "." and ".." are never returned. */
int cairn_vfs_readdir(int dd, struct cairn_dirent *ent);
/* Release an iterator; idempotent like cairn_vfs_close. */
int cairn_vfs_closedir(int dd);

/* ---- paths ------------------------------------------------------------------------ */

/* stat: the VFS root is a synthetic directory (all other fields 0), even
 * with a "/" mount; elsewhere the driver's answer (cairn.h field rules). */
int cairn_vfs_stat(const char *path, struct cairn_stat *st);

/* MicroPython's 10-field stat tuple (st_mode, st_ino, st_dev, st_nlink,
 * st_uid, st_gid, st_size, st_atime, st_mtime, st_ctime) from a cairn_stat.
 * Times are seconds since `epoch` (seconds since 1970 of the port's epoch:
 * 0 for 1970, CAIRN_EPOCH_2000 for Zephyr's 2000-01-01 view, D17); a missing
 * timestamp stays 0. */
#define CAIRN_EPOCH_2000 946684800LL
void cairn_vfs_stat_tuple(const struct cairn_stat *st, int64_t epoch, int64_t out[10]);
/* statvfs of the filesystem holding `path` (which need not exist). At the
 * VFS root: the "/" mount's, or all zeros with f_namemax CAIRN_PATH_MAX. */
int cairn_vfs_statvfs(const char *path, struct cairn_statvfs *st);
/* Create a directory: -EEXIST if anything has the name. */
int cairn_vfs_mkdir(const char *path);
/* Remove an empty directory: a file -> -ENOTDIR (D8), not empty ->
 * -ENOTEMPTY (D9). */
int cairn_vfs_rmdir(const char *path);
/* Remove a file: a directory -> -EISDIR (D8). */
int cairn_vfs_remove(const char *path);
/* Rename or move within one filesystem, replacing an existing file. Across
 * filesystems -> -EXDEV (D18); a directory into its own subtree -> -EINVAL,
 * nothing changed (D7, checked here before the driver). */
int cairn_vfs_rename(const char *from, const char *to);
/* Change the current directory: the target must be a directory (anything
 * else, or ".." above a non-clamping filesystem root -> -ENOENT, as both
 * references report); -ENODEV under no mount; on failure the cwd is
 * unchanged. "/" goes back to the VFS root. */
int cairn_vfs_chdir(const char *path);
/* The current directory into buf; -ENAMETOOLONG (nothing written) if it does
 * not fit. */
int cairn_vfs_getcwd(char *buf, uint32_t len);

/* Extensions beyond MicroPython's API, used by the CLI. Each passes to the
 * driver entry of the same name (fs.h), -EOPNOTSUPP where the filesystem has
 * none. Path calls need a path inside a mount (VFS root -> -EPERM, no mount
 * -> -ENODEV); whole-filesystem calls (label, info, fsck) take any path in
 * it, and "/" means the "/" mount. Modifying ones on a read-only mount ->
 * -EROFS. */
/* Set a path's modification time, ns since 1970. */
int cairn_vfs_set_mtime(const char *path, int64_t mtime_ns);
/* User attribute `type` into buf; returns its size. */
int32_t cairn_vfs_getattr(const char *path, uint8_t type, void *buf, uint32_t len);
/* Set user attribute `type`. */
int cairn_vfs_setattr(const char *path, uint8_t type, const void *buf, uint32_t len);
/* Remove user attribute `type`. */
int cairn_vfs_removeattr(const char *path, uint8_t type);
/* Volume label into buf (len bytes) and/or set it when `set` != NULL. */
int cairn_vfs_label(const char *path, char *buf, uint32_t len, const char *set);
/* Filesystem summary (type, geometry, usage). */
int cairn_vfs_info(const char *path, struct cairn_fs_info *info);
/* Check (and with CAIRN_FSCK_REPAIR repair) the filesystem; the number of
 * problems left, or an errno. A repair while files or iterators are open on
 * the filesystem (through any of its mount points) -> -EBUSY. */
int32_t cairn_vfs_fsck(const char *path, uint32_t flags, cairn_fsck_report_fn report, void *ctx);
/* Flush every open writable file, then sync every read-write filesystem;
 * the first error is returned, all are attempted. */
int cairn_vfs_sync(void);

/* ---- locking -------------------------------------------------------------------- */

typedef void (*cairn_lock_fn)(void *ctx);
/* Install lock hooks (NULL, NULL to remove): every public cairn_vfs_* call
 * takes `lock` once on entry and `unlock` once before returning, never
 * nested. Install before the first call from a second thread. */
void cairn_vfs_set_lock(cairn_lock_fn lock, cairn_lock_fn unlock, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_VFS_H */
