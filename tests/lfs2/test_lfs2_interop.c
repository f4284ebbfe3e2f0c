// littlefs v2 interop through the driver: the reference images read back
// exactly as their manifests say, and every image the driver writes is valid
// littlefs for the independent checker (tests/lfs2/lfs2check.c).
#include <stdlib.h>

#include "cairn/bdev.h"
#include "harness.h"
#include "lfs2/lfs2check.h"
#include "lfs2/lfs2drv.h"
#include "lfs2/lfs2util.h"

struct dev {
    struct th_manifest m;
    uint8_t *mem;
    size_t size;
    struct cairn_ram_bdev ram;
};

static int dev_load(struct dev *d, const char *name)
{
    memset(d, 0, sizeof *d);
    if (lfs2t_load_interop(name, &d->m, &d->mem, &d->size) != 0) {
        return -1;
    }
    if (cairn_ram_bdev_init(&d->ram, d->mem, d->m.block_size, d->m.block_count, CAIRN_RAM_EXT,
                            0xFF) != 0) {
        th_fail(__FILE__, __LINE__, "ram init");
        return -1;
    }
    return 0;
}

static void dev_free(struct dev *d)
{
    free(d->mem);
    th_manifest_free(&d->m);
}

static struct cairn_lfs2_config cfg_for(const struct th_manifest *m)
{
    struct cairn_lfs2_config c;
    memset(&c, 0, sizeof c);
    c.block_size = m->block_size;
    c.block_count = m->block_count;
    c.read_size = m->lfs_read_size;
    c.prog_size = m->lfs_prog_size;
    c.no_mtime = m->lfs_mtime ? 0 : 1;
    return c;
}

static void fsck_report(void *ctx, const char *problem, int fixed)
{
    const char *what = ctx;
    printf("fsck %s: %s%s\n", what, problem, fixed ? " (fixed)" : "");
}

static int check_image(const uint8_t *mem, uint32_t bs, uint32_t bc, uint32_t flags,
                       struct lfs2check_result *r, const char *what)
{
    int e = lfs2check_image(mem, bs, bc, flags, r);
    if (e) {
        lfs2check_print(r, what);
        th_fail(__FILE__, __LINE__, "%s: the checker finds %d errors", what, e);
    }
    return e;
}

