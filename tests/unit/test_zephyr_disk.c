// DiskAccess (src/zephyr/disk_access.c) over the host board's disk-access API
// (port/host): blockdev.md 6.1 behaviour, geometry, errors, persistence.
#include "cairn/fat.h"
#include "cairn/host_board.h"
#include "cairn/lfs2.h"
#include "cairn/vfs.h"
#include "cairn/zephyr.h"
#include "harness.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zephyr/storage/disk_access.h>

static struct cairn_board board;

static int open_default(void)
{
    cairn_board_close(&board); // an earlier test may have stopped half-way
    if (cairn_board_load_default(&board) != 0) {
        return -1;
    }
    return cairn_board_open(&board, NULL);
}

// ---- a disk whose answers a test controls ---------------------------------------------

struct flaky {
    struct cairn_bdev bd;
    struct cairn_ram_bdev ram;
    int fail_read, fail_write, fail_init, fail_size, fail_count, fail_sync;
    int32_t size_answer; // 0 = the RAM device's
    int syncs;
};

static int flaky_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t n)
{
    struct flaky *f = (struct flaky *)bd;
    if (f->fail_read) {
        return f->fail_read;
    }
    return cairn_bdev_read(&f->ram.bd, block, buf, n);
}

static int flaky_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t n)
{
    struct flaky *f = (struct flaky *)bd;
    if (f->fail_write) {
        return f->fail_write;
    }
    return cairn_bdev_write(&f->ram.bd, block, buf, n);
}

static int32_t flaky_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct flaky *f = (struct flaky *)bd;
    if (op == CAIRN_BDEV_INIT && f->fail_init) {
        return f->fail_init;
    }
    if (op == CAIRN_BDEV_BLOCK_SIZE && f->fail_size) {
        return f->fail_size;
    }
    if (op == CAIRN_BDEV_BLOCK_SIZE && f->size_answer) {
        return f->size_answer;
    }
    if (op == CAIRN_BDEV_BLOCK_COUNT && f->fail_count) {
        return f->fail_count;
    }
    if (op == CAIRN_BDEV_SYNC) {
        f->syncs++;
        if (f->fail_sync) {
            return f->fail_sync;
        }
    }
    return cairn_bdev_ioctl(&f->ram.bd, op, arg);
}

static const struct cairn_bdev_ops flaky_ops = {
    .read = flaky_read, .write = flaky_write, .ioctl = flaky_ioctl};

static uint8_t flaky_mem[64 * 512];

static void flaky_init(struct flaky *f)
{
    memset(f, 0, sizeof *f);
    memset(flaky_mem, 0, sizeof flaky_mem);
    cairn_ram_bdev_init(&f->ram, flaky_mem, 512, 64, CAIRN_RAM_SIMPLE, 0xFF);
    f->bd.ops = &flaky_ops;
}

static int open_flaky(struct flaky *f)
{
    cairn_board_close(&board);
    cairn_board_init(&board, "flaky");
    if (cairn_board_attach_disk(&board, "FLAKY", &f->bd) != 0) {
        return -1;
    }
    return cairn_board_open(&board, NULL);
}

// ---- normal use -------------------------------------------------------------------------

TEST(default_board_sdhc_geometry)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    CHECK(d.error == NULL);
    CHECK_EQ(d.sector_size, 512);
    CHECK_EQ(d.sector_count, 64u * 1024 * 1024 / 512);
    CHECK_EQ(d.bd.block_size, 512);
    CHECK_EQ(d.bd.block_count, 131072);
    CHECK(cairn_bdev_has_simple(&d.bd));
    CHECK(!cairn_bdev_has_ext(&d.bd));
    CHECK(!cairn_bdev_is_readonly(&d.bd));
    // probing the way FAT does gives the same cached values
    CHECK_EQ(cairn_bdev_probe(&d.bd, 0, 1), 0);
    CHECK_EQ(d.bd.block_size, 512);
    CHECK_EQ(d.bd.block_count, 131072);
    cairn_board_close(&board);
}

