// FlashArea (src/zephyr/flash_area.c) over the host board's flash map
// (port/host): blockdev.md 6.2 behaviour, the areas table, erase coverage of
// simple vs extended writes, geometry checks, device errors, persistence.
#include "cairn/emu.h"
#include "cairn/fat.h"
#include "cairn/host_board.h"
#include "cairn/vfs.h"
#include "cairn/zephyr.h"
#include "harness.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zephyr/drivers/flash.h>
#include <zephyr/storage/flash_map.h>

static struct cairn_board board;

static int open_default(void)
{
    cairn_board_close(&board); // an earlier test may have stopped half-way
    if (cairn_board_load_default(&board) != 0) {
        return -1;
    }
    return cairn_board_open(&board, NULL);
}

// Byte `off` of the default board's NOR chip.
static uint8_t *chip(uint32_t off)
{
    return board.flash[0].mem + off;
}

static uint32_t erases(uint32_t chip_off)
{
    return cairn_nor_erase_count(&board.flash[0].nor, chip_off / board.flash[0].erase_block);
}

#define STORAGE_OFF 0xF8000u
#define SCRATCH_OFF 0xDA000u

// ---- the areas table ----------------------------------------------------------------------

TEST(areas_of_the_default_board)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area_info a[8];
    REQUIRE_EQ(cairn_flash_area_areas(a, 8), 5);
    static const char *labels[] = {"boot", "slot0", "slot1", "scratch", "storage"};
    static const uint32_t offs[] = {0, 0xC000, 0x73000, 0xDA000, 0xF8000};
    static const uint32_t sizes[] = {0xC000, 0x67000, 0x67000, 0x1E000, 0x8000};
    for (int i = 0; i < 5; i++) {
        CHECK_STR(a[i].label, labels[i]);
        CHECK_EQ(a[i].id, i + 1);
        CHECK_EQ(a[i].offset, offs[i]);
        CHECK_EQ(a[i].size, sizes[i]);
        CHECK_EQ(a[i].erase_block_size, 4096);
    }
    // fewer slots than areas: the count is still the total
    struct cairn_flash_area_info one[1];
    CHECK_EQ(cairn_flash_area_areas(one, 1), 5);
    CHECK_STR(one[0].label, "boot");
    CHECK_EQ(cairn_flash_area_areas(NULL, 0), 5);

    struct cairn_flash_area_info info;
    CHECK_EQ(cairn_flash_area_find("storage", &info), 0);
    CHECK_EQ(info.id, 5);
    CHECK_EQ(cairn_flash_area_find(CAIRN_FLASH_AREA_SCRATCH_LABEL, &info), 0);
    CHECK_EQ(info.id, 4); // the scratch area the docs call id 4
    CHECK_EQ(info.size, 0x1E000);
    CHECK_EQ(cairn_flash_area_find("nope", &info), CAIRN_ENOENT);
    CHECK_EQ(cairn_flash_area_find(NULL, &info), CAIRN_EINVAL);
    CHECK_EQ(cairn_flash_area_storage_id(), 5);
    cairn_board_close(&board);
    // no board: no areas, no STORAGE
    CHECK_EQ(cairn_flash_area_areas(a, 8), 0);
    CHECK_EQ(cairn_flash_area_storage_id(), CAIRN_ENOENT);
}

