// FAT driver: fsck finds injected faults, repairs them, and a second run is
// clean; dosfstools' fsck.fat -n agrees when it is installed.
#include <unistd.h>

#include "test_fat_util.h"

#if !CAIRN_FAT_FSCK
// Built without fsck: the op is there and says so, and nothing is written.
TEST(fsck_not_compiled)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0);
    uint8_t *before = malloc((size_t)x.count * x.ss);
    REQUIRE(before != NULL);
    memcpy(before, x.mem, (size_t)x.count * x.ss);
    CHECK_EQ(x.fs->ops->fsck(x.fs, 0, NULL, NULL), CAIRN_EOPNOTSUPP);
    CHECK_EQ(x.fs->ops->fsck(x.fs, CAIRN_FSCK_REPAIR, NULL, NULL), CAIRN_EOPNOTSUPP);
    CHECK(memcmp(before, x.mem, (size_t)x.count * x.ss) == 0);
    free(before);
    fx_down(&x);
}
#else

static uint32_t ld16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | (ld16(p + 2) << 16);
}
static void st16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void st32(uint8_t *p, uint32_t v)
{
    st16(p, v);
    st16(p + 2, v >> 16);
}

struct rep {
    int n, fixed;
    char last[128];
};

static void on_report(void *ctx, const char *problem, int fixed)
{
    struct rep *r = ctx;
    r->n++;
    r->fixed += fixed != 0;
    snprintf(r->last, sizeof r->last, "%s", problem);
}

// Geometry read back from the boot sector.
struct geo {
    uint32_t ss, rsvd, nfats, fsize, rootsec, data, spc, type;
};

static struct geo geo_of(struct fx *x)
{
    struct geo g;
    const uint8_t *b = x->mem;
    g.ss = ld16(b + 11);
    g.spc = b[13];
    g.rsvd = ld16(b + 14);
    g.nfats = b[16];
    g.fsize = ld16(b + 22) ? ld16(b + 22) : ld32(b + 36);
    g.type = ld16(b + 22) ? 16 : 32;
    g.rootsec = g.rsvd + g.nfats * g.fsize;
    g.data = g.rootsec + ld16(b + 17) * 32 / g.ss;
    return g;
}

static uint32_t fat_get(struct fx *x, struct geo *g, uint32_t c)
{
    uint8_t *p = x->mem + g->rsvd * g->ss + c * (g->type / 8);
    return g->type == 16 ? ld16(p) : ld32(p) & 0x0FFFFFFF;
}

static void fat_put(struct fx *x, struct geo *g, uint32_t c, uint32_t v, int copies)
{
    for (int i = 0; i < copies; i++) {
        uint8_t *p = x->mem + (g->rsvd + i * g->fsize) * g->ss + c * (g->type / 8);
        if (g->type == 16) {
            st16(p, v);
        } else {
            st32(p, v);
        }
    }
}

static uint8_t *ent_of(struct fx *x, const char *sfn)
{
    long o = fx_find_sfn(x, sfn);
    return o < 0 ? NULL : x->mem + o;
}

static uint32_t ent_clust(uint8_t *e)
{
    return ld16(e + 26) | (ld16(e + 20) << 16);
}

// A FAT16 volume with 2 FATs and a small tree; unmounted afterwards.
static int build(struct fx *x, int type32)
{
    fx_dev(x, 512, type32 ? 70000 : 20000);
    x->cfg.n_fats = 2;
    x->cfg.cluster_size = 1024;
    if (type32) {
        x->cfg.fat_type = 32;
        x->cfg.cluster_size = 512;
        x->cfg.no_mbr = 1;
    }
    int rc = x->fs->ops->mkfs(x->fs);
    if (rc == 0) {
        rc = x->fs->ops->mount(x->fs, 0);
    }
    static uint8_t data[5000];
    memset(data, 'd', sizeof data);
    if (rc == 0) {
        rc = fx_write(x, "/aaa.bin", data, 3000); // 3 clusters
    }
    if (rc == 0) {
        rc = fx_write(x, "/bbb.bin", data, 2000); // 2 clusters
    }
    if (rc == 0) {
        rc = x->fs->ops->mkdir(x->fs, "/dir");
    }
    if (rc == 0) {
        rc = fx_write(x, "/dir/A Long Named File.txt", data, 100);
    }
    if (rc == 0) {
        rc = x->fs->ops->umount(x->fs);
    }
    return rc;
}