TEST(ioctl_results_exactly_as_blockdev_md)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 1, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 1, 1), 0);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 2, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 3, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 4, 0), 131072);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 5, 0), 512);
    // every other op, erase included, answers -1
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 6, 0), -1);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 6, 5), CAIRN_EPERM);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 0, 0), -1);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 7, 0), -1);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, -3, 0), -1);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 0x4301, 0), -1);
    CHECK_EQ(cairn_bdev_erase(&d.bd, 0), CAIRN_EPERM);
    cairn_board_close(&board);
}

TEST(read_write_roundtrip_multi_sector)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    static uint8_t buf[8 * 512], back[8 * 512];
    for (unsigned i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(i * 7 + 3);
    }
    CHECK_EQ(cairn_bdev_write(&d.bd, 100, buf, 8), 0);
    CHECK_EQ(cairn_bdev_read(&d.bd, 100, back, 8), 0);
    CHECK_MEM(buf, back, sizeof buf);
    // one sector inside the run reads back alone
    CHECK_EQ(cairn_bdev_read(&d.bd, 103, back, 1), 0);
    CHECK_MEM(buf + 3 * 512, back, 512);
    // last sector of the disk
    CHECK_EQ(cairn_bdev_write(&d.bd, 131071, buf, 1), 0);
    CHECK_EQ(cairn_bdev_read(&d.bd, 131071, back, 1), 0);
    CHECK_MEM(buf, back, 512);
    // the data really went through disk_access_* to the board's SD card
    CHECK_EQ(disk_access_read("SDHC", back, 100, 2), 0);
    CHECK_MEM(buf, back, 1024);
    CHECK_MEM(board.disks[0].mem + 100 * 512, buf, 8 * 512);
    cairn_board_close(&board);
}

TEST(out_of_range_requests)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    uint8_t buf[1024] = {0};
    // checked wrappers
    CHECK_EQ(cairn_bdev_read(&d.bd, 131071, buf, 2), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_write(&d.bd, 131072, buf, 1), CAIRN_EINVAL);
    // straight to the ops: the disk layer refuses too (Zephyr's -EINVAL)
    CHECK_EQ(d.bd.ops->read(&d.bd, 131071, buf, 2), CAIRN_EINVAL);
    CHECK_EQ(d.bd.ops->write(&d.bd, UINT32_MAX, buf, 1), CAIRN_EINVAL);
    // zero sectors: nothing asked, nothing failed (what the driver does)
    CHECK_EQ(d.bd.ops->read(&d.bd, 0, buf, 0), 0);
    // no extended interface
    CHECK_EQ(cairn_bdev_read_ext(&d.bd, 0, 8, buf, 44), CAIRN_EOPNOTSUPP);
    CHECK_EQ(cairn_bdev_write_ext(&d.bd, 0, 0, buf, 4), CAIRN_EOPNOTSUPP);
    cairn_board_close(&board);
}

TEST(disks_list)
{
    const char *names[4] = {0};
    cairn_board_set_current(NULL);
    CHECK_EQ(cairn_disk_access_disks(names, 4), 0);
    REQUIRE_EQ(open_default(), 0);
    CHECK_EQ(cairn_disk_access_disks(names, 4), 1);
    CHECK_STR(names[0], "SDHC");
    CHECK_EQ(cairn_disk_access_disks(NULL, 0), 1);
    cairn_board_close(&board);

    cairn_board_close(&board);
    cairn_board_init(&board, "two");
    REQUIRE_EQ(cairn_board_add_disk(&board, "SD", 512, 100, NULL), 0);
    REQUIRE_EQ(cairn_board_add_disk(&board, "RAM", 1024, 16, NULL), 0);
    REQUIRE_EQ(cairn_board_open(&board, NULL), 0);
    names[0] = names[1] = names[2] = NULL;
    CHECK_EQ(cairn_disk_access_disks(names, 1), 2); // the total, one filled
    CHECK_STR(names[0], "SD");
    CHECK(names[1] == NULL);
    CHECK_EQ(cairn_disk_access_disks(names, 4), 2);
    CHECK_STR(names[1], "RAM");
    cairn_board_close(&board);
}

// ---- edge geometry ------------------------------------------------------------------------

