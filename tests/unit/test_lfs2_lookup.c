// littlefs v2 driver: the lookup shortcuts stay exact. Name-range keys let a
// lookup skip pairs of a split directory, the lookup memo resumes a scan of a
// pair's log, and the skip-list pointer cache serves file reads: every answer
// must equal what a full scan gives, across removals, re-creations, remounts
// and pair-state caches of every size.
#include <stdio.h>
#include <stdlib.h>

#include "cairn/lfs2.h"
#include "harness.h"

static struct cairn_ram_bdev ram;
static struct cairn_lfs2 lfs;
static struct cairn_lfs2_config cfg;
static struct cairn_fs *fs;
static uint8_t *mem;
static uint32_t cbuf[2048];
static uint64_t f1[256];
static uint32_t lookahead; // 0 = default

static void setup(uint32_t bs, uint32_t bc, uint32_t bufsize)
{
    free(mem);
    mem = malloc((size_t)bs * bc);
    memset(mem, 0xff, (size_t)bs * bc);
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, bs, bc, CAIRN_RAM_EXT, 0xff), 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = cbuf;
    cfg.buffer_size = bufsize;
    cfg.lookahead_size = lookahead;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    fs = &lfs.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
}

static void done(void)
{
    fs->ops->umount(fs);
    free(mem);
    mem = NULL;
}

static int exists(const char *p)
{
    struct cairn_stat st;
    int err = fs->ops->stat(fs, p, &st);
    return err == 0 ? 1 : err == CAIRN_ENOENT ? 0 : err;
}

static int touch(const char *p)
{
    int err = fs->ops->open(fs, f1, p, CAIRN_O_WRONLY | CAIRN_O_CREAT);
    return err ? err : fs->ops->close(fs, f1);
}

// three families: short names in creation order (pairs end up unsorted at
// their tails), long names sharing more than a key's prefix, in reverse
// order, and names sorting after everything
#define NA 240
#define NB 60
#define NC 30
static void name_of(int fam, int k, char *out, size_t n)
{
    if (fam == 0)
        snprintf(out, n, "/dir/name_%d", k);
    else if (fam == 1)
        snprintf(out, n, "/dir/a_shared_long_prefix_%d", NB - 1 - k);
    else
        snprintf(out, n, "/dir/z%d", k);
}

static uint8_t present[3][NA];

static int check_all(void)
{
    static const int cnt[3] = {NA, NB, NC};
    char p[64];
    int bad = 0, n = 0;
    for (int fam = 0; fam < 3; fam++) {
        for (int k = 0; k < cnt[fam]; k++) {
            name_of(fam, k, p, sizeof p);
            if (exists(p) != present[fam][k])
                bad++;
            n += present[fam][k];
        }
    }
    static const char *absent[] = {"/dir/name_2400", "/dir/name_13x", "/dir/name_",
                                   "/dir/a_shared_long_prefix_", "/dir/a_shared_long_prefix_600",
                                   "/dir/a_shared_long_prefiy", "/dir/zz", "/dir/0", "/dir/~"};
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
        if (exists(absent[i]) != 0)
            bad++;
    // the listing agrees
    static uint64_t d[64];
    struct cairn_dirent ent;
    int listed = 0;
    if (fs->ops->opendir(fs, d, "/dir") != 0)
        return -1;
    while (fs->ops->readdir(fs, d, &ent) == 1)
        listed++;
    fs->ops->closedir(fs, d);
    return bad ? bad : listed == n ? 0 : -2;
}