// Mount, fsck without repair (expect problems), with repair (expect 0 left),
// then again (expect nothing found).
static void run_fsck(struct fx *x, int expect_problems, const char *what)
{
    const struct cairn_fs_ops *o = x->fs->ops;
    struct rep r;
    memset(&r, 0, sizeof r);
    REQUIRE_EQ(o->mount(x->fs, 0), 0);
    int32_t left = o->fsck(x->fs, 0, on_report, &r);
    if (expect_problems) {
        if (left < 1 || r.n < 1) {
            th_fail(__FILE__, __LINE__, "%s: not found (left %d, reports %d)", what, (int)left,
                    r.n);
        }
    } else {
        CHECK_EQ(left, 0);
    }
    memset(&r, 0, sizeof r);
    left = o->fsck(x->fs, CAIRN_FSCK_REPAIR, on_report, &r);
    if (left != 0) {
        th_fail(__FILE__, __LINE__, "%s: %d left after repair (%s)", what, (int)left, r.last);
    }
    CHECK_EQ(r.fixed, r.n);
    REQUIRE_EQ(fx_remount(x, 0), 0);
    memset(&r, 0, sizeof r);
    left = o->fsck(x->fs, 0, on_report, &r);
    if (left != 0 || r.n != 0) {
        th_fail(__FILE__, __LINE__, "%s: second run found %d (%s)", what, r.n, r.last);
    }
    // the tree still reads
    char names[256];
    CHECK(fx_list(x, "/", names, sizeof names) >= 2);
    REQUIRE_EQ(o->umount(x->fs), 0);
    // dosfstools agrees, when present
    if (access("/usr/sbin/fsck.fat", X_OK) == 0 || access("/sbin/fsck.fat", X_OK) == 0) {
        const char *img = th_tmp("fsck.img");
        FILE *f = fopen(img, "wb");
        if (f) {
            fwrite(x->mem, x->ss, x->count, f);
            fclose(f);
            char cmd[512];
            snprintf(cmd, sizeof cmd, "fsck.fat -n '%s' >/dev/null 2>&1", img);
            int st = system(cmd);
            if (st != 0) {
                th_fail(__FILE__, __LINE__, "%s: fsck.fat -n disagrees (status %d)", what, st);
            }
            remove(img);
        }
    }
}

TEST(fsck_clean_volume)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 0), 0);
    run_fsck(&x, 0, "clean");
    fx_down(&x);
}

TEST(fsck_lost_clusters)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 0), 0);
    struct geo g = geo_of(&x);
    fat_put(&x, &g, 500, 501, 2);
    fat_put(&x, &g, 501, 0xFFFF, 2);
    run_fsck(&x, 1, "lost");
    CHECK_EQ(fat_get(&x, &g, 500), 0);
    CHECK_EQ(fat_get(&x, &g, 501), 0);
    fx_down(&x);
}

