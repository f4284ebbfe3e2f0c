// The independent littlefs checker (lfs2check) against the reference images:
// it must read every interop image exactly as its manifest lists it, and it
// must catch damage planted into those images.
#include <stdlib.h>

#include "harness.h"
#include "lfs2/lfs2check.h"
#include "lfs2/lfs2util.h"

struct img {
    struct th_manifest m;
    uint8_t *data;
    size_t size;
};

static int load(const char *name, struct img *im)
{
    return lfs2t_load_interop(name, &im->m, &im->data, &im->size);
}

static void unload(struct img *im)
{
    free(im->data);
    th_manifest_free(&im->m);
}

TEST(checker_reads_every_interop_image_exactly)
{
    for (size_t i = 0; i < lfs2t_nimages; i++) {
        struct img im;
        if (load(lfs2t_images[i], &im) != 0) {
            continue;
        }
        char hex[65];
        th_sha256_hex(im.data, im.size, hex);
        CHECK_STR(hex, im.m.image_sha256);
        CHECK_EQ(im.size, (uint64_t)im.m.block_size * im.m.block_count);
        struct lfs2check_result r;
        int errs = lfs2check_image(im.data, im.m.block_size, im.m.block_count,
                                   LFS2CHECK_AT_REST, &r);
        if (errs) {
            lfs2check_print(&r, lfs2t_images[i]);
        }
        CHECK_EQ(errs, 0);
        CHECK_EQ(r.version, im.m.lfs_disk_version);
        CHECK_EQ(r.block_size, im.m.block_size);
        CHECK_EQ(r.block_count, im.m.block_count);
        CHECK_EQ(r.name_max, im.m.lfs_name_max);
        CHECK_EQ(r.file_max, im.m.lfs_file_max);
        CHECK_EQ(r.attr_max, im.m.lfs_attr_max);
        CHECK_EQ(r.files, im.m.files);
        CHECK_EQ(r.dirs, im.m.dirs);
        CHECK_EQ(r.count, im.m.count);
        // blocks in use as littlefs counts them, and statvfs' free count
        CHECK_EQ(r.used_blocks, im.m.lfs_used_blocks);
        CHECK_EQ(im.m.block_count - r.used_blocks, im.m.statvfs[3]);
        CHECK_EQ(r.orphans, 0);
        CHECK(!r.pending_move);
        CHECK(r.fcrcs > 0); // 2.1 writers emit FCRCs
        CHECK_EQ(lfs2t_compare_manifest(&r, &im.m, 10), 0);
        // inline iff size <= inline_max (reference writer behaviour)
        for (size_t k = 0; k < r.count; k++) {
            const struct lfs2check_entry *e = &r.entries[k];
            if (!e->is_dir) {
                CHECK_EQ(e->is_inline, e->size <= im.m.lfs_inline_max);
            }
        }
        printf("lfs2check %s: %zu files, %zu dirs, %u pairs, %u used blocks, %u commits, "
               "%u superblock pairs, max rev %u\n",
               lfs2t_images[i], r.files, r.dirs, r.pairs, r.used_blocks, r.commits,
               r.superblock_pairs, r.max_rev);
        lfs2check_free(&r);
        unload(&im);
    }
}

/* ---- planting damage -------------------------------------------------- */

static int check_errors(const struct img *im, uint8_t *data, uint32_t flags)
{
    struct lfs2check_result r;
    int e = lfs2check_image(data, im->m.block_size, im->m.block_count, flags, &r);
    lfs2check_free(&r);
    return e;
}

