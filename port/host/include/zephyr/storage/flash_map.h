/*
 * Host stand-in for <zephyr/storage/flash_map.h>. Same names, signatures and
 * results as Zephyr's flash-map API; port/host/zephyr_flash.c implements it
 * over the fixed partitions of the current host board.
 */
#ifndef CAIRN_HOST_ZEPHYR_STORAGE_FLASH_MAP_H
#define CAIRN_HOST_ZEPHYR_STORAGE_FLASH_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zephyr/device.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A flash partition. */
struct flash_area {
    uint8_t fa_id;        /* devicetree partition id */
    uint8_t fa_device_id; /* unused, as in Zephyr */
    uint16_t pad16;
    off_t fa_off; /* from the start of the flash device */
    size_t fa_size;
    const struct device *fa_dev;
#if CONFIG_FLASH_MAP_LABELS
    const char *fa_label;
#endif
};

struct flash_sector {
    off_t fs_off;
    size_t fs_size;
};

typedef void (*flash_area_cb_t)(const struct flash_area *fa, void *user_data);

/* 0 and the area; -EACCES without a flash map, -ENOENT for an unknown id,
 * -ENODEV when its flash device is not ready. */
int flash_area_open(uint8_t id, const struct flash_area **fa);
void flash_area_close(const struct flash_area *fa);

/* Offsets are relative to the area: -EINVAL outside it. */
int flash_area_read(const struct flash_area *fa, off_t off, void *dst, size_t len);
int flash_area_write(const struct flash_area *fa, off_t off, const void *src, size_t len);
int flash_area_erase(const struct flash_area *fa, off_t off, size_t len);

uint32_t flash_area_align(const struct flash_area *fa);
uint8_t flash_area_erased_val(const struct flash_area *fa);
int flash_area_has_driver(const struct flash_area *fa);
const struct device *flash_area_get_device(const struct flash_area *fa);

/* Sectors of area `fa_id` into `sectors` (*count in: room, out: used);
 * -ENOMEM when they do not fit. */
int flash_area_get_sectors(int fa_id, uint32_t *count, struct flash_sector *sectors);

/* Call user_cb for every area of the flash map. */
void flash_area_foreach(flash_area_cb_t user_cb, void *user_data);

#if CONFIG_FLASH_MAP_LABELS
const char *flash_area_label(const struct flash_area *fa);
#endif

#ifdef __cplusplus
}
#endif

#endif