TEST(fsck_cross_link_and_loop)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 0), 0);
    struct geo g = geo_of(&x);
    uint8_t *a = ent_of(&x, "AAA     BIN"), *b = ent_of(&x, "BBB     BIN");
    REQUIRE(a && b);
    uint32_t a0 = ent_clust(a), b0 = ent_clust(b);
    uint32_t a1 = fat_get(&x, &g, a0);
    fat_put(&x, &g, b0, a1, 2); // b's second cluster is a's second
    run_fsck(&x, 1, "cross-link");
    fx_down(&x);

    REQUIRE_EQ(build(&x, 0), 0);
    g = geo_of(&x);
    a = ent_of(&x, "AAA     BIN");
    a0 = ent_clust(a);
    a1 = fat_get(&x, &g, a0);
    uint32_t a2 = fat_get(&x, &g, a1);
    fat_put(&x, &g, a2, a1, 2); // a loop
    run_fsck(&x, 1, "loop");
    CHECK(fat_get(&x, &g, a2) >= 0xFFF8);
    uint8_t buf[4000];
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    CHECK_EQ(fx_read(&x, "/aaa.bin", buf, sizeof buf), 3000);
    fx_down(&x);
}

TEST(fsck_size_mismatch)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 0), 0);
    uint8_t *a = ent_of(&x, "AAA     BIN");
    REQUIRE(a);
    st32(a + 28, 9000); // more than its 3 clusters hold
    run_fsck(&x, 1, "size too big");
    CHECK_EQ(ld32(a + 28), 3072);
    fx_down(&x);

    REQUIRE_EQ(build(&x, 0), 0);
    struct geo g = geo_of(&x);
    a = ent_of(&x, "AAA     BIN");
    st32(a + 28, 500); // the chain is longer than needed
    uint32_t a0 = ent_clust(a);
    run_fsck(&x, 1, "chain too long");
    CHECK(fat_get(&x, &g, a0) >= 0xFFF8);
    fx_down(&x);
}

TEST(fsck_dots_and_orphans)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 0), 0);
    struct geo g = geo_of(&x);
    uint8_t *d = ent_of(&x, "DIR        ");
    REQUIRE(d);
    uint32_t dc = ent_clust(d);
    uint8_t *dot = x.mem + (size_t)(g.data + (dc - 2) * g.spc) * g.ss;
    CHECK_MEM(dot + 32, "..         ", 11);
    st16(dot + 32 + 26, 77); // .. points elsewhere
    run_fsck(&x, 1, "dotdot");
    CHECK_EQ(ld16(dot + 32 + 26), 0);
    fx_down(&x);

    REQUIRE_EQ(build(&x, 0), 0);
    uint8_t *s = ent_of(&x, "ALONGN~1TXT");
    REQUIRE(s);
    s[0] = 0xE5; // the short entry goes, its long name stays behind
    run_fsck(&x, 1, "orphan lfn");
    CHECK_EQ(s[-32], 0xE5);
    CHECK_EQ(s[-64], 0xE5);
    fx_down(&x);
}

TEST(fsck_fat_copies_and_fsinfo)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 0), 0);
    struct geo g = geo_of(&x);
    uint8_t *a = ent_of(&x, "AAA     BIN");
    fat_put(&x, &g, ent_clust(a), 0, 1); // FAT #1 only: the copies differ
    run_fsck(&x, 1, "fat copies");
    CHECK_MEM(x.mem + g.rsvd * g.ss, x.mem + (g.rsvd + g.fsize) * g.ss, g.fsize * g.ss);
    fx_down(&x);

    REQUIRE_EQ(build(&x, 1), 0);
    CHECK_MEM(x.mem + 82, "FAT32   ", 8);
    uint8_t *fsi = x.mem + 512;
    uint32_t right = ld32(fsi + 488);
    st32(fsi + 488, right + 100);
    run_fsck(&x, 1, "fsinfo");
    CHECK_EQ(ld32(fsi + 488), right);
    fx_down(&x);
}

TEST(fsck_dirty_mark_after_cut)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 0), 0);
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    REQUIRE_EQ(fx_write(&x, "/new", "n", 1), 0);
    // "power cut": no unmount; the clean bit stays cleared on the device
    struct geo g = geo_of(&x);
#if CAIRN_FAT_DIRTY_MARK
    CHECK_EQ(fat_get(&x, &g, 1) & 0x8000, 0);
