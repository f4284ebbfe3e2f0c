// FAT scale: the cost of creating small files in one directory grows at most
// linearly with their number. Device reads are counted (deterministic), not
// timed: 800 files may cost at most 4.5x what 200 cost (quadratic is 16x).
#include <stdlib.h>

#include "cairn/fat.h"
#include "common/small_files.h"
#include "fat/fat_helpers.h"
#include "harness.h"

#define SD_SECTORS 65536u // 32 MiB, FAT16 as VfsFat.mkfs makes it (bench.md sd512)

struct counts {
    uint64_t reads, read_blocks, writes, write_blocks;
};

static int small_files(uint8_t *mem, int nfiles, struct counts *out)
{
    struct cairn_ram_bdev ram;
    struct th_fat_count cnt;
    struct cairn_fat fat;
    memset(mem, 0, (size_t)SD_SECTORS * 512);
    if (cairn_ram_bdev_init(&ram, mem, 512, SD_SECTORS, CAIRN_RAM_SIMPLE, 0) != 0) {
        return -1;
    }
    th_fat_count_init(&cnt, &ram.bd);
    struct cairn_fs *fs = &fat.fs;
    if (cairn_fat_init(&fat, &cnt.bd, NULL) != 0 || fs->ops->mkfs(fs) != 0 ||
        fs->ops->mount(fs, 0) != 0) {
        return -2;
    }
    th_fat_count_reset(&cnt);
    int rc = th_small_files(fs, nfiles);
    out->reads = cnt.reads;
    out->read_blocks = cnt.read_blocks;
    out->writes = cnt.writes;
    out->write_blocks = cnt.write_blocks;
    return rc;
}

TEST(small_files_reads_grow_linearly)
{
    if (CAIRN_FAT_BLOOM_BYTES < 1024) {
        // (800 names overfill a smaller filter: rescans grow with the count)
        SKIP("built with CAIRN_FAT_BLOOM_BYTES < 1024: the filter is sized for fewer names");
    }
    uint8_t *mem = malloc((size_t)SD_SECTORS * 512);
    REQUIRE(mem != NULL);
    static const int n[3] = {200, 400, 800};
    struct counts c[3];
    for (int i = 0; i < 3; i++) {
        int rc = small_files(mem, n[i], &c[i]);
        CHECK_EQ(rc, 0);
        if (rc != 0) {
            free(mem);
            return;
        }
        printf("fat scale small-files n=%d reads=%llu read_blocks=%llu writes=%llu "
               "write_blocks=%llu\n",
               n[i], (unsigned long long)c[i].reads, (unsigned long long)c[i].read_blocks,
               (unsigned long long)c[i].writes, (unsigned long long)c[i].write_blocks);
    }
    free(mem);
    // Writes: no rewriting of the whole directory per file.
    CHECK(c[2].write_blocks * 2 <= c[0].write_blocks * 9);
    if (CAIRN_FAT_TINY) {
        // (without the name filter every new name costs a directory pass)
        SKIP("speed caches left out (CAIRN_FAT_TINY): reads grow with the directory");
    }
    // Linear growth: 4x the files, at most 4.5x the reads (quadratic would be 16x).
    CHECK(c[2].reads * 2 <= c[0].reads * 9);
    CHECK(c[2].read_blocks * 2 <= c[0].read_blocks * 9);
    CHECK(c[1].read_blocks * 4 <= c[0].read_blocks * 9);
}
