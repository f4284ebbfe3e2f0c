/*
 * Host stand-in for <zephyr/drivers/disk.h>: the ioctl command and status
 * codes, with Zephyr's values (4.x).
 */
#ifndef CAIRN_HOST_ZEPHYR_DRIVERS_DISK_H
#define CAIRN_HOST_ZEPHYR_DRIVERS_DISK_H

#include <stdint.h>

#include <zephyr/autoconf.h>

#define DISK_IOCTL_GET_SECTOR_COUNT 1 /* uint32_t *: sectors */
#define DISK_IOCTL_GET_SECTOR_SIZE 2  /* uint32_t *: bytes per sector */
#define DISK_IOCTL_RESERVED 3
#define DISK_IOCTL_GET_ERASE_BLOCK_SZ 4 /* uint32_t *: sectors per erase block */
#define DISK_IOCTL_CTRL_SYNC 5          /* commit cached writes */
#define DISK_IOCTL_CTRL_INIT 6
#define DISK_IOCTL_CTRL_DEINIT 7

#define DISK_STATUS_OK 0x00
#define DISK_STATUS_UNINIT 0x01
#define DISK_STATUS_NOMEDIA 0x02
#define DISK_STATUS_WR_PROTECT 0x04

#endif
