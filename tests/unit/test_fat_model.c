// FAT driver: random create / remove / rename / lookup sequences in a few
// directories, checked against a model after every step (exercises the
// directory cache: name filter, free-slot hints, lookup positions).
#include <ctype.h>

#include "test_fat_util.h"

#define NDIRS 3
#define NNAMES 48
#define MAXF (NDIRS * NNAMES)

static const char *dirs[NDIRS] = {"/", "/Sub Directory", "/s2"};

static void name_of(int i, char *out, size_t cap)
{
    switch (i % 6) {
    case 0:
        snprintf(out, cap, "f%02d.txt", i); // short only
        break;
    case 1:
        snprintf(out, cap, "A Long File Name Number %d.data", i); // tails
        break;
    case 2:
        snprintf(out, cap, "Mixed%02d.Txt", i); // LFN, no tail
        break;
    case 3:
        snprintf(out, cap, "name.with.dots.%d", i);
        break;
    case 4:
        snprintf(out, cap, "caf\xc3\xa9 %d", i); // non-ASCII
        break;
    default:
        snprintf(out, cap, "%d_%s", i, "a_rather_long_name_that_takes_several_lfn_entries_xyz");
        break;
    }
}

static void path_of(int d, int i, char *out, size_t cap)
{
    char n[128];
    name_of(i, n, sizeof n);
    snprintf(out, cap, "%s%s%s", dirs[d], d ? "/" : "", n);
}

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static int present[NDIRS][NNAMES];
static uint32_t sizes[NDIRS][NNAMES];

static int check_all(struct fx *x, int step)
{
    const struct cairn_fs_ops *o = x->fs->ops;
    char p[256];
    int bad = 0;
    for (int d = 0; d < NDIRS; d++) {
        int want = d == 0 ? 2 : 0; // the two sub-directories live in the root
        for (int i = 0; i < NNAMES; i++) {
            path_of(d, i, p, sizeof p);
            // case-insensitive lookups too
            if (i % 5 == 0) {
                for (char *c = p; *c; c++) {
                    *c = (char)toupper((unsigned char)*c);
                }
            }
            struct cairn_stat st;
            int rc = o->stat(x->fs, p, &st);
            if (present[d][i]) {
                want++;
                if (rc != 0 || st.size != sizes[d][i]) {
                    if (bad++ < 3) {
                        th_fail(__FILE__, __LINE__, "step %d: %s: rc %d size %lld", step, p, rc,
                                (long long)st.size);
                    }
                }
            } else if (rc != CAIRN_ENOENT) {
                if (bad++ < 3) {
                    th_fail(__FILE__, __LINE__, "step %d: %s should be gone (%d)", step, p, rc);
                }
            }
        }
        static char names[16384];
        int n = fx_list(x, dirs[d], names, sizeof names);
        if (n != want && bad++ < 3) {
            th_fail(__FILE__, __LINE__, "step %d: %s lists %d, want %d", step, dirs[d], n, want);
        }
    }
    return bad;
}