TEST(driver_reads_every_interop_image_exactly)
{
    for (size_t i = 0; i < lfs2t_nimages; i++) {
        struct dev d;
        if (dev_load(&d, lfs2t_images[i]) != 0) {
            continue;
        }
        uint8_t *orig = malloc(d.size);
        REQUIRE(orig != NULL);
        memcpy(orig, d.mem, d.size);
        struct cairn_lfs2_config cfg = cfg_for(&d.m);
        struct lt_fs t;
        CHECK_EQ(lt_init(&t, &d.ram.bd, &cfg), 0);
        for (int rw = 0; rw < 2; rw++) {
            int rc = lt_mount(&t, rw ? 0 : CAIRN_MOUNT_RDONLY);
            CHECK_EQ(rc, 0);
            if (rc != 0) {
                break;
            }
            struct lfs2check_result walk;
            CHECK_EQ(lt_walk(&t, &walk), 0);
            if (walk.errors) {
                lfs2check_print(&walk, lfs2t_images[i]);
            }
            CHECK_EQ(walk.errors, 0);
            CHECK_EQ(lfs2t_compare_manifest(&walk, &d.m, 10), 0);
            CHECK_EQ(walk.files, d.m.files);
            CHECK_EQ(t.ops->fsck(t.fs, 0, fsck_report, (void *)lfs2t_images[i]), 0);
            CHECK_EQ(walk.dirs, d.m.dirs);
            // statvfs exactly as the reference reported it
            struct cairn_statvfs sv;
            memset(&sv, 0, sizeof sv);
            CHECK_EQ(t.ops->statvfs(t.fs, &sv), 0);
            CHECK_EQ(sv.f_bsize, d.m.statvfs[0]);
            CHECK_EQ(sv.f_frsize, d.m.statvfs[1]);
            CHECK_EQ(sv.f_blocks, d.m.statvfs[2]);
            CHECK_EQ(sv.f_bfree, d.m.statvfs[3]);
            CHECK_EQ(sv.f_bavail, d.m.statvfs[4]);
            CHECK_EQ(sv.f_files, d.m.statvfs[5]);
            CHECK_EQ(sv.f_ffree, d.m.statvfs[6]);
            CHECK_EQ(sv.f_favail, d.m.statvfs[7]);
            CHECK_EQ(sv.f_namemax, d.m.statvfs[9]);
            // the driver and the checker agree on blocks in use and on the tree
            struct lfs2check_result ck;
            check_image(d.mem, d.m.block_size, d.m.block_count, LFS2CHECK_AT_REST, &ck,
                        lfs2t_images[i]);
            CHECK_EQ(cairn_lfs2_fs_size(&t.lfs), (int32_t)ck.fs_size);
            CHECK_EQ(lfs2t_compare_trees(&walk, &ck, 1, lfs2t_images[i], 10), 0);
            if (!rw) {
                printf("lfs2 interop %s: %zu files, %zu dirs read exactly; statvfs free %llu "
                       "of %llu\n",
                       lfs2t_images[i], walk.files, walk.dirs, (unsigned long long)sv.f_bfree,
                       (unsigned long long)sv.f_blocks);
            }
            lfs2check_free(&ck);
            lfs2check_free(&walk);
            CHECK_EQ(lt_umount(&t), 0);
            // reading, even on a read-write mount, changes nothing
            CHECK(memcmp(orig, d.mem, d.size) == 0);
        }
        lt_fini(&t);
        free(orig);
        dev_free(&d);
    }
}

/* ---- workloads -------------------------------------------------------- */

// Runs a named workload phase against the driver and the model; every driver
// call must succeed.
struct wl {
    struct lt_fs *t;
    struct lfs2check_result model;
    uint8_t *buf;
    size_t bufsize;
    int failed;
};

static void wl_put(struct wl *w, const char *path, size_t len, uint32_t seed, size_t chunk)
{
    REQUIRE(len <= w->bufsize);
    lt_fill(w->buf, len, seed);
    int rc = lt_write_file(w->t, path, w->buf, len, chunk);
    if (rc != 0) {
        th_fail(__FILE__, __LINE__, "write %s (%zu bytes): %d", path, len, rc);
        w->failed = 1;
        return;
    }
    lm_put(&w->model, path, w->buf, len);
}

static void wl_append(struct wl *w, const char *path, size_t len, uint32_t seed)
{
    REQUIRE(len <= w->bufsize);
    lt_fill(w->buf, len, seed);
    int rc = lt_append_file(w->t, path, w->buf, len);
    if (rc != 0) {
        th_fail(__FILE__, __LINE__, "append %s: %d", path, rc);
        w->failed = 1;
        return;
    }
    lm_append(&w->model, path, w->buf, len);
}

static void wl_op(struct wl *w, int rc, const char *what, const char *path)
{
    if (rc != 0) {
        th_fail(__FILE__, __LINE__, "%s %s: %d", what, path, rc);
        w->failed = 1;
    }
}

static void wl_mkdir(struct wl *w, const char *path)
{
    int rc = w->t->ops->mkdir(w->t->fs, path);
    wl_op(w, rc, "mkdir", path);
    if (rc == 0) {
        lm_mkdir(&w->model, path);
    }
}

static void wl_remove(struct wl *w, const char *path, int dir)
{
    int rc = dir ? w->t->ops->rmdir(w->t->fs, path) : w->t->ops->remove(w->t->fs, path);
    wl_op(w, rc, dir ? "rmdir" : "remove", path);
    if (rc == 0) {
        lm_remove(&w->model, path);
    }
}

