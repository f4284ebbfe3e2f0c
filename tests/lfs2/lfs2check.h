/*
 * lfs2check: an independent, read-only littlefs v2 checker for tests.
 *
 * Written from the on-disk specification (shared/spec/formats.md §1 and
 * littlefs SPEC.md), sharing no code with src/lfs2, so that the driver's
 * images are judged by a second reader. It parses an in-memory image:
 * metadata pairs with full CRC checking (revision choice, XOR tag chain, CRC
 * and FCRC tags), the superblock chain, the directory tree (hardtails), the
 * global list (tails) and gstate, every file's content (inline and CTZ
 * skip-lists, every pointer checked) and user attributes.
 *
 * Structural errors: a pair with no valid commit, dangling or out-of-range
 * pointers, tail cycles, a block used twice, broken skip-list pointers, bad
 * names or name order, missing structs, gstate pointing nowhere, orphans not
 * flagged in gstate, FCRC tags on a 2.0 disk... A CRC mismatch in the commit
 * after the last valid one is NOT an error (a torn commit); it is counted.
 *
 * Host test code: allocates with malloc; free with lfs2check_free.
 */
#ifndef CAIRN_TESTS_LFS2CHECK_H
#define CAIRN_TESTS_LFS2CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Flags for lfs2check_image. */
#define LFS2CHECK_AT_REST 0x1 /* after a clean unmount: a pending move, flagged orphans
                                 or a half-done relocation are errors too */

#define LFS2CHECK_MAX_MSGS 24

/* What a block holds (lfs2check_result.block_use). */
#define LFS2CHECK_USE_FREE 0
#define LFS2CHECK_USE_META 1   /* a metadata pair of the tree or the superblock chain */
#define LFS2CHECK_USE_DATA 2   /* a block of a CTZ file */
#define LFS2CHECK_USE_ORPHAN 3 /* a listed pair no directory references */

struct lfs2check_attr {
    uint8_t type;
    uint16_t len;
    uint8_t *data;
};

struct lfs2check_entry {
    char *path;        /* absolute, "/a/b" */
    int is_dir;
    uint32_t size;     /* files */
    uint8_t *data;     /* files: the whole content (size bytes; NULL when size 0) */
    int is_inline;     /* file stored inline */
    uint32_t ctz_head; /* CTZ files */
    uint32_t blocks;   /* CTZ data blocks */
    uint32_t pair[2];  /* the metadata pair holding the entry; dirs: also dir_pair */
    uint16_t id;
    uint32_t dir_pair[2];
    int has_mtime;     /* user attribute 1 of 8 bytes */
    uint64_t mtime_ns;
    size_t nattrs;
    struct lfs2check_attr *attrs;
};

struct lfs2check_result {
    int errors;          /* structural errors (0 = valid image) */
    int nmsgs;
    char msgs[LFS2CHECK_MAX_MSGS][200];
    /* superblock */
    uint32_t version, block_size, block_count, name_max, file_max, attr_max;
    uint32_t root[2];
    uint32_t superblock_pairs; /* pairs with a superblock entry (1 unless expanded) */
    /* tree (sorted by path bytes; the root "/" is not listed) */
    size_t count;
    struct lfs2check_entry *entries;
    size_t files, dirs;
    /* whole filesystem */
    uint32_t pairs;          /* metadata pairs on the global list */
    uint32_t used_blocks;    /* what MicroPython's statvfs counts (lfs_fs_traverse): 2 per
                                listed pair + CTZ blocks + 2 per directory entry (a dir's
                                first pair is visited twice); f_bfree = block_count - this */
    uint32_t fs_size;        /* lfs_fs_size: 2 per listed pair + CTZ blocks */
    uint32_t tree_blocks;    /* distinct blocks reachable from the tree */
    uint32_t orphans;        /* listed pairs no directory references */
    uint32_t unlisted;       /* tree pairs missing from the global list */
    uint32_t torn;           /* pairs whose log ends in a commit with a bad CRC */
    uint32_t fallbacks;      /* pairs whose newer block had no valid commit */
    uint32_t commits;        /* valid commits in the active blocks */
    uint32_t fcrcs;          /* FCRC tags in valid commits */
    uint32_t gstate[3];      /* XOR of all MOVESTATE deltas: tag, pair[0], pair[1] */
    int pending_move;        /* gstate holds a move (source treated as deleted) */
    uint32_t gstate_orphans; /* orphan count in gstate */
    uint32_t max_rev;        /* highest revision count of an active block */
    uint8_t *block_use;      /* block_count entries: LFS2CHECK_USE_* (NULL if geometry bad) */
};

/* Check an image of block_count blocks of block_size bytes. Fills *res
 * (always; free it with lfs2check_free) and returns res->errors: 0 when the
 * image is a valid littlefs v2 filesystem. */
int lfs2check_image(const uint8_t *img, uint32_t block_size, uint32_t block_count,
                    uint32_t flags, struct lfs2check_result *res);
void lfs2check_free(struct lfs2check_result *res);

/* Entry by absolute path, or NULL. */
const struct lfs2check_entry *lfs2check_find(const struct lfs2check_result *res,
                                             const char *path);

/* Print the messages (errors first) to stdout, one line each, prefixed. */
void lfs2check_print(const struct lfs2check_result *res, const char *prefix);

/* The littlefs CRC (init 0xFFFFFFFF, reflected 0xEDB88320, no final xor). */
uint32_t lfs2check_crc(uint32_t crc, const void *data, size_t len);

#endif
