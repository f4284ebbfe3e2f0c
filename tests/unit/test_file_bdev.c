// Image-file block device and emulator persistence (host.h).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cairn/host.h"
#include "harness.h"

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void make_file(const char *path, long long size, uint8_t fill)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    static uint8_t buf[4096];
    memset(buf, fill, sizeof buf);
    for (long long done = 0; done < size;) {
        long long n = size - done < (long long)sizeof buf ? size - done : (long long)sizeof buf;
        if (write(fd, buf, (size_t)n) != n) {
            break;
        }
        done += n;
    }
    close(fd);
}

TEST(create_sets_size_and_roundtrips)
{
    const char *p = th_tmp("create.img");
    struct cairn_file_bdev f;
    uint8_t buf[1024], back[1024];
    unlink(p);
    REQUIRE_EQ(cairn_file_bdev_open(&f, p, 512, 64, CAIRN_FILE_CREATE), 0);
    CHECK_EQ(file_size(p), 64 * 512);
    CHECK(cairn_bdev_has_simple(&f.bd));
    CHECK(!cairn_bdev_has_ext(&f.bd));
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_BLOCK_SIZE, 0), 512);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_BLOCK_COUNT, 0), 64);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_INIT, 0), 0);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_DEINIT, 0), 0);
    CHECK_EQ(cairn_bdev_erase(&f.bd, 0), CAIRN_EOPNOTSUPP);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, 42, 0), CAIRN_BDEV_IOCTL_NONE);
    for (int i = 0; i < 1024; i++) {
        buf[i] = (uint8_t)(i ^ 0x5A);
    }
    CHECK_EQ(cairn_bdev_write(&f.bd, 62, buf, 2), 0);
    CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
    CHECK_EQ(cairn_bdev_read(&f.bd, 62, back, 2), 0);
    CHECK_MEM(buf, back, 1024);
    CHECK_EQ(cairn_bdev_write(&f.bd, 63, buf, 2), CAIRN_EINVAL);
    CHECK_EQ(f.bd.ops->read(&f.bd, 64, back, 1), CAIRN_EINVAL);
    CHECK_EQ(f.bd.ops->write(&f.bd, 63, buf, 2), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(cairn_file_bdev_close(&f), 0); // idempotent
    // reopen with block_count 0: geometry from the file; data is there
    REQUIRE_EQ(cairn_file_bdev_open(&f, p, 512, 0, 0), 0);
    CHECK_EQ(f.bd.block_count, 64);
    CHECK_EQ(cairn_bdev_read(&f.bd, 62, back, 2), 0);
    CHECK_MEM(buf, back, 1024);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    // CREATE on an existing file keeps it
    REQUIRE_EQ(cairn_file_bdev_open(&f, p, 512, 64, CAIRN_FILE_CREATE), 0);
    CHECK_EQ(cairn_bdev_read(&f.bd, 62, back, 2), 0);
    CHECK_MEM(buf, back, 1024);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
}

TEST(refuses_mismatched_geometry)
{
    const char *p = th_tmp("geom.img");
    struct cairn_file_bdev f;
    make_file(p, 10000, 0);
    CHECK_EQ(cairn_file_bdev_open(&f, p, 512, 0, 0), CAIRN_EINVAL); // not a multiple
    CHECK_EQ(cairn_file_bdev_open(&f, p, 1000, 11, 0), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_open(&f, p, 1000, 10, 0), 0);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(cairn_file_bdev_open(&f, p, 1000, 0, 0), 0);
    CHECK_EQ(f.block_count, 10);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(cairn_file_bdev_open(&f, p, 0, 10, 0), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_open(&f, p, 1000, 10, CAIRN_FILE_CREATE | CAIRN_FILE_RDONLY),
             CAIRN_EINVAL);
    CHECK_EQ(f.fd, -1);
    make_file(p, 0, 0);
    CHECK_EQ(cairn_file_bdev_open(&f, p, 512, 0, 0), CAIRN_EINVAL); // empty, no geometry
    CHECK_EQ(cairn_file_bdev_open(&f, p, 512, 0, CAIRN_FILE_CREATE), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_open(&f, th_tmp("missing.img"), 512, 4, 0), CAIRN_ENOENT);
    CHECK_EQ(cairn_file_bdev_open(&f, NULL, 512, 4, 0), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_open(&f, "/", 512, 4, 0), CAIRN_EISDIR);
}

