// The block-device contract wrappers, adapters and the RAM device.
#include "cairn/bdev.h"
#include "harness.h"

static uint8_t mem[16 * 512];

static void ram(struct cairn_ram_bdev *r, uint32_t flags)
{
    memset(mem, 0xA5, sizeof mem);
    CHECK_EQ(cairn_ram_bdev_init(r, mem, 512, 16, flags, 0xFF), 0);
}

TEST(probe_reads_geometry)
{
    struct cairn_ram_bdev r;
    ram(&r, CAIRN_RAM_SIMPLE);
    r.bd.block_size = r.bd.block_count = 0;
    CHECK_EQ(cairn_bdev_probe(&r.bd, 0, 1), 0);
    CHECK_EQ(r.bd.block_size, 512);
    CHECK_EQ(r.bd.block_count, 16);
}

TEST(simple_roundtrip_and_range_checks)
{
    struct cairn_ram_bdev r;
    uint8_t buf[1024], back[1024];
    ram(&r, CAIRN_RAM_SIMPLE);
    for (int i = 0; i < 1024; i++) {
        buf[i] = (uint8_t)i;
    }
    CHECK_EQ(cairn_bdev_write(&r.bd, 14, buf, 2), 0);
    CHECK_EQ(cairn_bdev_read(&r.bd, 14, back, 2), 0);
    CHECK_MEM(buf, back, 1024);
    CHECK_EQ(cairn_bdev_read(&r.bd, 15, back, 2), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_write(&r.bd, 16, buf, 1), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read(&r.bd, UINT32_MAX, back, 2), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read_ext(&r.bd, 0, 0, back, 4), CAIRN_EOPNOTSUPP);
    CHECK_EQ(cairn_bdev_erase(&r.bd, 0), CAIRN_EOPNOTSUPP);
}

TEST(ext_bounds_and_erase)
{
    struct cairn_ram_bdev r;
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];
    ram(&r, CAIRN_RAM_EXT);
    CHECK_EQ(cairn_bdev_erase(&r.bd, 3), 0);
    CHECK_EQ(mem[3 * 512], 0xFF);
    CHECK_EQ(cairn_bdev_write_ext(&r.bd, 3, 504, b, 8), 0);
    CHECK_EQ(cairn_bdev_read_ext(&r.bd, 3, 504, back, 8), 0);
    CHECK_MEM(b, back, 8);
    CHECK_EQ(cairn_bdev_write_ext(&r.bd, 3, 505, b, 8), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read_ext(&r.bd, 3, 513, back, 0), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_erase(&r.bd, 16), CAIRN_EINVAL);
    // simple calls on an ext-only device: erase + program per block
    uint8_t blk[512];
    memset(blk, 0x11, sizeof blk);
    CHECK_EQ(cairn_bdev_write(&r.bd, 5, blk, 1), 0);
    CHECK_EQ(mem[5 * 512 + 100], 0x11);
    uint8_t rd[512];
    CHECK_EQ(cairn_bdev_read(&r.bd, 5, rd, 1), 0);
    CHECK_MEM(rd, blk, 512);
}

static int32_t positive_ret(struct cairn_bdev *bd, uint32_t block, uint32_t off, void *buf,
                            uint32_t len)
{
    (void)bd, (void)block, (void)off, (void)buf, (void)len;
    return 5;
}

TEST(positive_return_becomes_einval)
{
    struct cairn_ram_bdev r;
    uint8_t b[4];
    ram(&r, CAIRN_RAM_EXT);
    r.ops.read_ext = (int (*)(struct cairn_bdev *, uint32_t, uint32_t, void *, uint32_t))positive_ret;
    CHECK_EQ(cairn_bdev_read_ext(&r.bd, 0, 0, b, 4), CAIRN_EINVAL);
}