#else
    // the driver writes no mark by default: as another system would leave it
    CHECK_EQ(fat_get(&x, &g, 1) & 0x8000, 0x8000);
    fat_put(&x, &g, 1, fat_get(&x, &g, 1) & ~0x8000u, g.nfats);
#endif
    struct cairn_fat again;
    cairn_fat_init(&again, &x.ram.bd, &x.cfg);
    x.fat = again;
    run_fsck(&x, 1, "dirty");
    CHECK_EQ(fat_get(&x, &g, 1) & 0x8000, 0x8000);
    fx_down(&x);
}

// FSInfo's free count is a hint: a stale 0 does not stop allocation.
TEST(fsinfo_zero_is_only_a_hint)
{
    struct fx x;
    REQUIRE_EQ(build(&x, 1), 0);
    st32(x.mem + 512 + 488, 0);
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    CHECK_EQ(fx_write(&x, "/after", "data", 4), 0);
    struct cairn_statvfs st;
    REQUIRE_EQ(x.fs->ops->statvfs(x.fs, &st), 0);
    CHECK(st.f_bfree > 1000);
    REQUIRE_EQ(x.fs->ops->umount(x.fs), 0);
    CHECK_EQ(ld32(x.mem + 512 + 488), st.f_bfree);
    fx_down(&x);
}

// A tree deeper than fsck's stack: reported, and nothing below it is taken
// for lost clusters.
TEST(fsck_deep_tree_is_left_alone)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4000), 0);
    char p[256] = "";
    for (int i = 0; i < 36; i++) {
        strcat(p, "/a");
        REQUIRE_EQ(x.fs->ops->mkdir(x.fs, p), 0);
    }
    strcat(p, "/deep.bin");
    uint8_t data[3000], back[3001];
    for (int i = 0; i < 3000; i++) {
        data[i] = (uint8_t)(i * 13);
    }
    REQUIRE_EQ(fx_write(&x, p, data, sizeof data), 0);
    struct rep r;
    memset(&r, 0, sizeof r);
    struct cairn_statvfs s0, s1;
    REQUIRE_EQ(x.fs->ops->statvfs(x.fs, &s0), 0);
    int32_t left = x.fs->ops->fsck(x.fs, CAIRN_FSCK_REPAIR, on_report, &r);
    CHECK(left >= 1);
    REQUIRE_EQ(x.fs->ops->statvfs(x.fs, &s1), 0);
    CHECK_EQ(s1.f_bfree, s0.f_bfree); // nothing freed
    CHECK(strstr(r.last, "lost") != NULL || strstr(r.last, "deep") != NULL);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_read(&x, p, back, sizeof back), 3000);
    CHECK_MEM(back, data, 3000);
    fx_down(&x);
}

// A cut between a label change's two writes (root entry, boot sector): the
// boot sector's copy is brought in line with the root's entry.
TEST(fsck_label_copies_agree)
{
    for (int type32 = 0; type32 < 2; type32++) {
        struct fx x;
        REQUIRE_EQ(build(&x, type32), 0);
        REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
        REQUIRE_EQ(x.fs->ops->label(x.fs, NULL, 0, "NEWLABEL"), 0);
        REQUIRE_EQ(x.fs->ops->umount(x.fs), 0);
        uint32_t at = type32 ? 71 : 43;
        CHECK_MEM(x.mem + at, "NEWLABEL   ", 11);
        memcpy(x.mem + at, "OLDLABEL   ", 11);
        run_fsck(&x, 1, "label");
        CHECK_MEM(x.mem + at, "NEWLABEL   ", 11);
        char buf[16];
        REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
        REQUIRE_EQ(x.fs->ops->label(x.fs, buf, sizeof buf, NULL), 0);
        CHECK_STR(buf, "NEWLABEL");
        fx_down(&x);
    }
}

#endif // CAIRN_FAT_FSCK