TEST(extended_interface_and_erase)
{
    const char *p = th_tmp("ext.img");
    struct cairn_file_bdev f;
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];
    unlink(p);
    REQUIRE_EQ(cairn_file_bdev_open(&f, p, 8192, 4, CAIRN_FILE_CREATE | CAIRN_FILE_EXT), 0);
    CHECK(cairn_bdev_has_ext(&f.bd));
    CHECK(!cairn_bdev_has_simple(&f.bd));
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 3, 8184, b, 8), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 3, 8184, back, 8), 0);
    CHECK_MEM(b, back, 8);
    CHECK_EQ(f.bd.ops->write_ext(&f.bd, 3, 8185, b, 8), CAIRN_EINVAL);
    CHECK_EQ(f.bd.ops->read_ext(&f.bd, 4, 0, back, 8), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_erase(&f.bd, 3), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 3, 8184, back, 8), 0);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(back[i], 0xFF);
    }
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 3, 0, back, 8), 0);
    CHECK_EQ(back[0], 0xFF); // whole block, across the 4 KiB chunking
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 2, 8184, back, 8), 0);
    CHECK_EQ(back[0], 0); // neighbour untouched (sparse zeroes)
    CHECK_EQ(f.bd.ops->ioctl(&f.bd, CAIRN_BDEV_BLOCK_ERASE, 4), CAIRN_EINVAL);
    // simple calls through the wrappers on an ext-only image
    uint8_t blk[8192];
    memset(blk, 0x33, sizeof blk);
    CHECK_EQ(cairn_bdev_write(&f.bd, 1, blk, 1), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 1, 8191, back, 1), 0);
    CHECK_EQ(back[0], 0x33);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    // both interfaces
    REQUIRE_EQ(cairn_file_bdev_open(&f, p, 8192, 4, CAIRN_FILE_EXT | CAIRN_FILE_SIMPLE), 0);
    CHECK(cairn_bdev_has_ext(&f.bd) && cairn_bdev_has_simple(&f.bd));
    CHECK_EQ(cairn_bdev_read(&f.bd, 1, blk, 1), 0);
    CHECK_EQ(blk[100], 0x33);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
}

TEST(read_only_image)
{
    const char *p = th_tmp("ro.img");
    struct cairn_file_bdev f;
    uint8_t b[512];
    make_file(p, 8 * 512, 0x77);
    REQUIRE_EQ(
        cairn_file_bdev_open(&f, p, 512, 8, CAIRN_FILE_RDONLY | CAIRN_FILE_EXT | CAIRN_FILE_SIMPLE),
        0);
    CHECK(cairn_bdev_is_readonly(&f.bd));
    CHECK_EQ(cairn_bdev_read(&f.bd, 7, b, 1), 0);
    CHECK_EQ(b[511], 0x77);
    CHECK_EQ(cairn_bdev_write(&f.bd, 7, b, 1), CAIRN_EROFS);
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 7, 0, b, 1), CAIRN_EROFS);
    CHECK_EQ(f.bd.ops->ioctl(&f.bd, CAIRN_BDEV_BLOCK_ERASE, 1), CAIRN_EROFS);
    CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    chmod(p, 0444);
    if (geteuid() != 0) {
        CHECK_EQ(cairn_file_bdev_open(&f, p, 512, 8, 0), CAIRN_EACCES);
    }
    CHECK_EQ(cairn_file_bdev_open(&f, p, 512, 8, CAIRN_FILE_RDONLY), 0);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    chmod(p, 0644);
}

