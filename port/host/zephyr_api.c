// Zephyr's disk-access and flash-map C APIs on a host, over the current host
// board (host_board.h). These functions keep Zephyr's own names (they ARE the
// API that src/zephyr calls); results follow Zephyr's drivers: 0 or a negative
// errno of the C library's <errno.h>.
#include "cairn/host_board.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <zephyr/drivers/flash.h>
#include <zephyr/storage/disk_access.h>
#include <zephyr/storage/flash_map.h>

// A cairn error as the platform errno a Zephyr driver would return.
static int hb_errno(int cairn_err)
{
    switch (cairn_err) {
    case 0:
        return 0;
    case CAIRN_EPERM:
        return -EPERM;
    case CAIRN_ENOENT:
        return -ENOENT;
    case CAIRN_ENOMEM:
        return -ENOMEM;
    case CAIRN_EBUSY:
        return -EBUSY;
    case CAIRN_ENODEV:
        return -ENODEV;
    case CAIRN_EINVAL:
        return -EINVAL;
    case CAIRN_ENOSPC:
        return -ENOSPC;
    case CAIRN_EROFS:
        return -EROFS;
    case CAIRN_EOPNOTSUPP:
        return -ENOTSUP;
    default:
        return -EIO;
    }
}

// ---- disk access -------------------------------------------------------------------

static struct cairn_board_disk *hb_disk(const char *name)
{
    struct cairn_board *b = cairn_board_current();
    if (b == NULL || name == NULL) {
        return NULL;
    }
    return (struct cairn_board_disk *)cairn_board_find_disk(b, name);
}

const char *cairn_host_disk_name(unsigned index)
{
    struct cairn_board *b = cairn_board_current();
    if (b == NULL || index >= b->ndisks) {
        return NULL;
    }
    return b->disks[index].name;
}

int disk_access_init(const char *pdrv)
{
    struct cairn_board_disk *d = hb_disk(pdrv);
    if (d == NULL || d->bd == NULL) {
        return -EINVAL; // Zephyr: no such disk registered
    }
    int32_t rc = cairn_bdev_ioctl(d->bd, CAIRN_BDEV_INIT, 0);
    if (rc != CAIRN_BDEV_IOCTL_NONE && rc < 0) {
        return hb_errno((int)rc);
    }
    d->initialized = 1;
    return 0;
}

int disk_access_status(const char *pdrv)
{
    struct cairn_board_disk *d = hb_disk(pdrv);
    if (d == NULL || d->bd == NULL) {
        return -EINVAL;
    }
    int st = d->initialized ? DISK_STATUS_OK : DISK_STATUS_UNINIT;
    if (cairn_bdev_is_readonly(d->bd)) {
        st |= DISK_STATUS_WR_PROTECT;
    }
    return st;
}

// Common checks of read/write: the disk is up and the range is inside it.
static int hb_disk_io(struct cairn_board_disk *d, uint32_t start, uint32_t n)
{
    if (d == NULL || d->bd == NULL) {
        return -EINVAL;
    }
    if (!d->initialized) {
        return -EIO; // an SD card not yet brought up does not answer
    }
    if (start > d->sector_count || n > d->sector_count - start) {
        return -EINVAL;
    }
    return 0;
}

int disk_access_read(const char *pdrv, uint8_t *data_buf, uint32_t start_sector,
                     uint32_t num_sector)
{
    struct cairn_board_disk *d = hb_disk(pdrv);
    int rc = hb_disk_io(d, start_sector, num_sector);
    if (rc || num_sector == 0) {
        return rc;
    }
    return hb_errno(cairn_bdev_read(d->bd, start_sector, data_buf, num_sector));
}

int disk_access_write(const char *pdrv, const uint8_t *data_buf, uint32_t start_sector,
                      uint32_t num_sector)
{
    struct cairn_board_disk *d = hb_disk(pdrv);
    int rc = hb_disk_io(d, start_sector, num_sector);
    if (rc || num_sector == 0) {
        return rc;
    }
    return hb_errno(cairn_bdev_write(d->bd, start_sector, data_buf, num_sector));
}

