// SHA-256 vectors, the JSON parser and loading the interop manifests.
#include "common/manifest.h"
#include "harness.h"

#include <stdlib.h>

TEST(sha256_known_vectors)
{
    char hex[65];
    th_sha256_hex("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    th_sha256_hex("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; // 448 bits
    th_sha256_hex(two, strlen(two), hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // one million 'a' (FIPS 180-2 appendix B.3)
    size_t n = 1000000;
    char *a = malloc(n);
    REQUIRE(a != NULL);
    memset(a, 'a', n);
    th_sha256_hex(a, n, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    // the same in uneven pieces through the incremental API
    struct th_sha256_ctx c;
    uint8_t raw[32];
    th_sha256_init(&c);
    size_t off = 0, step = 1;
    while (off < n) {
        size_t k = step < n - off ? step : n - off;
        th_sha256_update(&c, a + off, k);
        off += k;
        step = step * 3 + 1;
        if (step > 5000) {
            step = 7;
        }
    }
    th_sha256_final(&c, raw);
    th_hex(raw, 32, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

TEST(sha256_padding_boundaries)
{
    // 55/56/63/64 bytes straddle the length field: compare one-shot vs bytewise
    uint8_t buf[130];
    for (int i = 0; i < 130; i++) {
        buf[i] = (uint8_t)(i * 7 + 1);
    }
    size_t lens[] = {55, 56, 57, 63, 64, 65, 119, 120, 128, 130};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t a[32], b[32];
        struct th_sha256_ctx c;
        th_sha256(buf, lens[i], a);
        th_sha256_init(&c);
        for (size_t j = 0; j < lens[i]; j++) {
            th_sha256_update(&c, buf + j, 1);
        }
        th_sha256_final(&c, b);
        CHECK_MEM(a, b, 32);
    }
    char hex[65];
    // 64 'a's: known value
    memset(buf, 'a', 64);
    th_sha256_hex(buf, 64, hex);
    CHECK_STR(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(json_parse_values)
{
    const char *t = "{\"a\": [1, -2, 3.5, true, false, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\\\"\","
                    " \"big\": 1735689602750000000, \"o\": {\"k\": {\"z\": \"deep\"}}, \"e\": [], \"eo\": {}}";
    struct th_json *v = th_json_parse(t, strlen(t), NULL);
    REQUIRE(v != NULL);
    CHECK_EQ(v->type, TH_JSON_OBJECT);
    CHECK_EQ(th_json_int(v, "a.0", 0), 1);
    CHECK_EQ(th_json_int(v, "a.1", 0), -2);
    const struct th_json *f = th_json_get(v, "a.2");
    REQUIRE(f != NULL);
    CHECK(!f->is_int);
    CHECK(f->dval == 3.5);
    CHECK_EQ(th_json_get(v, "a.3")->type, TH_JSON_TRUE);
    CHECK_EQ(th_json_get(v, "a.4")->type, TH_JSON_FALSE);
    CHECK_EQ(th_json_get(v, "a.5")->type, TH_JSON_NULL);
    CHECK(th_json_get(v, "a.6") == NULL);
    CHECK_STR(th_json_str(v, "s", NULL), "x\xc3\xa9\xf0\x9f\x98\x80\n\"");
    CHECK_EQ(th_json_get(v, "s")->len, 9);
    CHECK_EQ(th_json_int(v, "big", 0), 1735689602750000000LL);
    CHECK_STR(th_json_str(v, "o.k.z", NULL), "deep");
    CHECK(th_json_str(v, "o.k.q", NULL) == NULL);
    CHECK_EQ(th_json_get(v, "e")->len, 0);
    CHECK_EQ(th_json_get(v, "eo")->type, TH_JSON_OBJECT);
    CHECK_EQ(th_json_int(v, "missing", 42), 42);
    th_json_free(v);
}

TEST(json_rejects_malformed)
{
    const char *bad[] = {"", "{", "[1,", "{\"a\" 1}", "{\"a\":}", "\"abc", "[1 2]", "tru",
                         "{\"a\":1}x", "\"\\q\"", "\"\\u12\"", "-", "[01x]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct th_json *v = th_json_parse(bad[i], strlen(bad[i]), NULL);
        if (v != NULL) {
            th_fail(__FILE__, __LINE__, "accepted malformed JSON: %s", bad[i]);
            th_json_free(v);
        }
    }
    // nesting deeper than the limit is refused, not a stack overflow
    char deep[300];
    memset(deep, '[', sizeof deep);
    CHECK(th_json_parse(deep, sizeof deep, NULL) == NULL);
}

TEST(xorshift_and_fnv)
{
    // FNV-1a 32 test vectors
    CHECK_EQ(th_fnv1a(""), 0x811C9DC5u);
    CHECK_EQ(th_fnv1a("a"), 0xE40C292Cu);
    CHECK_EQ(th_fnv1a("foobar"), 0xBF9CF968u);
    uint8_t b[6];
    th_xorshift_fill(1, b, 6);
    // x=1: 1^(1<<13)=0x2001; ^>>17 =0x2001; ^<<5 = 0x2001^0x40020 = 0x42021
    CHECK_EQ(b[0], 0x21);
    CHECK_EQ(b[1], 0x20);
    CHECK_EQ(b[2], 0x04);
    CHECK_EQ(b[3], 0x00);
    uint8_t z[4];
    th_xorshift_fill(0, z, 4); // seed 0 behaves as 1
    CHECK_MEM(z, b, 4);
}

TEST(load_lfs2_manifest)
{
    struct th_manifest m;
    REQUIRE_EQ(th_manifest_load(th_interop("lfs2/lfs2_bs512_bc512.json"), &m), 0);
    CHECK_STR(m.filesystem, "littlefs2");
    CHECK_STR(m.name, "lfs2_bs512_bc512");
    CHECK_EQ(m.block_size, 512);
    CHECK_EQ(m.block_count, 512);
    CHECK_EQ(m.image_size, 262144);
    CHECK_EQ(m.statvfs_count, 10);
    CHECK_EQ(m.statvfs[0], 512);
    CHECK_EQ(m.statvfs[3], 219);
    CHECK_EQ(m.statvfs[9], 255);
    CHECK(m.has_littlefs);
    CHECK_EQ(m.lfs_disk_version, 0x00020001);
    CHECK_EQ(m.lfs_read_size, 32);
    CHECK_EQ(m.lfs_prog_size, 32);
    CHECK_EQ(m.lfs_cache_size, 128);
    CHECK_EQ(m.lfs_block_cycles, 100);
    CHECK_EQ(m.lfs_inline_max, 64);
    CHECK(m.lfs_mtime);
    CHECK_EQ(m.files, 26);
    CHECK_EQ(m.dirs, 11);
    CHECK_EQ(m.count, 37);
    CHECK_EQ(th_json_int(m.root, "entry_count.files", -1), 26);
    const struct th_manifest_entry *e = th_manifest_find(&m, "/caf\xc3\xa9.txt");
    REQUIRE(e != NULL);
    CHECK(!e->is_dir);
    CHECK_EQ(e->size, 42);
    CHECK_STR(e->sha256, "982c34c6531c3bc89b0a19294a7a2fd042e9531e58d3311dd1b7c0bc0ca7ded6");
    CHECK(e->has_mtime_ns);
    CHECK_EQ(e->mtime_ns, 1735689604250000000LL);
    CHECK_EQ(e->mtime, 1735689604);
    CHECK(e->has_content_seed);
    CHECK_EQ(e->content_seed, 1086277882u);
    CHECK(e->sfn == NULL);
    // the generator reproduces seeded files
    uint8_t buf[64];
    char hex[65];
    th_xorshift_fill(e->content_seed, buf, (size_t)e->size);
    th_sha256_hex(buf, (size_t)e->size, hex);
    CHECK_STR(hex, e->sha256);
    e = th_manifest_find(&m, "/a/b/c/d");
    REQUIRE(e != NULL);
    CHECK(e->is_dir);
    CHECK(!e->has_mtime);
    CHECK(th_manifest_find(&m, "/nope") == NULL);
    // entries are sorted by UTF-8 bytes
    for (size_t i = 1; i < m.count; i++) {
        CHECK(strcmp(m.entries[i - 1].path, m.entries[i].path) < 0);
    }
    th_manifest_free(&m);
}

TEST(load_fat_manifest)
{
    struct th_manifest m;
    REQUIRE_EQ(th_manifest_load(th_interop("fat/fat12_1440k.json"), &m), 0);
    CHECK_STR(m.filesystem, "fat");
    CHECK_EQ(m.block_count, 2880);
    CHECK_EQ(th_json_int(m.root, "geometry.sector_size", 0), 512);
    CHECK_STR(th_json_str(m.root, "fat.fat_type", ""), "FAT12");
    CHECK(!m.has_littlefs);
    CHECK_EQ(m.files, 325);
    CHECK_EQ(m.dirs, 12);
    const struct th_manifest_entry *e = th_manifest_find(&m, "/caf\xc3\xa9.txt");
    REQUIRE(e != NULL);
    REQUIRE(e->sfn != NULL);
    CHECK_STR(e->sfn, "CAF\xe2\x94\x9c\xe2\x8c\x90.TXT");
    CHECK(e->has_path_on_disk_unicode);
    CHECK_STR(e->path_on_disk_unicode, "/caf\xe2\x94\x9c\xe2\x8c\x90.txt");
    CHECK(e->has_mtime);
    CHECK_EQ(e->mtime, 1514764800);
    CHECK(!e->has_mtime_ns);
    th_manifest_free(&m);
}

TEST(load_every_manifest)
{
    // each manifest parses and its counts agree with entry_count
    const char *names[] = {"lfs2/lfs2_bs4096_bc128.json", "lfs2/lfs2_bs4096_bc512.json",
                           "lfs2/lfs2_bs512_bc1024_nomtime.json", "lfs2/lfs2_bs512_bc512.json",
                           "lfs1/lfs1_bs512_bc1024.json", "fat/fat12_160k.json",
                           "fat/fat12_1440k.json", "fat/fat16_16m.json", "fat/fat16_64m.json",
                           "fat/fat32_64m.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct th_manifest m;
        if (th_manifest_load(th_interop(names[i]), &m) != 0) {
            th_fail(__FILE__, __LINE__, "cannot load %s", names[i]);
            continue;
        }
        CHECK_EQ((int64_t)m.files, th_json_int(m.root, "entry_count.files", -1));
        CHECK_EQ((int64_t)m.dirs, th_json_int(m.root, "entry_count.dirs", -1));
        CHECK(m.block_size > 0 && m.block_count > 0);
        CHECK_EQ((uint64_t)m.block_size * m.block_count, m.image_size);
        for (size_t j = 0; j < m.count; j++) {
            CHECK(m.entries[j].is_dir || strlen(m.entries[j].sha256) == 64);
        }
        th_manifest_free(&m);
    }
}
