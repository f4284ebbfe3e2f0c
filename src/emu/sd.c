// Emulated SD card (emu.h), shaped like a Zephyr disk seen through
// DiskAccess: whole sectors only, no erase, unknown ioctls answer -1.
#include "cairn/emu.h"

#include <string.h>

static int sd_range(const struct cairn_sd *sd, uint32_t sector, uint32_t n)
{
    if (sector >= sd->sector_count || n > sd->sector_count - sector) {
        return CAIRN_EINVAL;
    }
    return 0;
}

static int sd_read(struct cairn_bdev *bd, uint32_t sector, void *buf, uint32_t n)
{
    struct cairn_sd *sd = (struct cairn_sd *)bd;
    int rc = sd_range(sd, sector, n);
    if (rc) {
        return rc;
    }
    memcpy(buf, sd->mem + (uint64_t)sector * sd->sector_size, (size_t)n * sd->sector_size);
    return 0;
}

static int sd_write(struct cairn_bdev *bd, uint32_t sector, const void *buf, uint32_t n)
{
    struct cairn_sd *sd = (struct cairn_sd *)bd;
    int rc = sd_range(sd, sector, n);
    if (rc) {
        return rc;
    }
    memcpy(sd->mem + (uint64_t)sector * sd->sector_size, buf, (size_t)n * sd->sector_size);
    return 0;
}

static int32_t sd_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_sd *sd = (struct cairn_sd *)bd;
    (void)arg;
    switch (op) {
    case CAIRN_BDEV_INIT:
    case CAIRN_BDEV_DEINIT:
    case CAIRN_BDEV_SYNC:
        return 0;
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)sd->sector_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)sd->sector_size;
    case CAIRN_EMU_IOCTL_TEAR_UNIT:
        return sd->tear == CAIRN_SD_TEAR_BYTES  ? 1
               : sd->tear == CAIRN_SD_TEAR_NONE ? 0
                                                : (int32_t)sd->sector_size;
    default:
        return CAIRN_EPERM; // DiskAccess: any other op (erase included) is -1
    }
}

static const struct cairn_bdev_ops sd_ops = {sd_read, sd_write, NULL, NULL, sd_ioctl};

int cairn_sd_init(struct cairn_sd *sd, const struct cairn_sd_config *cfg, uint8_t *mem)
{
    memset(sd, 0, sizeof *sd);
    if (cfg == NULL || mem == NULL) {
        return CAIRN_EINVAL;
    }
    uint32_t ss = cfg->sector_size ? cfg->sector_size : 512;
    if (ss < 512 || ss > 4096 || (ss & (ss - 1)) != 0 || cfg->sector_count == 0 ||
        cfg->sector_count > INT32_MAX || cfg->tear > CAIRN_SD_TEAR_NONE) {
        return CAIRN_EINVAL;
    }
    sd->bd.ops = &sd_ops;
    sd->bd.block_size = sd->sector_size = ss;
    sd->bd.block_count = sd->sector_count = cfg->sector_count;
    sd->mem = mem;
    sd->tear = cfg->tear;
    return 0;
}