static void wl_rename(struct wl *w, const char *from, const char *to)
{
    int rc = w->t->ops->rename(w->t->fs, from, to);
    wl_op(w, rc, "rename", from);
    if (rc == 0) {
        lm_rename(&w->model, from, to);
    }
}

// Unmount, check the image with the checker, remount and compare driver,
// checker and model. Returns the number of problems.
static int wl_verify(struct wl *w, const uint8_t *mem, uint32_t bs, uint32_t bc,
                     uint32_t want_version, const char *what)
{
    int bad = 0;
    CHECK_EQ(lt_umount(w->t), 0);
    struct lfs2check_result ck;
    bad += check_image(mem, bs, bc, LFS2CHECK_AT_REST, &ck, what) != 0;
    if (want_version) {
        CHECK_EQ(ck.version, want_version);
        if (want_version == CAIRN_LFS2_DISK_VERSION_2_0) {
            CHECK_EQ(ck.fcrcs, 0);
        }
    }
    bad += lfs2t_compare_trees(&w->model, &ck, 0, what, 10);
    int rc = lt_mount(w->t, 0);
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        struct lfs2check_result walk;
        CHECK_EQ(lt_walk(w->t, &walk), 0);
        if (walk.errors) {
            lfs2check_print(&walk, what);
            bad++;
        }
        bad += lfs2t_compare_trees(&walk, &ck, 1, what, 10);
        CHECK_EQ(w->t->ops->fsck(w->t->fs, 0, fsck_report, (void *)what), 0);
        struct cairn_statvfs sv;
        CHECK_EQ(w->t->ops->statvfs(w->t->fs, &sv), 0);
        CHECK_EQ(sv.f_bfree, bc - ck.used_blocks);
        CHECK_EQ(cairn_lfs2_fs_size(&w->t->lfs), (int32_t)ck.fs_size);
        lfs2check_free(&walk);
    }
    lfs2check_free(&ck);
    return bad;
}

static void wl_names(char *out, size_t n, const char *dir, int i)
{
    snprintf(out, n, "%s/file_%03d_%s", dir, i, (i % 3) ? "x" : "a_longer_name_for_splits");
}