TEST(edge_geometries)
{
    static const uint32_t sizes[] = {512, 1024, 2048, 4096};
    for (unsigned i = 0; i < 4; i++) {
        cairn_board_close(&board);
        cairn_board_init(&board, "edge");
        REQUIRE_EQ(cairn_board_add_disk(&board, "D", sizes[i], 1, NULL), 0);
        REQUIRE_EQ(cairn_board_open(&board, NULL), 0);
        struct cairn_disk_access d;
        REQUIRE_EQ(cairn_disk_access_init(&d, "D"), 0);
        CHECK_EQ(cairn_bdev_ioctl(&d.bd, 5, 0), sizes[i]);
        CHECK_EQ(cairn_bdev_ioctl(&d.bd, 4, 0), 1);
        static uint8_t buf[4096], back[4096];
        memset(buf, (int)(0x40 + i), sizeof buf);
        CHECK_EQ(cairn_bdev_write(&d.bd, 0, buf, 1), 0);
        CHECK_EQ(cairn_bdev_read(&d.bd, 0, back, 1), 0);
        CHECK_MEM(buf, back, sizes[i]);
        CHECK_EQ(cairn_bdev_read(&d.bd, 1, back, 1), CAIRN_EINVAL);
        cairn_board_close(&board);
    }
}

TEST(names_are_exact)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_disk_access d;
    CHECK_EQ(cairn_disk_access_init(&d, "sdhc"), CAIRN_ENODEV);
    CHECK_EQ(cairn_disk_access_init(&d, "SDHC "), CAIRN_ENODEV);
    CHECK_EQ(cairn_disk_access_init(&d, "SD"), CAIRN_ENODEV);
    CHECK_EQ(cairn_disk_access_init(&d, ""), CAIRN_ENODEV);
    cairn_board_close(&board);
}

// ---- errors -----------------------------------------------------------------------------------

TEST(unknown_disk_is_enodev)
{
    REQUIRE_EQ(open_default(), 0);
    struct cairn_disk_access d;
    CHECK_EQ(cairn_disk_access_init(&d, "MMC"), CAIRN_ENODEV);
    CHECK_STR(d.error, "disk not found");
    CHECK_EQ(cairn_disk_access_init(&d, NULL), CAIRN_EINVAL);
    CHECK_STR(d.error, "disk not found");
    cairn_board_close(&board);
    // no board at all: no disks
    CHECK(cairn_board_current() == NULL);
    CHECK_EQ(cairn_disk_access_init(&d, "SDHC"), CAIRN_ENODEV);
}

TEST(init_failure_is_enodev)
{
    struct flaky f;
    flaky_init(&f);
    f.fail_init = CAIRN_EIO; // e.g. no card in the slot
    REQUIRE_EQ(open_flaky(&f), 0);
    struct cairn_disk_access d;
    CHECK_EQ(cairn_disk_access_init(&d, "FLAKY"), CAIRN_ENODEV);
    CHECK_STR(d.error, "disk not found");
    CHECK_EQ(disk_access_status("FLAKY"), DISK_STATUS_UNINIT);
    f.fail_init = 0;
    CHECK_EQ(cairn_disk_access_init(&d, "FLAKY"), 0);
    CHECK_EQ(disk_access_status("FLAKY"), DISK_STATUS_OK);
    CHECK_EQ(disk_access_status("NOPE"), -EINVAL);
    cairn_board_close(&board);
}

TEST(sector_size_and_count_failures)
{
    struct flaky f;
    flaky_init(&f);
    REQUIRE_EQ(open_flaky(&f), 0);
    struct cairn_disk_access d;
    f.fail_size = CAIRN_EIO;
    CHECK_EQ(cairn_disk_access_init(&d, "FLAKY"), CAIRN_EIO);
    CHECK_STR(d.error, "unable to get sector size");
    f.fail_size = CAIRN_ENODEV;
    CHECK_EQ(cairn_disk_access_init(&d, "FLAKY"), CAIRN_ENODEV);
    CHECK_STR(d.error, "unable to get sector size");
    f.fail_size = 0;
    f.fail_count = CAIRN_EIO;
    CHECK_EQ(cairn_disk_access_init(&d, "FLAKY"), CAIRN_EIO);
    CHECK_STR(d.error, "unable to get block count");
    f.fail_count = 0;
    CHECK_EQ(cairn_disk_access_init(&d, "FLAKY"), 0);
    CHECK(d.error == NULL);
    CHECK_EQ(d.sector_count, 64);
    cairn_board_close(&board);
}

