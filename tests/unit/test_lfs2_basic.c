// littlefs v2 driver through its ops table on the RAM device: format, mount,
// files, directories, CTZ growth, statvfs numbers of the reference tests.
#include <stdlib.h>

#include "cairn/lfs2.h"
#include "harness.h"

struct rig {
    struct cairn_ram_bdev ram;
    struct cairn_lfs2 lfs;
    struct cairn_lfs2_config cfg;
    struct cairn_fs *fs;
    uint8_t *mem;
    uint32_t buf[1024];
    uint64_t file[512];
    uint64_t file2[512];
    uint64_t dir[64];
};

static struct rig R;

static void rig_init(uint32_t bs, uint32_t bc)
{
    free(R.mem);
    memset(&R, 0, sizeof R);
    R.mem = malloc((size_t)bs * bc);
    memset(R.mem, 0xff, (size_t)bs * bc);
    REQUIRE_EQ(cairn_ram_bdev_init(&R.ram, R.mem, bs, bc, CAIRN_RAM_EXT, 0xff), 0);
    R.cfg.buffer = R.buf;
    R.cfg.buffer_size = sizeof R.buf;
    REQUIRE_EQ(cairn_lfs2_init(&R.lfs, &R.ram.bd, &R.cfg), 0);
    R.fs = &R.lfs.fs;
}

static int fmt_mount(void)
{
    int err = R.fs->ops->mkfs(R.fs);
    if (err)
        return err;
    return R.fs->ops->mount(R.fs, 0);
}

static int remount(void)
{
    int err = R.fs->ops->umount(R.fs);
    if (err)
        return err;
    return R.fs->ops->mount(R.fs, 0);
}

static int put(const char *path, const void *data, uint32_t len, uint32_t flags)
{
    int err = R.fs->ops->open(R.fs, R.file, path, flags);
    if (err)
        return err;
    int32_t w = R.fs->ops->write(R.fs, R.file, data, len);
    int c = R.fs->ops->close(R.fs, R.file);
    if (w < 0)
        return w;
    if ((uint32_t)w != len)
        return -1000;
    return c;
}

static int32_t get(const char *path, void *data, uint32_t cap)
{
    int err = R.fs->ops->open(R.fs, R.file, path, CAIRN_O_RDONLY);
    if (err)
        return err;
    int32_t r = R.fs->ops->read(R.fs, R.file, data, cap);
    int c = R.fs->ops->close(R.fs, R.file);
    return r < 0 ? r : c < 0 ? c : r;
}

static uint64_t bfree(void)
{
    struct cairn_statvfs st;
    if (R.fs->ops->statvfs(R.fs, &st))
        return (uint64_t)-1;
    return st.f_bfree;
}

static void pattern(uint8_t *b, uint32_t n, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (uint8_t)x;
    }
}

#define W (CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC)

TEST(format_mount_statvfs_fresh)
{
    rig_init(1024, 30);
    REQUIRE_EQ(fmt_mount(), 0);
    struct cairn_statvfs st;
    REQUIRE_EQ(R.fs->ops->statvfs(R.fs, &st), 0);
    CHECK_EQ(st.f_bsize, 1024);
    CHECK_EQ(st.f_frsize, 1024);
    CHECK_EQ(st.f_blocks, 30);
    CHECK_EQ(st.f_bfree, 28);
    CHECK_EQ(st.f_bavail, 28);
    CHECK_EQ(st.f_namemax, 255);
    CHECK_EQ(R.fs->ops->umount(R.fs), 0);
    free(R.mem);
    R.mem = NULL;
}