// The phases: small files, one directory with many entries (compaction and
// splits), a file growing from inline into a CTZ list, deep directories,
// renames inside and across directories, removes, and an overwrite loop that
// cycles the metadata pairs.
static void run_workloads(struct wl *w, const uint8_t *mem, uint32_t bs, uint32_t bc,
                          uint32_t version, int scale, const char *tag)
{
    char what[96], p[160], q[160];
    snprintf(what, sizeof what, "%s: small files", tag);
    wl_put(w, "/hello.txt", 12, 1, 0);
    wl_put(w, "/empty", 0, 2, 0);
    wl_put(w, "/inline_edge", bs / 8, 3, 0);
    wl_put(w, "/ctz_edge", bs / 8 + 1, 4, 0);
    CHECK_EQ(wl_verify(w, mem, bs, bc, version, what), 0);

    snprintf(what, sizeof what, "%s: many entries in one dir", tag);
    wl_mkdir(w, "/many");
    for (int i = 0; i < 12 * scale; i++) {
        wl_names(p, sizeof p, "/many", i);
        wl_put(w, p, (size_t)(i * 7) % (bs / 4), (uint32_t)(100 + i), 0);
    }
    CHECK_EQ(wl_verify(w, mem, bs, bc, version, what), 0);

    snprintf(what, sizeof what, "%s: growing file", tag);
    for (int i = 0; i < 10; i++) {
        wl_append(w, "/grow.bin", (size_t)(bs / 5 + (size_t)i * 37), (uint32_t)(200 + i));
    }
    wl_put(w, "/big.bin", (size_t)bs * 6 + 17, 300, 97);
    CHECK_EQ(wl_verify(w, mem, bs, bc, version, what), 0);

    snprintf(what, sizeof what, "%s: deep dirs and renames", tag);
    wl_mkdir(w, "/d1");
    wl_mkdir(w, "/d1/d2");
    wl_mkdir(w, "/d1/d2/d3");
    wl_put(w, "/d1/d2/d3/leaf.bin", bs + 5, 400, 0);
    wl_put(w, "/d1/top.txt", 30, 401, 0);
    wl_rename(w, "/hello.txt", "/d1/d2/hello_moved.txt");
    wl_rename(w, "/d1/top.txt", "/d1/top_renamed.txt");
    wl_rename(w, "/d1/d2/d3", "/d3_moved_up");
    wl_rename(w, "/big.bin", "/many/big_inside.bin");
    wl_put(w, "/replace_me", 20, 402, 0);
    wl_rename(w, "/ctz_edge", "/replace_me"); // replaces an existing file
    CHECK_EQ(wl_verify(w, mem, bs, bc, version, what), 0);

    snprintf(what, sizeof what, "%s: removes", tag);
    for (int i = 0; i < 12 * scale; i += 2) {
        wl_names(p, sizeof p, "/many", i);
        wl_remove(w, p, 0);
    }
    wl_remove(w, "/empty", 0);
    wl_mkdir(w, "/gone");
    wl_put(w, "/gone/x", 3, 500, 0);
    wl_remove(w, "/gone/x", 0);
    wl_remove(w, "/gone", 1);
    CHECK_EQ(wl_verify(w, mem, bs, bc, version, what), 0);

    snprintf(what, sizeof what, "%s: overwrite loop", tag);
    for (int i = 0; i < 40 * scale; i++) {
        snprintf(q, sizeof q, "/ow_%d", i % 3);
        wl_put(w, q, (size_t)((i * 53) % (bs * 2)), (uint32_t)(600 + i), 0);
    }
    CHECK_EQ(wl_verify(w, mem, bs, bc, version, what), 0);
}

struct geom {
    uint32_t bs, bc, read, prog;
    int32_t cycles;
};

static const struct geom geoms[] = {
    {512, 128, 32, 32, 100},  // MicroPython's defaults on a small disk
    {512, 96, 16, 16, 8},     // frequent relocations
    {4096, 48, 64, 64, 100},  // NOR-sized blocks
    {256, 256, 8, 8, 20},     // small blocks, many pairs
};

static void fresh_workloads(uint32_t version)
{
    for (size_t g = 0; g < sizeof geoms / sizeof geoms[0]; g++) {
        const struct geom *ge = &geoms[g];
        size_t size = (size_t)ge->bs * ge->bc;
        uint8_t *mem = malloc(size);
        REQUIRE(mem != NULL);
        memset(mem, 0xFF, size);
        struct cairn_ram_bdev ram;
        REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, ge->bs, ge->bc, CAIRN_RAM_EXT, 0xFF), 0);
        struct cairn_lfs2_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.read_size = ge->read;
        cfg.prog_size = ge->prog;
        cfg.block_cycles = ge->cycles;
        cfg.disk_version = version;
        struct lt_fs t;
        REQUIRE_EQ(lt_init(&t, &ram.bd, &cfg), 0);
        REQUIRE_EQ(lt_mkfs(&t), 0);
        struct lfs2check_result ck;
        CHECK_EQ(check_image(mem, ge->bs, ge->bc, LFS2CHECK_AT_REST, &ck, "fresh mkfs"), 0);
        CHECK_EQ(ck.version, version);
        CHECK_EQ(ck.count, 0);
        lfs2check_free(&ck);
        REQUIRE_EQ(lt_mount(&t, 0), 0);
        struct wl w;
        memset(&w, 0, sizeof w);
        w.t = &t;
        lm_init(&w.model);
        w.bufsize = (size_t)ge->bs * 8;
        w.buf = malloc(w.bufsize);
        REQUIRE(w.buf != NULL);
        char tag[64];
        snprintf(tag, sizeof tag, "v%x %ux%u", version & 0xF, ge->bs, ge->bc);
        lt_clock_install(1735689600000000000LL, 250000000);
        run_workloads(&w, mem, ge->bs, ge->bc, version, ge->bs >= 4096 ? 1 : 2, tag);
        lt_clock_remove();
        lt_umount(&t);
        lt_fini(&t);
        lfs2check_free(&w.model);
        free(w.buf);
        free(mem);
    }
}