TEST(unlabelled_and_disabled_partitions)
{
    cairn_board_close(&board);
    cairn_board_init(&board, "t");
    REQUIRE_EQ(cairn_board_add_flash(&board, "on", 64 * 1024, 4096, 1, NULL), 0);
    REQUIRE_EQ(cairn_board_add_partition(&board, "-", 0, "on", 0, 32768, 0), 0);
    REQUIRE_EQ(cairn_board_add_partition(&board, "data", 1, "on", 32768, 32768, 0), 0);
    REQUIRE_EQ(cairn_board_add_flash(&board, "off", 64 * 1024, 4096, 1, NULL), 0);
    board.flash[1].disabled = 1;
    REQUIRE_EQ(cairn_board_add_partition(&board, "storage", 2, "off", 0, 65536, 0), 0);
    REQUIRE_EQ(cairn_board_open(&board, NULL), 0);
    struct cairn_flash_area_info a[4];
    REQUIRE_EQ(cairn_flash_area_areas(a, 4), 2); // only partitions on a ready device
    CHECK(a[0].label == NULL);                   // keyed by id
    CHECK_EQ(a[0].id, 0);
    CHECK_STR(a[1].label, "data");
    CHECK_EQ(cairn_flash_area_storage_id(), CAIRN_ENOENT);
    struct cairn_flash_area fa;
    CHECK_EQ(cairn_flash_area_init(&fa, 2, 4096), CAIRN_ENODEV); // device not ready
    CHECK_STR(fa.error, "unable to open flash area");
    const struct flash_area *zfa;
    CHECK_EQ(flash_area_open(2, &zfa), -ENODEV);
    CHECK_EQ(flash_area_open(9, &zfa), -ENOENT);
    CHECK_EQ(cairn_flash_area_init(&fa, 0, 4096), 0);
    CHECK_EQ(fa.block_count, 8);
    cairn_board_close(&board);
    CHECK_EQ(flash_area_open(0, &zfa), -EACCES); // no flash map at all
}

// ---- construction and ioctl -------------------------------------------------------------------

TEST(storage_4096_geometry_and_ioctls)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area fa;
    REQUIRE_EQ(cairn_flash_area_init(&fa, (uint8_t)cairn_flash_area_storage_id(), 4096), 0);
    CHECK(fa.error == NULL);
    CHECK_EQ(fa.id, 5);
    CHECK_EQ(fa.block_size, 4096);
    CHECK_EQ(fa.block_count, 8);
    CHECK_EQ(fa.erase_size, 4096);
    CHECK(cairn_bdev_has_simple(&fa.bd));
    CHECK(cairn_bdev_has_ext(&fa.bd));
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 1, 1), 0);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 2, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 3, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 4, 0), 8);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 5, 0), 4096);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 0, 0), -1);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 7, 0), -1);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 100, 0), CAIRN_EPERM);
    // op 6 erases exactly block arg
    memset(chip(STORAGE_OFF), 0x00, 3 * 4096);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 6, 1), 0);
    CHECK_EQ(*chip(STORAGE_OFF + 4095), 0x00);
    CHECK_EQ(*chip(STORAGE_OFF + 4096), 0xFF);
    CHECK_EQ(*chip(STORAGE_OFF + 8191), 0xFF);
    CHECK_EQ(*chip(STORAGE_OFF + 8192), 0x00);
    CHECK_EQ(erases(STORAGE_OFF + 4096), 1);
    CHECK_EQ(erases(STORAGE_OFF), 0);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 6, 8), CAIRN_EINVAL); // past the end
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 6, UINT32_MAX), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_probe(&fa.bd, 1, 0), 0);
    CHECK_EQ(fa.bd.block_count, 8);
    cairn_flash_area_deinit(&fa);
    cairn_board_close(&board);
}

TEST(constructor_errors_in_micropython_order)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area fa;
    // block size first, even on an unknown id
    CHECK_EQ(cairn_flash_area_init(&fa, 200, 0), CAIRN_EINVAL);
    CHECK_STR(fa.error, "invalid block size");
    CHECK_EQ(cairn_flash_area_init(&fa, 200, 4096), CAIRN_ENODEV);
    CHECK_STR(fa.error, "unable to open flash area");
    CHECK_EQ(cairn_flash_area_init(&fa, 0, 4096), CAIRN_ENODEV); // id 0 unused on this board
    // the id is 8 bits: 260 is 4 (scratch), as MicroPython stores it
    CHECK_EQ(cairn_flash_area_init(&fa, (uint8_t)260, 4096), 0);
    CHECK_EQ(fa.id, 4);
    CHECK_EQ(fa.block_count, 30);
    cairn_board_close(&board);
    CHECK_EQ(cairn_flash_area_init(&fa, 5, 4096), CAIRN_ENODEV); // no board
}

