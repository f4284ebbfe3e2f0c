// Internal interface between the VFS core (vfs.c) and the block-device mount
// path (mount_bdev.c). Kept apart so that programs that never mount a raw
// device do not link the FAT and littlefs drivers.
#ifndef CAIRN_VFS_PRIVATE_H
#define CAIRN_VFS_PRIVATE_H

#include "cairn/vfs.h"

// Take / release the optional lock hooks (cairn_vfs_set_lock).
void cairn_vfs_lock_enter(void);
void cairn_vfs_lock_leave(void);

// Validate a mount point (D1) into `norm` (CAIRN_VFS_POINT_MAX bytes) and
// check that it is free (D2: -EPERM) and that the table has room (-EMFILE).
// Call with the lock held.
int cairn_vfs_check_point(const char *point, char *norm);

// Insert an already-mounted filesystem at a point accepted by
// cairn_vfs_check_point. `owned` (may be NULL) is cleared when the entry is
// unmounted, which frees a VFS-owned pool object. Call with the lock held.
int cairn_vfs_insert(struct cairn_fs *fs, const char *norm, uint32_t flags, uint8_t *owned);

/* CAIRN_MOUNT_MKFS, as the reference's mount(mkfs=True): a mount that found
 * nothing (-ENODEV / -ECORRUPT) formats and mounts again; a read-only one
 * gets -EROFS instead, with nothing written. */
int cairn_vfs_unformatted(int err);
int cairn_vfs_format_mount(struct cairn_fs *fs, uint32_t flags);

#endif