TEST(driver_images_pass_the_checker_v21)
{
    fresh_workloads(CAIRN_LFS2_DISK_VERSION_2_1);
}

TEST(driver_images_pass_the_checker_v20)
{
    fresh_workloads(CAIRN_LFS2_DISK_VERSION_2_0);
}

TEST(driver_modifies_a_reference_image)
{
    struct dev d;
    if (dev_load(&d, "lfs2_bs512_bc512") != 0) {
        return;
    }
    struct cairn_lfs2_config cfg = cfg_for(&d.m);
    struct lt_fs t;
    REQUIRE_EQ(lt_init(&t, &d.ram.bd, &cfg), 0);
    REQUIRE_EQ(lt_mount(&t, 0), 0);
    struct wl w;
    memset(&w, 0, sizeof w);
    w.t = &t;
    w.bufsize = 64 * 1024;
    w.buf = malloc(w.bufsize);
    REQUIRE(w.buf != NULL);
    // the model starts as the reference tree
    REQUIRE_EQ(lt_walk(&t, &w.model), 0);
    lt_clock_install(1767225600000000000LL, 1000000);
    wl_append(&w, "/README.TXT", 100, 1);
    wl_put(&w, "/sizes/size_4096.bin", 7000, 2, 333);
    wl_put(&w, "/new_inline.txt", 10, 3, 0);
    wl_rename(&w, "/a/b/c/d/e/deep.bin", "/deep_at_root.bin");
    wl_remove(&w, "/sizes/size_100000.bin", 0);
    wl_mkdir(&w, "/emptydir/sub");
    wl_rename(&w, "/Long Directory Name", "/emptydir/sub/moved dir");
    wl_put(&w, "/sizes/size_100000.bin", 50000, 4, 4096);
    CHECK_EQ(wl_verify(&w, d.mem, d.m.block_size, d.m.block_count, CAIRN_LFS2_DISK_VERSION_2_1,
                       "modified reference image"),
             0);
    lt_clock_remove();
    lt_umount(&t);
    lt_fini(&t);
    lfs2check_free(&w.model);
    free(w.buf);
    dev_free(&d);
}