TEST(exclusive_lock)
{
    const char *p = th_tmp("lock.img");
    struct cairn_file_bdev a, b, c;
    unlink(p);
    REQUIRE_EQ(cairn_file_bdev_open(&a, p, 512, 8, CAIRN_FILE_CREATE | CAIRN_FILE_LOCK), 0);
    CHECK_EQ(cairn_file_bdev_open(&b, p, 512, 8, CAIRN_FILE_LOCK), CAIRN_EBUSY);
    CHECK_EQ(b.fd, -1);
    CHECK_EQ(cairn_file_bdev_open(&b, p, 512, 8, CAIRN_FILE_LOCK | CAIRN_FILE_RDONLY), CAIRN_EBUSY);
    CHECK_EQ(cairn_file_bdev_open(&b, p, 512, 8, 0), 0); // unlocked opens are not checked
    CHECK_EQ(cairn_file_bdev_close(&b), 0);
    CHECK_EQ(cairn_file_bdev_close(&a), 0);
    // readers share
    REQUIRE_EQ(cairn_file_bdev_open(&a, p, 512, 8, CAIRN_FILE_LOCK | CAIRN_FILE_RDONLY), 0);
    CHECK_EQ(cairn_file_bdev_open(&b, p, 512, 8, CAIRN_FILE_LOCK | CAIRN_FILE_RDONLY), 0);
    CHECK_EQ(cairn_file_bdev_open(&c, p, 512, 8, CAIRN_FILE_LOCK), CAIRN_EBUSY);
    CHECK_EQ(cairn_file_bdev_close(&b), 0);
    CHECK_EQ(cairn_file_bdev_close(&a), 0);
    CHECK_EQ(cairn_file_bdev_open(&c, p, 512, 8, CAIRN_FILE_LOCK), 0);
    CHECK_EQ(cairn_file_bdev_close(&c), 0);
}

TEST(sparse_image_over_4gib)
{
    const char *p = th_tmp("big.img");
    struct cairn_file_bdev f;
    const uint32_t count = 8388608u + 16u; // 4 GiB + 8 KiB of 512-byte sectors
    uint8_t buf[512], back[512];
    unlink(p);
    int rc = cairn_file_bdev_open(&f, p, 512, count, CAIRN_FILE_CREATE);
    if (rc == CAIRN_EFBIG || rc == CAIRN_ENOSPC) {
        SKIP("host filesystem cannot hold a 4 GiB sparse file");
    }
    REQUIRE_EQ(rc, 0);
    CHECK_EQ(file_size(p), (long long)count * 512);
    for (int i = 0; i < 512; i++) {
        buf[i] = (uint8_t)(i * 3 + 1);
    }
    CHECK_EQ(cairn_bdev_write(&f.bd, count - 1, buf, 1), 0);
    CHECK_EQ(cairn_bdev_read(&f.bd, count - 1, back, 1), 0);
    CHECK_MEM(buf, back, 512);
    // the low 32 bits of the offset alias sector 15: it must be untouched
    CHECK_EQ(cairn_bdev_read(&f.bd, count - 1 - 8388608u, back, 1), 0);
    CHECK_EQ(back[0], 0);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    // the bytes landed at the true 64-bit offset
    int fd = open(p, O_RDONLY);
    REQUIRE(fd >= 0);
    CHECK_EQ(pread(fd, back, 512, (off_t)(count - 1) * 512), 512);
    CHECK_MEM(buf, back, 512);
    close(fd);
    unlink(p);
}