TEST(block_sizes_against_the_erase_unit)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area fa;
    static const uint32_t bad[] = {1, 512, 1000, 2048, 4095, 4097, 6144, 10000};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(cairn_flash_area_init(&fa, 5, bad[i]), CAIRN_EINVAL);
        CHECK_STR(fa.error, "block size does not fit the flash's erase blocks");
    }
    CHECK_EQ(cairn_flash_area_init(&fa, 5, 65536), CAIRN_EINVAL); // storage is 32 KiB
    CHECK_STR(fa.error, "block size larger than the area");
    CHECK_EQ(cairn_flash_area_init(&fa, 5, 0x80000000u), CAIRN_EINVAL);
    CHECK_EQ(cairn_flash_area_init(&fa, 5, 8192), 0);
    CHECK_EQ(fa.block_count, 4);
    CHECK_EQ(cairn_flash_area_init(&fa, 5, 32768), 0);
    CHECK_EQ(fa.block_count, 1);
    // trailing partial block ignored: 32 KiB / 12 KiB = 2 blocks
    CHECK_EQ(cairn_flash_area_init(&fa, 5, 12288), 0);
    CHECK_EQ(fa.block_count, 2);
    CHECK_EQ(cairn_bdev_ioctl(&fa.bd, 4, 0), 2);
    uint8_t b[16] = {0};
    CHECK_EQ(cairn_bdev_read(&fa.bd, 2, b, 1), CAIRN_EINVAL);
    cairn_board_close(&board);
}

TEST(edge_geometries)
{
    // 64 KiB erase blocks (big NOR), prog size 1, 256-byte pages
    struct {
        uint32_t size, erase, write, block;
        int ok;
    } g[] = {
        {1u << 20, 65536, 1, 65536, 1},    {1u << 20, 65536, 1, 4096, 0},
        {1u << 20, 65536, 256, 131072, 1}, {65536, 256, 1, 256, 1},
        {65536, 256, 1, 128, 0},           {65536, 256, 4, 512, 1},
    };
    for (unsigned i = 0; i < sizeof g / sizeof g[0]; i++) {
        cairn_board_close(&board);
        cairn_board_init(&board, "edge");
        REQUIRE_EQ(cairn_board_add_flash(&board, "f", g[i].size, g[i].erase, g[i].write, NULL), 0);
        REQUIRE_EQ(cairn_board_add_partition(&board, "storage", 0, NULL, 0, g[i].size, 0), 0);
        REQUIRE_EQ(cairn_board_open(&board, NULL), 0);
        struct cairn_flash_area fa;
        int rc = cairn_flash_area_init(&fa, 0, g[i].block);
        CHECK_EQ(rc, g[i].ok ? 0 : CAIRN_EINVAL);
        if (rc == 0) {
            CHECK_EQ(fa.block_count, g[i].size / g[i].block);
            CHECK_EQ(fa.erase_size, g[i].erase);
            // write the last block simply and read it back
            static uint8_t buf[131072], back[131072];
            for (uint32_t k = 0; k < g[i].block; k++) {
                buf[k] = (uint8_t)(k ^ i);
            }
            CHECK_EQ(cairn_bdev_write(&fa.bd, fa.block_count - 1, buf, 1), 0);
            CHECK_EQ(cairn_bdev_read(&fa.bd, fa.block_count - 1, back, 1), 0);
            CHECK_MEM(buf, back, g[i].block);
        }
        cairn_board_close(&board);
    }
}

// ---- simple vs extended writes ------------------------------------------------------------------

TEST(simple_write_erases_every_block_it_covers)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area fa;
    REQUIRE_EQ(cairn_flash_area_init(&fa, 5, 4096), 0);
    // blocks 2..4 hold programmed zeros: without an erase, NOR programming
    // (AND) would leave them zero
    memset(chip(STORAGE_OFF + 2 * 4096), 0x00, 3 * 4096);
    static uint8_t buf[3 * 4096], back[3 * 4096];
    for (unsigned i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(0xA5 ^ (i >> 4));
    }
    uint32_t e1 = erases(STORAGE_OFF + 1 * 4096), e5 = erases(STORAGE_OFF + 5 * 4096);
    CHECK_EQ(cairn_bdev_write(&fa.bd, 2, buf, 3), 0);
    CHECK_EQ(cairn_bdev_read(&fa.bd, 2, back, 3), 0);
    CHECK_MEM(buf, back, sizeof buf);
    for (uint32_t b = 2; b <= 4; b++) {
        CHECK_EQ(erases(STORAGE_OFF + b * 4096), 1);
    }
    // neighbours untouched
    CHECK_EQ(erases(STORAGE_OFF + 1 * 4096), e1);
    CHECK_EQ(erases(STORAGE_OFF + 5 * 4096), e5);
    CHECK_EQ(*chip(STORAGE_OFF + 2 * 4096 - 1), 0xFF);
    CHECK_EQ(*chip(STORAGE_OFF + 5 * 4096), 0xFF);
    // with a block size of two erase pages, one simple block erases both pages
    REQUIRE_EQ(cairn_flash_area_init(&fa, 5, 8192), 0);
    memset(chip(STORAGE_OFF + 6 * 4096), 0x00, 2 * 4096);
    CHECK_EQ(cairn_bdev_write(&fa.bd, 3, buf, 1), 0);
    CHECK_MEM(chip(STORAGE_OFF + 6 * 4096), buf, 8192);
    CHECK_EQ(erases(STORAGE_OFF + 6 * 4096), 1);
    CHECK_EQ(erases(STORAGE_OFF + 7 * 4096), 1);
    cairn_board_close(&board);
}

