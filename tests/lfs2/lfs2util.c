// Helpers shared by the littlefs v2 tests.
#include "lfs2util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"

const char *const lfs2t_images[] = {
    "lfs2_bs512_bc512",
    "lfs2_bs4096_bc128",
    "lfs2_bs4096_bc512",
    "lfs2_bs512_bc1024_nomtime",
};
const size_t lfs2t_nimages = sizeof lfs2t_images / sizeof lfs2t_images[0];

int lfs2t_load_interop(const char *name, struct th_manifest *m, uint8_t **data, size_t *size)
{
    char rel[128];
    snprintf(rel, sizeof rel, "lfs2/%s.json", name);
    if (th_manifest_load(th_interop(rel), m) != 0) {
        th_fail(__FILE__, __LINE__, "cannot load manifest %s", rel);
        return -1;
    }
    snprintf(rel, sizeof rel, "lfs2/%s.img", name);
    *data = lfs2t_load_file(th_interop(rel), size);
    if (*data == NULL) {
        th_fail(__FILE__, __LINE__, "cannot read %s (run scripts/run-tests.sh once)", rel);
        th_manifest_free(m);
        return -1;
    }
    return 0;
}

uint8_t *lfs2t_load_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void lt_report(int *found, int max_report, const char *fmt, const char *path, long long a,
                      long long b)
{
    (*found)++;
    if (*found <= max_report) {
        char msg[600];
        snprintf(msg, sizeof msg, fmt, path, a, b);
        th_fail(__FILE__, __LINE__, "%s", msg);
    }
}

int lfs2t_compare_manifest(const struct lfs2check_result *res, const struct th_manifest *m,
                           int max_report)
{
    int found = 0;
    for (size_t i = 0; i < m->count; i++) {
        const struct th_manifest_entry *me = &m->entries[i];
        const struct lfs2check_entry *e = lfs2check_find(res, me->path);
        if (e == NULL) {
            lt_report(&found, max_report, "%s: missing (%lld/%lld)", me->path, 0, 0);
            continue;
        }
        if (e->is_dir != me->is_dir) {
            lt_report(&found, max_report, "%s: is_dir %lld, manifest %lld", me->path, e->is_dir,
                      me->is_dir);
            continue;
        }
        if (me->is_dir) {
            if (e->has_mtime) {
                lt_report(&found, max_report, "%s: directory with an mtime (%lld/%lld)",
                          me->path, 0, 0);
            }
            continue;
        }
        if (e->size != me->size) {
            lt_report(&found, max_report, "%s: size %lld, manifest %lld", me->path, e->size,
                      (long long)me->size);
            continue;
        }
        char hex[65];
        th_sha256_hex(e->data ? (const void *)e->data : "", e->size, hex);
        if (strcmp(hex, me->sha256) != 0) {
            lt_report(&found, max_report, "%s: sha256 differs (%lld/%lld)", me->path, 0, 0);
        }
        if (me->has_mtime_ns != e->has_mtime) {
            lt_report(&found, max_report, "%s: has mtime %lld, manifest %lld", me->path,
                      e->has_mtime, me->has_mtime_ns);
        } else if (e->has_mtime) {
            if ((int64_t)e->mtime_ns != me->mtime_ns) {
                lt_report(&found, max_report, "%s: mtime_ns %lld, manifest %lld", me->path,
                          (long long)e->mtime_ns, (long long)me->mtime_ns);
            }
            if (me->has_mtime && (int64_t)(e->mtime_ns / 1000000000u) != me->mtime) {
                lt_report(&found, max_report, "%s: mtime %lld s, manifest %lld", me->path,
                          (long long)(e->mtime_ns / 1000000000u), (long long)me->mtime);
            }
        }
    }
    for (size_t i = 0; i < res->count; i++) {
        if (th_manifest_find(m, res->entries[i].path) == NULL) {
            lt_report(&found, max_report, "%s: not in the manifest (%lld/%lld)",
                      res->entries[i].path, 0, 0);
        }
    }
    return found;
}

