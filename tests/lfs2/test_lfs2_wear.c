// littlefs v2 wear levelling and bad blocks on the emulated NOR flash: erase
// counts stay even under a long overwrite workload, blocks that wear out or
// fail to program/erase are relocated with the data intact, and read errors
// surface as -EIO.
#include <stdlib.h>

#include "cairn/emu.h"
#include "harness.h"
#include "lfs2/lfs2check.h"
#include "lfs2/lfs2drv.h"
#include "lfs2/lfs2util.h"

struct rig {
    uint32_t bs, bc;
    uint8_t *mem, *scratch;
    uint32_t *wear;
    struct cairn_nor nor;
    struct cairn_fault f;
    struct lt_fs t;
};

static int rig_init(struct rig *r, uint32_t bs, uint32_t bc, uint32_t wear_limit,
                    uint8_t wear_mode, int32_t cycles)
{
    memset(r, 0, sizeof *r);
    r->bs = bs;
    r->bc = bc;
    r->mem = malloc((size_t)bs * bc);
    r->scratch = malloc(bs);
    r->wear = calloc(bc, sizeof *r->wear);
    if (!r->mem || !r->scratch || !r->wear) {
        abort();
    }
    memset(r->mem, 0xFF, (size_t)bs * bc);
    struct cairn_nor_config nc;
    memset(&nc, 0, sizeof nc);
    nc.block_size = bs;
    nc.block_count = bc;
    nc.read_size = 1;
    nc.prog_size = 16;
    nc.wear_limit = wear_limit;
    nc.wear_mode = wear_mode;
    if (cairn_nor_init(&r->nor, &nc, r->mem, r->wear) != 0 ||
        cairn_fault_init(&r->f, &r->nor.bd, r->scratch, bs, 7) != 0) {
        th_fail(__FILE__, __LINE__, "device init");
        return -1;
    }
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.read_size = 16;
    cfg.prog_size = 16;
    cfg.block_cycles = cycles;
    cfg.lookahead_size = 16;
    // silently failing programs are caught only by reading them back
    cfg.prog_verify = wear_mode == CAIRN_NOR_WEAR_STUCK;
    if (lt_init(&r->t, &r->f.bd, &cfg) != 0 || lt_mkfs(&r->t) != 0 || lt_mount(&r->t, 0) != 0) {
        th_fail(__FILE__, __LINE__, "mkfs/mount");
        return -1;
    }
    return 0;
}

static void rig_free(struct rig *r)
{
    lt_fini(&r->t);
    free(r->mem);
    free(r->scratch);
    free(r->wear);
}

static int verify_file(struct lt_fs *t, const char *path, const uint8_t *want, size_t len)
{
    uint8_t *back = NULL;
    size_t n = 0;
    int rc = lt_read_file(t, path, &back, &n);
    int ok = rc == 0 && n == len && (len == 0 || memcmp(back, want, len) == 0);
    free(back);
    return ok ? 0 : (rc ? rc : -1);
}

