/*
 * Helpers shared by the littlefs v2 tests (tests/lfs2/): loading images,
 * comparing an lfs2check result with an interop manifest.
 */
#ifndef CAIRN_TESTS_LFS2UTIL_H
#define CAIRN_TESTS_LFS2UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../common/manifest.h"
#include "lfs2check.h"

/* The interop littlefs v2 images (names without extension). */
extern const char *const lfs2t_images[];
extern const size_t lfs2t_nimages;

/* Read a whole file into malloc'd memory; NULL if it cannot be read. */
uint8_t *lfs2t_load_file(const char *path, size_t *size);
/* Manifest and image of interop image `name` (lfs2/<name>.json/.img); on
 * failure records a test failure, frees what it loaded and returns -1. */
int lfs2t_load_interop(const char *name, struct th_manifest *m, uint8_t **data, size_t *size);

/*
 * Compare a checker result with a manifest: same set of paths, types, sizes,
 * sha256 of every file, mtime_ns (attribute 1) exactly where the manifest has
 * one and none where it has none, mtime seconds. Reports each mismatch
 * through th_fail (at most `max_report`) and returns the number found.
 */
int lfs2t_compare_manifest(const struct lfs2check_result *res, const struct th_manifest *m,
                           int max_report);

/*
 * Compare two trees (paths, types, sizes, contents; mtimes too when
 * `mtimes`). Mismatches are reported with th_fail (at most max_report,
 * prefixed by `what`; 0 = silent); returns their number.
 */
int lfs2t_compare_trees(const struct lfs2check_result *a, const struct lfs2check_result *b,
                        int mtimes, const char *what, int max_report);

/*
 * A model of the expected tree, kept in a struct lfs2check_result (entries
 * sorted by path; directories have is_dir). Free with lfs2check_free.
 */
void lm_init(struct lfs2check_result *m);
void lm_put(struct lfs2check_result *m, const char *path, const void *data, size_t len);
void lm_append(struct lfs2check_result *m, const char *path, const void *data, size_t len);
void lm_mkdir(struct lfs2check_result *m, const char *path);
void lm_remove(struct lfs2check_result *m, const char *path);
/* Rename a file or a whole subtree; replaces `to`. */
void lm_rename(struct lfs2check_result *m, const char *from, const char *to);
/* Deep copy of the tree (paths, types, contents, mtimes). */
void lm_copy(struct lfs2check_result *dst, const struct lfs2check_result *src);

/* ---- patching images (planting damage that passes the CRCs) ---- */
uint32_t lfs2t_le32(const uint8_t *p);
void lfs2t_put_le32(uint8_t *p, uint32_t v);
/* The block of `pair` with the newer revision. */
int lfs2t_active_block(const uint8_t *img, uint32_t bs, const uint32_t pair[2]);
/* Data offset of the last committed tag (type3, id) in block b, or -1;
 * *commit_start = offset where its commit begins. */
int lfs2t_find_tag(const uint8_t *img, uint32_t bs, uint32_t b, uint32_t type3, uint32_t id,
                   uint32_t *commit_start);
/* Recompute the CRC of the commit starting at `start` in block b. */
void lfs2t_recrc(uint8_t *img, uint32_t bs, uint32_t b, uint32_t start);

#endif