TEST(emulator_persistence)
{
    static uint8_t nmem[16 * 256], nmem2[16 * 256];
    static uint8_t smem[8 * 512], smem2[8 * 512];
    struct cairn_nor nor, nor2;
    struct cairn_nor_config ncfg = {256, 16, 1, 1, 0, 0, 0};
    struct cairn_sd sd, sd2;
    struct cairn_sd_config scfg = {512, 8, 0};
    const char *np = th_tmp("nor.img"), *sp = th_tmp("sd.img");
    memset(nmem, 0xFF, sizeof nmem);
    REQUIRE_EQ(cairn_nor_init(&nor, &ncfg, nmem, NULL), 0);
    uint8_t b[4] = {9, 8, 7, 6};
    CHECK_EQ(cairn_bdev_write_ext(&nor.bd, 15, 252, b, 4), 0);
    CHECK_EQ(cairn_nor_save(&nor, np), 0);
    CHECK_EQ(file_size(np), (long long)sizeof nmem);
    REQUIRE_EQ(cairn_nor_init(&nor2, &ncfg, nmem2, NULL), 0);
    CHECK_EQ(cairn_nor_load(&nor2, np), 0);
    CHECK_MEM(nmem, nmem2, sizeof nmem);
    // wrong size and missing file
    struct cairn_nor_config small = {256, 8, 1, 1, 0, 0, 0};
    REQUIRE_EQ(cairn_nor_init(&nor2, &small, nmem2, NULL), 0);
    CHECK_EQ(cairn_nor_load(&nor2, np), CAIRN_EINVAL);
    CHECK_EQ(cairn_nor_load(&nor2, th_tmp("nope.img")), CAIRN_ENOENT);

    memset(smem, 0x42, sizeof smem);
    REQUIRE_EQ(cairn_sd_init(&sd, &scfg, smem), 0);
    CHECK_EQ(cairn_sd_save(&sd, sp), 0);
    REQUIRE_EQ(cairn_sd_init(&sd2, &scfg, smem2), 0);
    CHECK_EQ(cairn_sd_load(&sd2, sp), 0);
    CHECK_MEM(smem, smem2, sizeof smem);
    // an SD image saved by the emulator opens as a file device
    struct cairn_file_bdev f;
    uint8_t sec[512];
    REQUIRE_EQ(cairn_file_bdev_open(&f, sp, 512, 8, 0), 0);
    CHECK_EQ(cairn_bdev_read(&f.bd, 7, sec, 1), 0);
    CHECK_EQ(sec[0], 0x42);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(cairn_sd_save(&sd, "/nonexistent-dir/x.img"), CAIRN_ENOENT);
}

// A child writes sectors 0..5 (one write each) and is killed at write 3.
static int kill_child(const char *p, const char *mode)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct cairn_file_bdev f;
        uint8_t sec[512];
        if (cairn_file_bdev_open(&f, p, 512, 8, 0) != 0) {
            _exit(3);
        }
        uint64_t base = cairn_file_bdev_writes();
        cairn_file_bdev_kill_at(base + 3, mode);
        for (int i = 0; i < 6; i++) {
            memset(sec, 0x10 + i, sizeof sec);
            cairn_bdev_write(&f.bd, (uint32_t)i, sec, 1);
        }
        _exit(0); // not reached: killed at the third write
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
}

TEST(kill_schedule_full_half_none)
{
    const char *p = th_tmp("kill.img");
    static const char *modes[] = {"full", "half", "none"};
    for (int m = 0; m < 3; m++) {
        make_file(p, 8 * 512, 0);
        CHECK_EQ(kill_child(p, modes[m]), SIGKILL);
        int fd = open(p, O_RDONLY);
        REQUIRE(fd >= 0);
        uint8_t img[8 * 512];
        CHECK_EQ(read(fd, img, sizeof img), (long)sizeof img);
        close(fd);
        CHECK_EQ(img[0], 0x10);
        CHECK_EQ(img[511 + 512], 0x11);
        CHECK_EQ(img[2 * 512], m == 2 ? 0 : 0x12); // write 3: sector 2
        CHECK_EQ(img[2 * 512 + 255], m == 2 ? 0 : 0x12);
        CHECK_EQ(img[2 * 512 + 256], m == 0 ? 0x12 : 0); // half: first 256 bytes only
        CHECK_EQ(img[3 * 512], 0);                       // nothing after the kill
    }
    // disarmed in this process: writes just count
    struct cairn_file_bdev f;
    uint8_t sec[512] = {0};
    REQUIRE_EQ(cairn_file_bdev_open(&f, p, 512, 8, CAIRN_FILE_EXT), 0);
    uint64_t before = cairn_file_bdev_writes();
    CHECK_EQ(cairn_bdev_write(&f.bd, 0, sec, 1), 0); // erase + program: 2 writes
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 1, 0, sec, 4), 0);
    CHECK_EQ(cairn_file_bdev_writes() - before, 3);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
}