TEST(wear_stays_even_under_overwrites)
{
    struct rig r;
    if (rig_init(&r, 512, 128, 0, CAIRN_NOR_WEAR_ERROR, 20) != 0) {
        rig_free(&r);
        return;
    }
    // some static data that is never rewritten, and three files that always are
    uint8_t buf[4096];
    lt_fill(buf, 3000, 1);
    CHECK_EQ(lt_write_file(&r.t, "/static.bin", buf, 3000, 0), 0);
    CHECK_EQ(r.t.ops->mkdir(r.t.fs, "/d"), 0);
    // where /d's pair starts: with block_cycles it must move
    uint32_t d_pair0[2] = {0, 0};
    {
        CHECK_EQ(lt_umount(&r.t), 0);
        struct lfs2check_result c0;
        REQUIRE_EQ(lfs2check_image(r.mem, r.bs, r.bc, LFS2CHECK_AT_REST, &c0), 0);
        const struct lfs2check_entry *de = lfs2check_find(&c0, "/d");
        REQUIRE(de != NULL);
        d_pair0[0] = de->dir_pair[0];
        d_pair0[1] = de->dir_pair[1];
        lfs2check_free(&c0);
        lt_reinit(&r.t);
        REQUIRE_EQ(lt_mount(&r.t, 0), 0);
    }
    int rounds = th_long() ? 20000 : 3000;
    int failed = 0;
    for (int i = 0; i < rounds && !failed; i++) {
        char p[32];
        snprintf(p, sizeof p, (i % 3 == 2) ? "/d/hot%d" : "/hot%d", i % 3);
        size_t len = 40 + (size_t)(i * 131) % 1800;
        lt_fill(buf, len, (uint32_t)i);
        int rc = lt_write_file(&r.t, p, buf, len, 0);
        if (rc != 0) {
            th_fail(__FILE__, __LINE__, "overwrite %d of %s: %d", i, p, rc);
            failed = 1;
        }
    }
    CHECK_EQ(lt_umount(&r.t), 0);
    struct lfs2check_result ck;
    int e = lfs2check_image(r.mem, r.bs, r.bc, LFS2CHECK_AT_REST, &ck);
    if (e) {
        lfs2check_print(&ck, "after overwrites");
    }
    CHECK_EQ(e, 0);
    // the static file's blocks never move: judge the blocks the workload can use
    uint8_t *is_static = calloc(r.bc, 1);
    REQUIRE(is_static != NULL);
    const struct lfs2check_entry *st = lfs2check_find(&ck, "/static.bin");
    if (st && !st->is_inline) {
        uint32_t b = st->ctz_head;
        for (uint32_t k = 0; k < st->blocks && b < r.bc; k++) {
            is_static[b] = 1;
            const uint8_t *p = r.mem + (size_t)b * r.bs;
            b = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                ((uint32_t)p[3] << 24);
        }
    }
    uint64_t total = 0;
    uint32_t max = 0, min = UINT32_MAX, n = 0;
    for (uint32_t b = 0; b < r.bc; b++) {
        if (is_static[b]) {
            continue;
        }
        uint32_t w = r.wear[b];
        total += w;
        n++;
        if (w > max) {
            max = w;
        }
        if (w < min) {
            min = w;
        }
    }
    free(is_static);
    double mean = (double)total / n;
    struct cairn_nor_wear ws;
    CHECK_EQ(cairn_nor_wear_stats(&r.nor, &ws), 0);
    CHECK(ws.max >= max);
    printf("lfs2 wear: %d overwrites, %llu erases on %u blocks: max %u, mean %.1f, min %u "
           "(blocks 0/1: %u/%u)\n",
           rounds, (unsigned long long)total, n, max, mean, min, r.wear[0], r.wear[1]);
    CHECK(mean > 5);
    const struct lfs2check_entry *dnow = lfs2check_find(&ck, "/d");
    if (dnow) {
        // relocated at least one half (block_cycles 20, hundreds of compactions)
        CHECK(!(dnow->dir_pair[0] == d_pair0[0] && dnow->dir_pair[1] == d_pair0[1]) &&
              !(dnow->dir_pair[0] == d_pair0[1] && dnow->dir_pair[1] == d_pair0[0]));
        printf("lfs2 wear: /d moved from {%u,%u} to {%u,%u}\n", d_pair0[0], d_pair0[1],
               dnow->dir_pair[0], dnow->dir_pair[1]);
    }
    // dynamic wear levelling: no block far above the average. The root
    // directory starts in the superblock pair {0,1}, which cannot move: the
    // reference expands the superblock (moves the root out to a new pair) when
    // that pair is due for relocation, so {0,1} must not stay the hot spot.
    CHECK(max <= 2 * mean);
    CHECK(r.wear[0] <= 2 * mean && r.wear[1] <= 2 * mean);
    CHECK(ck.superblock_pairs >= 2);
    lfs2check_free(&ck);
    rig_free(&r);
}