int lfs2t_compare_trees(const struct lfs2check_result *a, const struct lfs2check_result *b,
                     int mtimes, const char *what, int max_report)
{
    int found = 0;
    size_t i = 0, j = 0;
#define LT_REPORT(...)                                                                      \
    do {                                                                                    \
        if (++found <= max_report) {                                                        \
            char m_[512];                                                                   \
            snprintf(m_, sizeof m_, __VA_ARGS__);                                           \
            th_fail(__FILE__, __LINE__, "%s: %s", what, m_);                                \
        }                                                                                   \
    } while (0)
    while (i < a->count || j < b->count) {
        int c = i >= a->count ? 1 : j >= b->count ? -1 : strcmp(a->entries[i].path, b->entries[j].path);
        if (c < 0) {
            LT_REPORT("%s only in the first tree", a->entries[i].path);
            i++;
            continue;
        }
        if (c > 0) {
            LT_REPORT("%s only in the second tree", b->entries[j].path);
            j++;
            continue;
        }
        const struct lfs2check_entry *x = &a->entries[i++], *y = &b->entries[j++];
        if (x->is_dir != y->is_dir) {
            LT_REPORT("%s: dir %d vs %d", x->path, x->is_dir, y->is_dir);
            continue;
        }
        if (!x->is_dir) {
            if (x->size != y->size) {
                LT_REPORT("%s: size %u vs %u", x->path, x->size, y->size);
            } else if (x->size && memcmp(x->data, y->data, x->size) != 0) {
                LT_REPORT("%s: contents differ", x->path);
            }
        }
        if (mtimes && (x->has_mtime != y->has_mtime ||
                       (x->has_mtime && x->mtime_ns != y->mtime_ns))) {
            LT_REPORT("%s: mtime %d/%llu vs %d/%llu", x->path, x->has_mtime,
                      (unsigned long long)x->mtime_ns, y->has_mtime,
                      (unsigned long long)y->mtime_ns);
        }
    }
#undef LT_REPORT
    return found;
}


/* ---------------------------------------------------------------- model */

static int lm_cmp(const void *a, const void *b)
{
    return strcmp(((const struct lfs2check_entry *)a)->path,
                  ((const struct lfs2check_entry *)b)->path);
}

static void *lm_xalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        abort();
    }
    return p;
}

static char *lm_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = lm_xalloc(n);
    memcpy(d, s, n);
    return d;
}

void lm_init(struct lfs2check_result *m)
{
    memset(m, 0, sizeof *m);
}

static struct lfs2check_entry *lm_find(struct lfs2check_result *m, const char *path)
{
    return (struct lfs2check_entry *)lfs2check_find(m, path);
}

static struct lfs2check_entry *lm_add(struct lfs2check_result *m, const char *path)
{
    m->entries = realloc(m->entries, (m->count + 1) * sizeof *m->entries);
    if (m->entries == NULL) {
        abort();
    }
    // keep the array sorted: shift the tail
    size_t pos = 0;
    while (pos < m->count && strcmp(m->entries[pos].path, path) < 0) {
        pos++;
    }
    memmove(&m->entries[pos + 1], &m->entries[pos], (m->count - pos) * sizeof *m->entries);
    m->count++;
    struct lfs2check_entry *e = &m->entries[pos];
    memset(e, 0, sizeof *e);
    e->path = lm_strdup(path);
    return e;
}

static void lm_free_entry(struct lfs2check_entry *e)
{
    free(e->path);
    free(e->data);
    for (size_t a = 0; a < e->nattrs; a++) {
        free(e->attrs[a].data);
    }
    free(e->attrs);
}

void lm_put(struct lfs2check_result *m, const char *path, const void *data, size_t len)
{
    struct lfs2check_entry *e = lm_find(m, path);
    if (e == NULL) {
        e = lm_add(m, path);
    }
    free(e->data);
    e->data = NULL;
    e->is_dir = 0;
    e->size = (uint32_t)len;
    if (len) {
        e->data = lm_xalloc(len);
        memcpy(e->data, data, len);
    }
}

void lm_append(struct lfs2check_result *m, const char *path, const void *data, size_t len)
{
    struct lfs2check_entry *e = lm_find(m, path);
    if (e == NULL) {
        lm_put(m, path, data, len);
        return;
    }
    uint8_t *n = lm_xalloc(e->size + len);
    if (e->size) {
        memcpy(n, e->data, e->size);
    }
    memcpy(n + e->size, data, len);
    free(e->data);
    e->data = n;
    e->size += (uint32_t)len;
}

void lm_mkdir(struct lfs2check_result *m, const char *path)
{
    if (lm_find(m, path) == NULL) {
        lm_add(m, path)->is_dir = 1;
    }
}

void lm_remove(struct lfs2check_result *m, const char *path)
{
    struct lfs2check_entry *e = lm_find(m, path);
    if (e == NULL) {
        return;
    }
    size_t pos = (size_t)(e - m->entries);
    lm_free_entry(e);
    memmove(&m->entries[pos], &m->entries[pos + 1], (m->count - pos - 1) * sizeof *m->entries);
    m->count--;
}

void lm_rename(struct lfs2check_result *m, const char *from, const char *to)
{
    if (strcmp(from, to) == 0) {
        return;
    }
    lm_remove(m, to);
    size_t fl = strlen(from), tl = strlen(to);
    for (size_t i = 0; i < m->count; i++) {
        char *p = m->entries[i].path;
        if (strncmp(p, from, fl) == 0 && (p[fl] == '\0' || p[fl] == '/')) {
            size_t rest = strlen(p + fl);
            char *n = lm_xalloc(tl + rest + 1);
            memcpy(n, to, tl);
            memcpy(n + tl, p + fl, rest + 1);
            free(p);
            m->entries[i].path = n;
        }
    }
    if (m->count > 1) {
        qsort(m->entries, m->count, sizeof *m->entries, lm_cmp);
    }
}

