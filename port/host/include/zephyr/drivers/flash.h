/*
 * Host stand-in for <zephyr/drivers/flash.h>: the device-level flash calls and
 * the page layout (CONFIG_FLASH_PAGE_LAYOUT), as Zephyr declares them.
 * port/host/zephyr_flash.c implements them over the board's emulated NOR chips.
 */
#ifndef CAIRN_HOST_ZEPHYR_DRIVERS_FLASH_H
#define CAIRN_HOST_ZEPHYR_DRIVERS_FLASH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zephyr/device.h>

#ifdef __cplusplus
extern "C" {
#endif

struct flash_pages_info {
    off_t start_offset; /* offset from the base of the flash */
    size_t size;
    uint32_t index;
};

/* Byte access to the whole chip: 0 or a negative errno (-EINVAL out of range or
 * misaligned to the write block size). flash_erase takes whole pages. */
int flash_read(const struct device *dev, off_t offset, void *data, size_t len);
int flash_write(const struct device *dev, off_t offset, const void *data, size_t len);
int flash_erase(const struct device *dev, off_t offset, size_t size);

/* The page (erase unit) holding `offset`: 0 or -EINVAL. */
int flash_get_page_info_by_offs(const struct device *dev, off_t offset,
                                struct flash_pages_info *info);
size_t flash_get_page_count(const struct device *dev);
size_t flash_get_write_block_size(const struct device *dev);

#ifdef __cplusplus
}
#endif

#endif
