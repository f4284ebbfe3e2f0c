/*
 * Interop manifests (shared/interop/<fs>/<name>.json) and SHA-256, for the
 * FAT and littlefs tests. Host-only test code: it may malloc.
 *
 *   struct th_manifest m;
 *   if (th_manifest_load(th_interop("lfs2/lfs2_bs512_bc512.json"), &m) == 0) {
 *       for (size_t i = 0; i < m.count; i++) { ... m.entries[i].path ... }
 *       th_manifest_free(&m);
 *   }
 *
 * Keys the struct does not carry can be read from the parsed JSON tree
 * (m.root) with th_json_get / th_json_int / th_json_str.
 */
#ifndef CAIRN_TESTS_MANIFEST_H
#define CAIRN_TESTS_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/* A parsed JSON value. Numbers keep an exact int64 when they are integers. */
enum th_json_type {
    TH_JSON_NULL,
    TH_JSON_FALSE,
    TH_JSON_TRUE,
    TH_JSON_NUMBER,
    TH_JSON_STRING,
    TH_JSON_ARRAY,
    TH_JSON_OBJECT,
};

struct th_json {
    enum th_json_type type;
    int is_int;         /* NUMBER: the literal was an integer that fits int64 */
    int64_t ival;       /* NUMBER: exact value when is_int */
    double dval;        /* NUMBER */
    char *str;          /* STRING: UTF-8, NUL-terminated (\u escapes decoded) */
    size_t len;         /* STRING: bytes; ARRAY/OBJECT: number of items */
    struct th_json *items; /* ARRAY/OBJECT: the values */
    char **keys;        /* OBJECT: the keys, parallel to items */
};

/* Parse `len` bytes of JSON into a tree allocated with malloc; NULL on a
 * syntax error (with the byte offset in *err_off when not NULL). */
struct th_json *th_json_parse(const char *text, size_t len, size_t *err_off);
void th_json_free(struct th_json *v);
/* Member by dotted path ("littlefs.read_size", "statvfs.3" for array index),
 * or NULL. */
const struct th_json *th_json_get(const struct th_json *v, const char *dotted);
/* Integer/string at a dotted path, or `dflt` when absent or another type. */
int64_t th_json_int(const struct th_json *v, const char *dotted, int64_t dflt);
const char *th_json_str(const struct th_json *v, const char *dotted, const char *dflt);

struct th_manifest_entry {
    char *path;   /* absolute, UTF-8 */
    int is_dir;
    uint64_t size;     /* files */
    char sha256[65];   /* files: lowercase hex; "" for dirs */
    int has_mtime;
    int64_t mtime;     /* seconds since 1970 */
    int has_mtime_ns;
    int64_t mtime_ns;  /* littlefs2: the stored attribute */
    char *sfn;         /* FAT 8.3 name as listed (UTF-8), or NULL */
    int has_path_on_disk_unicode;
    char *path_on_disk_unicode; /* FAT non-ASCII names, or NULL */
    int has_content_seed;
    uint32_t content_seed;
};

struct th_manifest {
    struct th_json *root;  /* the whole parsed document */
    const char *name;      /* strings point into root */
    const char *filesystem; /* "fat", "littlefs2", "littlefs1" */
    const char *image_file;
    uint64_t image_size;
    const char *image_sha256;
    uint32_t block_size, block_count; /* geometry */
    int statvfs_count;     /* 0 when absent */
    uint64_t statvfs[10];  /* bsize frsize blocks bfree bavail files ffree favail flag namemax */
    /* littlefs (zero when absent) */
    int has_littlefs;
    uint32_t lfs_disk_version; /* 0x00020001 for "2.1", 0x00010001 for "1.1" */
    uint32_t lfs_read_size, lfs_prog_size, lfs_cache_size, lfs_lookahead_size;
    int32_t lfs_block_cycles;
    uint32_t lfs_name_max, lfs_file_max, lfs_attr_max, lfs_inline_max, lfs_used_blocks;
    int lfs_mtime;         /* the mtime attribute is in use */
    size_t count;          /* entries, in manifest order (sorted by UTF-8 path) */
    struct th_manifest_entry *entries;
    size_t files, dirs;    /* counted from entries */
};

/* Load and parse a manifest. 0, or -1 (message on stderr) if the file can't
 * be read or parsed. On success free with th_manifest_free. */
int th_manifest_load(const char *path, struct th_manifest *m);
void th_manifest_free(struct th_manifest *m);
/* Entry with exactly this path, or NULL. */
const struct th_manifest_entry *th_manifest_find(const struct th_manifest *m, const char *path);

/* SHA-256 of a buffer: raw or as 64 lowercase hex digits + NUL. */
void th_sha256(const void *data, size_t len, uint8_t out[32]);
void th_sha256_hex(const void *data, size_t len, char out[65]);

/* Incremental SHA-256 for content read in pieces. */
struct th_sha256_ctx {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
    size_t fill;
};
void th_sha256_init(struct th_sha256_ctx *c);
void th_sha256_update(struct th_sha256_ctx *c, const void *data, size_t len);
void th_sha256_final(struct th_sha256_ctx *c, uint8_t out[32]);
/* 32 raw bytes -> 64 hex digits + NUL. */
void th_hex(const uint8_t *raw, size_t n, char *out);

/* The interop content generator: xorshift32 from `seed` (0 -> 1), each state
 * emitted as 4 LE bytes, truncated to len. And FNV-1a 32 of a string. */
void th_xorshift_fill(uint32_t seed, void *buf, size_t len);
uint32_t th_fnv1a(const char *s);

#endif
