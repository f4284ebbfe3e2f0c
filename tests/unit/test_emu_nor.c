// Emulated NOR flash: geometry checks, AND programming, strict mode, erase
// counts and wear-out.
#include "cairn/emu.h"
#include "harness.h"

#define BS 256
#define BC 8
static uint8_t mem[BS * BC];
static uint32_t wear[BC];

static int nor_setup(struct cairn_nor *nor, uint32_t rs, uint32_t ps, uint8_t strict,
                     uint32_t limit, uint8_t mode)
{
    struct cairn_nor_config cfg = {BS, BC, rs, ps, strict, mode, limit};
    memset(mem, 0xFF, sizeof mem);
    return cairn_nor_init(nor, &cfg, mem, wear);
}

TEST(nor_init_rejects_bad_geometry)
{
    struct cairn_nor nor;
    struct cairn_nor_config cfg = {BS, BC, 1, 1, 0, 0, 0};
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), 0);
    CHECK_EQ(nor.bd.block_size, BS);
    CHECK_EQ(nor.bd.block_count, BC);
    CHECK(cairn_bdev_has_ext(&nor.bd));
    CHECK(!cairn_bdev_has_simple(&nor.bd));
    CHECK_EQ(cairn_nor_init(&nor, NULL, mem, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_nor_init(&nor, &cfg, NULL, NULL), CAIRN_EINVAL);
    cfg.block_size = 0;
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), CAIRN_EINVAL);
    cfg.block_size = BS;
    cfg.block_count = 0;
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), CAIRN_EINVAL);
    cfg.block_count = BC;
    cfg.read_size = 3; // 256 % 3 != 0
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), CAIRN_EINVAL);
    cfg.read_size = 16;
    cfg.prog_size = 512;
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), CAIRN_EINVAL);
    cfg.prog_size = 16;
    cfg.wear_limit = 3; // needs erase counts
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, wear), 0);
    cfg.wear_mode = 7;
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, wear), CAIRN_EINVAL);
    cfg.wear_mode = 0;
    cfg.block_size = 0x80000000u;
    CHECK_EQ(cairn_nor_init(&nor, &cfg, mem, wear), CAIRN_EINVAL);
}

TEST(nor_probe_and_ioctls)
{
    struct cairn_nor nor;
    REQUIRE_EQ(nor_setup(&nor, 1, 1, 0, 0, 0), 0);
    nor.bd.block_size = nor.bd.block_count = 0;
    CHECK_EQ(cairn_bdev_probe(&nor.bd, 0, 1), 0);
    CHECK_EQ(nor.bd.block_size, BS);
    CHECK_EQ(nor.bd.block_count, BC);
    CHECK_EQ(cairn_bdev_ioctl(&nor.bd, CAIRN_BDEV_INIT, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&nor.bd, CAIRN_BDEV_DEINIT, 0), 0);
    CHECK_EQ(cairn_bdev_sync(&nor.bd), 0);
    CHECK_EQ(cairn_bdev_ioctl(&nor.bd, 99, 0), CAIRN_BDEV_IOCTL_NONE);
    CHECK_EQ(cairn_bdev_ioctl(&nor.bd, CAIRN_EMU_IOCTL_TEAR_UNIT, 0), 1);
    CHECK_EQ(cairn_bdev_ioctl(&nor.bd, CAIRN_BDEV_BLOCK_ERASE, BC), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_erase(&nor.bd, BC), CAIRN_EINVAL);
}

TEST(nor_program_ands_and_erase_sets_ff)
{
    struct cairn_nor nor;
    uint8_t b[4] = {0xF0, 0x0F, 0xAA, 0x55}, back[4];
    REQUIRE_EQ(nor_setup(&nor, 1, 1, 0, 0, 0), 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 2, 10, b, 4), 0);
    CHECK_EQ(cairn_bdev_read_ext(&nor.bd, 2, 10, back, 4), 0);
    CHECK_MEM(back, b, 4);
    uint8_t c[4] = {0x3C, 0x3C, 0xFF, 0x00};
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 2, 10, c, 4), 0); // permissive: AND
    CHECK_EQ(cairn_bdev_read_ext(&nor.bd, 2, 10, back, 4), 0);
    CHECK_EQ(back[0], 0x30);
    CHECK_EQ(back[1], 0x0C);
    CHECK_EQ(back[2], 0xAA);
    CHECK_EQ(back[3], 0x00);
    CHECK_EQ(mem[2 * BS + 9], 0xFF); // neighbours untouched
    CHECK_EQ(mem[2 * BS + 14], 0xFF);
    CHECK_EQ(cairn_bdev_erase(&nor.bd, 2), 0);
    for (int i = 0; i < BS; i++) {
        if (mem[2 * BS + i] != 0xFF) {
            CHECK_EQ(mem[2 * BS + i], 0xFF);
            break;
        }
    }
    CHECK_EQ(cairn_nor_erase_count(&nor, 2), 1);
    CHECK_EQ(cairn_nor_erase_count(&nor, 3), 0);
    CHECK_EQ(cairn_nor_erase_count(&nor, BC), 0);
}

