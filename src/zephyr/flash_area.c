// zephyr.FlashArea: a cairn block device over a Zephyr flash-map partition
// (blockdev.md 6.2), and the partition table (FlashArea.areas / STORAGE).
// Only Zephyr calls below this file.
#include "cairn/zephyr.h"
#include "zephyr_priv.h"

#include <stddef.h>
#include <string.h>

#if defined(__ZEPHYR__) && !defined(CONFIG_FLASH_MAP)
// A Zephyr build without the flash map has no FlashArea: the functions stay
// (so callers link) and find no area.
int cairn_flash_area_init(struct cairn_flash_area *f, uint8_t id, uint32_t block_size)
{
    memset(f, 0, sizeof *f);
    f->id = id;
    f->error = block_size ? "unable to open flash area" : "invalid block size";
    return block_size ? CAIRN_ENODEV : CAIRN_EINVAL;
}

void cairn_flash_area_deinit(struct cairn_flash_area *f)
{
    f->fa = NULL;
}

int cairn_flash_area_areas(struct cairn_flash_area_info *out, int max)
{
    (void)out;
    (void)max;
    return 0;
}

int cairn_flash_area_find(const char *label, struct cairn_flash_area_info *info)
{
    (void)label;
    (void)info;
    return CAIRN_ENOENT;
}

int cairn_flash_area_storage_id(void)
{
    return CAIRN_ENOENT;
}

#else

#include <zephyr/storage/flash_map.h>
#if defined(CONFIG_FLASH_PAGE_LAYOUT)
#include <zephyr/drivers/flash.h>
#endif

// MicroPython's erase-block-size when the devicetree gives none.
#define ZX_DEFAULT_ERASE 4096u
// Bound on the page-layout walk (pages in one area).
#define ZX_MAX_PAGES (1u << 20)

static const struct flash_area *zx_area(const struct cairn_flash_area *f)
{
    return (const struct flash_area *)f->fa;
}

// Byte range of blocks [block, block + n) inside the area, or -EINVAL.
static int zx_span(const struct cairn_flash_area *f, uint32_t block, uint32_t n, off_t *off,
                   size_t *len)
{
    if (block >= f->block_count || n > f->block_count - block) {
        return CAIRN_EINVAL;
    }
    *off = (off_t)((uint64_t)block * f->block_size);
    *len = (size_t)((uint64_t)n * f->block_size);
    return 0;
}

// ---- block device ops ---------------------------------------------------------------

static int zx_fa_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    struct cairn_flash_area *f = (struct cairn_flash_area *)bd;
    off_t off;
    size_t len;
    int rc = zx_span(f, block, nblocks, &off, &len);
    if (rc) {
        return rc;
    }
    return cairn_zephyr_err(flash_area_read(zx_area(f), off, buf, len));
}

// Simple write: erase every block the buffer covers, then program it all.
static int zx_fa_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks)
{
    struct cairn_flash_area *f = (struct cairn_flash_area *)bd;
    off_t off;
    size_t len;
    int rc = zx_span(f, block, nblocks, &off, &len);
    if (rc) {
        return rc;
    }
    rc = flash_area_erase(zx_area(f), off, len);
    if (rc) {
        return cairn_zephyr_err(rc);
    }
    return cairn_zephyr_err(flash_area_write(zx_area(f), off, buf, len));
}

// The device offset of `len` bytes at `offset` inside one block.
static int zx_span_ext(const struct cairn_flash_area *f, uint32_t block, uint32_t offset,
                       uint32_t len, off_t *off)
{
    size_t blen;
    int rc = zx_span(f, block, 1, off, &blen);
    if (rc == 0 && (offset > f->block_size || len > f->block_size - offset)) {
        rc = CAIRN_EINVAL;
    }
    if (rc == 0) {
        *off += (off_t)offset;
    }
    return rc;
}