TEST(format_layout_matches_reference)
{
    rig_init(512, 16);
    REQUIRE_EQ(R.fs->ops->mkfs(R.fs), 0);
    // block 0 rev 1, block 1 rev 2; magic at offset 8
    CHECK_EQ(R.mem[0], 1);
    CHECK_EQ(R.mem[512], 2);
    CHECK_MEM(R.mem + 8, "littlefs", 8);
    CHECK_MEM(R.mem + 512 + 8, "littlefs", 8);
    // FCRC tag at 44, CRC tag at 56 -> commit ends at 64
    uint32_t t = ((uint32_t)R.mem[512 + 4] << 24 | (uint32_t)R.mem[512 + 5] << 16 |
                  (uint32_t)R.mem[512 + 6] << 8 | R.mem[512 + 7]) ^ 0xffffffffu;
    CHECK_EQ(t, 0x0ff00008u);
    CHECK_EQ(R.mem[512 + 64], 0xff);
    free(R.mem);
    R.mem = NULL;
}

TEST(vfs_lfs_sequence)
{
    rig_init(1024, 30);
    REQUIRE_EQ(fmt_mount(), 0);
    CHECK_EQ(put("/test", "littlefs", 8, W), 0);
    CHECK_EQ(bfree(), 28);
    CHECK_EQ(R.fs->ops->mkdir(R.fs, "/testdir"), 0);
    // listing order: testdir before test
    REQUIRE_EQ(R.fs->ops->opendir(R.fs, R.dir, "/"), 0);
    struct cairn_dirent de;
    CHECK_EQ(R.fs->ops->readdir(R.fs, R.dir, &de), 1);
    CHECK_STR(de.name, "testdir");
    CHECK_EQ(de.type, CAIRN_S_IFDIR);
    CHECK_EQ(R.fs->ops->readdir(R.fs, R.dir, &de), 1);
    CHECK_STR(de.name, "test");
    CHECK_EQ(de.type, CAIRN_S_IFREG);
    CHECK_EQ(de.size, 8);
    CHECK_EQ(R.fs->ops->readdir(R.fs, R.dir, &de), 0);
    CHECK_EQ(R.fs->ops->readdir(R.fs, R.dir, &de), 0);
    CHECK_EQ(R.fs->ops->closedir(R.fs, R.dir), 0);
    CHECK_EQ(R.fs->ops->rmdir(R.fs, "/testdir"), 0);
    CHECK_EQ(R.fs->ops->mkdir(R.fs, "/testdir"), 0);
    struct cairn_stat st;
    CHECK_EQ(R.fs->ops->stat(R.fs, "/test", &st), 0);
    CHECK_EQ(st.mode, CAIRN_S_IFREG);
    CHECK_EQ(st.size, 8);
    CHECK_EQ(st.has_mtime, 1);
    CHECK_EQ(R.fs->ops->stat(R.fs, "/testdir", &st), 0);
    CHECK_EQ(st.mode, CAIRN_S_IFDIR);
    CHECK_EQ(st.size, 0);
    char b[16];
    CHECK_EQ(get("/test", b, sizeof b), 8);
    CHECK_MEM(b, "littlefs", 8);
    static uint8_t big[16384], back[16384];
    pattern(big, sizeof big, 7);
    REQUIRE_EQ(R.fs->ops->open(R.fs, R.file, "/testbig", W), 0);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(R.fs->ops->write(R.fs, R.file, big + 4096 * i, 4096), 4096);
    CHECK_EQ(R.fs->ops->close(R.fs, R.file), 0);
    CHECK_EQ(bfree(), 7);
    CHECK_EQ(get("/testbig", back, sizeof back), 16384);
    CHECK_MEM(back, big, 16384);
    CHECK_EQ(R.fs->ops->rename(R.fs, "/testbig", "/testbig2"), 0);
    CHECK_EQ(R.fs->ops->rename(R.fs, "/testbig2", "/testdir/testbig2"), 0);
    CHECK_EQ(R.fs->ops->stat(R.fs, "/testdir/testbig2", &st), 0);
    CHECK_EQ(st.size, 16384);
    CHECK_EQ(R.fs->ops->rename(R.fs, "/testdir/testbig2", "/testbig2"), 0);
    memset(back, 0, sizeof back);
    CHECK_EQ(get("/testbig2", back, sizeof back), 16384);
    CHECK_MEM(back, big, 16384);
    CHECK_EQ(R.fs->ops->remove(R.fs, "/testbig2"), 0);
    CHECK_EQ(bfree(), 24);
    CHECK_EQ(R.fs->ops->mkdir(R.fs, "/testdir2"), 0);
    CHECK_EQ(R.fs->ops->mkdir(R.fs, "/testdir/subdir"), 0);
    CHECK_EQ(put("/testdir/test2", "", 0, W), 0);
    CHECK_EQ(R.fs->ops->stat(R.fs, "/testdir/test2", &st), 0);
    CHECK_EQ(st.size, 0);
    CHECK_EQ(R.fs->ops->remove(R.fs, "/testdir/test2"), 0);
    CHECK_EQ(R.fs->ops->rmdir(R.fs, "/testdir"), CAIRN_ENOTEMPTY);
    CHECK_EQ(R.fs->ops->rmdir(R.fs, "/testdir/subdir"), 0);
    CHECK_EQ(R.fs->ops->rmdir(R.fs, "/testdir"), 0);
    CHECK_EQ(R.fs->ops->rmdir(R.fs, "/testdir2"), 0);
    CHECK_EQ(remount(), 0);
    CHECK_EQ(bfree(), 28);
    CHECK_EQ(get("/test", b, sizeof b), 8);
    CHECK_EQ(R.fs->ops->umount(R.fs), 0);
    free(R.mem);
    R.mem = NULL;
}