// ---- offsets, windows, geometry, cache, resize, sync --------------------------------

static void cfg_init(struct cairn_file_bdev_config *cfg, uint64_t offset, uint32_t bs,
                     uint32_t count, uint32_t flags)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->offset = offset;
    cfg->block_size = bs;
    cfg->block_count = count;
    cfg->flags = flags;
}

static int raw_read(const char *p, long long off, void *buf, size_t len)
{
    int fd = open(p, O_RDONLY);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = pread(fd, buf, len, (off_t)off);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static int raw_write(const char *p, long long off, const void *buf, size_t len)
{
    int fd = open(p, O_WRONLY);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = pwrite(fd, buf, len, (off_t)off);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

TEST(offset_and_window)
{
    const char *p = th_tmp("window.img");
    struct cairn_file_bdev f;
    struct cairn_file_bdev_config cfg;
    uint8_t sec[512], back[512];
    make_file(p, 10000, 0xAB);
    // exact size (the default) applies to the bytes after the offset
    cfg_init(&cfg, 1000, 512, 0, 0);
    CHECK_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), CAIRN_EINVAL); // 9000 % 512
    cfg_init(&cfg, 1000, 1000, 9, 0);
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.size, 9000);
    CHECK_EQ(f.file_size, 10000);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    cfg_init(&cfg, 1000, 512, 8, 0);
    CHECK_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), CAIRN_EINVAL); // 4096 != 9000
    // a window: 8 blocks need only fit
    cfg_init(&cfg, 1000, 512, 8, CAIRN_FILE_WINDOW);
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.bd.block_count, 8);
    memset(sec, 0x11, sizeof sec);
    CHECK_EQ(cairn_bdev_write(&f.bd, 0, sec, 1), 0);
    memset(sec, 0x22, sizeof sec);
    CHECK_EQ(cairn_bdev_write(&f.bd, 7, sec, 1), 0);
    CHECK_EQ(cairn_bdev_write(&f.bd, 8, sec, 1), CAIRN_EINVAL);
    CHECK_EQ(cairn_bdev_read(&f.bd, 7, back, 1), 0);
    CHECK_MEM(sec, back, 512);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    // the bytes landed at offset + block * 512; nothing outside moved
    uint8_t b[2];
    CHECK_EQ(raw_read(p, 999, b, 2), 0);
    CHECK_EQ(b[0], 0xAB);
    CHECK_EQ(b[1], 0x11);
    CHECK_EQ(raw_read(p, 1000 + 8 * 512 - 1, b, 2), 0);
    CHECK_EQ(b[0], 0x22);
    CHECK_EQ(b[1], 0xAB);
    // block_count 0 in a window: every whole block after the offset
    cfg_init(&cfg, 1000, 512, 0, CAIRN_FILE_WINDOW);
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.bd.block_count, 17);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    cfg_init(&cfg, 1000, 512, 18, CAIRN_FILE_WINDOW);
    CHECK_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), CAIRN_EINVAL); // does not fit
    CHECK_EQ(f.fd, -1);
    // an offset past the end: an empty window, refused without WINDOW
    cfg_init(&cfg, 20000, 512, 0, CAIRN_FILE_WINDOW);
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.size, 0);
    CHECK_EQ(f.bd.block_count, 0);
    CHECK_EQ(cairn_bdev_read(&f.bd, 0, back, 1), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    cfg_init(&cfg, 20000, 512, 0, 0);
    CHECK_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), CAIRN_EINVAL);
}