TEST(nor_alignment_and_bounds)
{
    struct cairn_nor nor;
    uint8_t b[64];
    memset(b, 0, sizeof b);
    REQUIRE_EQ(nor_setup(&nor, 8, 16, 0, 0, 0), 0);
    CHECK_EQ(cairn_bdev_read_ext(&nor.bd, 0, 8, b, 8), 0);
    CHECK_EQ(cairn_bdev_read_ext(&nor.bd, 0, 4, b, 8), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read_ext(&nor.bd, 0, 8, b, 4), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, 16, b, 16), 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, 8, b, 16), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, 16, b, 8), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, BS - 16, b, 32), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read_ext(&nor.bd, BC, 0, b, 8), CAIRN_EINVAL);
    // direct calls bypass the wrapper's checks: the device checks too
    CHECK_EQ(nor.bd.ops->read_ext(&nor.bd, BC, 0, b, 8), CAIRN_EINVAL);
    CHECK_EQ(nor.bd.ops->read_ext(&nor.bd, 0, BS, b, 8), CAIRN_EINVAL);
    CHECK_EQ(nor.bd.ops->write_ext(&nor.bd, 0, BS - 16, b, 32), CAIRN_EINVAL);
    // last bytes of the last block
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, BC - 1, BS - 16, b, 16), 0);
    CHECK_EQ(mem[BS * BC - 1], 0);
}

TEST(nor_strict_refuses_reprogram)
{
    struct cairn_nor nor;
    uint8_t b[4] = {1, 2, 3, 4}, ff[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    REQUIRE_EQ(nor_setup(&nor, 1, 1, 1, 0, 0), 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 1, 0, b, 4), 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 1, 2, b, 4), CAIRN_EIO); // overlaps bytes 2,3
    CHECK_EQ(mem[BS + 4], 0xFF);                                    // nothing written
    CHECK_EQ(mem[BS + 2], 3);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 1, 0, ff, 4), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 1, 4, b, 4), 0);
    CHECK_EQ(cairn_bdev_erase(&nor.bd, 1), 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 1, 2, b, 4), 0);
}

TEST(nor_simple_calls_via_wrappers)
{
    struct cairn_nor nor;
    uint8_t blk[BS], back[BS];
    REQUIRE_EQ(nor_setup(&nor, 1, 1, 1, 0, 0), 0);
    for (int i = 0; i < BS; i++) {
        blk[i] = (uint8_t)(i * 7);
    }
    // simple writes on an extended-only device erase, then program
    CHECK_EQ(cairn_bdev_write(&nor.bd, 4, blk, 1), 0);
    CHECK_EQ(cairn_bdev_write(&nor.bd, 4, blk, 1), 0); // strict mode: still fine
    CHECK_EQ(cairn_bdev_read(&nor.bd, 4, back, 1), 0);
    CHECK_MEM(back, blk, BS);
    CHECK_EQ(cairn_nor_erase_count(&nor, 4), 2);
}

TEST(nor_wear_error_mode)
{
    struct cairn_nor nor;
    uint8_t b[4] = {0, 0, 0, 0};
    REQUIRE_EQ(nor_setup(&nor, 1, 1, 0, 3, CAIRN_NOR_WEAR_ERROR), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(cairn_bdev_erase(&nor.bd, 5), 0);
    }
    CHECK_EQ(cairn_bdev_erase(&nor.bd, 5), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 5, 0, b, 4), CAIRN_EIO);
    CHECK_EQ(mem[5 * BS], 0xFF);
    CHECK_EQ(cairn_nor_erase_count(&nor, 5), 3);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 6, 0, b, 4), 0); // others fine
    struct cairn_nor_wear w;
    CHECK_EQ(cairn_nor_wear_stats(&nor, &w), 0);
    CHECK_EQ(w.max, 3);
    CHECK_EQ(w.min, 0);
    CHECK_EQ(w.total, 3);
    CHECK_EQ(w.mean_x1000, 3000 / BC);
}

TEST(nor_wear_stuck_mode)
{
    struct cairn_nor nor;
    uint8_t b[4] = {0, 0, 0, 0};
    REQUIRE_EQ(nor_setup(&nor, 1, 1, 0, 1, CAIRN_NOR_WEAR_STUCK), 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, 0, b, 4), 0);
    CHECK_EQ(cairn_bdev_erase(&nor.bd, 0), 0);
    CHECK_EQ(mem[0], 0xFF);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, 0, b, 4), 0); // worn: silently dropped
    CHECK_EQ(mem[0], 0xFF);
    mem[0] = 0x12;
    CHECK_EQ(cairn_bdev_erase(&nor.bd, 0), 0); // silently keeps old data
    CHECK_EQ(mem[0], 0x12);
    CHECK_EQ(cairn_nor_erase_count(&nor, 0), 1);
}

TEST(nor_wear_stats_without_counts)
{
    struct cairn_nor nor;
    struct cairn_nor_config cfg = {BS, BC, 1, 1, 0, 0, 0};
    struct cairn_nor_wear w;
    REQUIRE_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), 0);
    CHECK_EQ(cairn_nor_wear_stats(&nor, &w), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_erase(&nor.bd, 1), 0);
    CHECK_EQ(cairn_nor_erase_count(&nor, 1), 0);
}

TEST(nor_single_block_byte_geometry)
{
    struct cairn_nor nor;
    static uint8_t one[1];
    uint8_t z = 0, back = 1;
    struct cairn_nor_config cfg = {1, 1, 1, 1, 1, 0, 0};
    one[0] = 0xFF;
    REQUIRE_EQ(cairn_nor_init(&nor, &cfg, one, NULL), 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, 0, &z, 1), 0);
    CHECK_EQ(cairn_bdev_read_ext(&nor.bd, 0, 0, &back, 1), 0);
    CHECK_EQ(back, 0);
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 0, 1, &z, 1), CAIRN_EINVAL);
}