TEST(minimal_buffer_without_pair_cache)
{
    // exactly the minimum buffer: no pair-state cache, everything re-validated
    rig_init(512, 256);
    R.cfg.buffer_size = CAIRN_LFS2_BUFFER_MIN(128, 32);
    REQUIRE_EQ(cairn_lfs2_init(&R.lfs, &R.ram.bd, &R.cfg), 0);
    REQUIRE_EQ(fmt_mount(), 0);
    char p[32];
    static uint8_t data[3000], back[3000];
    pattern(data, sizeof data, 3);
    CHECK_EQ(R.fs->ops->mkdir(R.fs, "/d"), 0);
    for (int i = 0; i < 40; i++) {
        sprintf(p, "/d/f%02d", i);
        CHECK_EQ(put(p, data, (uint32_t)(i * 70), W), 0);
    }
    CHECK_EQ(remount(), 0);
    for (int i = 0; i < 40; i++) {
        sprintf(p, "/d/f%02d", i);
        CHECK_EQ(get(p, back, sizeof back), i * 70);
        CHECK(memcmp(back, data, (size_t)(i * 70)) == 0);
    }
    R.cfg.buffer_size = CAIRN_LFS2_BUFFER_MIN(128, 32) - 4;
    CHECK_EQ(R.fs->ops->umount(R.fs), 0);
    CHECK_EQ(R.fs->ops->mount(R.fs, 0), CAIRN_EINVAL);
    free(R.mem);
    R.mem = NULL;
}

TEST(statvfs_sees_damage_behind_the_mount)
{
    // vfs_lfs_corrupt scenario 1: blocks 0 and 1 overwritten while mounted
    rig_init(1024, 30);
    REQUIRE_EQ(fmt_mount(), 0);
    static uint8_t text[400];
    for (int i = 0; i < 100; i++)
        memcpy(text + 4 * i, "test", 4);
    CHECK_EQ(put("/f", text, sizeof text, W), 0);
    CHECK_EQ(bfree(), 27);
    for (uint32_t i = 0; i < 2 * 1024; i++)
        R.mem[i] = (uint8_t)(i % 1024);
    struct cairn_statvfs st;
    CHECK_EQ(R.fs->ops->statvfs(R.fs, &st), CAIRN_ECORRUPT);
    CHECK_EQ(R.fs->ops->umount(R.fs), 0);
    CHECK_EQ(R.fs->ops->mount(R.fs, 0), CAIRN_ECORRUPT);
    free(R.mem);
    R.mem = NULL;
}