void lm_copy(struct lfs2check_result *dst, const struct lfs2check_result *src)
{
    lm_init(dst);
    dst->count = src->count;
    dst->entries = lm_xalloc(src->count * sizeof *dst->entries);
    for (size_t i = 0; i < src->count; i++) {
        const struct lfs2check_entry *s = &src->entries[i];
        struct lfs2check_entry *d = &dst->entries[i];
        memset(d, 0, sizeof *d);
        d->path = lm_strdup(s->path);
        d->is_dir = s->is_dir;
        d->size = s->size;
        d->has_mtime = s->has_mtime;
        d->mtime_ns = s->mtime_ns;
        if (s->size && s->data) {
            d->data = lm_xalloc(s->size);
            memcpy(d->data, s->data, s->size);
        }
    }
}

/* ---------------------------------------------------------- image patching */

static uint32_t lu_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint32_t lfs2t_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void lfs2t_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t lu_dsize(uint32_t tag)
{
    return 4 + ((tag & 0x3FF) == 0x3FF ? 0 : (tag & 0x3FF));
}

int lfs2t_active_block(const uint8_t *img, uint32_t bs, const uint32_t pair[2])
{
    uint32_t r0 = lfs2t_le32(img + (size_t)pair[0] * bs), r1 = lfs2t_le32(img + (size_t)pair[1] * bs);
    return ((int32_t)(r1 - r0) > 0) ? (int)pair[1] : (int)pair[0];
}

/*
 * Find the last tag (type3, id) in the valid log of block b; returns the data
 * offset or -1. *commit_start gets the offset where that tag's commit begins.
 */
int lfs2t_find_tag(const uint8_t *img, uint32_t bs, uint32_t b, uint32_t type3, uint32_t id,
                    uint32_t *commit_start)
{
    const uint8_t *blk = img + (size_t)b * bs;
    uint32_t off = 4, ptag = 0xFFFFFFFF, start = 0, crc = lfs2check_crc(0xFFFFFFFF, blk, 4);
    int found = -1, found_pending = -1;
    uint32_t found_start = 0;
    while (off + 4 <= bs) {
        uint32_t tag = lu_be32(blk + off) ^ ptag;
        crc = lfs2check_crc(crc, blk + off, 4);
        if ((tag & 0x80000000u) || off + lu_dsize(tag) > bs) {
            break;
        }
        ptag = tag;
        uint32_t t3 = (tag >> 20) & 0x7FF;
        if ((t3 & 0x780) == 0x500) {
            if (lfs2t_le32(blk + off + 4) != crc) {
                break;
            }
            ptag ^= (t3 & 1u) << 31;
            off += lu_dsize(tag);
            if (found_pending >= 0) {
                found = found_pending;
                *commit_start = found_start;
            }
            found_pending = -1;
            start = off;
            crc = 0xFFFFFFFF;
            continue;
        }
        if (t3 == type3 && ((tag >> 10) & 0x3FF) == id) {
            found_pending = (int)(off + 4);
            found_start = start;
        }
        crc = lfs2check_crc(crc, blk + off + 4, lu_dsize(tag) - 4);
        off += lu_dsize(tag);
    }
    return found;
}

// Recompute the CRC of the commit starting at `start` in block b (after a patch).
void lfs2t_recrc(uint8_t *img, uint32_t bs, uint32_t b, uint32_t start)
{
    uint8_t *blk = img + (size_t)b * bs;
    uint32_t off = start ? start : 4;
    uint32_t crc = start ? 0xFFFFFFFF : lfs2check_crc(0xFFFFFFFF, blk, 4);
    // the tag chain is unchanged by data patches: find ptag by walking from the start
    uint32_t ptag = 0xFFFFFFFF, o = 4;
    while (o < off) {
        uint32_t tag = lu_be32(blk + o) ^ ptag;
        ptag = tag;
        uint32_t t3 = (tag >> 20) & 0x7FF;
        if ((t3 & 0x780) == 0x500) {
            ptag ^= (t3 & 1u) << 31;
        }
        o += lu_dsize(tag);
    }
    while (off + 4 <= bs) {
        uint32_t tag = lu_be32(blk + off) ^ ptag;
        crc = lfs2check_crc(crc, blk + off, 4);
        ptag = tag;
        if (((tag >> 20) & 0x780) == 0x500) {
            lfs2t_put_le32(blk + off + 4, crc);
            return;
        }
        crc = lfs2check_crc(crc, blk + off + 4, lu_dsize(tag) - 4);
        off += lu_dsize(tag);
    }
}