static void lookups(uint32_t bs, uint32_t bufsize)
{
    static const int cnt[3] = {NA, NB, NC};
    char p[64];
    setup(bs, 8192 * 512 / bs, bufsize);
    memset(present, 0, sizeof present);
    REQUIRE_EQ(fs->ops->mkdir(fs, "/dir"), 0);
    for (int k = 0; k < NA; k++) {
        for (int fam = 0; fam < 3; fam++) {
            if (k < cnt[fam]) {
                name_of(fam, k, p, sizeof p);
                REQUIRE_EQ(touch(p), 0);
                present[fam][k] = 1;
            }
        }
        if (k % 40 == 39)
            CHECK_EQ(check_all(), 0);
    }
    // remove every third, check, bring half of them back
    for (int fam = 0; fam < 3; fam++) {
        for (int k = 0; k < cnt[fam]; k += 3) {
            name_of(fam, k, p, sizeof p);
            CHECK_EQ(fs->ops->remove(fs, p), 0);
            present[fam][k] = 0;
        }
    }
    CHECK_EQ(check_all(), 0);
    for (int fam = 0; fam < 3; fam++) {
        for (int k = cnt[fam] - 1; k >= 0; k -= 6) {
            if (!present[fam][k]) {
                name_of(fam, k, p, sizeof p);
                CHECK_EQ(touch(p), 0);
                present[fam][k] = 1;
            }
        }
    }
    CHECK_EQ(check_all(), 0);
    // rename moves names across pairs
    CHECK_EQ(fs->ops->rename(fs, "/dir/name_1", "/dir/zzz_renamed"), 0);
    CHECK_EQ(exists("/dir/zzz_renamed"), 1);
    CHECK_EQ(exists("/dir/name_1"), 0);
    CHECK_EQ(fs->ops->rename(fs, "/dir/zzz_renamed", "/dir/name_1"), 0);
    CHECK_EQ(check_all(), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK_EQ(check_all(), 0);
    done();
}

TEST(split_directory_lookups_512)
{
    lookups(512, sizeof cbuf);
}

TEST(split_directory_lookups_4096)
{
    lookups(4096, sizeof cbuf);
}

TEST(split_directory_lookups_small_pair_cache)
{
    // room for 3 remembered pairs, then none at all
    lookups(512, CAIRN_LFS2_BUFFER_MIN(128, 32) + 3 * (32 + CAIRN_LFS2_MKEY));
    lookups(512, CAIRN_LFS2_BUFFER_MIN(128, 32));
}

static uint8_t want[40000], back[40000];

static int append(const char *p, const uint8_t *d, uint32_t n)
{
    int err = fs->ops->open(fs, f1, p, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_APPEND);
    if (err)
        return err;
    int32_t w = fs->ops->write(fs, f1, d, n);
    err = fs->ops->close(fs, f1);
    return w < 0 ? w : w != (int32_t)n ? -1000 : err;
}

static int read_all(const char *p, uint32_t n)
{
    if (fs->ops->open(fs, f1, p, CAIRN_O_RDONLY))
        return -1;
    int32_t r = fs->ops->read(fs, f1, back, sizeof back);
    fs->ops->close(fs, f1);
    return r == (int32_t)n && memcmp(back, want, n) == 0 ? 0 : -2;
}

static int random_reads(const char *p, uint32_t n, uint32_t seed)
{
    if (fs->ops->open(fs, f1, p, CAIRN_O_RDONLY))
        return -1;
    int bad = 0;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t at = (seed >> 8) % (n - 64);
        if (fs->ops->seek(fs, f1, at, CAIRN_SEEK_SET) != at ||
            fs->ops->read(fs, f1, back, 64) != 64 || memcmp(back, want + at, 64) != 0)
            bad++;
    }
    fs->ops->close(fs, f1);
    return bad;
}

