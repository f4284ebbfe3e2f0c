// littlefs v2 skip-list map (the CAIRN_LFS2_PCACHE slots): reads, seeks,
// appends, overwrites and truncation of large files agree with a RAM model
// whatever the map's size (none, no window/runs, default, the largest), on
// lists allocated in one run or interleaved with another file, on devices
// with 16-bit and 32-bit map entries; and the allocator's scan that skips an
// open file's list outside its window never hands out one of its blocks.
#include <stdlib.h>

#include "cairn/lfs2.h"
#include "harness.h"
#include "lfs2/lfs2check.h"

#define CM_FILE_MAX 40000

struct cm_rig {
    struct cairn_ram_bdev ram;
    struct cairn_lfs2 lfs;
    struct cairn_lfs2_config cfg;
    struct cairn_fs *fs;
    uint8_t *mem, *buf;
    void *fa, *fb;
    uint32_t bs, bc;
};

/* pk slots wanted from the map (0 = none): the pair cache takes its 32 first. */
static int cm_init(struct cm_rig *r, uint32_t bs, uint32_t bc, uint32_t lookahead, uint32_t pk)
{
    memset(r, 0, sizeof *r);
    r->bs = bs;
    r->bc = bc;
    r->mem = malloc((size_t)bs * bc);
    if (!r->mem)
        abort();
    memset(r->mem, 0xff, (size_t)bs * bc);
    if (cairn_ram_bdev_init(&r->ram, r->mem, bs, bc, CAIRN_RAM_EXT, 0xff) != 0)
        return -1;
    r->cfg.read_size = 16;
    r->cfg.prog_size = 16;
    r->cfg.cache_size = 64;
    r->cfg.lookahead_size = lookahead;
    uint32_t sz = CAIRN_LFS2_BUFFER_MIN(64u, lookahead);
    if (pk)
        sz += 32u * (uint32_t)(sizeof(struct cairn_lfs2_mdir) + CAIRN_LFS2_MKEY) + 4u * pk;
    r->buf = aligned_alloc(8, (sz + 7u) & ~7u);
    if (!r->buf)
        abort();
    r->cfg.buffer = r->buf;
    r->cfg.buffer_size = sz;
    if (cairn_lfs2_init(&r->lfs, &r->ram.bd, &r->cfg) != 0)
        return -1;
    r->fs = &r->lfs.fs;
    if (r->fs->ops->mkfs(r->fs) != 0 || r->fs->ops->mount(r->fs, 0) != 0)
        return -1;
    size_t fsz = r->fs->ops->file_size(r->fs);
    r->fa = aligned_alloc(8, (fsz + 7u) & ~(size_t)7u);
    r->fb = aligned_alloc(8, (fsz + 7u) & ~(size_t)7u);
    if (!r->fa || !r->fb)
        abort();
    return 0;
}

static void cm_free(struct cm_rig *r)
{
    if (r->fs && r->fs->mounted)
        r->fs->ops->umount(r->fs);
    free(r->fa);
    free(r->fb);
    free(r->buf);
    free(r->mem);
}

static uint32_t cm_rng = 12345;
static uint32_t cm_rand(void)
{
    cm_rng ^= cm_rng << 13;
    cm_rng ^= cm_rng >> 17;
    cm_rng ^= cm_rng << 5;
    return cm_rng;
}

static void cm_fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* `n` random seek+reads on handle fp against the model; 0 or -1 (reported). */
static int cm_random_reads(struct cm_rig *r, void *fp, const uint8_t *model, uint32_t size, int n)
{
    uint8_t got[300];
    for (int i = 0; i < n; i++) {
        uint32_t at = cm_rand() % size, len = 1 + cm_rand() % 299;
        if (at + len > size)
            len = size - at;
        int64_t s = r->fs->ops->seek(r->fs, fp, at, CAIRN_SEEK_SET);
        int32_t g = r->fs->ops->read(r->fs, fp, got, len);
        if (s != at || g != (int32_t)len || memcmp(got, model + at, len) != 0) {
            th_fail(__FILE__, __LINE__, "read of %u at %u: seek %lld, got %d", (unsigned)len,
                    (unsigned)at, (long long)s, (int)g);
            return -1;
        }
    }
    return 0;
}