// Overwrite until the flash is worn out: every overwrite that succeeded is
// readable, the volume stays valid, and the end is a clean error.
static void wear_out(uint8_t wear_mode, const char *dir, const char *name)
{
    struct rig r;
    if (rig_init(&r, 512, 64, 30, wear_mode, 10) != 0) {
        rig_free(&r);
        return;
    }
    if (dir[1] && r.t.ops->mkdir(r.t.fs, dir) != 0) {
        th_fail(__FILE__, __LINE__, "mkdir %s", dir);
    }
    static uint8_t last[3][2048];
    size_t lastlen[3] = {0, 0, 0};
    int have[3] = {0, 0, 0};
    uint8_t buf[2048];
    int i, rc = 0;
    for (i = 0; i < 100000; i++) {
        int k = i % 3;
        char p[32];
        snprintf(p, sizeof p, "%s/w%d", dir[1] ? dir : "", k);
        size_t len = 20 + (size_t)(i * 97) % 1500;
        lt_fill(buf, len, (uint32_t)i);
        rc = lt_write_file(&r.t, p, buf, len, 0);
        if (rc != 0) {
            break;
        }
        memcpy(last[k], buf, len);
        lastlen[k] = len;
        have[k] = 1;
        if (i % 50 == 0) {
            for (int j = 0; j < 3; j++) {
                snprintf(p, sizeof p, "%s/w%d", dir[1] ? dir : "", j);
                if (have[j] && verify_file(&r.t, p, last[j], lastlen[j]) != 0) {
                    th_fail(__FILE__, __LINE__, "%s: %s lost after %d overwrites", name, p, i);
                    i = 100000;
                }
            }
        }
    }
    uint32_t worn = 0;
    char list[64] = "";
    for (uint32_t b = 0; b < r.bc; b++) {
        if (r.wear[b] >= 30) {
            worn++;
            if (strlen(list) < 40) {
                snprintf(list + strlen(list), sizeof list - strlen(list), " %u", b);
            }
        }
    }
    printf("lfs2 wear-out (%s, files in %s): %d overwrites before error %d, %u of %u blocks "
           "worn out:%s\n",
           name, dir, i, rc, worn, r.bc, list);
    CHECK(rc == CAIRN_ENOSPC || rc == CAIRN_EIO || rc == CAIRN_ECORRUPT);
    // with wear levelling the device survives many times one block's life,
    // and it ends when much of it is worn, not at the first worn block
    CHECK(i > 30 * 8);
    CHECK(worn >= r.bc / 4);
    lt_reinit(&r.t);
    int mrc = lt_mount(&r.t, CAIRN_MOUNT_RDONLY);
    CHECK_EQ(mrc, 0);
    if (mrc == 0) {
        for (int j = 0; j < 3; j++) {
            char p[32];
            snprintf(p, sizeof p, "%s/w%d", dir[1] ? dir : "", j);
            // the file holds the last successful write (or, for the one that
            // failed, possibly nothing newer)
            if (have[j]) {
                CHECK_EQ(verify_file(&r.t, p, last[j], lastlen[j]), 0);
            }
        }
        lt_umount(&r.t);
    }
    struct lfs2check_result ck;
    int e = lfs2check_image(r.mem, r.bs, r.bc, 0, &ck);
    if (e) {
        lfs2check_print(&ck, name);
    }
    CHECK_EQ(e, 0);
    lfs2check_free(&ck);
    rig_free(&r);
}

TEST(worn_out_blocks_fail_with_errors_and_are_relocated)
{
    wear_out(CAIRN_NOR_WEAR_ERROR, "/sub", "erase/program errors");
}

TEST(worn_out_blocks_that_silently_keep_data_are_detected)
{
    wear_out(CAIRN_NOR_WEAR_STUCK, "/sub", "silent no-op writes");
}

TEST(wear_out_with_a_hot_root_directory)
{
    // the root starts in the superblock pair: it must move out before {0,1}
    // wears out, or the device dies at its first worn block
    wear_out(CAIRN_NOR_WEAR_ERROR, "/", "erase/program errors");
}