TEST(probe_then_set_geometry)
{
    const char *p = th_tmp("geometry.img");
    struct cairn_file_bdev f;
    struct cairn_file_bdev_config cfg;
    make_file(p, 3 * 4096 + 100, 0);
    uint8_t magic[8] = {'l', 'i', 't', 't', 'l', 'e', 'f', 's'}, back[8];
    REQUIRE_EQ(raw_write(p, 100 + 4096 + 8, magic, 8), 0);
    cfg_init(&cfg, 100, 512, 0, CAIRN_FILE_WINDOW | CAIRN_FILE_EXT);
    cfg.cache_blocks = 4;
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.bd.block_count, 24);
    // raw probing ignores the geometry but not the end of the file
    CHECK_EQ(cairn_file_bdev_pread(&f, 4096 + 8, back, 8), 0);
    CHECK_MEM(back, magic, 8);
    CHECK_EQ(cairn_file_bdev_pread(&f, 3 * 4096 - 4, back, 8), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_pread(&f, 3 * 4096 - 8, back, 8), 0);
    // then the filesystem's geometry
    CHECK_EQ(cairn_file_bdev_set_geometry(&f, 4096, 4), CAIRN_EINVAL); // too big
    CHECK_EQ(f.bd.block_size, 512);                                   // unchanged
    CHECK_EQ(cairn_file_bdev_set_geometry(&f, 0, 1), CAIRN_EINVAL);
    REQUIRE_EQ(cairn_file_bdev_set_geometry(&f, 4096, 0), 0);
    CHECK_EQ(f.bd.block_size, 4096);
    CHECK_EQ(f.bd.block_count, 3);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_BLOCK_COUNT, 0), 3);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 1, 8, back, 8), 0); // through the cache
    CHECK_MEM(back, magic, 8);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 3, 0, back, 8), CAIRN_EINVAL);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(cairn_file_bdev_set_geometry(&f, 4096, 1), CAIRN_EINVAL); // closed
}

TEST(read_cache_stays_coherent)
{
    const char *p = th_tmp("cache.img");
    struct cairn_file_bdev f;
    struct cairn_file_bdev_config cfg;
    uint8_t b[16], blk[256];
    make_file(p, 16 * 256, 0x01);
    cfg_init(&cfg, 0, 256, 16, CAIRN_FILE_EXT | CAIRN_FILE_SIMPLE);
    cfg.cache_blocks = 4;
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.cache_slots, 4);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 5, 10, b, 4), 0); // fills block 5's slot
    CHECK_EQ(b[0], 0x01);
    // a change behind the device's back is not seen: the small read was cached
    uint8_t x = 0x77;
    REQUIRE_EQ(raw_write(p, 5 * 256 + 10, &x, 1), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 5, 10, b, 1), 0);
    CHECK_EQ(b[0], 0x01);
    // the device's own writes are: extended, simple, erase
    memset(b, 0x42, sizeof b);
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 5, 8, b, 4), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 5, 7, b, 6), 0);
    CHECK_EQ(b[0], 0x01);
    CHECK_EQ(b[1], 0x42);
    CHECK_EQ(b[4], 0x42);
    CHECK_EQ(b[5], 0x01);
    memset(blk, 0x5A, sizeof blk);
    CHECK_EQ(cairn_bdev_write(&f.bd, 5, blk, 1), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 5, 10, b, 2), 0);
    CHECK_EQ(b[0], 0x5A);
    CHECK_EQ(cairn_bdev_erase(&f.bd, 5), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 5, 255, b, 1), 0);
    CHECK_EQ(b[0], 0xFF);
    // a block sharing the slot (5 + 4) evicts it; both read right
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 9, 0, b, 1), 0);
    CHECK_EQ(b[0], 0x01);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 5, 0, b, 1), 0);
    CHECK_EQ(b[0], 0xFF);
    // a simple read of a cached block
    CHECK_EQ(cairn_bdev_read(&f.bd, 5, blk, 1), 0);
    CHECK_EQ(blk[0], 0xFF);
    CHECK_EQ(blk[255], 0xFF);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK(f.cache == NULL);
    // what the file holds
    CHECK_EQ(raw_read(p, 5 * 256, blk, 256), 0);
    CHECK_EQ(blk[10], 0xFF);
    // big blocks get fewer slots: at most 1 MiB of cache
    make_file(p, 4 * 524288, 0);
    cfg_init(&cfg, 0, 524288, 4, CAIRN_FILE_EXT);
    cfg.cache_blocks = 16;
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.cache_slots, 2);
    CHECK_EQ(cairn_file_bdev_set_geometry(&f, 4096, 0), 0);
    CHECK_EQ(f.cache_slots, 16);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
}