TEST(checker_catches_planted_damage)
{
    struct img im;
    if (load("lfs2_bs512_bc512", &im) != 0) {
        return;
    }
    uint32_t bs = im.m.block_size;
    uint8_t *w = malloc(im.size);
    REQUIRE(w != NULL);
    struct lfs2check_result r;
    REQUIRE_EQ(lfs2check_image(im.data, bs, im.m.block_count, 0, &r), 0);
    const struct lfs2check_entry *big = lfs2check_find(&r, "/sizes/size_100000.bin");
    const struct lfs2check_entry *mid = lfs2check_find(&r, "/sizes/size_4096.bin");
    const struct lfs2check_entry *dir = lfs2check_find(&r, "/a");
    const struct lfs2check_entry *s1 = lfs2check_find(&r, "/sizes/size_1.bin");
    REQUIRE(big && mid && dir && s1);
    REQUIRE(!big->is_inline && big->blocks > 4);

    // 1. both superblock blocks erased: no filesystem
    memcpy(w, im.data, im.size);
    memset(w, 0xFF, 2 * bs);
    CHECK(check_errors(&im, w, 0) > 0);

    // 2. a skip pointer (k = 1) of the head block of a CTZ file points elsewhere
    memcpy(w, im.data, im.size);
    uint32_t head_index = big->blocks - 1;
    uint32_t k1 = (head_index & 1) ? 0 : 1; // odd indexes have only pointer 0
    if (k1 == 0) {
        // use the block before the head: an even index has a skip pointer
        uint32_t prev = lfs2t_le32(w + (size_t)big->ctz_head * bs);
        lfs2t_put_le32(w + (size_t)prev * bs + 4, lfs2t_le32(w + (size_t)prev * bs + 4) ^ 1);
    } else {
        lfs2t_put_le32(w + (size_t)big->ctz_head * bs + 4, lfs2t_le32(w + (size_t)big->ctz_head * bs + 4) ^ 1);
    }
    CHECK(check_errors(&im, w, 0) > 0);

    // 3. pointer 0 of the head goes out of range
    memcpy(w, im.data, im.size);
    lfs2t_put_le32(w + (size_t)big->ctz_head * bs, 0x7FFFFFF0);
    CHECK(check_errors(&im, w, 0) > 0);

    // 4. two files share blocks: point size_4096's CTZ head at size_100000's head
    //    with a size that needs as many blocks as size_4096 has (re-CRC'd commit)
    memcpy(w, im.data, im.size);
    {
        int b = lfs2t_active_block(w, bs, mid->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x202, mid->id, &start);
        REQUIRE(off > 0);
        lfs2t_put_le32(w + (size_t)b * bs + off, big->ctz_head);
        lfs2t_recrc(w, bs, (uint32_t)b, start);
        struct lfs2check_result r2;
        int e = lfs2check_image(w, bs, im.m.block_count, 0, &r2);
        CHECK(e > 0);
        int saw_twice = 0;
        for (int i = 0; i < r2.nmsgs; i++) {
            saw_twice |= strstr(r2.msgs[i], "used twice") != NULL;
        }
        CHECK(saw_twice);
        lfs2check_free(&r2);
    }

    // 5. a directory pointing at the root pair: a cycle in the tree
    memcpy(w, im.data, im.size);
    {
        int b = lfs2t_active_block(w, bs, dir->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x200, dir->id, &start);
        REQUIRE(off > 0);
        lfs2t_put_le32(w + (size_t)b * bs + off, r.root[0]);
        lfs2t_put_le32(w + (size_t)b * bs + off + 4, r.root[1]);
        lfs2t_recrc(w, bs, (uint32_t)b, start);
        CHECK(check_errors(&im, w, 0) > 0);
    }

    // 6. a name that breaks the sort order (size_1.bin -> size_9.bin, same length)
    memcpy(w, im.data, im.size);
    {
        int b = lfs2t_active_block(w, bs, s1->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x001, s1->id, &start);
        REQUIRE(off > 0);
        REQUIRE(memcmp(w + (size_t)b * bs + off, "size_1.bin", 10) == 0);
        w[(size_t)b * bs + off + 5] = '9';
        lfs2t_recrc(w, bs, (uint32_t)b, start);
        CHECK(check_errors(&im, w, 0) > 0);
        // without the re-CRC it is merely a torn commit: the older state is valid
    }

    // 7. the same byte flipped without fixing the CRC: that commit no longer counts.
    //    Not a structural error (it looks like a torn commit) unless it was the
    //    only commit of both blocks.
    memcpy(w, im.data, im.size);
    {
        int b = lfs2t_active_block(w, bs, s1->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x001, s1->id, &start);
        REQUIRE(off > 0);
        w[(size_t)b * bs + off + 5] ^= 0x40;
        struct lfs2check_result r3;
        lfs2check_image(w, bs, im.m.block_count, 0, &r3);
        CHECK(r3.torn > 0 || r3.fallbacks > 0 || r3.errors > 0);
        lfs2check_free(&r3);
    }

    // 8. a file's CTZ size larger than its chain allows is caught (a block repeats
    //    or the walk leaves the disk)
    memcpy(w, im.data, im.size);
    {
        int b = lfs2t_active_block(w, bs, big->pair);
        uint32_t start = 0;
        int off = lfs2t_find_tag(w, bs, (uint32_t)b, 0x202, big->id, &start);
        REQUIRE(off > 0);
        lfs2t_put_le32(w + (size_t)b * bs + off + 4, 4000000);
        lfs2t_recrc(w, bs, (uint32_t)b, start);
        CHECK(check_errors(&im, w, 0) > 0);
    }
    lfs2check_free(&r);
    free(w);
    unload(&im);
}

TEST(checker_survives_random_damage)
{
    // random byte damage must never crash or hang the checker
    struct img im;
    if (load("lfs2_bs512_bc512", &im) != 0) {
        return;
    }
    uint8_t *w = malloc(im.size);
    REQUIRE(w != NULL);
    uint32_t x = 12345;
    int runs = th_long() ? 2000 : 200;
    for (int i = 0; i < runs; i++) {
        memcpy(w, im.data, im.size);
        int flips = 1 + i % 16;
        for (int k = 0; k < flips; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            // bias damage towards the metadata-heavy first blocks
            size_t pos = (i & 1) ? x % (8 * im.m.block_size) : x % im.size;
            w[pos] ^= (uint8_t)(1u << (x >> 29));
        }
        struct lfs2check_result r;
        lfs2check_image(w, im.m.block_size, im.m.block_count, 0, &r);
        lfs2check_free(&r);
    }
    free(w);
    unload(&im);
}