TEST(v20_volume_upgrades_on_first_write)
{
    // format as 2.0, then mount with the default (2.1) driver and write
    uint32_t bs = 512, bc = 64;
    uint8_t *mem = malloc((size_t)bs * bc);
    REQUIRE(mem != NULL);
    memset(mem, 0xFF, (size_t)bs * bc);
    struct cairn_ram_bdev ram;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, bs, bc, CAIRN_RAM_EXT, 0xFF), 0);
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.disk_version = CAIRN_LFS2_DISK_VERSION_2_0;
    struct lt_fs t;
    REQUIRE_EQ(lt_init(&t, &ram.bd, &cfg), 0);
    REQUIRE_EQ(lt_mkfs(&t), 0);
    REQUIRE_EQ(lt_mount(&t, 0), 0);
    uint8_t data[300];
    lt_fill(data, sizeof data, 9);
    CHECK_EQ(lt_write_file(&t, "/v20.bin", data, sizeof data, 0), 0);
    CHECK_EQ(lt_umount(&t), 0);
    lt_fini(&t);
    struct lfs2check_result ck;
    CHECK_EQ(check_image(mem, bs, bc, LFS2CHECK_AT_REST, &ck, "2.0 volume"), 0);
    CHECK_EQ(ck.version, CAIRN_LFS2_DISK_VERSION_2_0);
    CHECK_EQ(ck.fcrcs, 0);
    lfs2check_free(&ck);
    // a read-only mount by the 2.1 driver leaves it 2.0
    REQUIRE_EQ(lt_init(&t, &ram.bd, NULL), 0);
    REQUIRE_EQ(lt_mount(&t, CAIRN_MOUNT_RDONLY), 0);
    uint8_t *back;
    size_t len;
    CHECK_EQ(lt_read_file(&t, "/v20.bin", &back, &len), 0);
    CHECK_EQ(len, sizeof data);
    if (back) {
        CHECK_MEM(back, data, sizeof data);
    }
    free(back);
    CHECK_EQ(lt_umount(&t), 0);
    // a write upgrades it
    REQUIRE_EQ(lt_mount(&t, 0), 0);
    CHECK_EQ(lt_write_file(&t, "/v21.bin", data, 100, 0), 0);
    CHECK_EQ(lt_umount(&t), 0);
    lt_fini(&t);
    CHECK_EQ(check_image(mem, bs, bc, LFS2CHECK_AT_REST, &ck, "upgraded volume"), 0);
    CHECK_EQ(ck.version, CAIRN_LFS2_DISK_VERSION_2_1);
    CHECK(lfs2check_find(&ck, "/v20.bin") != NULL);
    CHECK(lfs2check_find(&ck, "/v21.bin") != NULL);
    lfs2check_free(&ck);
    free(mem);
}

/* ---- damage: the driver must refuse it cleanly, and its fsck must see it --- */

static int count_report;

static void count_problems(void *ctx, const char *problem, int fixed)
{
    (void)ctx;
    (void)problem;
    (void)fixed;
    count_report++;
}

// Mount a damaged copy; every walk must end, fsck must report (or mount fail).
static void damaged(const struct dev *d, const uint8_t *img, const char *what,
                    const char *bad_file, const char *bad_dir)
{
    uint8_t *mem = malloc(d->size);
    REQUIRE(mem != NULL);
    memcpy(mem, img, d->size);
    struct cairn_ram_bdev ram;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, d->m.block_size, d->m.block_count, CAIRN_RAM_EXT,
                                   0xFF),
               0);
    struct cairn_lfs2_config cfg = cfg_for(&d->m);
    struct lt_fs t;
    REQUIRE_EQ(lt_init(&t, &ram.bd, &cfg), 0);
    int rc = lt_mount(&t, CAIRN_MOUNT_RDONLY);
    if (rc != 0) {
        if (rc != CAIRN_ECORRUPT) {
            th_fail(__FILE__, __LINE__, "%s: mount: %d, expected 0 or ECORRUPT", what, rc);
        }
    } else {
        count_report = 0;
        int32_t n = t.ops->fsck(t.fs, 0, count_problems, NULL);
        if (n <= 0) {
            th_fail(__FILE__, __LINE__, "%s: fsck finds nothing (%d)", what, (int)n);
        }
        if (n > 0 && count_report == 0) {
            th_fail(__FILE__, __LINE__, "%s: fsck counts %d problems but reports none", what,
                    (int)n);
        }
        if (bad_file) {
            uint8_t *back = NULL;
            size_t len = 0;
            rc = lt_read_file(&t, bad_file, &back, &len);
            free(back);
            if (rc != CAIRN_ECORRUPT) {
                th_fail(__FILE__, __LINE__, "%s: reading %s gives %d, expected ECORRUPT", what,
                        bad_file, rc);
            }
        }
        if (bad_dir) {
            rc = t.ops->opendir(t.fs, t.dir, bad_dir);
            if (rc == 0) {
                // listing a directory that loops must still end
                struct cairn_dirent ent;
                int k = 0;
                while (k < 100000 && (rc = t.ops->readdir(t.fs, t.dir, &ent)) == 1) {
                    k++;
                }
                CHECK(k < 100000);
                t.ops->closedir(t.fs, t.dir);
            }
        }
        // a whole walk ends too, whatever it returns
        struct lfs2check_result walk;
        lt_walk(&t, &walk);
        lfs2check_free(&walk);
        lt_umount(&t);
    }
    lt_fini(&t);
    free(mem);
}

