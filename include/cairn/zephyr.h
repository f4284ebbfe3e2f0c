/*
 * Zephyr block devices: MicroPython's zephyr.DiskAccess and zephyr.FlashArea
 * (blockdev.md section 6) as cairn block devices.
 *
 * src/zephyr is written only against Zephyr's C APIs (<zephyr/storage/
 * disk_access.h>, <zephyr/storage/flash_map.h>, the flash page layout), so the
 * same files build inside a Zephyr application and, on a host, against
 * port/host's implementation of those APIs over an emulated board
 * (include/cairn/host_board.h).
 *
 *   struct cairn_disk_access sd;                 // DiskAccess("SDHC")
 *   cairn_disk_access_init(&sd, "SDHC");
 *   struct cairn_flash_area fl;                  // FlashArea(FlashArea.STORAGE, 4096)
 *   cairn_flash_area_init(&fl, (uint8_t)cairn_flash_area_storage_id(), 4096);
 *
 * Objects are caller-owned; the Zephyr subsystem below must stay up while they
 * are used. Init failures also leave MicroPython's ValueError text in
 * `error` ("disk not found", "unable to open flash area", ...).
 */
#ifndef CAIRN_ZEPHYR_H
#define CAIRN_ZEPHYR_H

#include "cairn/bdev.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- DiskAccess ------------------------------------------------------------ */

/*
 * A Zephyr disk (SD/MMC, flash disk, RAM disk). Simple interface only: FAT
 * works on it, littlefs needs a cairn_bdev_ext_adapter on top.
 * ioctl: INIT, DEINIT -> 0; SYNC -> the disk's CTRL_SYNC result (0 or a
 * negative errno); BLOCK_COUNT / BLOCK_SIZE -> the values cached at init;
 * any other op, BLOCK_ERASE included -> -1 (CAIRN_EPERM).
 */
struct cairn_disk_access {
    struct cairn_bdev bd; /* first: hand &d.bd to a filesystem */
    const char *name;     /* the caller's string; must outlive the device */
    uint32_t sector_size;
    uint32_t sector_count;
    const char *error; /* why init failed (static text), NULL after success */
};

/*
 * DiskAccess(name): initialise the disk, then read and cache its sector size
 * and count. Errors: NULL name -> -EINVAL; disk_access_init fails (unknown
 * disk, no medium) -> -ENODEV ("disk not found"); the sector size or count
 * query fails -> that error as a CAIRN_E* value, or -EIO when the disk
 * answers 0 ("unable to get sector size" / "unable to get block count");
 * more than INT32_MAX sectors -> -EFBIG (the protocol's count is an int32).
 */
int cairn_disk_access_init(struct cairn_disk_access *d, const char *name);

/*
 * DiskAccess.disks: the disks known at build time (on Zephyr: the devicetree's
 * SD/MMC, MMC, flash-disk and RAM-disk nodes in that driver order; on a host:
 * the current board's disks). Fills up to `max` names (static storage) and
 * returns how many there are in all (may exceed max; 0 = none).
 */
int cairn_disk_access_disks(const char **names, int max);

/* ---- FlashArea --------------------------------------------------------------- */

/*
 * A partition of the flash map cut into blocks of block_size bytes (a
 * trailing partial block is ignored). Both interfaces:
 *   simple write   erases EVERY block the buffer covers, then programs it
 *                  (blockdev.md's recommendation; MicroPython erases only the
 *                  first), so FAT works on raw flash;
 *   extended write programs only, never erases.
 * ioctl: INIT, DEINIT, SYNC -> 0; BLOCK_COUNT; BLOCK_SIZE; BLOCK_ERASE(n)
 * erases block n (0 or a negative errno); any other op -> -1 (CAIRN_EPERM).
 */
struct cairn_flash_area {
    struct cairn_bdev bd; /* first */
    const void *fa;       /* const struct flash_area * (Zephyr's type) */
    uint8_t id;
    uint32_t block_size;
    uint32_t block_count;
    uint32_t erase_size; /* the flash's erase unit in this area */
    const char *error;   /* why init failed (static text), NULL after success */
};

/*
 * FlashArea(id, block_size). Errors, in this order: block_size 0 -> -EINVAL
 * ("invalid block size"); the area cannot be opened (unknown id, flash
 * device not ready) -> -ENODEV ("unable to open flash area"); block_size is
 * not a whole number of the flash's erase units, or larger than the area
 * -> -EINVAL ("block size does not fit the flash's erase blocks" /
 * "block size larger than the area"); the page layout cannot be read -> its
 * error. `id` is 8 bits, as in MicroPython.
 */
int cairn_flash_area_init(struct cairn_flash_area *fa, uint8_t id, uint32_t block_size);

/* flash_area_close; the object must not be used afterwards. */
void cairn_flash_area_deinit(struct cairn_flash_area *fa);

/* One entry of FlashArea.areas. */
struct cairn_flash_area_info {
    const char *label; /* NULL when the partition has no label (key by id) */
    uint8_t id;
    uint32_t erase_block_size; /* from the flash page layout; 4096 when unknown */
    uint32_t offset;           /* on the flash device */
    uint32_t size;
};

/*
 * FlashArea.areas: the partitions of the flash map whose device is ready, in
 * flash-map order. Fills up to `max` entries and returns the total count.
 */
int cairn_flash_area_areas(struct cairn_flash_area_info *out, int max);

/* The area labelled `label`: 0 and *info, or -ENOENT. */
int cairn_flash_area_find(const char *label, struct cairn_flash_area_info *info);

/* FlashArea.STORAGE: the id of the partition labelled "storage", or -ENOENT
 * when the board has none (the constant does not exist there in MicroPython). */
int cairn_flash_area_storage_id(void);

/* Label of the scratch partition that boards overlapping "storage" use
 * instead (FlashArea.areas['scratch'], id 4 on the default host board). */
#define CAIRN_FLASH_AREA_SCRATCH_LABEL "scratch"

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_ZEPHYR_H */