static void appends(uint32_t bs)
{
    setup(bs, 1024 * 1024 / bs, sizeof cbuf);
    for (uint32_t i = 0; i < sizeof want; i++)
        want[i] = (uint8_t)(i * 7 + (i >> 8));
    uint32_t n = 0;
    char p[32];
    for (int i = 0; n + 40 <= sizeof want; i++) {
        CHECK_EQ(append("/log", want + n, 40), 0);
        n += 40;
        // other names in the same pair between the appends
        if (i % 50 == 7) {
            snprintf(p, sizeof p, "/other%d", i);
            CHECK_EQ(touch(p), 0);
            CHECK_EQ(exists("/log"), 1);
        }
        if (i % 97 == 0)
            CHECK_EQ(read_all("/log", n), 0);
    }
    CHECK_EQ(read_all("/log", n), 0);
    CHECK_EQ(random_reads("/log", n, 1), 0);
    CHECK_EQ(fs->ops->remove(fs, "/other7"), 0);
    CHECK_EQ(exists("/other7"), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK_EQ(read_all("/log", n), 0);
    CHECK_EQ(random_reads("/log", n, 2), 0);
    // rewrite the file: cached pointers of its old blocks must not be used
    REQUIRE_EQ(fs->ops->open(fs, f1, "/log", CAIRN_O_WRONLY | CAIRN_O_TRUNC), 0);
    for (uint32_t i = 0; i < sizeof want; i++)
        want[i] = (uint8_t)(i * 13 + 5);
    CHECK_EQ(fs->ops->write(fs, f1, want, sizeof want), (int32_t)sizeof want);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK_EQ(random_reads("/log", sizeof want, 3), 0);
    CHECK_EQ(read_all("/log", sizeof want), 0);
    done();
}

TEST(append_log_and_random_reads_512)
{
    appends(512);
}

TEST(append_log_and_random_reads_4096)
{
    appends(4096);
}



// Allocation across full regions: windows that find nothing jump ahead, and
// the volume still fills up completely with every file intact.
static int fill_file(int i, uint32_t n)
{
    char p[32];
    static uint8_t d[2048];
    snprintf(p, sizeof p, "/f%d", i);
    for (uint32_t k = 0; k < n; k++)
        d[k] = (uint8_t)(i * 37 + k);
    int err = fs->ops->open(fs, f1, p, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (err)
        return err;
    int32_t w = fs->ops->write(fs, f1, d, n);
    err = fs->ops->close(fs, f1);
    if (w < 0 || err) {
        fs->ops->remove(fs, p);
        return w < 0 ? w : err;
    }
    return 0;
}

static int file_ok(int i, uint32_t n)
{
    char p[32];
    snprintf(p, sizeof p, "/f%d", i);
    if (fs->ops->open(fs, f1, p, CAIRN_O_RDONLY))
        return 0;
    int32_t r = fs->ops->read(fs, f1, back, sizeof back);
    fs->ops->close(fs, f1);
    if (r != (int32_t)n)
        return 0;
    for (uint32_t k = 0; k < n; k++)
        if (back[k] != (uint8_t)(i * 37 + k))
            return 0;
    return 1;
}

TEST(allocation_over_full_regions)
{
    lookahead = 2; // 16-block windows over 32-block regions
    setup(512, 512, sizeof cbuf);
    lookahead = 0;
    static uint8_t have[600];
    memset(have, 0, sizeof have);
    int n = 0, err = 0;
    while (n < 600 && (err = fill_file(n, 1500)) == 0)
        have[n++] = 1;
    CHECK_EQ(err, CAIRN_ENOSPC);
    CHECK(n > 100);
    struct cairn_statvfs sv;
    // free every third file from the front half only: the back stays full
    for (int i = 0; i < n / 2; i += 3) {
        char p[32];
        snprintf(p, sizeof p, "/f%d", i);
        CHECK_EQ(fs->ops->remove(fs, p), 0);
        have[i] = 0;
    }
    int more = 0;
    for (int i = n; i < 600 && fill_file(i, 1500) == 0; i++)
        have[i] = 1, more++;
    CHECK(more >= n / 6 - 2);
    CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
    CHECK(sv.f_bfree < 8);
    int bad = 0;
    for (int i = 0; i < 600; i++)
        if (have[i] && !file_ok(i, 1500))
            bad++;
    CHECK_EQ(bad, 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    for (int i = 0; i < 600; i++)
        if (have[i] && !file_ok(i, 1500))
            bad++;
    CHECK_EQ(bad, 0);
    done();
}