static int zx_fa_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                          uint32_t len)
{
    struct cairn_flash_area *f = (struct cairn_flash_area *)bd;
    off_t off = 0;
    int rc = zx_span_ext(f, block, offset, len, &off);
    return rc ? rc : cairn_zephyr_err(flash_area_read(zx_area(f), off, buf, len));
}

static int zx_fa_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, const void *buf,
                           uint32_t len)
{
    struct cairn_flash_area *f = (struct cairn_flash_area *)bd;
    off_t off = 0;
    int rc = zx_span_ext(f, block, offset, len, &off);
    return rc ? rc : cairn_zephyr_err(flash_area_write(zx_area(f), off, buf, len));
}

static int32_t zx_fa_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_flash_area *f = (struct cairn_flash_area *)bd;
    switch (op) {
    case CAIRN_BDEV_INIT:
    case CAIRN_BDEV_DEINIT:
    case CAIRN_BDEV_SYNC:
        return 0;
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)f->block_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)f->block_size;
    case CAIRN_BDEV_BLOCK_ERASE: {
        off_t off;
        size_t len;
        int rc = zx_span(f, arg, 1, &off, &len);
        if (rc) {
            return rc;
        }
        return cairn_zephyr_err(flash_area_erase(zx_area(f), off, len));
    }
    default:
        return CAIRN_EPERM; // MicroPython's -1
    }
}

static const struct cairn_bdev_ops zx_fa_ops = {
    .read = zx_fa_read,
    .write = zx_fa_write,
    .read_ext = zx_fa_read_ext,
    .write_ext = zx_fa_write_ext,
    .ioctl = zx_fa_ioctl,
};

// ---- erase layout -----------------------------------------------------------------------

/*
 * Walk the flash pages under the area. Gives the largest page (the area's
 * erase unit) in *erase and, when block_size is non-zero, checks that no
 * boundary of the whole blocks falls inside a page (every block erases on its
 * own: block_size is a whole number of pages).
 */
static int zx_layout(const struct flash_area *fa, uint32_t block_size, uint32_t *erase)
{
#if defined(CONFIG_FLASH_PAGE_LAYOUT)
    const struct device *dev = flash_area_get_device(fa);
    uint64_t base = (uint64_t)fa->fa_off, size = (uint64_t)fa->fa_size;
    uint64_t blocks_end = block_size ? size / block_size * block_size : 0;
    uint64_t pos = 0;
    uint32_t largest = 0;
    for (uint32_t n = 0; pos < size; n++) {
        struct flash_pages_info info;
        if (n >= ZX_MAX_PAGES) {
            return CAIRN_EIO;
        }
        int rc = flash_get_page_info_by_offs(dev, (off_t)(base + pos), &info);
        if (rc) {
            return cairn_zephyr_err(rc);
        }
        uint64_t start = (uint64_t)info.start_offset, end = start + info.size;
        if (info.size == 0 || start > base + pos || end <= base + pos) {
            return CAIRN_EIO; // a driver answering nonsense
        }
        if (start < base || end > base + size) {
            return CAIRN_EINVAL; // the partition cuts a page: no block erases safely
        }
        if (info.size > largest) {
            largest = (uint32_t)info.size;
        }
        if (block_size) {
            uint64_t rel = start - base;
            uint64_t next = (rel / block_size + 1) * block_size;
            if (next < end - base && next <= blocks_end) {
                return CAIRN_EINVAL;
            }
        }
        pos = end - base;
    }
    *erase = largest ? largest : ZX_DEFAULT_ERASE;
    return 0;
#else
    (void)fa;
    *erase = ZX_DEFAULT_ERASE;
    return block_size % ZX_DEFAULT_ERASE ? CAIRN_EINVAL : 0;
#endif
}

// ---- construction -------------------------------------------------------------------------