TEST(readonly_device_refuses_writes)
{
    struct cairn_ram_bdev r;
    uint8_t b[512] = {0};
    ram(&r, CAIRN_RAM_SIMPLE | CAIRN_RAM_EXT | CAIRN_RAM_READONLY);
    CHECK(cairn_bdev_is_readonly(&r.bd));
    CHECK_EQ(cairn_bdev_write(&r.bd, 0, b, 1), CAIRN_EROFS);
    CHECK_EQ(cairn_bdev_write_ext(&r.bd, 0, 0, b, 4), CAIRN_EROFS);
    CHECK_EQ(cairn_bdev_erase(&r.bd, 0), CAIRN_EROFS);
    CHECK_EQ(mem[0], 0xA5);
}

TEST(ro_view_blocks_writes_and_erase)
{
    struct cairn_ram_bdev r;
    struct cairn_bdev_ro ro;
    uint8_t b[512] = {0};
    ram(&r, CAIRN_RAM_SIMPLE | CAIRN_RAM_EXT);
    cairn_bdev_ro_init(&ro, &r.bd);
    CHECK_EQ(cairn_bdev_write(&ro.bd, 0, b, 1), CAIRN_EROFS);
    CHECK_EQ(cairn_bdev_erase(&ro.bd, 0), CAIRN_EROFS);
    CHECK_EQ(cairn_bdev_read_ext(&ro.bd, 0, 0, b, 4), 0);
    CHECK_EQ(b[0], 0xA5);
    CHECK_EQ(mem[0], 0xA5);
}

TEST(ext_adapter_read_modify_write)
{
    struct cairn_ram_bdev r;
    struct cairn_bdev_ext_adapter ad;
    uint8_t scratch[512], b[3] = {7, 8, 9}, back[3];
    ram(&r, CAIRN_RAM_SIMPLE);
    CHECK_EQ(cairn_bdev_ext_adapter_init(&ad, &r.bd, scratch, 100), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_ext_adapter_init(&ad, &r.bd, scratch, sizeof scratch), 0);
    CHECK_EQ(cairn_bdev_erase(&ad.bd, 2), 0);
    CHECK_EQ(cairn_bdev_write_ext(&ad.bd, 2, 10, b, 3), 0);
    CHECK_EQ(mem[2 * 512 + 9], 0xA5);
    CHECK_EQ(mem[2 * 512 + 10], 7);
    CHECK_EQ(mem[2 * 512 + 13], 0xA5);
    CHECK_EQ(cairn_bdev_read_ext(&ad.bd, 2, 10, back, 3), 0);
    CHECK_MEM(b, back, 3);
    // a simple write through the adapter invalidates its cached block
    uint8_t blk[512];
    memset(blk, 0x33, sizeof blk);
    CHECK_EQ(cairn_bdev_write(&ad.bd, 2, blk, 1), 0);
    CHECK_EQ(cairn_bdev_read_ext(&ad.bd, 2, 10, back, 3), 0);
    CHECK_EQ(back[0], 0x33);
}

TEST(slice_renumbers_and_bounds)
{
    struct cairn_ram_bdev r;
    struct cairn_bdev_slice s;
    uint8_t blk[512];
    ram(&r, CAIRN_RAM_SIMPLE | CAIRN_RAM_EXT);
    CHECK_EQ(cairn_bdev_slice_init(&s, &r.bd, 10, 7), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_slice_init(&s, &r.bd, 10, 6), 0);
    CHECK_EQ(cairn_bdev_ioctl(&s.bd, CAIRN_BDEV_BLOCK_COUNT, 0), 6);
    memset(blk, 0x42, sizeof blk);
    CHECK_EQ(cairn_bdev_write(&s.bd, 0, blk, 1), 0);
    CHECK_EQ(mem[10 * 512], 0x42);
    CHECK_EQ(cairn_bdev_write(&s.bd, 6, blk, 1), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_erase(&s.bd, 5), 0);
    CHECK_EQ(mem[15 * 512], 0xFF);
    CHECK_EQ(cairn_bdev_erase(&s.bd, 6), CAIRN_EINVAL);
}

TEST(errors_have_names)
{
    CHECK_STR(cairn_errname(CAIRN_ECORRUPT), "ECORRUPT");
    CHECK_STR(cairn_strerror(CAIRN_ENOENT), "No such file or directory");
    CHECK_EQ(CAIRN_ENOTEMPTY, -39);
    CHECK_STR(cairn_errname(-12345), "E?");
}