TEST(device_errors_pass_up_as_cairn_errors)
{
    struct flaky f;
    flaky_init(&f);
    REQUIRE_EQ(open_flaky(&f), 0);
    struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "FLAKY"), 0);
    uint8_t buf[512] = {1, 2, 3};
    f.fail_read = CAIRN_EIO;
    CHECK_EQ(cairn_bdev_read(&d.bd, 0, buf, 1), CAIRN_EIO);
    f.fail_read = CAIRN_ENOMEM;
    CHECK_EQ(cairn_bdev_read(&d.bd, 0, buf, 1), CAIRN_ENOMEM);
    f.fail_read = 7; // a positive code from below becomes an error, never success
    CHECK(cairn_bdev_read(&d.bd, 0, buf, 1) < 0);
    f.fail_read = 0;
    f.fail_write = CAIRN_EROFS;
    CHECK_EQ(cairn_bdev_write(&d.bd, 0, buf, 1), CAIRN_EROFS);
    f.fail_write = CAIRN_EIO;
    CHECK_EQ(cairn_bdev_write(&d.bd, 0, buf, 1), CAIRN_EIO);
    f.fail_write = 0;
    CHECK_EQ(cairn_bdev_write(&d.bd, 0, buf, 1), 0);
    // SYNC reaches the device and reports its result
    int before = f.syncs;
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, CAIRN_BDEV_SYNC, 0), 0);
    CHECK_EQ(f.syncs, before + 1);
    f.fail_sync = CAIRN_EIO;
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, CAIRN_BDEV_SYNC, 0), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_sync(&d.bd), CAIRN_EIO);
    cairn_board_close(&board);
}

TEST(disk_not_initialised_does_not_answer)
{
    REQUIRE_EQ(open_default(), 0);
    uint8_t buf[512];
    CHECK_EQ(disk_access_status("SDHC"), DISK_STATUS_UNINIT);
    CHECK_EQ(disk_access_read("SDHC", buf, 0, 1), -EIO);
    CHECK_EQ(disk_access_init("SDHC"), 0);
    CHECK_EQ(disk_access_read("SDHC", buf, 0, 1), 0);
    uint32_t v = 0;
    CHECK_EQ(disk_access_ioctl("SDHC", DISK_IOCTL_GET_SECTOR_SIZE, &v), 0);
    CHECK_EQ(v, 512);
    CHECK_EQ(disk_access_ioctl("SDHC", DISK_IOCTL_GET_SECTOR_COUNT, &v), 0);
    CHECK_EQ(v, 131072);
    CHECK_EQ(disk_access_ioctl("SDHC", DISK_IOCTL_GET_SECTOR_COUNT, NULL), -EINVAL);
    CHECK_EQ(disk_access_ioctl("SDHC", 99, &v), -EINVAL);
    CHECK_EQ(disk_access_ioctl("SDHC", DISK_IOCTL_CTRL_DEINIT, NULL), 0);
    CHECK_EQ(disk_access_status("SDHC"), DISK_STATUS_UNINIT);
    // DiskAccess brings it up again
    struct cairn_disk_access d;
    CHECK_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    CHECK_EQ(cairn_bdev_read(&d.bd, 0, buf, 1), 0);
    cairn_board_close(&board);
}

// ---- persistence
// ---------------------------------------------------------------------------------

static void clean_dir(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/sd.img", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/flash.img", dir);
    unlink(path);
    rmdir(dir);
}