TEST(driver_refuses_planted_damage)
{
    struct dev d;
    if (dev_load(&d, "lfs2_bs512_bc512") != 0) {
        return;
    }
    uint32_t bs = d.m.block_size;
    struct lfs2check_result r;
    REQUIRE_EQ(lfs2check_image(d.mem, bs, d.m.block_count, 0, &r), 0);
    const struct lfs2check_entry *big = lfs2check_find(&r, "/sizes/size_100000.bin");
    const struct lfs2check_entry *a = lfs2check_find(&r, "/a");
    REQUIRE(big && a && !big->is_inline);
    uint8_t *w = malloc(d.size);
    REQUIRE(w != NULL);

    // no superblock at all: mount says corrupt (or no filesystem), never formats
    memcpy(w, d.mem, d.size);
    memset(w, 0, 2 * bs);
    {
        struct cairn_ram_bdev ram;
        REQUIRE_EQ(cairn_ram_bdev_init(&ram, w, bs, d.m.block_count, CAIRN_RAM_EXT, 0xFF), 0);
        struct cairn_lfs2_config cfg = cfg_for(&d.m);
        struct lt_fs t;
        REQUIRE_EQ(lt_init(&t, &ram.bd, &cfg), 0);
        int rc = lt_mount(&t, 0);
        CHECK(rc == CAIRN_ECORRUPT || rc == CAIRN_ENODEV);
        CHECK_EQ(w[0], 0); // D19: nothing written
        lt_fini(&t);
    }

    // a CTZ pointer out of range
    memcpy(w, d.mem, d.size);
    lfs2t_put_le32(w + (size_t)big->ctz_head * bs, 0x7FFFFFF0);
    damaged(&d, w, "CTZ pointer out of range", "/sizes/size_100000.bin", NULL);

    // a directory whose struct points outside the device (CRC re-sealed)
    memcpy(w, d.mem, d.size);
    {
        int b = lfs2t_active_block(w, bs, a->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x200, a->id, &start);
        REQUIRE(off > 0);
        lfs2t_put_le32(w + (size_t)b * bs + off, 0x00FFFFF0);
        lfs2t_put_le32(w + (size_t)b * bs + off + 4, 0x00FFFFF1);
        lfs2t_recrc(w, bs, (uint32_t)b, start);
        damaged(&d, w, "directory pointer out of range", NULL, "/a");
    }

    // a directory that points back at the root: a cycle
    memcpy(w, d.mem, d.size);
    {
        int b = lfs2t_active_block(w, bs, a->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x200, a->id, &start);
        REQUIRE(off > 0);
        lfs2t_put_le32(w + (size_t)b * bs + off, r.root[0]);
        lfs2t_put_le32(w + (size_t)b * bs + off + 4, r.root[1]);
        lfs2t_recrc(w, bs, (uint32_t)b, start);
        damaged(&d, w, "directory cycle", NULL, "/a");
    }

    // a file whose size runs past its chain
    memcpy(w, d.mem, d.size);
    {
        int b = lfs2t_active_block(w, bs, big->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x202, big->id, &start);
        REQUIRE(off > 0);
        lfs2t_put_le32(w + (size_t)b * bs + off + 4, 4000000);
        lfs2t_recrc(w, bs, (uint32_t)b, start);
        damaged(&d, w, "CTZ size past the device", "/sizes/size_100000.bin", NULL);
    }
    lfs2check_free(&r);
    free(w);
    dev_free(&d);
}
