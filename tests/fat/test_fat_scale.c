// FAT scale: the cost of creating small files in one directory grows at most
// linearly with their number. Device reads are counted (deterministic), not
// timed: 800 files may cost at most 4.5x what 200 cost (quadratic is 16x).
#include <stdlib.h>

#include "cairn/fat.h"
#include "fat/fat_helpers.h"
#include "harness.h"

#define SD_SECTORS 65536u // 32 MiB, FAT16 as VfsFat.mkfs makes it (bench.md sd512)

struct counts {
    uint64_t reads, read_blocks, writes, write_blocks;
};

// One file of the workload: 16 + rand % 1009 bytes, data from the same stream.
static int sf_create(struct cairn_fs *fs, void *f, int i, uint32_t *rng)
{
    uint8_t buf[1100];
    char p[32];
    snprintf(p, sizeof p, "/d/f%03d", i);
    uint32_t len = 16 + th_fat_xorshift(rng) % 1009;
    for (uint32_t k = 0; k < len; k++) {
        buf[k] = (uint8_t)th_fat_xorshift(rng);
    }
    int rc = fs->ops->open(fs, f, p, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (rc == 0) {
        int32_t w = fs->ops->write(fs, f, buf, len);
        rc = fs->ops->close(fs, f);
        if (w != (int32_t)len) {
            rc = -3;
        }
    }
    return rc;
}

// bench.md small-files with N files: mkdir /d; create /d/fNNN with 16 + rand %
// 1009 bytes each; read every file back whole; remove the even ones; create
// them again with new sizes; unmount. Counted from after format + mount.
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
    void *f = calloc(1, fs->ops->file_size(fs));
    uint32_t rng = 1, check = 1;
    int rc = fs->ops->mkdir(fs, "/d");
    for (int i = 0; i < nfiles && rc == 0; i++) {
        rc = sf_create(fs, f, i, &rng);
    }
    // Read back, checking against a replay of the stream.
    uint8_t want[1100], back[1100];
    for (int i = 0; i < nfiles && rc == 0; i++) {
        char p[32];
        snprintf(p, sizeof p, "/d/f%03d", i);
        uint32_t len = 16 + th_fat_xorshift(&check) % 1009;
        for (uint32_t k = 0; k < len; k++) {
            want[k] = (uint8_t)th_fat_xorshift(&check);
        }
        rc = fs->ops->open(fs, f, p, CAIRN_O_RDONLY);
        if (rc == 0) {
            int32_t r = fs->ops->read(fs, f, back, len);
            rc = fs->ops->close(fs, f);
            if (r != (int32_t)len || memcmp(want, back, len) != 0) {
                rc = -4;
            }
        }
    }
    for (int i = 0; i < nfiles && rc == 0; i += 2) {
        char p[32];
        snprintf(p, sizeof p, "/d/f%03d", i);
        rc = fs->ops->remove(fs, p);
    }
    for (int i = 0; i < nfiles && rc == 0; i += 2) {
        rc = sf_create(fs, f, i, &rng);
    }
    free(f);
    if (rc == 0) {
        rc = fs->ops->umount(fs);
    }
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
    // Linear growth: 4x the files, at most 4.5x the reads (quadratic would be 16x).
    CHECK(c[2].reads * 2 <= c[0].reads * 9);
    CHECK(c[2].read_blocks * 2 <= c[0].read_blocks * 9);
    CHECK(c[1].read_blocks * 4 <= c[0].read_blocks * 9);
    // Writes too: no rewriting of the whole directory per file.
    CHECK(c[2].write_blocks * 2 <= c[0].write_blocks * 9);
}