TEST(sd_image_persists_across_runs)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", th_tmp("persist"));
    clean_dir(dir);
    cairn_board_close(&board);
    REQUIRE_EQ(cairn_board_load_default(&board), 0);
    REQUIRE_EQ(cairn_board_open(&board, dir), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/sd.img", dir);
    struct stat st;
    REQUIRE_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_size, 64 * 1024 * 1024);
    struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    uint8_t buf[1024], back[1024];
    CHECK_EQ(cairn_bdev_read(&d.bd, 5, back, 2), 0);
    for (unsigned i = 0; i < sizeof back; i++) {
        CHECK_EQ(back[i], 0); // a blank card reads zeros
        if (back[i] != 0) {
            break;
        }
    }
    memset(buf, 0x5A, sizeof buf);
    memcpy(buf, "cairn", 5);
    CHECK_EQ(cairn_bdev_write(&d.bd, 5, buf, 2), 0);
    CHECK_EQ(cairn_bdev_sync(&d.bd), 0);
    // a second opener of the same images is refused while we hold them
    static struct cairn_board other;
    REQUIRE_EQ(cairn_board_load_default(&other), 0);
    CHECK_EQ(cairn_board_open(&other, dir), CAIRN_EBUSY);
    CHECK(strstr(cairn_board_error(&other), "in use") != NULL);
    CHECK(cairn_board_current() == &board); // the failed open changed nothing
    cairn_board_close(&board);
    // the file holds the data at the right place
    FILE *fp = fopen(path, "rb");
    REQUIRE(fp != NULL);
    fseek(fp, 5 * 512, SEEK_SET);
    CHECK_EQ(fread(back, 1, sizeof back, fp), sizeof back);
    fclose(fp);
    CHECK_MEM(buf, back, sizeof buf);
    // and a second run sees it
    REQUIRE_EQ(cairn_board_open(&board, dir), 0);
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    memset(back, 0, sizeof back);
    CHECK_EQ(cairn_bdev_read(&d.bd, 5, back, 2), 0);
    CHECK_MEM(buf, back, sizeof buf);
    cairn_board_close(&board);
    clean_dir(dir);
}

TEST(image_of_the_wrong_size_is_refused)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", th_tmp("wrongsize"));
    clean_dir(dir);
    REQUIRE_EQ(mkdir(dir, 0755), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/sd.img", dir);
    FILE *fp = fopen(path, "wb");
    REQUIRE(fp != NULL);
    fputs("too short", fp);
    fclose(fp);
    REQUIRE_EQ(cairn_board_load_default(&board), 0);
    CHECK_EQ(cairn_board_open(&board, dir), CAIRN_EINVAL);
    CHECK(strstr(cairn_board_error(&board), "sd.img") != NULL);
    CHECK(cairn_board_current() == NULL);
    CHECK_EQ(board.is_open, 0);
    clean_dir(dir);
}

// VfsFat.mkfs + mount on the SD card through DiskAccess, then again after a
// board restart from the image.
TEST(fat_on_the_sd_card_survives_a_restart)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", th_tmp("fat"));
    clean_dir(dir);
    cairn_vfs_reset();
    cairn_board_close(&board);
    REQUIRE_EQ(cairn_board_load_default(&board), 0);
    REQUIRE_EQ(cairn_board_open(&board, dir), 0);
    static struct cairn_disk_access d;
    static struct cairn_fat fat;
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    REQUIRE_EQ(cairn_fat_init(&fat, &d.bd, NULL), 0);
    REQUIRE_EQ(fat.fs.ops->mkfs(&fat.fs), 0);
    REQUIRE_EQ(cairn_vfs_mount(&fat.fs, "/sd", 0), 0);
    int fd = cairn_vfs_open("/sd/hello.txt", "w");
    REQUIRE(fd >= 0);
    CHECK_EQ(cairn_vfs_write(fd, "Hello world", 11), 11);
    CHECK_EQ(cairn_vfs_close(fd), 0);
    CHECK_EQ(cairn_vfs_umount("/sd", 0), 0);
    cairn_board_close(&board);

    REQUIRE_EQ(cairn_board_open(&board, dir), 0);
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    REQUIRE_EQ(cairn_fat_init(&fat, &d.bd, NULL), 0);
    REQUIRE_EQ(cairn_vfs_mount(&fat.fs, "/sd", CAIRN_MOUNT_RDONLY), 0);
    char buf[32] = {0};
    fd = cairn_vfs_open("/sd/hello.txt", "r");
    REQUIRE(fd >= 0);
    CHECK_EQ(cairn_vfs_read(fd, buf, sizeof buf), 11);
    CHECK_STR(buf, "Hello world");
    CHECK_EQ(cairn_vfs_close(fd), 0);
    CHECK_EQ(cairn_vfs_umount("/sd", 0), 0);
    cairn_board_close(&board);
    clean_dir(dir);
}

