// The FAT test helpers themselves: patterns, the counting and image-file
// devices, host tree comparison. (No driver needed.)
#include <stdlib.h>
#include <unistd.h>

#include "fat/fat_helpers.h"
#include "harness.h"

TEST(pattern_is_random_access_and_not_stale)
{
    uint8_t a[1000], b[600];
    th_fat_pattern(a, sizeof a, 42, 0);
    th_fat_pattern(b, sizeof b, 42, 400);
    CHECK_MEM(a + 400, b, sizeof b);
    CHECK_EQ(th_fat_pattern_mismatch(a, sizeof a, 42, 0), sizeof a);
    a[777] ^= 1;
    CHECK_EQ(th_fat_pattern_mismatch(a, sizeof a, 42, 0), 777);
    th_fat_pattern(b, sizeof b, 43, 400);
    CHECK(th_fat_pattern_mismatch(b, sizeof b, 42, 400) < 8); // other seed differs early
    uint8_t stale[1024];
    th_fat_stale_fill(stale, sizeof stale, 512);
    CHECK(memcmp(stale, "STALE00000000|", 14) == 0);
    CHECK(memcmp(stale + 512, "STALE00000001|", 14) == 0);
    CHECK(th_fat_pattern_mismatch(stale, sizeof stale, 42, 0) < 8);
}

TEST(count_device_counts)
{
    static uint8_t mem[8 * 512];
    uint8_t buf[2 * 512] = {0};
    struct cairn_ram_bdev ram;
    struct th_fat_count c;
    CHECK_EQ(cairn_ram_bdev_init(&ram, mem, 512, 8, CAIRN_RAM_SIMPLE, 0), 0);
    th_fat_count_init(&c, &ram.bd);
    CHECK_EQ(cairn_bdev_read(&c.bd, 0, buf, 2), 0);
    CHECK_EQ(cairn_bdev_read(&c.bd, 3, buf, 1), 0);
    CHECK_EQ(cairn_bdev_write(&c.bd, 5, buf, 2), 0);
    CHECK_EQ(c.reads, 2);
    CHECK_EQ(c.read_blocks, 3);
    CHECK_EQ(c.writes, 1);
    CHECK_EQ(c.write_blocks, 2);
    th_fat_count_reset(&c);
    CHECK_EQ(c.reads + c.writes, 0);
}

TEST(file_device_and_host_compare)
{
    const char *img = th_tmp("helpers.img");
    uint8_t data[4096];
    th_fat_pattern(data, sizeof data, 7, 0);
    REQUIRE_EQ(th_fat_write_host(img, data, sizeof data), 0);
    struct th_fat_file f;
    REQUIRE_EQ(th_fat_file_open(&f, img, 1024, 0, 0), 0);
    CHECK_EQ(f.sector_count, 4);
    uint8_t buf[1024];
    CHECK_EQ(cairn_bdev_read(&f.bd, 2, buf, 1), 0);
    CHECK_MEM(buf, data + 2048, 1024);
    memset(buf, 0x5A, sizeof buf);
    CHECK_EQ(cairn_bdev_write(&f.bd, 3, buf, 1), 0);
    th_fat_file_close(&f);
    size_t len;
    uint8_t *back = th_fat_read_host(img, &len);
    REQUIRE(back != NULL);
    CHECK_EQ(len, sizeof data);
    CHECK_EQ(back[3072], 0x5A);
    CHECK_MEM(back, data, 3072);
    free(back);
    unlink(img);

    // Two host trees: equal, then one content byte and one name differ.
    char a[600], b[600], cmd[4096];
    snprintf(a, sizeof a, "%s", th_tmp("cmp_a"));
    snprintf(b, sizeof b, "%s", th_tmp("cmp_b"));
    snprintf(cmd, sizeof cmd,
             "rm -rf '%s' '%s' && mkdir -p '%s/sub' && printf abc > '%s/sub/x' && "
             "cp -r '%s' '%s'",
             a, b, a, a, a, b);
    REQUIRE_EQ(th_fat_run(cmd, NULL, 0), 0);
    CHECK_EQ(th_fat_cmp_host_dirs(a, b, "equal"), 0);
    snprintf(cmd, sizeof cmd, "printf abd > '%s/sub/x' && touch '%s/extra'", b, b);
    REQUIRE_EQ(th_fat_run(cmd, NULL, 0), 0);
    CHECK_EQ(th_fat_cmp_host_dirs(a, b, "expected difference"), 2);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
    th_fat_run(cmd, NULL, 0);
    char out[64];
    CHECK_EQ(th_fat_run("echo hello; exit 3", out, sizeof out), 3);
    CHECK_STR(out, "hello\n");
}
