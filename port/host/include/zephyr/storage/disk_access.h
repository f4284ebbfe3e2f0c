/*
 * Host stand-in for <zephyr/storage/disk_access.h>. Same names, signatures and
 * results as Zephyr's disk-access API; port/host/zephyr_disk.c implements it
 * over the disks of the current host board (include/cairn/host_board.h).
 * Errors are negative errno values of the C library's <errno.h>, as on Zephyr.
 */
#ifndef CAIRN_HOST_ZEPHYR_STORAGE_DISK_ACCESS_H
#define CAIRN_HOST_ZEPHYR_STORAGE_DISK_ACCESS_H

#include <stdint.h>

#include <zephyr/drivers/disk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Initialise disk `pdrv`: 0, or -EINVAL for an unknown disk, or the disk's error. */
int disk_access_init(const char *pdrv);

/* DISK_STATUS_* bits, or -EINVAL for an unknown disk. */
int disk_access_status(const char *pdrv);

/* Read/write `num_sector` sectors from `start_sector`: 0 or a negative errno
 * (-EIO for a device error or an out-of-range request). */
int disk_access_read(const char *pdrv, uint8_t *data_buf, uint32_t start_sector,
                     uint32_t num_sector);
int disk_access_write(const char *pdrv, const uint8_t *data_buf, uint32_t start_sector,
                      uint32_t num_sector);

/* DISK_IOCTL_* request: 0 or a negative errno (-EINVAL for an unknown command). */
int disk_access_ioctl(const char *pdrv, uint8_t cmd, void *buff);

/*
 * Host port extension (a Zephyr build lists its disks from the devicetree):
 * the name of the index-th disk of the current board, NULL past the end.
 */
const char *cairn_host_disk_name(unsigned index);

#ifdef __cplusplus
}
#endif

#endif