TEST(extended_write_never_erases)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area fa;
    REQUIRE_EQ(cairn_flash_area_init(&fa, 5, 4096), 0);
    CHECK_EQ(cairn_bdev_erase(&fa.bd, 0), 0);
    uint32_t e0 = erases(STORAGE_OFF);
    uint8_t a[8], b[8], back[8];
    memset(a, 0x0F, sizeof a);
    memset(b, 0xF0, sizeof b);
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 0, 0, a, 8), 0);
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 0, 0, b, 8), 0); // offset 0: still no erase
    CHECK_EQ(cairn_bdev_read_ext(&fa.bd, 0, 0, back, 8), 0);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(back[i], 0x00); // both programs ANDed into the cells
    }
    CHECK_EQ(erases(STORAGE_OFF), e0);
    // only the targeted bytes change
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 0, 4088, a, 8), 0);
    CHECK_EQ(*chip(STORAGE_OFF + 4087), 0xFF);
    CHECK_EQ(*chip(STORAGE_OFF + 4088), 0x0F);
    CHECK_EQ(*chip(STORAGE_OFF + 4096), 0xFF);
    CHECK_EQ(cairn_bdev_read_ext(&fa.bd, 0, 4088, back, 8), 0);
    CHECK_MEM(a, back, 8);
    cairn_board_close(&board);
}

TEST(extended_bounds_and_alignment)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area fa;
    REQUIRE_EQ(cairn_flash_area_init(&fa, 5, 4096), 0);
    uint8_t buf[16] = {0};
    // a read may be unaligned; a program must be whole 4-byte words
    CHECK_EQ(cairn_bdev_read_ext(&fa.bd, 7, 4093, buf, 3), 0);
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 1, 1, buf, 4), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 1, 0, buf, 3), CAIRN_EINVAL);
    // a transfer may not leave its block
    CHECK_EQ(fa.bd.ops->read_ext(&fa.bd, 0, 4090, buf, 8), CAIRN_EINVAL);
    CHECK_EQ(fa.bd.ops->write_ext(&fa.bd, 0, 4092, buf, 8), CAIRN_EINVAL);
    CHECK_EQ(fa.bd.ops->read_ext(&fa.bd, 8, 0, buf, 4), CAIRN_EINVAL);
    CHECK_EQ(fa.bd.ops->read(&fa.bd, 7, buf, 2), CAIRN_EINVAL);
    CHECK_EQ(fa.bd.ops->write(&fa.bd, 8, buf, 1), CAIRN_EINVAL);
    cairn_board_close(&board);
}

