// cairn_lfs2_probe: finding a littlefs superblock at any byte offset of a
// device with any block size, CRC-checked by the driver's own fetch.
#include "cairn/lfs2.h"
#include "harness.h"

static uint8_t img[16 * 4096], dev[160 * 512];
static uint32_t cbuf[1024];

// Format a littlefs of `bc` blocks of `bs` bytes into img[]; `version` 0 = default.
static int format(uint32_t bs, uint32_t bc, uint32_t version, int writes)
{
    struct cairn_ram_bdev ram;
    memset(img, 0xff, sizeof img);
    if (cairn_ram_bdev_init(&ram, img, bs, bc, CAIRN_RAM_EXT, 0xff))
        return -1;
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = cbuf;
    cfg.buffer_size = sizeof cbuf;
    cfg.disk_version = version;
    struct cairn_lfs2 lfs;
    if (cairn_lfs2_init(&lfs, &ram.bd, &cfg) || lfs.fs.ops->mkfs(&lfs.fs) ||
        lfs.fs.ops->mount(&lfs.fs, 0))
        return -1;
    // root-level changes append commits to the superblock pair
    for (int i = 0; i < writes; i++) {
        char name[16] = "/d0";
        name[2] = (char)('0' + i % 10);
        if (lfs.fs.ops->mkdir(&lfs.fs, name) || lfs.fs.ops->rmdir(&lfs.fs, name))
            return -1;
    }
    return lfs.fs.ops->umount(&lfs.fs);
}

// Place img[0..len) at byte `at` of a 512-byte-sector device.
static struct cairn_ram_bdev ramdev;
static struct cairn_bdev *place(uint32_t at, uint32_t len, uint32_t flags)
{
    memset(dev, 0, sizeof dev);
    memcpy(dev + at, img, len);
    if (cairn_ram_bdev_init(&ramdev, dev, 512, sizeof dev / 512, flags, 0xff))
        return NULL;
    return &ramdev.bd;
}

TEST(probe_finds_every_block_size_at_an_odd_offset)
{
    static const uint32_t sizes[] = {128, 256, 512, 1024, 4096};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t bs = sizes[i], bc = 16;
        REQUIRE_EQ(format(bs, bc, 0, 0), 0);
        struct cairn_bdev *bd = place(1000, bs * bc, CAIRN_RAM_EXT);
        REQUIRE(bd != NULL);
        struct cairn_lfs2_probe_info info;
        CHECK_EQ(cairn_lfs2_probe(bd, 1000, 0, &info), 0);
        CHECK_EQ(info.block_size, bs);
        CHECK_EQ(info.block_count, bc);
        CHECK_EQ(info.disk_version, CAIRN_LFS2_DISK_VERSION_2_1);
        CHECK_EQ(cairn_lfs2_probe(bd, 1000, bs, &info), 0);
        CHECK_EQ(info.block_size, bs);
        // the wrong size or offset finds nothing
        CHECK_EQ(cairn_lfs2_probe(bd, 1000, bs == 128 ? 256 : 128, &info), CAIRN_ENOENT);
        CHECK_EQ(cairn_lfs2_probe(bd, 999, 0, &info), CAIRN_ENOENT);
    }
}

TEST(probe_reports_version_2_0)
{
    REQUIRE_EQ(format(512, 16, CAIRN_LFS2_DISK_VERSION_2_0, 0), 0);
    struct cairn_bdev *bd = place(0, 512 * 16, CAIRN_RAM_EXT);
    struct cairn_lfs2_probe_info info;
    CHECK_EQ(cairn_lfs2_probe(bd, 0, 0, &info), 0);
    CHECK_EQ(info.disk_version, CAIRN_LFS2_DISK_VERSION_2_0);
    CHECK_EQ(info.block_count, 16);
}

TEST(probe_checks_crcs_and_takes_the_newest_half)
{
    REQUIRE_EQ(format(512, 16, 0, 3), 0);
    struct cairn_bdev *bd = place(0, 512 * 16, CAIRN_RAM_EXT);
    struct cairn_lfs2_probe_info info, first;
    REQUIRE_EQ(cairn_lfs2_probe(bd, 0, 0, &first), 0);
    uint32_t cur = first.block, other = 1 - cur;
    // damage the older half: nothing changes
    dev[other * 512 + 20] ^= 0x55;
    CHECK_EQ(cairn_lfs2_probe(bd, 0, 0, &info), 0);
    CHECK_EQ(info.block, cur);
    CHECK_EQ(info.rev, first.rev);
    // damage the first commit of the current half too (magic kept): no
    // commit is valid any more
    dev[cur * 512 + 20] ^= 0x55;
    CHECK_EQ(cairn_lfs2_probe(bd, 0, 0, &info), CAIRN_ENOENT);
}

TEST(probe_knows_whether_block_0_holds_a_copy)
{
    REQUIRE_EQ(format(512, 16, 0, 0), 0);
    // a superblock only in block 1 (block 0 blank, as a file inside a FAT
    // volume may look)
    struct cairn_bdev *bd = place(0, 512 * 16, CAIRN_RAM_EXT);
    struct cairn_lfs2_probe_info info;
    REQUIRE_EQ(cairn_lfs2_probe(bd, 0, 0, &info), 0);
    CHECK_EQ(info.in_block0, 1);
    uint32_t b = info.block;
    if (b == 0) // move the live copy to block 1
        memcpy(dev + 512, dev, 512);
    memset(dev, 0, 512);
    CHECK_EQ(cairn_lfs2_probe(bd, 0, 0, &info), 0);
    CHECK_EQ(info.block, 1);
    CHECK_EQ(info.in_block0, 0);
}

TEST(probe_edges)
{
    struct cairn_lfs2_probe_info info;
    memset(img, 0, sizeof img);
    struct cairn_bdev *bd = place(0, 0, CAIRN_RAM_EXT);
    CHECK_EQ(cairn_lfs2_probe(bd, 0, 0, &info), CAIRN_ENOENT); // blank
    CHECK_EQ(cairn_lfs2_probe(bd, sizeof dev, 0, &info), CAIRN_ENOENT); // past the end
    // the magic alone is not a superblock
    memcpy(dev + 8, "littlefs", 8);
    CHECK_EQ(cairn_lfs2_probe(bd, 0, 0, &info), CAIRN_ENOENT);
    // an image cut short after its first block still probes
    REQUIRE_EQ(format(512, 16, 0, 0), 0);
    // (mkfs leaves a valid superblock commit in both halves)
    bd = place(sizeof dev - 512, 512, CAIRN_RAM_EXT);
    CHECK_EQ(cairn_lfs2_probe(bd, sizeof dev - 512, 0, &info), 0);
    CHECK_EQ(info.block, 0);
    CHECK_EQ(info.in_block0, 1);
    CHECK_EQ(info.block_count, 16);
    bd = place(0, 0, CAIRN_RAM_SIMPLE);
    CHECK_EQ(cairn_lfs2_probe(bd, 0, 0, &info), CAIRN_EINVAL);
    CHECK_EQ(cairn_lfs2_probe(NULL, 0, 0, &info), CAIRN_EINVAL);
}
