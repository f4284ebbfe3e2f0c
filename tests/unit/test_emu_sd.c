// Emulated SD card: DiskAccess-shaped simple device.
#include "cairn/emu.h"
#include "harness.h"

static uint8_t mem[64 * 4096];

TEST(sd_init_geometry)
{
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {0, 64, 0};
    CHECK_EQ(cairn_sd_init(&sd, &cfg, mem), 0);
    CHECK_EQ(sd.bd.block_size, 512);
    CHECK_EQ(sd.bd.block_count, 64);
    CHECK(cairn_bdev_has_simple(&sd.bd));
    CHECK(!cairn_bdev_has_ext(&sd.bd));
    CHECK(!cairn_bdev_is_readonly(&sd.bd));
    static const uint32_t ok[] = {512, 1024, 2048, 4096};
    for (unsigned i = 0; i < 4; i++) {
        cfg.sector_size = ok[i];
        CHECK_EQ(cairn_sd_init(&sd, &cfg, mem), 0);
        CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_BDEV_BLOCK_SIZE, 0), ok[i]);
    }
    static const uint32_t bad[] = {256, 768, 1000, 8192};
    for (unsigned i = 0; i < 4; i++) {
        cfg.sector_size = bad[i];
        CHECK_EQ(cairn_sd_init(&sd, &cfg, mem), CAIRN_EINVAL);
    }
    cfg.sector_size = 512;
    cfg.sector_count = 0;
    CHECK_EQ(cairn_sd_init(&sd, &cfg, mem), CAIRN_EINVAL);
    cfg.sector_count = 0x80000000u;
    CHECK_EQ(cairn_sd_init(&sd, &cfg, mem), CAIRN_EINVAL);
    cfg.sector_count = 4;
    cfg.tear = 9;
    CHECK_EQ(cairn_sd_init(&sd, &cfg, mem), CAIRN_EINVAL);
    cfg.tear = 0;
    CHECK_EQ(cairn_sd_init(&sd, NULL, mem), CAIRN_EINVAL);
    CHECK_EQ(cairn_sd_init(&sd, &cfg, NULL), CAIRN_EINVAL);
}

TEST(sd_ioctls_follow_diskaccess)
{
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {512, 64, CAIRN_SD_TEAR_SECTORS};
    REQUIRE_EQ(cairn_sd_init(&sd, &cfg, mem), 0);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_BDEV_INIT, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_BDEV_DEINIT, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_BDEV_SYNC, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_BDEV_BLOCK_COUNT, 0), 64);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_BDEV_BLOCK_SIZE, 0), 512);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_BDEV_BLOCK_ERASE, 0), CAIRN_EPERM);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, 77, 0), CAIRN_EPERM);
    CHECK_EQ(cairn_bdev_erase(&sd.bd, 0), CAIRN_EPERM);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_EMU_IOCTL_TEAR_UNIT, 0), 512);
    cfg.tear = CAIRN_SD_TEAR_BYTES;
    REQUIRE_EQ(cairn_sd_init(&sd, &cfg, mem), 0);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_EMU_IOCTL_TEAR_UNIT, 0), 1);
    cfg.tear = CAIRN_SD_TEAR_NONE;
    REQUIRE_EQ(cairn_sd_init(&sd, &cfg, mem), 0);
    CHECK_EQ(cairn_bdev_ioctl(&sd.bd, CAIRN_EMU_IOCTL_TEAR_UNIT, 0), 0);
    sd.bd.block_size = sd.bd.block_count = 0;
    CHECK_EQ(cairn_bdev_probe(&sd.bd, 0, 1), 0);
    CHECK_EQ(sd.bd.block_count, 64);
}

TEST(sd_multi_sector_roundtrip)
{
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {4096, 64, 0};
    static uint8_t buf[3 * 4096], back[3 * 4096];
    REQUIRE_EQ(cairn_sd_init(&sd, &cfg, mem), 0);
    for (unsigned i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(i * 13 + 1);
    }
    CHECK_EQ(cairn_bdev_write(&sd.bd, 61, buf, 3), 0);
    CHECK_EQ(cairn_bdev_read(&sd.bd, 61, back, 3), 0);
    CHECK_MEM(buf, back, sizeof buf);
    CHECK_MEM(mem + 61 * 4096, buf, sizeof buf);
    CHECK_EQ(cairn_bdev_write(&sd.bd, 62, buf, 3), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read(&sd.bd, 64, back, 1), CAIRN_EINVAL);
    CHECK_EQ(sd.bd.ops->read(&sd.bd, 63, back, 2), CAIRN_EINVAL);
    CHECK_EQ(sd.bd.ops->write(&sd.bd, UINT32_MAX, buf, 2), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read_ext(&sd.bd, 0, 0, back, 16), CAIRN_EOPNOTSUPP);
}

TEST(sd_under_ext_adapter)
{
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {512, 16, 0};
    struct cairn_bdev_ext_adapter ad;
    static uint8_t scratch[512];
    uint8_t b[5] = {1, 2, 3, 4, 5}, back[5];
    memset(mem, 0, 16 * 512);
    REQUIRE_EQ(cairn_sd_init(&sd, &cfg, mem), 0);
    REQUIRE_EQ(cairn_bdev_ext_adapter_init(&ad, &sd.bd, scratch, sizeof scratch), 0);
    CHECK_EQ(cairn_bdev_write_ext(&ad.bd, 3, 510, b, 2), 0);
    CHECK_EQ(cairn_bdev_read_ext(&ad.bd, 3, 510, back, 2), 0);
    CHECK_MEM(back, b, 2);
    CHECK_EQ(mem[3 * 512 + 511], 2);
    CHECK_EQ(cairn_bdev_erase(&ad.bd, 3), 0); // adapter: erase is a no-op on a disk
    CHECK_EQ(mem[3 * 512 + 511], 2);
}