TEST(areas_do_not_leak_into_each_other)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_flash_area st, sc;
    REQUIRE_EQ(cairn_flash_area_init(&st, 5, 4096), 0);
    REQUIRE_EQ(cairn_flash_area_init(&sc, 4, 4096), 0);
    static uint8_t buf[4096], back[4096];
    memset(buf, 0x33, sizeof buf);
    CHECK_EQ(cairn_bdev_write(&sc.bd, 29, buf, 1), 0); // last scratch block
    CHECK_EQ(cairn_bdev_write(&st.bd, 0, buf, 1), 0);  // first storage block
    CHECK_MEM(chip(SCRATCH_OFF + 29 * 4096), buf, 4096);
    CHECK_MEM(chip(STORAGE_OFF), buf, 4096);
    CHECK_EQ(*chip(SCRATCH_OFF - 1), 0xFF); // end of slot1
    CHECK_EQ(cairn_bdev_read(&st.bd, 1, back, 1), 0);
    CHECK_EQ(back[0], 0xFF);
    // straight flash-map calls are clipped to the area
    const struct flash_area *zfa;
    REQUIRE_EQ(flash_area_open(5, &zfa), 0);
    CHECK_EQ(flash_area_read(zfa, 0x8000 - 4, back, 8), -EINVAL);
    CHECK_EQ(flash_area_erase(zfa, 0x8000, 4096), -EINVAL);
    CHECK_EQ(flash_area_erase(zfa, 100, 4096), -EINVAL); // not page aligned
    CHECK_EQ(flash_area_read(zfa, -1, back, 1), -EINVAL);
    CHECK_EQ(flash_area_align(zfa), 4);
    CHECK_EQ(flash_area_erased_val(zfa), 0xFF);
    struct flash_sector sec[8];
    uint32_t n = 8;
    CHECK_EQ(flash_area_get_sectors(5, &n, sec), 0);
    CHECK_EQ(n, 8);
    CHECK_EQ(sec[7].fs_off, 7 * 4096);
    n = 4;
    CHECK_EQ(flash_area_get_sectors(5, &n, sec), -ENOMEM);
    cairn_board_close(&board);
}

// ---- device errors
// -------------------------------------------------------------------------------

TEST(device_errors_from_a_faulty_chip)
{
    static uint8_t mem[16 * 4096], scratch[4096];
    static uint32_t counts[16];
    memset(mem, 0xFF, sizeof mem);
    struct cairn_nor nor;
    struct cairn_nor_config cfg = {
        .block_size = 4096, .block_count = 16, .read_size = 1, .prog_size = 1};
    REQUIRE_EQ(cairn_nor_init(&nor, &cfg, mem, counts), 0);
    struct cairn_fault f;
    REQUIRE_EQ(cairn_fault_init(&f, &nor.bd, scratch, sizeof scratch, 7), 0);
    cairn_board_close(&board);
    cairn_board_init(&board, "faulty");
    REQUIRE_EQ(cairn_board_attach_flash(&board, "nor", &f.bd, 1), 0);
    REQUIRE_EQ(cairn_board_add_partition(&board, "storage", 3, NULL, 4 * 4096, 8 * 4096, 0), 0);
    REQUIRE_EQ(cairn_board_open(&board, NULL), 0);
    struct cairn_flash_area fa;
    REQUIRE_EQ(cairn_flash_area_init(&fa, 3, 4096), 0);
    CHECK_EQ(fa.block_count, 8);
    uint8_t buf[4096] = {0};
    // area block 2 = chip block 6
    REQUIRE_EQ(cairn_fault_set_block(&f, 6, CAIRN_FAULT_BAD_BLOCK), 0);
    CHECK_EQ(cairn_bdev_erase(&fa.bd, 2), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_write(&fa.bd, 2, buf, 1), CAIRN_EIO); // the erase fails first
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 2, 0, buf, 16), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_erase(&fa.bd, 1), 0);
    REQUIRE_EQ(cairn_fault_set_block(&f, 6, 0), 0);
    REQUIRE_EQ(cairn_fault_set_block(&f, 5, CAIRN_FAULT_READ_ERROR), 0);
    CHECK_EQ(cairn_bdev_read(&fa.bd, 1, buf, 1), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_read_ext(&fa.bd, 1, 8, buf, 44), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_read(&fa.bd, 0, buf, 1), 0);
    // power cut: everything fails until power returns
    cairn_fault_cut_after(&f, 1, CAIRN_CUT_PROG_DROP);
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 0, 0, buf, 16), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_read(&fa.bd, 0, buf, 1), CAIRN_EIO);
    cairn_fault_power_restore(&f);
    CHECK_EQ(cairn_bdev_read(&fa.bd, 0, buf, 1), 0);
    cairn_board_close(&board);
}

// ---- persistence
// ------------------------------------------------------------------------------------