TEST(crc_matches_the_spec)
{
    // lfs_crc(0xFFFFFFFF, data) == zlib crc32(data) ^ 0xFFFFFFFF
    CHECK_EQ(lfs2check_crc(0xFFFFFFFF, "123456789", 9), 0xCBF43926u ^ 0xFFFFFFFFu);
    uint8_t buf[8] = {1, 2, 3, 4};
    uint32_t c = lfs2check_crc(0xFFFFFFFF, buf, 4);
    lfs2t_put_le32(buf + 4, c);
    CHECK_EQ(lfs2check_crc(0xFFFFFFFF, buf, 8), 0);
}

TEST(checker_reads_the_v20_superblock_example)
{
    // formats.md §1.11: 4 x 64-byte blocks, block 0 erased, block 1 holds a
    // littlefs 2.0 superblock commit whose CRC tag pads to the block end
    uint8_t img[4 * 64];
    memset(img, 0xFF, sizeof img);
    memset(img + 3 * 64, 0, 64);
    uint8_t *b = img + 64;
    lfs2t_put_le32(b, 2);
    static const uint8_t t1[4] = {0xF0, 0x0F, 0xFF, 0xF7};
    memcpy(b + 4, t1, 4);
    memcpy(b + 8, "littlefs", 8);
    static const uint8_t t2[4] = {0x2F, 0xE0, 0x00, 0x10};
    memcpy(b + 16, t2, 4);
    lfs2t_put_le32(b + 20, 0x00020000);
    lfs2t_put_le32(b + 24, 64);
    lfs2t_put_le32(b + 28, 4);
    lfs2t_put_le32(b + 32, 255);
    lfs2t_put_le32(b + 36, 0x7FFFFFFF);
    lfs2t_put_le32(b + 40, 1022);
    static const uint8_t t3[4] = {0x70, 0x1F, 0xFC, 0x08};
    memcpy(b + 44, t3, 4);
    lfs2t_put_le32(b + 48, lfs2check_crc(0xFFFFFFFF, b, 48));
    struct lfs2check_result r;
    int e = lfs2check_image(img, 64, 4, LFS2CHECK_AT_REST, &r);
    if (e) {
        lfs2check_print(&r, "v2.0 superblock");
    }
    CHECK_EQ(e, 0);
    CHECK_EQ(r.version, 0x00020000);
    CHECK_EQ(r.block_size, 64);
    CHECK_EQ(r.block_count, 4);
    CHECK_EQ(r.count, 0);
    CHECK_EQ(r.fcrcs, 0);
    CHECK_EQ(r.commits, 1);
    CHECK_EQ(r.root[0], 1);
    lfs2check_free(&r);
    // a wrong CRC leaves no valid commit in either block
    b[48] ^= 1;
    CHECK(lfs2check_image(img, 64, 4, 0, &r) > 0);
    lfs2check_free(&r);
    b[48] ^= 1;
    // the superblock's block size must match the device's
    CHECK(lfs2check_image(img, 64, 4, 0, &r) == 0);
    lfs2check_free(&r);
    lfs2t_put_le32(b + 28, 5);
    lfs2t_put_le32(b + 48, lfs2check_crc(0xFFFFFFFF, b, 48));
    CHECK(lfs2check_image(img, 64, 4, 0, &r) > 0);
    lfs2check_free(&r);
}

TEST(model_helpers_track_a_tree)
{
    // the expected-tree model the driver tests compare against
    struct lfs2check_result m, c;
    lm_init(&m);
    lm_mkdir(&m, "/d");
    lm_put(&m, "/d/a", "xyz", 3);
    lm_put(&m, "/b", "1", 1);
    lm_append(&m, "/b", "23", 2);
    lm_mkdir(&m, "/d/e");
    lm_put(&m, "/d/e/f", "", 0);
    CHECK_EQ(m.count, 5);
    const struct lfs2check_entry *b = lfs2check_find(&m, "/b");
    REQUIRE(b != NULL);
    CHECK_EQ(b->size, 3);
    CHECK_MEM(b->data, "123", 3);
    lm_copy(&c, &m);
    CHECK_EQ(lfs2t_compare_trees(&m, &c, 1, "copy", 5), 0);
    lm_rename(&m, "/d", "/z");
    CHECK(lfs2check_find(&m, "/d/a") == NULL);
    CHECK(lfs2check_find(&m, "/z/a") != NULL);
    CHECK(lfs2check_find(&m, "/z/e/f") != NULL);
    for (size_t i = 1; i < m.count; i++) {
        CHECK(strcmp(m.entries[i - 1].path, m.entries[i].path) < 0);
    }
    CHECK(lfs2t_compare_trees(&m, &c, 0, "renamed", 0) > 0);
    lm_rename(&m, "/b", "/z/a"); // replaces
    CHECK(lfs2check_find(&m, "/b") == NULL);
    CHECK_EQ(lfs2check_find(&m, "/z/a")->size, 3);
    CHECK_MEM(lfs2check_find(&m, "/z/a")->data, "123", 3);
    lm_remove(&m, "/z/e/f");
    lm_remove(&m, "/z/e");
    CHECK_EQ(m.count, 2);
    lfs2check_free(&m);
    lfs2check_free(&c);
}