int disk_access_ioctl(const char *pdrv, uint8_t cmd, void *buff)
{
    struct cairn_board_disk *d = hb_disk(pdrv);
    if (d == NULL || d->bd == NULL) {
        return -EINVAL;
    }
    switch (cmd) {
    case DISK_IOCTL_GET_SECTOR_COUNT:
    case DISK_IOCTL_GET_SECTOR_SIZE:
    case DISK_IOCTL_GET_ERASE_BLOCK_SZ: {
        if (buff == NULL) {
            return -EINVAL;
        }
        // Ask the device each time: a test device may change or fail its answer.
        int op = cmd == DISK_IOCTL_GET_SECTOR_SIZE ? CAIRN_BDEV_BLOCK_SIZE : CAIRN_BDEV_BLOCK_COUNT;
        if (cmd == DISK_IOCTL_GET_ERASE_BLOCK_SZ) {
            *(uint32_t *)buff = 1;
            return 0;
        }
        int32_t v = cairn_bdev_ioctl(d->bd, op, 0);
        if (v == CAIRN_BDEV_IOCTL_NONE) {
            v = op == CAIRN_BDEV_BLOCK_SIZE ? 512 : CAIRN_EIO;
        }
        if (v < 0) {
            return hb_errno((int)v);
        }
        *(uint32_t *)buff = (uint32_t)v;
        return 0;
    }
    case DISK_IOCTL_CTRL_SYNC: {
        int rc = cairn_bdev_sync(d->bd);
        if (rc == 0 && d->fd >= 0 && d->mem != NULL && msync(d->mem, d->mem_size, MS_SYNC)) {
            rc = CAIRN_EIO;
        }
        return hb_errno(rc);
    }
    case DISK_IOCTL_CTRL_INIT:
        return disk_access_init(pdrv);
    case DISK_IOCTL_CTRL_DEINIT:
        d->initialized = 0;
        return 0;
    default:
        return -EINVAL;
    }
}

// ---- flash devices -------------------------------------------------------------------------

static struct cairn_board_flash *hb_flash(const struct device *dev)
{
    return dev ? (struct cairn_board_flash *)dev->data : NULL;
}

bool device_is_ready(const struct device *dev)
{
    struct cairn_board_flash *f = hb_flash(dev);
    return f != NULL && f->bd != NULL && !f->disabled;
}

static int hb_flash_range(struct cairn_board_flash *f, off_t off, size_t len)
{
    if (f == NULL || f->bd == NULL) {
        return -ENODEV;
    }
    if (off < 0 || (uint64_t)off > f->size || len > f->size - (uint64_t)off) {
        return -EINVAL;
    }
    return 0;
}

// Move len bytes at device offset pos through the erase blocks they cover:
// into rd (a read), or from wr (a write, when rd is NULL).
static int hb_flash_io(struct cairn_board_flash *f, uint64_t pos, uint8_t *rd, const uint8_t *wr,
                       uint64_t len)
{
    if (rd == NULL && wr == NULL && len > 0) {
        return -EINVAL;
    }
    int rc = 0;
    for (uint64_t end = pos + len; rc == 0 && pos < end;) {
        uint32_t blk = (uint32_t)(pos / f->erase_block), in = (uint32_t)(pos % f->erase_block);
        uint32_t n = f->erase_block - in;
        if (n > end - pos) {
            n = (uint32_t)(end - pos);
        }
        if (rd != NULL) {
            rc = hb_errno(cairn_bdev_read_ext(f->bd, blk, in, rd, n));
            rd += n;
        } else {
            rc = hb_errno(cairn_bdev_write_ext(f->bd, blk, in, wr, n));
            wr += n;
        }
        pos += n;
    }
    return rc;
}

int flash_read(const struct device *dev, off_t offset, void *data, size_t len)
{
    struct cairn_board_flash *f = hb_flash(dev);
    int rc = hb_flash_range(f, offset, len);
    return rc ? rc : hb_flash_io(f, (uint64_t)offset, data, NULL, len);
}

int flash_write(const struct device *dev, off_t offset, const void *data, size_t len)
{
    struct cairn_board_flash *f = hb_flash(dev);
    int rc = hb_flash_range(f, offset, len);
    if (rc == 0 && ((uint64_t)offset % f->write_block || len % f->write_block)) {
        rc = -EINVAL; // flash drivers take whole write blocks only
    }
    return rc ? rc : hb_flash_io(f, (uint64_t)offset, NULL, data, len);
}

int flash_erase(const struct device *dev, off_t offset, size_t size)
{
    struct cairn_board_flash *f = hb_flash(dev);
    int rc = hb_flash_range(f, offset, size);
    if (rc == 0 && ((uint64_t)offset % f->erase_block || size % f->erase_block)) {
        rc = -EINVAL; // whole pages only
    }
    uint32_t first = rc == 0 ? (uint32_t)((uint64_t)offset / f->erase_block) : 0;
    uint32_t n = rc == 0 ? (uint32_t)(size / f->erase_block) : 0;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        rc = hb_errno(cairn_bdev_erase(f->bd, first + i));
    }
    return rc;
}