/* Whole file equals the model, read in odd-sized pieces. */
static int cm_check_file(struct cm_rig *r, const char *path, const uint8_t *model, uint32_t size)
{
    static uint8_t got[CM_FILE_MAX];
    if (r->fs->ops->open(r->fs, r->fa, path, CAIRN_O_RDONLY) != 0)
        return -1;
    uint32_t at = 0;
    int ok = 1;
    while (at < size) {
        uint32_t len = 1 + cm_rand() % 1000;
        int32_t g = r->fs->ops->read(r->fs, r->fa, got + at, len);
        if (g <= 0) {
            ok = 0;
            break;
        }
        at += (uint32_t)g;
    }
    if (r->fs->ops->read(r->fs, r->fa, got, 1) != 0)
        ok = 0;
    r->fs->ops->close(r->fs, r->fa);
    if (!ok || at != size || memcmp(got, model, size) != 0) {
        th_fail(__FILE__, __LINE__, "%s: %u bytes read of %u, or content differs", path,
                (unsigned)at, (unsigned)size);
        return -1;
    }
    return 0;
}

static void cm_valid_image(struct cm_rig *r, const char *what)
{
    struct lfs2check_result ck;
    int e = lfs2check_image(r->mem, r->bs, r->bc, 0, &ck);
    if (e)
        lfs2check_print(&ck, what);
    CHECK_EQ(e, 0);
    lfs2check_free(&ck);
}

static uint8_t ma[CM_FILE_MAX], mb[CM_FILE_MAX];