TEST(bad_blocks_are_relocated_and_data_survives)
{
    struct rig r;
    if (rig_init(&r, 512, 96, 0, CAIRN_NOR_WEAR_ERROR, 100) != 0) {
        rig_free(&r);
        return;
    }
    struct lfs2check_result model;
    lm_init(&model);
    uint8_t buf[3000];
    CHECK_EQ(r.t.ops->mkdir(r.t.fs, "/sub"), 0);
    lm_mkdir(&model, "/sub");
    for (int i = 0; i < 4; i++) {
        char p[32];
        snprintf(p, sizeof p, "/sub/f%d", i);
        lt_fill(buf, 100 + (size_t)i * 500, (uint32_t)i);
        CHECK_EQ(lt_write_file(&r.t, p, buf, 100 + (size_t)i * 500, 0), 0);
        lm_put(&model, p, buf, 100 + (size_t)i * 500);
    }
    CHECK_EQ(lt_umount(&r.t), 0);
    struct lfs2check_result ck;
    REQUIRE_EQ(lfs2check_image(r.mem, r.bs, r.bc, LFS2CHECK_AT_REST, &ck), 0);
    const struct lfs2check_entry *sub = lfs2check_find(&ck, "/sub");
    REQUIRE(sub != NULL);
    // the subdirectory's pair goes bad, and so do the next free blocks
    uint32_t marked[CAIRN_FAULT_MAX_MARKS];
    uint32_t nm = 0;
    marked[nm++] = sub->dir_pair[0];
    marked[nm++] = sub->dir_pair[1];
    for (uint32_t b = 2; b < r.bc && nm < 12; b++) {
        if (ck.block_use[b] == LFS2CHECK_USE_FREE && (b % 3) == 0) {
            marked[nm++] = b;
        }
    }
    lfs2check_free(&ck);
    for (uint32_t i = 0; i < nm; i++) {
        CHECK_EQ(cairn_fault_set_block(&r.f, marked[i], CAIRN_FAULT_BAD_BLOCK), 0);
    }
    lt_reinit(&r.t);
    REQUIRE_EQ(lt_mount(&r.t, 0), 0);
    // writes into the bad pair's directory and big files that need new blocks
    for (int i = 0; i < 12; i++) {
        char p[32];
        snprintf(p, sizeof p, (i & 1) ? "/sub/n%d" : "/big%d", i);
        size_t len = (i & 1) ? 30 + (size_t)i : 1500 + (size_t)i * 20;
        lt_fill(buf, len, (uint32_t)(100 + i));
        int rc = lt_write_file(&r.t, p, buf, len, 0);
        CHECK_EQ(rc, 0);
        if (rc == 0) {
            lm_put(&model, p, buf, len);
        }
    }
    struct lfs2check_result walk;
    CHECK_EQ(lt_walk(&r.t, &walk), 0);
    CHECK_EQ(lfs2t_compare_trees(&walk, &model, 0, "with bad blocks", 8), 0);
    lfs2check_free(&walk);
    CHECK_EQ(lt_umount(&r.t), 0);
    // nothing of the tree lives on a bad block
    int e = lfs2check_image(r.mem, r.bs, r.bc, LFS2CHECK_AT_REST, &ck);
    if (e) {
        lfs2check_print(&ck, "bad blocks");
    }
    CHECK_EQ(e, 0);
    if (ck.block_use) {
        for (uint32_t i = 0; i < nm; i++) {
            if (ck.block_use[marked[i]] != LFS2CHECK_USE_FREE) {
                th_fail(__FILE__, __LINE__, "bad block %u is still in use (%d)", marked[i],
                        ck.block_use[marked[i]]);
            }
        }
    }
    CHECK_EQ(lfs2t_compare_trees(&ck, &model, 0, "checker with bad blocks", 8), 0);
    lfs2check_free(&ck);
    // and it all reads back after a remount
    lt_reinit(&r.t);
    REQUIRE_EQ(lt_mount(&r.t, 0), 0);
    CHECK_EQ(lt_walk(&r.t, &walk), 0);
    CHECK_EQ(lfs2t_compare_trees(&walk, &model, 0, "after remount", 8), 0);
    lfs2check_free(&walk);
    lt_umount(&r.t);
    lfs2check_free(&model);
    rig_free(&r);
}