int cairn_flash_area_init(struct cairn_flash_area *f, uint8_t id, uint32_t block_size)
{
    memset(f, 0, sizeof *f);
    f->bd.ops = &zx_fa_ops;
    f->id = id;
    if (block_size == 0) {
        f->error = "invalid block size";
        return CAIRN_EINVAL;
    }
    const struct flash_area *fa = NULL;
    if (flash_area_open(id, &fa) != 0 || fa == NULL) {
        f->error = "unable to open flash area";
        return CAIRN_ENODEV;
    }
    uint64_t count = (uint64_t)fa->fa_size / block_size;
    if (count == 0) {
        flash_area_close(fa);
        f->error = "block size larger than the area";
        return CAIRN_EINVAL;
    }
    if (count > (uint64_t)INT32_MAX || block_size > (uint32_t)INT32_MAX) {
        flash_area_close(fa);
        f->error = "invalid block size";
        return CAIRN_EINVAL;
    }
    uint32_t erase = 0;
    int rc = zx_layout(fa, block_size, &erase);
    if (rc) {
        flash_area_close(fa);
        f->error = rc == CAIRN_EINVAL ? "block size does not fit the flash's erase blocks"
                                      : "unable to read the flash page layout";
        return rc;
    }
    f->fa = fa;
    f->block_size = block_size;
    f->block_count = (uint32_t)count;
    f->erase_size = erase;
    f->bd.block_size = block_size;
    f->bd.block_count = (uint32_t)count;
    return 0;
}

void cairn_flash_area_deinit(struct cairn_flash_area *f)
{
    if (f->fa != NULL) {
        flash_area_close(zx_area(f));
        f->fa = NULL;
    }
    f->block_count = 0;
    f->bd.block_count = 0;
}

// ---- FlashArea.areas ------------------------------------------------------------------------

struct zx_walk {
    struct cairn_flash_area_info *out;
    int max;
    int n;
    const char *want; // find: the label sought; NULL to list
    int found;
};

static void zx_walk_cb(const struct flash_area *fa, void *user)
{
    struct zx_walk *w = user;
    if (!device_is_ready(flash_area_get_device(fa))) {
        return; // only partitions on an enabled flash device
    }
    struct cairn_flash_area_info info;
    info.label = NULL;
#if defined(CONFIG_FLASH_MAP_LABELS)
    info.label = flash_area_label(fa);
#endif
    if (w->want != NULL && (w->found || info.label == NULL || strcmp(info.label, w->want) != 0)) {
        return;
    }
    info.id = fa->fa_id;
    info.offset = (uint32_t)fa->fa_off;
    info.size = (uint32_t)fa->fa_size;
    if (zx_layout(fa, 0, &info.erase_block_size) != 0) {
        info.erase_block_size = ZX_DEFAULT_ERASE;
    }
    if (w->want != NULL) {
        *w->out = info;
        w->found = 1;
        return;
    }
    if (w->out != NULL && w->n < w->max) {
        w->out[w->n] = info;
    }
    w->n++;
}

int cairn_flash_area_areas(struct cairn_flash_area_info *out, int max)
{
    struct zx_walk w = {out, max, 0, NULL, 0};
    flash_area_foreach(zx_walk_cb, &w);
    return w.n;
}

int cairn_flash_area_find(const char *label, struct cairn_flash_area_info *info)
{
    if (label == NULL || info == NULL) {
        return CAIRN_EINVAL;
    }
    struct zx_walk w = {info, 1, 0, label, 0};
    flash_area_foreach(zx_walk_cb, &w);
    return w.found ? 0 : CAIRN_ENOENT;
}

int cairn_flash_area_storage_id(void)
{
#if defined(__ZEPHYR__) && defined(FIXED_PARTITION_EXISTS)
#if FIXED_PARTITION_EXISTS(storage_partition)
    return FIXED_PARTITION_ID(storage_partition);
#else
    return CAIRN_ENOENT;
#endif
#else
    struct cairn_flash_area_info info;
    int rc = cairn_flash_area_find("storage", &info);
    return rc ? rc : info.id;
#endif
}

#endif // CONFIG_FLASH_MAP