/* The whole workload on one configuration. */
static void cm_workload(uint32_t bs, uint32_t bc, uint32_t lookahead, uint32_t pk)
{
    struct cm_rig r;
    if (cm_init(&r, bs, bc, lookahead, pk) != 0) {
        th_fail(__FILE__, __LINE__, "setup bs %u bc %u pk %u", (unsigned)bs, (unsigned)bc,
                (unsigned)pk);
        cm_free(&r);
        return;
    }
    const struct cairn_fs_ops *o = r.fs->ops;
    uint32_t sa = 24000, sb = 17000;
    cm_fill(ma, sa, 1);
    cm_fill(mb, sb, 2);
    // /a alone (one run), then /b and /c interleaved (fragmented lists)
    REQUIRE_EQ(o->open(r.fs, r.fa, "/a", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    for (uint32_t at = 0; at < sa; at += 100)
        REQUIRE_EQ(o->write(r.fs, r.fa, ma + at, 100), 100);
    REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    REQUIRE_EQ(o->open(r.fs, r.fa, "/b", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    REQUIRE_EQ(o->open(r.fs, r.fb, "/c", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    for (uint32_t at = 0; at < sb; at += 170) {
        uint32_t n = sb - at < 170 ? sb - at : 170;
        REQUIRE_EQ(o->write(r.fs, r.fa, mb + at, n), (int32_t)n);
        REQUIRE_EQ(o->write(r.fs, r.fb, ma + at, n), (int32_t)n);
    }
    REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    REQUIRE_EQ(o->close(r.fs, r.fb), 0);
    CHECK_EQ(cm_check_file(&r, "/a", ma, sa), 0);
    CHECK_EQ(cm_check_file(&r, "/b", mb, sb), 0);
    CHECK_EQ(cm_check_file(&r, "/c", ma, sb), 0);
    // random reads on two handles in turn: the map follows one list at a time
    REQUIRE_EQ(o->open(r.fs, r.fa, "/a", CAIRN_O_RDONLY), 0);
    REQUIRE_EQ(o->open(r.fs, r.fb, "/b", CAIRN_O_RDONLY), 0);
    for (int k = 0; k < 20 && !th_failed_now(); k++) {
        cm_random_reads(&r, r.fa, ma, sa, 10);
        cm_random_reads(&r, r.fb, mb, sb, 10);
    }
    REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    REQUIRE_EQ(o->close(r.fs, r.fb), 0);
    // append (copies the partial last block), then read around the old end
    uint8_t extra[777];
    cm_fill(extra, sizeof extra, 3);
    for (int k = 0; k < 5; k++) {
        REQUIRE_EQ(o->open(r.fs, r.fa, "/a", CAIRN_O_WRONLY | CAIRN_O_APPEND), 0);
        uint32_t n = 50 + 150 * (uint32_t)k;
        REQUIRE_EQ(o->write(r.fs, r.fa, extra, n), (int32_t)n);
        REQUIRE_EQ(o->close(r.fs, r.fa), 0);
        memcpy(ma + sa, extra, n);
        sa += n;
        REQUIRE_EQ(o->open(r.fs, r.fa, "/a", CAIRN_O_RDONLY), 0);
        cm_random_reads(&r, r.fa, ma, sa, 30);
        REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    }
    // overwrite in the middle of /b: the new list shares the old one's start
    REQUIRE_EQ(o->open(r.fs, r.fa, "/b", CAIRN_O_RDWR), 0);
    cm_random_reads(&r, r.fa, mb, sb, 20);
    REQUIRE_EQ(o->seek(r.fs, r.fa, 5000, CAIRN_SEEK_SET), 5000);
    REQUIRE_EQ(o->write(r.fs, r.fa, extra, sizeof extra), (int32_t)sizeof extra);
    memcpy(mb + 5000, extra, sizeof extra);
    cm_random_reads(&r, r.fa, mb, sb, 20);
    REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    CHECK_EQ(cm_check_file(&r, "/b", mb, sb), 0);
    // truncate /a into its middle, then grow it again by appending
    REQUIRE_EQ(o->open(r.fs, r.fa, "/a", CAIRN_O_RDWR), 0);
    cm_random_reads(&r, r.fa, ma, sa, 20);
    REQUIRE_EQ(o->truncate(r.fs, r.fa, 7777), 0);
    sa = 7777;
    cm_random_reads(&r, r.fa, ma, sa, 20);
    REQUIRE_EQ(o->seek(r.fs, r.fa, 0, CAIRN_SEEK_END), 7777);
    cm_fill(ma + sa, 3000, 4);
    REQUIRE_EQ(o->write(r.fs, r.fa, ma + sa, 3000), 3000);
    sa += 3000;
    cm_random_reads(&r, r.fa, ma, sa, 20);
    REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    // remove /c and write a new file into its blocks while /a is read
    REQUIRE_EQ(o->remove(r.fs, "/c"), 0);
    REQUIRE_EQ(o->open(r.fs, r.fb, "/a", CAIRN_O_RDONLY), 0);
    cm_random_reads(&r, r.fb, ma, sa, 10);
    cm_fill(mb, 12000, 5);
    REQUIRE_EQ(o->open(r.fs, r.fa, "/d", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    for (uint32_t at = 0; at < 12000; at += 1000) {
        REQUIRE_EQ(o->write(r.fs, r.fa, mb + at, 1000), 1000);
        cm_random_reads(&r, r.fb, ma, sa, 2);
    }
    REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    REQUIRE_EQ(o->close(r.fs, r.fb), 0);
    CHECK_EQ(cm_check_file(&r, "/a", ma, sa), 0);
    CHECK_EQ(cm_check_file(&r, "/d", mb, 12000), 0);
    // a fresh mount knows nothing: same answers
    REQUIRE_EQ(o->umount(r.fs), 0);
    REQUIRE_EQ(o->mount(r.fs, 0), 0);
    REQUIRE_EQ(o->open(r.fs, r.fa, "/a", CAIRN_O_RDONLY), 0);
    cm_random_reads(&r, r.fa, ma, sa, 50);
    REQUIRE_EQ(o->close(r.fs, r.fa), 0);
    CHECK_EQ(cm_check_file(&r, "/d", mb, 12000), 0);
    REQUIRE_EQ(o->umount(r.fs), 0);
    cm_valid_image(&r, "ctzmap workload");
    cm_free(&r);
}

TEST(files_read_back_with_no_map)
{
    cm_workload(128, 1024, 16, 0);
}

TEST(files_read_back_with_a_map_too_small_for_runs)
{
    cm_workload(128, 1024, 16, 9);
    cm_workload(128, 1024, 16, 20);
}

TEST(files_read_back_with_the_default_map)
{
    cm_workload(128, 1024, 16, CAIRN_LFS2_PCACHE);
    cm_workload(512, 256, 8, CAIRN_LFS2_PCACHE);
}

TEST(files_read_back_with_the_largest_map)
{
    cm_workload(128, 1024, 16, 255);
}

TEST(files_read_back_on_a_device_of_more_than_65536_blocks)
{
    // 70000 blocks: the map's entries are 32 bits instead of 16
    cm_workload(128, 70000, 16, CAIRN_LFS2_PCACHE);
}

TEST(a_lookahead_window_of_8_blocks_never_reuses_an_open_files_blocks)
{
    // the allocator rescans every 8 blocks while two files grow side by side
    // and a third is read: any block handed out twice corrupts one of them
    cm_workload(128, 1024, 1, CAIRN_LFS2_PCACHE);
}
