// littlefs v2 driver: random operation sequences checked against an in-memory
// model, with remounts and the independent checker (tests/lfs2/lfs2check)
// judging every image; plus directories big enough to split.
#include <stdio.h>
#include <stdlib.h>

#include "cairn/lfs2.h"
#include "harness.h"
#include "lfs2/lfs2check.h"

#define NDIRS 4
#define NNAMES 12
#define MAXF 12000

static const char *dirs[NDIRS] = {"", "/d0", "/d1", "/d0/s"};

struct mfile {
    int exists;
    uint32_t size;
    uint8_t *data;
};

static struct mfile model[NDIRS][NNAMES];
static int dir_exists[NDIRS];
static uint32_t rng = 1;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static struct cairn_ram_bdev ram;
static struct cairn_lfs2 lfs;
static struct cairn_lfs2_config cfg;
static struct cairn_fs *fs;
static uint8_t *mem;
static uint32_t bsz, bcnt;
static uint32_t cbuf[4096];
static uint64_t fst[1024];
static uint64_t dst[64];

static void path_of(char *out, int d, int n)
{
    sprintf(out, "%s/file%02d", dirs[d], n);
}

static void setup(uint32_t bs, uint32_t bc, uint32_t rp, uint32_t seed)
{
    free(mem);
    bsz = bs, bcnt = bc;
    mem = malloc((size_t)bs * bc);
    memset(mem, 0xff, (size_t)bs * bc);
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, bs, bc, CAIRN_RAM_EXT, 0xff), 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.read_size = cfg.prog_size = rp;
    cfg.buffer = cbuf;
    // the prog-16 geometry runs without a pair-state cache (minimum buffer)
    cfg.buffer_size = rp == 16 ? CAIRN_LFS2_BUFFER_MIN(4 * rp, 32) : sizeof cbuf;
    cfg.block_cycles = 10; // exercise relocation
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    fs = &lfs.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    for (int d = 0; d < NDIRS; d++)
        for (int n = 0; n < NNAMES; n++) {
            free(model[d][n].data);
            model[d][n] = (struct mfile){0, 0, NULL};
        }
    memset(dir_exists, 0, sizeof dir_exists);
    dir_exists[0] = 1;
    rng = seed;
}

static void teardown(void)
{
    for (int d = 0; d < NDIRS; d++)
        for (int n = 0; n < NNAMES; n++) {
            free(model[d][n].data);
            model[d][n] = (struct mfile){0, 0, NULL};
        }
    free(mem);
    mem = NULL;
}

static void verify(const char *when)
{
    static uint8_t back[MAXF + 16];
    for (int d = 0; d < NDIRS; d++) {
        if (!dir_exists[d])
            continue;
        for (int n = 0; n < NNAMES; n++) {
            char p[64];
            path_of(p, d, n);
            struct cairn_stat st;
            int err = fs->ops->stat(fs, p, &st);
            if (!model[d][n].exists) {
                CHECK_EQ(err, CAIRN_ENOENT);
                continue;
            }
            CHECK_EQ(err, 0);
            if (err) {
                fprintf(stderr, "%s: %s missing\n", when, p);
                continue;
            }
            CHECK_EQ(st.size, model[d][n].size);
            REQUIRE_EQ(fs->ops->open(fs, fst, p, CAIRN_O_RDONLY), 0);
            int32_t r = fs->ops->read(fs, fst, back, sizeof back);
            CHECK_EQ(r, (int32_t)model[d][n].size);
            if (r == (int32_t)model[d][n].size && r > 0 &&
                memcmp(back, model[d][n].data, (size_t)r) != 0) {
                th_fail(__FILE__, __LINE__, "%s: content of %s differs", when, p);
            }
            CHECK_EQ(fs->ops->close(fs, fst), 0);
        }
    }
}