static void model_run(uint32_t ss, uint32_t count, uint8_t type, uint32_t csize, uint32_t seed)
{
    struct fx x;
    fx_dev(&x, ss, count);
    x.cfg.fat_type = type;
    x.cfg.cluster_size = csize;
    x.cfg.no_mbr = 1;
    REQUIRE_EQ(x.fs->ops->mkfs(x.fs), 0);
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    REQUIRE_EQ(o->mkdir(x.fs, dirs[1]), 0);
    REQUIRE_EQ(o->mkdir(x.fs, dirs[2]), 0);
    memset(present, 0, sizeof present);
    uint32_t s = seed;
    char p[256], q[256];
    uint8_t data[700];
    memset(data, 'm', sizeof data);
    int steps = th_long() ? 20000 : 1500;
    for (int step = 0; step < steps; step++) {
        int d = (int)(rnd(&s) % NDIRS), i = (int)(rnd(&s) % NNAMES);
        uint32_t op = rnd(&s) % 10;
        path_of(d, i, p, sizeof p);
        if (op < 4) {
            uint32_t len = rnd(&s) % 700;
            int rc = fx_write(&x, p, data, len);
            if (rc != 0) {
                th_fail(__FILE__, __LINE__, "step %d: write %s: %d", step, p, rc);
                break;
            }
            present[d][i] = 1;
            sizes[d][i] = len;
        } else if (op < 6) {
            int rc = o->remove(x.fs, p);
            if (rc != (present[d][i] ? 0 : CAIRN_ENOENT)) {
                th_fail(__FILE__, __LINE__, "step %d: remove %s: %d", step, p, rc);
                break;
            }
            present[d][i] = 0;
        } else if (op < 8) {
            int d2 = (int)(rnd(&s) % NDIRS), j = (int)(rnd(&s) % NNAMES);
            path_of(d2, j, q, sizeof q);
            int rc = o->rename(x.fs, p, q);
            int want = present[d][i] ? 0 : CAIRN_ENOENT;
            if (rc != want) {
                th_fail(__FILE__, __LINE__, "step %d: rename %s -> %s: %d", step, p, q, rc);
                break;
            }
            if (rc == 0 && !(d == d2 && i == j)) {
                present[d2][j] = 1;
                sizes[d2][j] = sizes[d][i];
                present[d][i] = 0;
            }
        } else if (op < 9) {
            struct cairn_stat st;
            int rc = o->stat(x.fs, p, &st);
            if (rc != (present[d][i] ? 0 : CAIRN_ENOENT)) {
                th_fail(__FILE__, __LINE__, "step %d: stat %s: %d", step, p, rc);
                break;
            }
        } else if (rnd(&s) % 8 == 0) {
            REQUIRE_EQ(fx_remount(&x, 0), 0);
        }
        if ((getenv("FATM_EVERY") || step % 97 == 0) && check_all(&x, step)) {
            break;
        }
    }
    check_all(&x, steps);
    CHECK_EQ(fx_fsck(x.fs, 0, NULL, NULL), 0);
    fx_down(&x);
}

TEST(model_fat12_512)
{
    model_run(512, 3000, 0, 0, 12345);
}

TEST(model_fat12_4096_sectors)
{
    model_run(4096, 600, 0, 0, 777);
}

TEST(model_fat32_small_clusters)
{
    model_run(512, 70000, 32, 512, 4242); // root and sub-directories grow cluster by cluster
}

TEST(model_fat16_two_seeds)
{
    model_run(512, 20000, 16, 1024, 99);
    model_run(512, 20000, 16, 1024, 31337);
}

// A removed directory's cluster is reused by a new one: nothing cached about
// the old directory may leak into the new one (names, free slots, positions,
// path prefixes).
TEST(model_dir_reuse_and_rename)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 3000), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    char p[96], names[4096];
    for (int round = 0; round < 6; round++) {
        REQUIRE_EQ(o->mkdir(x.fs, "/A"), 0);
        for (int i = 0; i < 40; i++) {
            snprintf(p, sizeof p, "/A/file number %d in round %d", i, round);
            REQUIRE_EQ(fx_write(&x, p, "a", 1), 0);
        }
        struct cairn_stat st;
        snprintf(p, sizeof p, "/A/file number %d in round %d", 39, round);
        REQUIRE_EQ(o->stat(x.fs, p, &st), 0);
        for (int i = 0; i < 40; i++) {
            snprintf(p, sizeof p, "/A/file number %d in round %d", i, round);
            REQUIRE_EQ(o->remove(x.fs, p), 0);
        }
        REQUIRE_EQ(o->rmdir(x.fs, "/A"), 0);
        REQUIRE_EQ(o->mkdir(x.fs, "/B"), 0);
        CHECK_EQ(fx_list(&x, "/B", names, sizeof names), 0);
        snprintf(p, sizeof p, "/B/file number %d in round %d", 39, round);
        CHECK_EQ(o->stat(x.fs, p, &st), CAIRN_ENOENT);
        REQUIRE_EQ(fx_write(&x, p, "bb", 2), 0);
        CHECK_EQ(fx_list(&x, "/B", names, sizeof names), 1);
        // the same path prefix now names another directory
        REQUIRE_EQ(o->rename(x.fs, "/B", "/A"), 0);
        CHECK_EQ(o->stat(x.fs, p, &st), CAIRN_ENOENT);
        snprintf(p, sizeof p, "/A/file number %d in round %d", 39, round);
        REQUIRE_EQ(o->stat(x.fs, p, &st), 0);
        CHECK_EQ(st.size, 2);
        REQUIRE_EQ(o->remove(x.fs, p), 0);
        REQUIRE_EQ(o->rmdir(x.fs, "/A"), 0);
    }
    CHECK_EQ(fx_fsck(x.fs, 0, NULL, NULL), 0);
    fx_down(&x);
}