TEST(flash_image_persists_and_starts_erased)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s", th_tmp("flashimg"));
    snprintf(path, sizeof path, "%s/flash.img", dir);
    unlink(path);
    char sd[1024];
    snprintf(sd, sizeof sd, "%s/sd.img", dir);
    unlink(sd);
    cairn_board_close(&board);
    REQUIRE_EQ(cairn_board_load_default(&board), 0);
    REQUIRE_EQ(cairn_board_open(&board, dir), 0);
    struct stat st;
    REQUIRE_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_size, 1 << 20);
    struct cairn_flash_area fa;
    REQUIRE_EQ(cairn_flash_area_init(&fa, 5, 4096), 0);
    uint8_t back[64];
    CHECK_EQ(cairn_bdev_read_ext(&fa.bd, 7, 0, back, 64), 0);
    for (int i = 0; i < 64; i++) {
        CHECK_EQ(back[i], 0xFF);
    }
    CHECK_EQ(cairn_bdev_write_ext(&fa.bd, 7, 32, "littlefs", 8), 0);
    cairn_board_close(&board);
    FILE *fp = fopen(path, "rb");
    REQUIRE(fp != NULL);
    fseek(fp, STORAGE_OFF + 7 * 4096 + 32, SEEK_SET);
    CHECK_EQ(fread(back, 1, 8, fp), 8);
    fclose(fp);
    CHECK_MEM(back, "littlefs", 8);
    REQUIRE_EQ(cairn_board_open(&board, dir), 0);
    REQUIRE_EQ(cairn_flash_area_init(&fa, 5, 4096), 0);
    CHECK_EQ(cairn_bdev_read_ext(&fa.bd, 7, 32, back, 8), 0);
    CHECK_MEM(back, "littlefs", 8);
    cairn_board_close(&board);
    unlink(path);
    unlink(sd);
    rmdir(dir);
}

// ---- a filesystem on top
// ---------------------------------------------------------------------------

// D14: FAT on a 4096-byte FlashArea works, because simple writes erase every
// block they cover (FAT writes runs of sectors in one call).
TEST(fat_on_a_flash_area)
{
    REQUIRE_EQ(open_default(), 0);
    cairn_vfs_reset();
    static struct cairn_flash_area fa;
    REQUIRE_EQ(cairn_flash_area_init(&fa, 2, 4096), 0); // slot0: 103 blocks
    static struct cairn_fat fat;
    REQUIRE_EQ(cairn_fat_init(&fat, &fa.bd, NULL), 0);
    REQUIRE_EQ(fat.fs.ops->mkfs(&fat.fs), 0);
    REQUIRE_EQ(cairn_vfs_mount(&fat.fs, "/slot", 0), 0);
    static uint8_t data[20000], back[20000];
    for (unsigned i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 31 + (i >> 8));
    }
    for (int round = 0; round < 3; round++) { // rewrite: blocks programmed before
        int fd = cairn_vfs_open("/slot/data.bin", "w");
        REQUIRE(fd >= 0);
        data[0] = (uint8_t)round;
        CHECK_EQ(cairn_vfs_write(fd, data, sizeof data), (int32_t)sizeof data);
        CHECK_EQ(cairn_vfs_close(fd), 0);
    }
    CHECK_EQ(cairn_vfs_umount("/slot", 0), 0);
    // mount again from what is on the chip
    REQUIRE_EQ(cairn_fat_init(&fat, &fa.bd, NULL), 0);
    REQUIRE_EQ(cairn_vfs_mount(&fat.fs, "/slot", 0), 0);
    int fd = cairn_vfs_open("/slot/data.bin", "r");
    REQUIRE(fd >= 0);
    CHECK_EQ(cairn_vfs_read(fd, back, sizeof back), (int32_t)sizeof back);
    CHECK_EQ(cairn_vfs_close(fd), 0);
    CHECK_MEM(data, back, sizeof data);
    CHECK_EQ(cairn_vfs_umount("/slot", 0), 0);
    // nothing outside slot0 was touched
    CHECK_EQ(*chip(0xC000 - 1), 0xFF);
    CHECK_EQ(*chip(0x73000), 0xFF);
    CHECK_EQ(erases(0x73000), 0);
    cairn_board_close(&board);
}