// An SD card past 4 GiB (sparse image): byte addresses are 64-bit all the way.
TEST(sd_card_larger_than_4_gib)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s", th_tmp("big"));
    snprintf(path, sizeof path, "%s/big.img", dir);
    unlink(path);
    cairn_board_close(&board);
    cairn_board_init(&board, "big");
    const uint32_t sectors = 12u * 1024 * 1024; // 6 GiB of 512-byte sectors
    REQUIRE_EQ(cairn_board_add_disk(&board, "BIG", 512, sectors, "big.img"), 0);
    if (cairn_board_open(&board, dir) != 0) {
        unlink(path);
        SKIP("cannot map a 6 GiB sparse image here");
    }
    struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "BIG"), 0);
    CHECK_EQ(cairn_bdev_ioctl(&d.bd, 4, 0), (int32_t)sectors);
    uint8_t buf[1024], back[1024];
    for (unsigned i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(i ^ 0x5C);
    }
    CHECK_EQ(cairn_bdev_write(&d.bd, sectors - 2, buf, 2), 0);
    CHECK_EQ(cairn_bdev_write(&d.bd, 8u * 1024 * 1024 + 1, buf, 1), 0); // at 4 GiB + 512
    CHECK_EQ(cairn_bdev_sync(&d.bd), 0);
    cairn_board_close(&board);
    FILE *fp = fopen(path, "rb");
    REQUIRE(fp != NULL);
    CHECK_EQ(fseeko(fp, (off_t)(sectors - 2) * 512, SEEK_SET), 0);
    CHECK_EQ(fread(back, 1, 1024, fp), 1024);
    CHECK_MEM(buf, back, 1024);
    CHECK_EQ(fseeko(fp, (off_t)4 * 1024 * 1024 * 1024 + 512, SEEK_SET), 0);
    CHECK_EQ(fread(back, 1, 512, fp), 512);
    CHECK_MEM(buf, back, 512);
    CHECK_EQ(fseeko(fp, 512, SEEK_SET), 0); // and not wrapped onto sector 1
    CHECK_EQ(fread(back, 1, 512, fp), 512);
    CHECK_EQ(back[0], 0);
    CHECK_EQ(back[1], 0);
    fclose(fp);
    unlink(path);
    rmdir(dir);
}

// blockdev.md 6.1: only FAT works on a DiskAccess. Mounting it detects FAT
// (the extended probe fails), and littlefs cannot format it (no extended
// interface, erase answers -1).
TEST(disk_access_is_fat_only)
{
    REQUIRE_EQ(open_default(), 0);
    cairn_vfs_reset();
    static struct cairn_disk_access d;
    REQUIRE_EQ(cairn_disk_access_init(&d, "SDHC"), 0);
    static struct cairn_lfs2 lfs;
    static uint32_t buf[CAIRN_LFS2_BUFFER_SIZE(512, 32) / 4];
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = buf;
    cfg.buffer_size = sizeof buf;
    int rc = cairn_lfs2_init(&lfs, &d.bd, &cfg);
    if (rc == 0) {
        rc = lfs.fs.ops->mkfs(&lfs.fs);
    }
    CHECK(rc < 0);
    // nothing on the card yet: no filesystem, and none made implicitly (D19)
    CHECK_EQ(cairn_vfs_mount_bdev(&d.bd, "/sd", 0, NULL), CAIRN_ENODEV);
    static struct cairn_fat fat;
    REQUIRE_EQ(cairn_fat_init(&fat, &d.bd, NULL), 0);
    REQUIRE_EQ(fat.fs.ops->mkfs(&fat.fs), 0);
    CHECK_EQ(cairn_vfs_mount_bdev(&d.bd, "/sd", 0, NULL), 0);
    struct cairn_fs_info info;
    CHECK_EQ(cairn_vfs_info("/sd", &info), 0);
    CHECK(strncmp(info.type, "FAT", 3) == 0);
    cairn_vfs_reset();
    cairn_board_close(&board);
}