TEST(read_errors_surface_as_eio)
{
    struct rig r;
    if (rig_init(&r, 512, 64, 0, CAIRN_NOR_WEAR_ERROR, 100) != 0) {
        rig_free(&r);
        return;
    }
    uint8_t buf[2000];
    lt_fill(buf, sizeof buf, 5);
    CHECK_EQ(r.t.ops->mkdir(r.t.fs, "/dir"), 0);
    CHECK_EQ(lt_write_file(&r.t, "/big.bin", buf, sizeof buf, 0), 0);
    CHECK_EQ(lt_write_file(&r.t, "/other.bin", buf, 900, 0), 0);
    CHECK_EQ(lt_write_file(&r.t, "/dir/small", buf, 10, 0), 0);
    CHECK_EQ(lt_umount(&r.t), 0);
    struct lfs2check_result ck;
    REQUIRE_EQ(lfs2check_image(r.mem, r.bs, r.bc, LFS2CHECK_AT_REST, &ck), 0);
    const struct lfs2check_entry *big = lfs2check_find(&ck, "/big.bin");
    const struct lfs2check_entry *dir = lfs2check_find(&ck, "/dir");
    REQUIRE(big != NULL && dir != NULL && !big->is_inline);
    uint32_t head = big->ctz_head;
    uint32_t dp[2] = {dir->dir_pair[0], dir->dir_pair[1]};
    lfs2check_free(&ck);

    // a data block of one file: that file's read fails with EIO, others read
    CHECK_EQ(cairn_fault_set_block(&r.f, head, CAIRN_FAULT_READ_ERROR), 0);
    lt_reinit(&r.t);
    REQUIRE_EQ(lt_mount(&r.t, CAIRN_MOUNT_RDONLY), 0);
    uint8_t *back = NULL;
    size_t len = 0;
    CHECK_EQ(lt_read_file(&r.t, "/big.bin", &back, &len), CAIRN_EIO);
    free(back);
    CHECK_EQ(verify_file(&r.t, "/other.bin", buf, 900), 0);
    CHECK_EQ(verify_file(&r.t, "/dir/small", buf, 10), 0);
    CHECK_EQ(lt_umount(&r.t), 0);
    CHECK_EQ(cairn_fault_set_block(&r.f, head, 0), 0);

    // both blocks of a directory's pair: the reference's mount reads every
    // pair of the global list (gstate), so it fails with EIO; a driver that
    // mounts anyway must fail the lookups inside that directory with EIO
    CHECK_EQ(cairn_fault_set_block(&r.f, dp[0], CAIRN_FAULT_READ_ERROR), 0);
    CHECK_EQ(cairn_fault_set_block(&r.f, dp[1], CAIRN_FAULT_READ_ERROR), 0);
    lt_reinit(&r.t);
    int mrc = lt_mount(&r.t, CAIRN_MOUNT_RDONLY);
    if (mrc == 0) {
        struct cairn_stat st;
        CHECK_EQ(r.t.ops->stat(r.t.fs, "/dir/small", &st), CAIRN_EIO);
        CHECK_EQ(r.t.ops->opendir(r.t.fs, r.t.dir, "/dir"), CAIRN_EIO);
        CHECK_EQ(verify_file(&r.t, "/other.bin", buf, 900), 0);
        CHECK_EQ(lt_umount(&r.t), 0);
    } else {
        CHECK_EQ(mrc, CAIRN_EIO);
    }
    CHECK_EQ(cairn_fault_set_block(&r.f, dp[0], 0), 0);
    CHECK_EQ(cairn_fault_set_block(&r.f, dp[1], 0), 0);

    // the superblock pair: mount fails with EIO
    CHECK_EQ(cairn_fault_set_block(&r.f, 0, CAIRN_FAULT_READ_ERROR), 0);
    CHECK_EQ(cairn_fault_set_block(&r.f, 1, CAIRN_FAULT_READ_ERROR), 0);
    lt_reinit(&r.t);
    CHECK_EQ(lt_mount(&r.t, 0), CAIRN_EIO);
    CHECK_EQ(cairn_fault_set_block(&r.f, 0, 0), 0);
    CHECK_EQ(cairn_fault_set_block(&r.f, 1, 0), 0);
    lt_reinit(&r.t);
    CHECK_EQ(lt_mount(&r.t, 0), 0);
    lt_umount(&r.t);
    rig_free(&r);
}
