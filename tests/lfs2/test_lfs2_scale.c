// littlefs scale (issue 3): bench.md's small-files on a 16 MiB NOR (4 KiB
// blocks) must cost reads growing at most linearly with the file count. The
// files are inline, so 800 of them fill a directory of ~100 metadata pairs,
// more than the pair cache holds: a cache that misses on every pair of such a
// chain makes each lookup re-read the chain (quadratic). Device reads are
// counted (deterministic), not timed: 800 files may cost at most 4.5x what
// 200 cost (quadratic is 16x).
#include <stdio.h>
#include <stdlib.h>

#include "cairn/emu.h"
#include "cairn/lfs2.h"
#include "common/small_files.h"
#include "harness.h"

#define SC_BS 4096u
#define SC_BC 4096u

// bench.md small-files (th_small_files): the bytes read from after mkfs +
// mount to the final unmount, or a negative error.
static int64_t sc_small_files(uint8_t *mem, int n)
{
    static struct cairn_nor nor;
    static struct cairn_fault fault;
    static struct cairn_lfs2 lfs;
    static struct cairn_lfs2_config cfg;
    static uint32_t buf[1024];
    struct cairn_nor_config nc = {SC_BS, SC_BC, 1, 1, 0, CAIRN_NOR_WEAR_ERROR, 0};
    memset(mem, 0xff, (size_t)SC_BS * SC_BC);
    if (cairn_nor_init(&nor, &nc, mem, NULL) != 0 ||
        cairn_fault_init(&fault, &nor.bd, NULL, 0, 1) != 0) {
        return -1;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = buf; // as the bench: read/prog 32 from the zeroed config, cache 128
    cfg.buffer_size = CAIRN_LFS2_BUFFER_SIZE(128, 32);
    struct cairn_fs *fs = &lfs.fs;
    if (cfg.buffer_size > sizeof buf || cairn_lfs2_init(&lfs, &fault.bd, &cfg) != 0 ||
        fs->ops->mkfs(fs) != 0 || fs->ops->mount(fs, 0) != 0) {
        return -2;
    }
    cairn_fault_reset_counters(&fault);
    int rc = th_small_files(fs, n);
    return rc ? rc : (int64_t)fault.counters.read_bytes;
}

TEST(small_files_reads_grow_linearly)
{
    // (without the pair cache every lookup scans the directory's whole log:
    // reads grow with the square of the files)
    if (CAIRN_LFS2_TINY)
        SKIP("speed caches left out (CAIRN_LFS2_TINY)");
    uint8_t *mem = malloc((size_t)SC_BS * SC_BC);
    REQUIRE(mem != NULL);
    int64_t r200 = sc_small_files(mem, 200);
    int64_t r400 = sc_small_files(mem, 400);
    int64_t r800 = sc_small_files(mem, 800);
    free(mem);
    printf("lfs2 small-files read bytes: 200 %lld, 400 %lld, 800 %lld\n", (long long)r200,
           (long long)r400, (long long)r800);
    REQUIRE(r200 > 0);
    REQUIRE(r400 > 0);
    REQUIRE(r800 > 0);
    CHECK(r400 * 10 <= r200 * 23); // 2x the files: at most 2.3x the reads
    CHECK(r800 * 10 <= r400 * 23);
    CHECK(r800 * 2 <= r200 * 9);
}