TEST(resize_pads_with_zero_or_ff)
{
    const char *p = th_tmp("resize.img");
    struct cairn_file_bdev f;
    struct cairn_file_bdev_config cfg;
    uint8_t b[4];
    unlink(p);
    // a new file: created and padded with 0xFF, offset included
    cfg_init(&cfg, 512, 512, 0, CAIRN_FILE_CREATE | CAIRN_FILE_FILL_FF);
    cfg.resize = 8 * 512;
    uint64_t writes = cairn_file_bdev_writes();
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.bd.block_count, 8);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(cairn_file_bdev_writes(), writes); // setup, not the filesystem's writes
    CHECK_EQ(file_size(p), 9 * 512);
    CHECK_EQ(raw_read(p, 9 * 512 - 4, b, 4), 0);
    CHECK_EQ(b[3], 0xFF);
    CHECK_EQ(raw_read(p, 0, b, 1), 0);
    CHECK_EQ(b[0], 0xFF);
    // cut down, then extended with zeros (sparse)
    cfg_init(&cfg, 512, 512, 0, 0);
    cfg.resize = 2 * 512;
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(f.bd.block_count, 2);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(file_size(p), 3 * 512);
    cfg.resize = 4 * 512;
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    CHECK_EQ(file_size(p), 5 * 512);
    CHECK_EQ(raw_read(p, 3 * 512 - 1, b, 2), 0);
    CHECK_EQ(b[0], 0xFF); // kept
    CHECK_EQ(b[1], 0);    // new
    // read-only cannot resize
    cfg.flags = CAIRN_FILE_RDONLY;
    CHECK_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), CAIRN_EINVAL);
}

TEST(sync_only_after_writes)
{
    const char *p = th_tmp("sync.img");
    struct cairn_file_bdev f;
    struct cairn_file_bdev_config cfg;
    uint8_t sec[512] = {1};
    make_file(p, 4 * 512, 0);
    for (int datasync = 0; datasync < 2; datasync++) {
        cfg_init(&cfg, 0, 512, 4, datasync ? CAIRN_FILE_DATASYNC : 0);
        REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
        CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
        CHECK_EQ(f.syncs, 0); // nothing written: nothing to make durable
        CHECK_EQ(cairn_bdev_write(&f.bd, 1, sec, 1), 0);
        CHECK(f.dirty);
        CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
        CHECK_EQ(f.syncs, 1);
        CHECK(!f.dirty);
        CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
        CHECK_EQ(f.syncs, 1);
        CHECK_EQ(cairn_bdev_write(&f.bd, 2, sec, 1), 0);
        CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
        CHECK_EQ(f.syncs, 2);
        CHECK_EQ(f.io_errors, 0);
        CHECK_EQ(cairn_file_bdev_close(&f), 0);
    }
}

TEST(sync_at_close_defers_every_sync_point)
{
    const char *p = th_tmp("syncclose.img");
    struct cairn_file_bdev f;
    struct cairn_file_bdev_config cfg;
    uint8_t sec[512] = {7}, back[512];
    make_file(p, 4 * 512, 0);
    cfg_init(&cfg, 0, 512, 4, CAIRN_FILE_SYNC_AT_CLOSE);
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(cairn_bdev_write(&f.bd, 3, sec, 1), 0);
    CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
    CHECK_EQ(f.syncs, 0); // deferred: still dirty
    CHECK(f.dirty);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
    // the write reached the file in place, whatever the sync policy
    cfg_init(&cfg, 0, 512, 4, CAIRN_FILE_RDONLY);
    REQUIRE_EQ(cairn_file_bdev_open_ex(&f, p, &cfg), 0);
    CHECK_EQ(cairn_bdev_read(&f.bd, 3, back, 1), 0);
    CHECK_MEM(back, sec, sizeof sec);
    CHECK_EQ(cairn_file_bdev_close(&f), 0);
}