static void check_image(const char *when)
{
    struct lfs2check_result res;
    int errors = lfs2check_image(mem, bsz, bcnt, LFS2CHECK_AT_REST, &res);
    CHECK_EQ(errors, 0);
    if (errors) {
        fprintf(stderr, "%s:\n", when);
        lfs2check_print(&res, "  ");
    }
    // the checker sees the model's files with the same content
    for (int d = 0; d < NDIRS && !errors; d++) {
        if (!dir_exists[d])
            continue;
        for (int n = 0; n < NNAMES; n++) {
            char p[64];
            path_of(p, d, n);
            const struct lfs2check_entry *e = lfs2check_find(&res, p);
            CHECK_EQ(e != NULL, model[d][n].exists);
            if (e && model[d][n].exists) {
                CHECK_EQ(e->size, model[d][n].size);
                if (e->size == model[d][n].size && e->size)
                    CHECK(memcmp(e->data, model[d][n].data, e->size) == 0);
            }
        }
    }
    lfs2check_free(&res);
}

static void op_write(void)
{
    int d = (int)(rnd() % NDIRS), n = (int)(rnd() % NNAMES);
    if (!dir_exists[d])
        return;
    struct mfile *m = &model[d][n];
    char p[64];
    path_of(p, d, n);
    uint32_t mode = rnd() % 4;
    uint32_t flags;
    if (mode == 0)
        flags = CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC;
    else if (mode == 1)
        flags = CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_APPEND;
    else
        flags = CAIRN_O_RDWR | CAIRN_O_CREAT;
    REQUIRE_EQ(fs->ops->open(fs, fst, p, flags), 0);
    if (!m->exists) {
        m->exists = 1;
        m->size = 0;
        if (!m->data)
            m->data = calloc(1, MAXF + 4096);
    }
    if (mode == 0)
        m->size = 0;
    int nw = 1 + (int)(rnd() % 3);
    for (int i = 0; i < nw; i++) {
        uint32_t pos = m->size;
        if (mode >= 2) {
            pos = rnd() % (m->size + 200);
            if (pos > MAXF - 100)
                pos = m->size;
            CHECK_EQ(fs->ops->seek(fs, fst, pos, CAIRN_SEEK_SET), (int64_t)pos);
        }
        uint32_t len = rnd() % 3 == 0 ? rnd() % 3000 : rnd() % 100;
        if (pos + len > MAXF)
            len = pos < MAXF ? MAXF - pos : 0;
        static uint8_t data[4096];
        for (uint32_t k = 0; k < len; k++)
            data[k] = (uint8_t)rnd();
        int32_t w = fs->ops->write(fs, fst, data, len);
        CHECK_EQ(w, (int32_t)len);
        if (pos > m->size)
            memset(m->data + m->size, 0, pos - m->size);
        memcpy(m->data + pos, data, len);
        if (pos + len > m->size)
            m->size = pos + len;
    }
    if (rnd() % 4 == 0) {
        uint32_t ns = rnd() % (m->size + 300);
        if (ns > MAXF)
            ns = MAXF;
        CHECK_EQ(fs->ops->truncate(fs, fst, ns), 0);
        if (ns > m->size)
            memset(m->data + m->size, 0, ns - m->size);
        m->size = ns;
    }
    CHECK_EQ(fs->ops->size(fs, fst), (int64_t)m->size);
    CHECK_EQ(fs->ops->close(fs, fst), 0);
}

static void op_remove(void)
{
    int d = (int)(rnd() % NDIRS), n = (int)(rnd() % NNAMES);
    if (!dir_exists[d])
        return;
    char p[64];
    path_of(p, d, n);
    int err = fs->ops->remove(fs, p);
    CHECK_EQ(err, model[d][n].exists ? 0 : CAIRN_ENOENT);
    model[d][n].exists = 0;
}

static void op_rename(void)
{
    int d1 = (int)(rnd() % NDIRS), n1 = (int)(rnd() % NNAMES);
    int d2 = (int)(rnd() % NDIRS), n2 = (int)(rnd() % NNAMES);
    if (!dir_exists[d1] || !dir_exists[d2])
        return;
    char a[64], b[64];
    path_of(a, d1, n1);
    path_of(b, d2, n2);
    int err = fs->ops->rename(fs, a, b);
    if (!model[d1][n1].exists) {
        CHECK_EQ(err, CAIRN_ENOENT);
        return;
    }
    CHECK_EQ(err, 0);
    if (d1 == d2 && n1 == n2)
        return;
    struct mfile t = model[d2][n2];
    model[d2][n2] = model[d1][n1];
    model[d1][n1] = t;
    model[d1][n1].exists = 0;
}

