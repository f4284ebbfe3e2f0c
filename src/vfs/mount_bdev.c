// Mounting a raw block device: filesystem autodetection (blockdev.md section
// 5), optional formatting (D16) and the pool of VFS-owned filesystem objects.
// A separate file so that programs mounting only their own filesystem
// objects do not link both drivers.
#include "vfs_private.h"

#include <string.h>

#include "cairn/fat.h"
#include "cairn/lfs2.h"

// One VFS-owned filesystem: the driver state, its littlefs config and
// buffers (which must outlive the mount) and a read-only view of the device
// for read-only mounts (D5: nothing below such a mount programs or erases).
struct vfs_owned {
    uint8_t used;
    struct cairn_bdev_ro ro;
    struct cairn_lfs2_config lcfg;
    union {
        struct cairn_fs fs;
        struct cairn_fat fat;
        struct cairn_lfs2 lfs;
    } u;
    union {
        uint8_t bytes[CAIRN_LFS2_BUFFER_SIZE(CAIRN_VFS_LFS2_CACHE, CAIRN_VFS_LFS2_LOOKAHEAD)];
        uint32_t align;
    } buf;
};

static struct vfs_owned vfs_pool[CAIRN_VFS_BDEV_POOL];

enum { VFS_FS_NONE, VFS_FS_FAT, VFS_FS_LFS2 };

// Initialise the pool object as `type` on device `bd`.
static int vfs_owned_init(struct vfs_owned *o, int type, struct cairn_bdev *bd)
{
    memset(&o->u, 0, sizeof o->u);
    if (type == VFS_FS_FAT) {
        return cairn_fat_init(&o->u.fat, bd, NULL);
    }
    memset(&o->lcfg, 0, sizeof o->lcfg);
    o->lcfg.buffer = o->buf.bytes;
    o->lcfg.buffer_size = sizeof o->buf.bytes;
    return cairn_lfs2_init(&o->u.lfs, bd, &o->lcfg);
}

// The littlefs magic at byte 8 of block 0 or 1 (an extended read of 44
// bytes, as the reference does). A device without the extended interface,
// or a failing read, simply is not littlefs.
static int vfs_detect_lfs2(struct cairn_bdev *bd)
{
    uint8_t head[44];
    for (uint32_t b = 0; b < 2 && b < bd->block_count; b++) {
        if (bd->block_size < 8 + sizeof head) {
            break;
        }
        if (cairn_bdev_read_ext(bd, b, 8, head, sizeof head) == 0 &&
            memcmp(head, "littlefs", 8) == 0) {
            return 1;
        }
    }
    return 0;
}

static int vfs_fstype(const char *fstype)
{
    if (fstype == NULL) {
        return VFS_FS_NONE;
    }
    if (strcmp(fstype, "fat") == 0) {
        return VFS_FS_FAT;
    }
    if (strcmp(fstype, "lfs2") == 0 || strcmp(fstype, "littlefs") == 0) {
        return VFS_FS_LFS2;
    }
    return -1;
}

// Mount pool object `o` as `type`, on the read-only view when asked.
static int vfs_owned_mount(struct vfs_owned *o, int type, struct cairn_bdev *bd, uint32_t flags)
{
    struct cairn_bdev *dev = bd;
    if (flags & CAIRN_MOUNT_RDONLY) {
        cairn_bdev_ro_init(&o->ro, bd);
        dev = &o->ro.bd;
    }
    int err = vfs_owned_init(o, type, dev);
    if (err < 0) {
        return err;
    }
    return o->u.fs.ops->mount(&o->u.fs, flags & CAIRN_MOUNT_RDONLY);
}

static int vfs_mount_bdev(struct cairn_bdev *bd, const char *point, uint32_t flags,
                          const char *fstype)
{
    char norm[CAIRN_VFS_POINT_MAX];
    int type = vfs_fstype(fstype);
    if (bd == NULL || bd->ops == NULL || type < 0 ||
        (flags & ~(uint32_t)(CAIRN_MOUNT_RDONLY | CAIRN_MOUNT_MKFS))) {
        return CAIRN_EINVAL;
    }
    int err = cairn_vfs_check_point(point, norm); // D1, D2 before any I/O
    if (err < 0) {
        return err;
    }
    struct vfs_owned *o = NULL;
    for (int i = 0; i < CAIRN_VFS_BDEV_POOL; i++) {
        if (!vfs_pool[i].used) {
            o = &vfs_pool[i];
            break;
        }
    }
    if (o == NULL) {
        return CAIRN_EMFILE;
    }
    if (bd->block_size == 0 || bd->block_count == 0) {
        err = cairn_bdev_probe(bd, 0, 0);
        if (err < 0) {
            return err;
        }
    }
    int named = type;
    if (type == VFS_FS_NONE) {
        // Autodetect: littlefs if its magic is there and it mounts; anything
        // else (including a littlefs that fails to mount) falls back to FAT,
        // whose failure is the answer (-ENODEV when there is no FAT either).
        if (vfs_detect_lfs2(bd)) {
            err = vfs_owned_mount(o, VFS_FS_LFS2, bd, flags);
            if (err == 0) {
                type = VFS_FS_LFS2;
            }
        }
        if (type == VFS_FS_NONE) {
            type = VFS_FS_FAT;
            err = vfs_owned_mount(o, VFS_FS_FAT, bd, flags);
        }
    } else {
        err = vfs_owned_mount(o, type, bd, flags);
    }
    if (err < 0 && (flags & CAIRN_MOUNT_MKFS) && cairn_vfs_unformatted(err)) {
        // Nothing mountable: format with the named fs, FAT by default (D16).
        type = named == VFS_FS_NONE ? VFS_FS_FAT : named;
        err = vfs_owned_init(o, type, bd);
        if (err == 0) {
            err = cairn_vfs_format_mount(&o->u.fs, flags);
        }
    }
    if (err < 0) {
        return err;
    }
    o->used = 1;
    err = cairn_vfs_insert(&o->u.fs, norm, flags, &o->used);
    if (err < 0) {
        (void)o->u.fs.ops->umount(&o->u.fs);
        o->used = 0;
    }
    return err;
}

int cairn_vfs_mount_bdev(struct cairn_bdev *bd, const char *point, uint32_t flags,
                         const char *fstype)
{
    cairn_vfs_lock_enter();
    int err = vfs_mount_bdev(bd, point, flags, fstype);
    cairn_vfs_lock_leave();
    return err;
}