TEST(block_device_sized_by_ioctl)
{
    if (getuid() != 0 || system("command -v losetup >/dev/null 2>&1") != 0) {
        SKIP("no losetup or not root: cannot make a loop device");
    }
    char img[1024], cmd[2200], dev[64] = "";
    snprintf(img, sizeof img, "%s", th_tmp("blk.img"));
    make_file(img, 64 * 1024 + 512, 0x3C);
    snprintf(cmd, sizeof cmd, "losetup -f --show '%s' 2>/dev/null", img);
    FILE *pp = popen(cmd, "r");
    if (pp == NULL || fgets(dev, sizeof dev, pp) == NULL || strncmp(dev, "/dev/", 5) != 0) {
        if (pp) {
            pclose(pp);
        }
        SKIP("losetup refused to make a loop device here");
    }
    pclose(pp);
    dev[strcspn(dev, "\n")] = '\0';
    struct cairn_file_bdev f;
    struct cairn_file_bdev_config cfg;
    cfg_init(&cfg, 512, 4096, 0, CAIRN_FILE_WINDOW | CAIRN_FILE_LOCK);
    cfg.resize = 4096; // ignored: a block device keeps its size
    int rc = cairn_file_bdev_open_ex(&f, dev, &cfg);
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        CHECK_EQ(f.file_size, 64 * 1024 + 512);
        CHECK_EQ(f.bd.block_count, 16);
        uint8_t blk[4096];
        memset(blk, 0x99, sizeof blk);
        CHECK_EQ(cairn_bdev_write(&f.bd, 15, blk, 1), 0);
        CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
        CHECK_EQ(cairn_file_bdev_close(&f), 0);
    }
    snprintf(cmd, sizeof cmd, "losetup -d '%s'", dev);
    CHECK_EQ(system(cmd), 0);
    uint8_t b[2];
    CHECK_EQ(raw_read(img, 512 + 16 * 4096 - 1, b, 1), 0);
    CHECK_EQ(b[0], 0x99);
    CHECK_EQ(file_size(img), 64 * 1024 + 512);
}

// The kill schedule through an offset device: write 2 of 3 is torn in half.
TEST(kill_schedule_with_offset)
{
    const char *p = th_tmp("killoff.img");
    make_file(p, 4096 + 4 * 512, 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct cairn_file_bdev f;
        struct cairn_file_bdev_config cfg;
        cfg_init(&cfg, 4096, 512, 0, CAIRN_FILE_EXT | CAIRN_FILE_SIMPLE);
        cfg.cache_blocks = 2;
        if (cairn_file_bdev_open_ex(&f, p, &cfg) != 0) {
            _exit(3);
        }
        cairn_file_bdev_kill_at(cairn_file_bdev_writes() + 2, "half");
        uint8_t sec[512];
        for (int i = 0; i < 3; i++) {
            memset(sec, 0x60 + i, sizeof sec);
            cairn_bdev_write_ext(&f.bd, (uint32_t)i, 0, sec, 512);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    uint8_t img[4096 + 4 * 512];
    REQUIRE_EQ(raw_read(p, 0, img, sizeof img), 0);
    CHECK_EQ(img[4095], 0);
    CHECK_EQ(img[4096], 0x60);
    CHECK_EQ(img[4096 + 512], 0x61);
    CHECK_EQ(img[4096 + 512 + 255], 0x61);
    CHECK_EQ(img[4096 + 512 + 256], 0);
    CHECK_EQ(img[4096 + 1024], 0);
}
