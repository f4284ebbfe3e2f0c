// zephyr.DiskAccess: a cairn block device over Zephyr's disk-access API
// (blockdev.md 6.1). Only Zephyr calls below this file.
#include "cairn/zephyr.h"
#include "zephyr_priv.h"

#include <stddef.h>

// A Zephyr build without the disk-access subsystem has no DiskAccess: the
// functions stay (so callers link) and find no disk.
#if defined(__ZEPHYR__) && !defined(CONFIG_DISK_ACCESS)
#define ZX_NO_DISK_ACCESS 1
#endif

#if !defined(ZX_NO_DISK_ACCESS)
#include <zephyr/storage/disk_access.h>
#if defined(__ZEPHYR__)
#include <zephyr/devicetree.h>
#endif

// ---- block device ops -----------------------------------------------------------

static int zx_disk_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    struct cairn_disk_access *d = (struct cairn_disk_access *)bd;
    return cairn_zephyr_err(disk_access_read(d->name, buf, block, nblocks));
}

static int zx_disk_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks)
{
    struct cairn_disk_access *d = (struct cairn_disk_access *)bd;
    return cairn_zephyr_err(disk_access_write(d->name, buf, block, nblocks));
}

static int32_t zx_disk_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_disk_access *d = (struct cairn_disk_access *)bd;
    (void)arg;
    switch (op) {
    case CAIRN_BDEV_INIT:
    case CAIRN_BDEV_DEINIT:
        return 0;
    case CAIRN_BDEV_SYNC:
        return cairn_zephyr_err(disk_access_ioctl(d->name, DISK_IOCTL_CTRL_SYNC, NULL));
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)d->sector_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)d->sector_size;
    default:
        // MicroPython answers -1 to every other op, erase included.
        return CAIRN_EPERM;
    }
}

static const struct cairn_bdev_ops zx_disk_ops = {
    .read = zx_disk_read,
    .write = zx_disk_write,
    .read_ext = NULL, // DiskAccess takes no offset argument
    .write_ext = NULL,
    .ioctl = zx_disk_ioctl,
};

#else
// No disk interface at all: the checked wrappers answer -EOPNOTSUPP.
static const struct cairn_bdev_ops zx_disk_ops = {NULL, NULL, NULL, NULL, NULL};
#endif // !ZX_NO_DISK_ACCESS

// ---- construction -------------------------------------------------------------------

int cairn_disk_access_init(struct cairn_disk_access *d, const char *name)
{
    d->bd.ops = &zx_disk_ops;
    d->bd.block_size = 0;
    d->bd.block_count = 0;
    d->name = name;
    d->sector_size = 0;
    d->sector_count = 0;
    d->error = NULL;
    if (name == NULL) {
        d->error = "disk not found";
        return CAIRN_EINVAL;
    }
#if defined(ZX_NO_DISK_ACCESS)
    d->error = "disk not found";
    return CAIRN_ENODEV;
#else
    if (disk_access_init(name) != 0) {
        d->error = "disk not found";
        return CAIRN_ENODEV;
    }
    uint32_t size = 0, count = 0;
    int rc = disk_access_ioctl(name, DISK_IOCTL_GET_SECTOR_SIZE, &size);
    if (rc != 0 || size == 0) {
        d->error = "unable to get sector size";
        return rc != 0 ? cairn_zephyr_err(rc) : CAIRN_EIO;
    }
    rc = disk_access_ioctl(name, DISK_IOCTL_GET_SECTOR_COUNT, &count);
    if (rc != 0 || count == 0) {
        d->error = "unable to get block count";
        return rc != 0 ? cairn_zephyr_err(rc) : CAIRN_EIO;
    }
    if (size > (uint32_t)INT32_MAX || count > (uint32_t)INT32_MAX) {
        d->error = "disk too large";
        return CAIRN_EFBIG;
    }
    d->sector_size = size;
    d->sector_count = count;
    // Pre-filled geometry lets the checked wrappers range-check before a probe.
    d->bd.block_size = size;
    d->bd.block_count = count;
    return 0;
#endif
}

// ---- DiskAccess.disks ------------------------------------------------------------------

#if defined(ZX_NO_DISK_ACCESS)
static const char *zx_disk_name(unsigned i)
{
    (void)i;
    return NULL;
}
#elif defined(__ZEPHYR__)
// The disk drivers MicroPython lists, in its order; DT_FOREACH_STATUS_OKAY
// expands to nothing for a compatible with no enabled node.
#define ZX_DISK_NAME(node) DT_PROP(node, disk_name),
// clang-format off
static const char *const zx_disk_names[] = {
    DT_FOREACH_STATUS_OKAY(zephyr_sdmmc_disk, ZX_DISK_NAME)
    DT_FOREACH_STATUS_OKAY(zephyr_mmc_disk, ZX_DISK_NAME)
    DT_FOREACH_STATUS_OKAY(zephyr_flash_disk, ZX_DISK_NAME)
    DT_FOREACH_STATUS_OKAY(zephyr_ram_disk, ZX_DISK_NAME)
    NULL,
};
// clang-format on

static const char *zx_disk_name(unsigned i)
{
    return i < sizeof zx_disk_names / sizeof zx_disk_names[0] ? zx_disk_names[i] : NULL;
}
#else
// Host build: the board emulation (port/host) stands in for the devicetree.
static const char *zx_disk_name(unsigned i)
{
    return cairn_host_disk_name(i);
}
#endif

#define ZX_MAX_DISKS 64u // bound on the walk, whatever the list holds

int cairn_disk_access_disks(const char **names, int max)
{
    int n = 0;
    for (unsigned i = 0; i < ZX_MAX_DISKS; i++) {
        const char *name = zx_disk_name(i);
        if (name == NULL) {
            break;
        }
        if (names != NULL && n < max) {
            names[n] = name;
        }
        n++;
    }
    return n;
}