int flash_get_page_info_by_offs(const struct device *dev, off_t offset,
                                struct flash_pages_info *info)
{
    struct cairn_board_flash *f = hb_flash(dev);
    if (f == NULL || info == NULL || offset < 0 || (uint64_t)offset >= f->size) {
        return -EINVAL;
    }
    uint32_t idx = (uint32_t)((uint64_t)offset / f->erase_block);
    info->index = idx;
    info->start_offset = (off_t)((uint64_t)idx * f->erase_block);
    info->size = f->erase_block;
    return 0;
}

size_t flash_get_page_count(const struct device *dev)
{
    struct cairn_board_flash *f = hb_flash(dev);
    return f ? f->size / f->erase_block : 0;
}

size_t flash_get_write_block_size(const struct device *dev)
{
    struct cairn_board_flash *f = hb_flash(dev);
    return f ? f->write_block : 0;
}

// ---- flash map -------------------------------------------------------------------------------

static struct cairn_board_part *hb_part(uint8_t id)
{
    struct cairn_board *b = cairn_board_current();
    for (unsigned i = 0; b != NULL && i < b->nparts; i++) {
        if (b->parts[i].id == id) {
            return &b->parts[i];
        }
    }
    return NULL;
}

int flash_area_open(uint8_t id, const struct flash_area **fa)
{
    if (cairn_board_current() == NULL) {
        return -EACCES; // Zephyr: no flash map
    }
    struct cairn_board_part *p = hb_part(id);
    if (p == NULL) {
        return -ENOENT;
    }
    if (!device_is_ready(p->fa.fa_dev)) {
        return -ENODEV;
    }
    *fa = &p->fa;
    return 0;
}

void flash_area_close(const struct flash_area *fa)
{
    (void)fa; // nothing to do, as in Zephyr
}

static int hb_area_range(const struct flash_area *fa, off_t off, size_t len)
{
    if (fa == NULL || off < 0 || (uint64_t)off > fa->fa_size || len > fa->fa_size - (size_t)off) {
        return -EINVAL;
    }
    return 0;
}

int flash_area_read(const struct flash_area *fa, off_t off, void *dst, size_t len)
{
    int rc = hb_area_range(fa, off, len);
    return rc ? rc : flash_read(fa->fa_dev, fa->fa_off + off, dst, len);
}

int flash_area_write(const struct flash_area *fa, off_t off, const void *src, size_t len)
{
    int rc = hb_area_range(fa, off, len);
    return rc ? rc : flash_write(fa->fa_dev, fa->fa_off + off, src, len);
}

int flash_area_erase(const struct flash_area *fa, off_t off, size_t len)
{
    int rc = hb_area_range(fa, off, len);
    return rc ? rc : flash_erase(fa->fa_dev, fa->fa_off + off, len);
}

uint32_t flash_area_align(const struct flash_area *fa)
{
    return (uint32_t)flash_get_write_block_size(fa->fa_dev);
}

uint8_t flash_area_erased_val(const struct flash_area *fa)
{
    (void)fa;
    return 0xFF; // NOR
}

// Zephyr's answer: 1, or -ENODEV (not 0) when there is no driver.
int flash_area_has_driver(const struct flash_area *fa)
{
    return fa != NULL && device_is_ready(fa->fa_dev) ? 1 : -ENODEV;
}

const struct device *flash_area_get_device(const struct flash_area *fa)
{
    return fa->fa_dev;
}

int flash_area_get_sectors(int fa_id, uint32_t *count, struct flash_sector *sectors)
{
    if (fa_id < 0 || fa_id > 255 || count == NULL) {
        return -EINVAL;
    }
    struct cairn_board_part *p = hb_part((uint8_t)fa_id);
    if (p == NULL) {
        return -ENOENT;
    }
    struct cairn_board_flash *f = hb_flash(p->fa.fa_dev);
    if (f == NULL) {
        return -ENODEV;
    }
    uint32_t n = p->size / f->erase_block;
    if (n > *count) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        sectors[i].fs_off = (off_t)((uint64_t)i * f->erase_block);
        sectors[i].fs_size = f->erase_block;
    }
    *count = n;
    return 0;
}

void flash_area_foreach(flash_area_cb_t user_cb, void *user_data)
{
    struct cairn_board *b = cairn_board_current();
    for (unsigned i = 0; b != NULL && b->is_open && i < b->nparts; i++) {
        user_cb(&b->parts[i].fa, user_data);
    }
}

const char *flash_area_label(const struct flash_area *fa)
{
    return fa->fa_label;
}