static void op_dir(void);
static void op_dir(void)
{
    int d = 1 + (int)(rnd() % (NDIRS - 1));
    int parent = d == 3 ? 1 : 0;
    if (!dir_exists[d]) {
        int err = fs->ops->mkdir(fs, dirs[d]);
        CHECK_EQ(err, dir_exists[parent] ? 0 : CAIRN_ENOENT);
        if (!err)
            dir_exists[d] = 1;
        return;
    }
    int empty = 1;
    for (int n = 0; n < NNAMES; n++)
        if (model[d][n].exists)
            empty = 0;
    if (d == 1 && dir_exists[3])
        empty = 0;
    int err = fs->ops->rmdir(fs, dirs[d]);
    CHECK_EQ(err, empty ? 0 : CAIRN_ENOTEMPTY);
    if (!err)
        dir_exists[d] = 0;
}

static void run_model(uint32_t bs, uint32_t bc, uint32_t rp, uint32_t seed, int steps)
{
    setup(bs, bc, rp, seed);
    for (int i = 0; i < steps && !th_failed_now(); i++) {
        uint32_t k = rnd() % 16;
        if (k < 8)
            op_write();
        else if (k < 10)
            op_remove();
        else if (k < 13)
            op_rename();
        else
            op_dir();
        if (i % 40 == 39) {
            char when[64];
            sprintf(when, "step %d", i);
            verify(when);
            CHECK_EQ(fs->ops->umount(fs), 0);
            check_image(when);
            REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
            verify(when);
        }
    }
    CHECK_EQ(fs->ops->fsck(fs, 0, NULL, NULL), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    check_image("end");
    teardown();
}

TEST(model_512)
{
    run_model(512, 256, 32, 11, th_long() ? 20000 : 2000);
}
TEST(model_4096)
{
    run_model(4096, 64, 32, 23, th_long() ? 20000 : 2000);
}
TEST(model_1024_prog16)
{
    run_model(1024, 128, 16, 37, th_long() ? 20000 : 2000);
}

TEST(many_entries_split)
{
    setup(512, 512, 32, 5);
    char p[64];
    REQUIRE_EQ(fs->ops->mkdir(fs, "/big"), 0);
    for (int i = 0; i < 300; i++) {
        sprintf(p, "/big/name_%d", i);
        REQUIRE_EQ(fs->ops->open(fs, fst, p, CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
        REQUIRE_EQ(fs->ops->write(fs, fst, p, (uint32_t)strlen(p)), (int32_t)strlen(p));
        REQUIRE_EQ(fs->ops->close(fs, fst), 0);
    }
    for (int i = 0; i < 300; i += 7) {
        sprintf(p, "/big/name_%d", i);
        struct cairn_stat st;
        CHECK_EQ(fs->ops->stat(fs, p, &st), 0);
        CHECK_EQ(st.size, (int64_t)strlen(p));
    }
    // the listing is sorted (longer-first on equal prefixes) and complete
    REQUIRE_EQ(fs->ops->opendir(fs, dst, "/big"), 0);
    struct cairn_dirent de;
    char prev[300] = "";
    int count = 0;
    while (fs->ops->readdir(fs, dst, &de) == 1) {
        if (count) {
            size_t a = strlen(prev), b = strlen(de.name), m = a < b ? a : b;
            int c = memcmp(prev, de.name, m);
            CHECK(c < 0 || (c == 0 && a > b));
        }
        strcpy(prev, de.name);
        count++;
    }
    fs->ops->closedir(fs, dst);
    CHECK_EQ(count, 300);
    for (int i = 0; i < 300; i += 2) {
        sprintf(p, "/big/name_%d", i);
        CHECK_EQ(fs->ops->remove(fs, p), 0);
    }
    CHECK_EQ(fs->ops->umount(fs), 0);
    struct lfs2check_result res;
    CHECK_EQ(lfs2check_image(mem, bsz, bcnt, LFS2CHECK_AT_REST, &res), 0);
    CHECK_EQ(res.files, 150);
    lfs2check_free(&res);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    for (int i = 1; i < 300; i += 2) {
        sprintf(p, "/big/name_%d", i);
        CHECK_EQ(fs->ops->remove(fs, p), 0);
    }
    CHECK_EQ(fs->ops->rmdir(fs, "/big"), 0);
    struct cairn_statvfs sv;
    CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
    CHECK_EQ(sv.f_bfree, 510);
    CHECK_EQ(fs->ops->umount(fs), 0);
    CHECK_EQ(lfs2check_image(mem, bsz, bcnt, LFS2CHECK_AT_REST, &res), 0);
    lfs2check_free(&res);
    teardown();
}

/* Corrupted images: mount and walk must end with an error or success, never
 * hang or touch memory out of bounds (run under ASan). */
static void walk_all(void)
{
    static uint64_t dd[8][64];
    static char paths[8][600];
    int depth = 0;
    strcpy(paths[0], "/");
    if (fs->ops->opendir(fs, dd[0], "/"))
        return;
    int steps = 0;
    while (depth >= 0 && steps++ < 5000) {
        struct cairn_dirent de;
        int r = fs->ops->readdir(fs, dd[depth], &de);
        if (r != 1) {
            fs->ops->closedir(fs, dd[depth]);
            depth--;
            continue;
        }
        char p[900];
        snprintf(p, sizeof p, "%s%s%s", paths[depth], depth ? "/" : "", de.name);
        struct cairn_stat st;
        fs->ops->stat(fs, p, &st);
        if (de.type == CAIRN_S_IFDIR && depth < 7 && strlen(p) < 500) {
            if (fs->ops->opendir(fs, dd[depth + 1], p) == 0) {
                depth++;
                strcpy(paths[depth], p);
            }
        } else if (fs->ops->open(fs, fst, p, CAIRN_O_RDONLY) == 0) {
            static uint8_t b[4096];
            for (int k = 0; k < 64 && fs->ops->read(fs, fst, b, sizeof b) > 0; k++) {
            }
            fs->ops->close(fs, fst);
        }
    }
    while (depth >= 0)
        fs->ops->closedir(fs, dd[depth--]);
}

TEST(corrupt_images_do_not_hang)
{
    setup(512, 256, 32, 99);
    for (int i = 0; i < 40; i++)
        op_write(), op_dir();
    CHECK_EQ(fs->ops->umount(fs), 0);
    uint8_t *good = malloc(512 * 256);
    memcpy(good, mem, 512 * 256);
    int rounds = th_long() ? 3000 : 300;
    for (int r = 0; r < rounds; r++) {
        memcpy(mem, good, 512 * 256);
        int nflip = 1 + (int)(rnd() % 8);
        for (int k = 0; k < nflip; k++) {
            // the metadata lives in the first blocks: aim there mostly
            uint32_t at = rnd() % (512 * (rnd() % 2 ? 16 : 256));
            if (rnd() % 3 == 0)
                mem[at] = (uint8_t)rnd();
            else
                mem[at] ^= (uint8_t)(1u << (rnd() % 8));
        }
        if (rnd() % 4 == 0) {
            uint32_t blk = rnd() % 16;
            for (int k = 0; k < 512; k++)
                mem[blk * 512 + k] = (uint8_t)rnd();
        }
        if (fs->ops->mount(fs, r % 2 ? CAIRN_MOUNT_RDONLY : 0) != 0)
            continue;
        walk_all();
        struct cairn_statvfs sv;
        fs->ops->statvfs(fs, &sv);
        fs->ops->fsck(fs, 0, NULL, NULL);
        if (r % 2 == 0) {
            // writes on a damaged volume fail cleanly or succeed
            if (fs->ops->open(fs, fst, "/newfile", CAIRN_O_WRONLY | CAIRN_O_CREAT) == 0) {
                fs->ops->write(fs, fst, good, 3000);
                fs->ops->close(fs, fst);
            }
            fs->ops->mkdir(fs, "/newdir");
            fs->ops->rename(fs, "/file00", "/d0/x");
            fs->ops->remove(fs, "/file01");
        }
        fs->ops->umount(fs);
    }
    free(good);
    teardown();
}
