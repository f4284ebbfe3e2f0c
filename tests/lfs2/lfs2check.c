// lfs2check: an independent read-only littlefs v2 parser and checker (see lfs2check.h).
#include "lfs2check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CK_NULL 0xFFFFFFFFu
#define CK_MAX_IDS 0x3FF

/* ------------------------------------------------------------ helpers */

uint32_t lfs2check_crc(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc;
}

static uint32_t ck_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint32_t ck_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t ck_type3(uint32_t tag)
{
    return (tag >> 20) & 0x7FF;
}

static uint32_t ck_type1(uint32_t tag)
{
    return (tag >> 20) & 0x700;
}

static uint32_t ck_id(uint32_t tag)
{
    return (tag >> 10) & 0x3FF;
}

static uint32_t ck_len(uint32_t tag)
{
    return tag & 0x3FF;
}

// bytes the entry takes on disk: tag + data (deleted tags carry none)
static uint32_t ck_dsize(uint32_t tag)
{
    return 4 + (ck_len(tag) == 0x3FF ? 0 : ck_len(tag));
}

static int ck_ctz32(uint32_t v)
{
    int n = 0;
    while (n < 32 && !(v & (1u << n))) {
        n++;
    }
    return n;
}

static int ck_pair_eq(const uint32_t a[2], const uint32_t b[2])
{
    return (a[0] == b[0] && a[1] == b[1]) || (a[0] == b[1] && a[1] == b[0]);
}

static void *ck_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "lfs2check: out of memory\n");
        abort();
    }
    return p;
}

/* --------------------------------------------------------- the checker */

struct ck_attr {
    uint8_t type;
    uint32_t off, len;
};

// One id of a fetched pair: offsets of its latest name/struct/attrs in the block.
struct ck_slot {
    int has_name;
    uint32_t name_type, name_off, name_len;
    int has_struct;
    uint32_t struct_type, struct_off, struct_len;
    size_t nattrs;
    struct ck_attr attrs[8];
    int attr_overflow;
};

struct ck_mdir {
    uint32_t pair[2]; // pair[0] = the active block
    uint32_t rev;
    uint32_t end;     // offset after the last valid commit
    uint32_t count;
    struct ck_slot *slots;
    int has_tail, split;
    uint32_t tail[2];
    int has_gdelta;
    uint8_t gdelta[12];
    int torn;
    int fallback;
    uint32_t commits, fcrcs;
    const uint8_t *blk;
};

struct ck {
    const uint8_t *img;
    uint32_t bs, bc, flags;
    struct lfs2check_result *res;
    uint32_t *owner; // per block: 0 free, else 1 + index of the claimer description
    char **owner_names;
    size_t nowners;
    // pairs on the global list
    uint32_t (*list)[2];
    uint32_t *list_count; // ids in each listed pair
    uint32_t nlist;
    uint8_t *list_referenced;
    size_t cap_entries;
};

static void ck_err(struct ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ck_err(struct ck *c, const char *fmt, ...)
{
    struct lfs2check_result *r = c->res;
    r->errors++;
    if (r->nmsgs < LFS2CHECK_MAX_MSGS) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msgs[r->nmsgs], sizeof r->msgs[0], fmt, ap);
        va_end(ap);
        r->nmsgs++;
    }
}

static const uint8_t *ck_block(const struct ck *c, uint32_t b)
{
    return c->img + (size_t)b * c->bs;
}

// Record that `who` uses block b; a block claimed twice is an error.
static void ck_claim(struct ck *c, uint32_t b, const char *who)
{
    if (b >= c->bc) {
        ck_err(c, "%s: block %u out of range", who, b);
        return;
    }
    if (c->owner[b] != 0) {
        ck_err(c, "block %u used twice: by %s and by %s", b, c->owner_names[c->owner[b] - 1],
               who);
        return;
    }
    if (c->nowners % 64 == 0) {
        c->owner_names = realloc(c->owner_names, (c->nowners + 64) * sizeof *c->owner_names);
        if (c->owner_names == NULL) {
            abort();
        }
    }
    size_t n = strlen(who);
    char *d = ck_alloc(n + 1);
    memcpy(d, who, n + 1);
    c->owner_names[c->nowners++] = d;
    c->owner[b] = (uint32_t)c->nowners;
    c->res->tree_blocks++;
    c->res->block_use[b] = strncmp(who, "file ", 5) == 0 ? LFS2CHECK_USE_DATA : LFS2CHECK_USE_META;
}

/* ---------------------------------------------------------------- fetch */

// Pass 1 over one block: the end of the last commit whose CRC matches.
// Returns the number of valid commits; *torn set when a CRC mismatched.
static uint32_t ck_scan(const struct ck *c, const uint8_t *blk, uint32_t *end, int *torn,
                        uint32_t *fcrcs)
{
    uint32_t off = 4, ptag = CK_NULL, commits = 0;
    uint32_t crc = lfs2check_crc(CK_NULL, blk, 4);
    uint32_t nfcrc = 0;
    *end = 0;
    *torn = 0;
    *fcrcs = 0;
    // every entry advances off by >= 4, so this terminates within bs/4 steps
    while (off + 4 <= c->bs) {
        uint32_t tag = ck_be32(blk + off) ^ ptag;
        crc = lfs2check_crc(crc, blk + off, 4);
        if (tag & 0x80000000u) {
            break;
        }
        if (off + ck_dsize(tag) > c->bs) {
            break;
        }
        ptag = tag;
        uint32_t t3 = ck_type3(tag);
        if ((t3 & 0x780) == 0x500) { // commit CRC
            if (ck_len(tag) < 4 || ck_len(tag) == 0x3FF) {
                *torn = 1;
                break;
            }
            uint32_t stored = ck_le32(blk + off + 4);
            if (stored != crc) {
                *torn = 1;
                break;
            }
            ptag ^= (t3 & 1u) << 31;
            off += ck_dsize(tag);
            *end = off;
            commits++;
            *fcrcs += nfcrc;
            nfcrc = 0;
            crc = CK_NULL;
            continue;
        }
        if (t3 == 0x5FF) {
            nfcrc++;
        }
        crc = lfs2check_crc(crc, blk + off + 4, ck_dsize(tag) - 4);
        off += ck_dsize(tag);
    }
    return commits;
}

static void ck_slot_attr(struct ck_slot *s, uint32_t type, uint32_t off, uint32_t len)
{
    for (size_t i = 0; i < s->nattrs; i++) {
        if (s->attrs[i].type == type) {
            if (len == 0x3FF) { // deleted attribute
                s->attrs[i] = s->attrs[--s->nattrs];
            } else {
                s->attrs[i].off = off;
                s->attrs[i].len = len;
            }
            return;
        }
    }
    if (len == 0x3FF) {
        return;
    }
    if (s->nattrs == sizeof s->attrs / sizeof s->attrs[0]) {
        s->attr_overflow = 1;
        return;
    }
    s->attrs[s->nattrs].type = (uint8_t)type;
    s->attrs[s->nattrs].off = off;
    s->attrs[s->nattrs].len = len;
    s->nattrs++;
}

// Pass 2: replay the committed tags of the active block into per-id slots.
static int ck_replay(struct ck *c, struct ck_mdir *d, const char *where)
{
    const uint8_t *blk = d->blk;
    uint32_t off = 4, ptag = CK_NULL;
    d->slots = ck_alloc((CK_MAX_IDS + 1) * sizeof *d->slots);
    d->count = 0;
    int bad = 0;
    while (off < d->end) {
        uint32_t tag = ck_be32(blk + off) ^ ptag;
        ptag = tag;
        uint32_t t3 = ck_type3(tag), t1 = ck_type1(tag), id = ck_id(tag), len = ck_len(tag);
        uint32_t doff = off + 4;
        off += ck_dsize(tag);
        if ((t3 & 0x780) == 0x500) {
            ptag ^= (t3 & 1u) << 31;
            continue;
        }
        if (t3 == 0x5FF) {
            if (len != 8) {
                ck_err(c, "%s: FCRC of length %u", where, len);
                bad = 1;
            }
            continue;
        }
        if (t1 == 0x600) { // tails
            if (id != 0x3FF || (t3 != 0x600 && t3 != 0x601) || len != 8) {
                ck_err(c, "%s: bad tail tag %08x", where, tag);
                bad = 1;
                continue;
            }
            d->has_tail = 1;
            d->split = (int)(t3 & 1);
            d->tail[0] = ck_le32(blk + doff);
            d->tail[1] = ck_le32(blk + doff + 4);
            continue;
        }
        if (t1 == 0x700) { // global state delta
            if (t3 == 0x7FF && len == 12) {
                d->has_gdelta = 1;
                memcpy(d->gdelta, blk + doff, 12);
            } else {
                ck_err(c, "%s: bad gstate tag %08x", where, tag);
                bad = 1;
            }
            continue;
        }
        if (t1 == 0x100) {
            ck_err(c, "%s: FROM tag %08x on disk", where, tag);
            bad = 1;
            continue;
        }
        if (t1 == 0x500) { // other 0x5xx: unknown CRC-class tag
            continue;
        }
        if (id == 0x3FF) {
            ck_err(c, "%s: tag %08x without an id", where, tag);
            bad = 1;
            continue;
        }
        if (t1 == 0x400) { // splice
            if (t3 == 0x401) {
                if (id > d->count || d->count >= CK_MAX_IDS) {
                    ck_err(c, "%s: CREATE id %u beyond count %u", where, id, d->count);
                    bad = 1;
                    continue;
                }
                memmove(&d->slots[id + 1], &d->slots[id], (d->count - id) * sizeof *d->slots);
                memset(&d->slots[id], 0, sizeof *d->slots);
                d->count++;
            } else if (t3 == 0x4FF) {
                if (id >= d->count) {
                    ck_err(c, "%s: DELETE id %u beyond count %u", where, id, d->count);
                    bad = 1;
                    continue;
                }
                memmove(&d->slots[id], &d->slots[id + 1], (d->count - id - 1) * sizeof *d->slots);
                d->count--;
                memset(&d->slots[d->count], 0, sizeof *d->slots);
            } else {
                ck_err(c, "%s: unknown splice tag %08x", where, tag);
                bad = 1;
            }
            continue;
        }
        if (id >= d->count) { // compacted logs name ids without CREATE
            d->count = id + 1;
        }
        struct ck_slot *s = &d->slots[id];
        if (t1 == 0x000) {
            if (len == 0x3FF) {
                ck_err(c, "%s: deleted name tag for id %u", where, id);
                bad = 1;
                continue;
            }
            s->has_name = 1;
            s->name_type = t3;
            s->name_off = doff;
            s->name_len = len;
        } else if (t1 == 0x200) {
            s->has_struct = 1;
            s->struct_type = t3;
            s->struct_off = doff;
            s->struct_len = len == 0x3FF ? 0 : len;
            if (len == 0x3FF) {
                s->has_struct = 0;
            }
        } else if (t1 == 0x300) {
            ck_slot_attr(s, t3 & 0xFF, doff, len);
        }
    }
    return bad ? -1 : 0;
}

// Fetch a metadata pair: choose the block, validate the commits, replay the log.
// Returns 0, or -1 after reporting an error (no valid commit, bad pointers).
static int ck_fetch(struct ck *c, const uint32_t pair[2], struct ck_mdir *d, const char *what)
{
    char where[96];
    memset(d, 0, sizeof *d);
    snprintf(where, sizeof where, "%s {%u,%u}", what, pair[0], pair[1]);
    if (pair[0] >= c->bc || pair[1] >= c->bc) {
        ck_err(c, "%s: pair out of range", where);
        return -1;
    }
    if (pair[0] == pair[1]) {
        ck_err(c, "%s: both halves are the same block", where);
        return -1;
    }
    uint32_t rev[2] = {ck_le32(ck_block(c, pair[0])), ck_le32(ck_block(c, pair[1]))};
    // sequence comparison: the newer revision is tried first
    int first = ((int32_t)(rev[1] - rev[0]) > 0) ? 1 : 0;
    for (int k = 0; k < 2; k++) {
        int i = k == 0 ? first : 1 - first;
        const uint8_t *blk = ck_block(c, pair[i]);
        uint32_t end, fcrcs;
        int torn;
        uint32_t commits = ck_scan(c, blk, &end, &torn, &fcrcs);
        if (commits == 0) {
            continue;
        }
        d->pair[0] = pair[i];
        d->pair[1] = pair[1 - i];
        d->rev = rev[i];
        d->end = end;
        d->torn = torn;
        d->commits = commits;
        d->fcrcs = fcrcs;
        d->blk = blk;
        d->fallback = k == 1;
        return ck_replay(c, d, where) == 0 ? 0 : -1;
    }
    ck_err(c, "%s: no valid commit in either block", where);
    return -1;
}

static void ck_mdir_free(struct ck_mdir *d)
{
    free(d->slots);
    d->slots = NULL;
}

/* ---------------------------------------------------------------- files */

// Read and check a CTZ skip-list; returns the content (malloc) or NULL on error.
static uint8_t *ck_ctz(struct ck *c, uint32_t head, uint32_t size, const char *path,
                       uint32_t *nblocks)
{
    uint32_t bs = c->bs;
    *nblocks = 0;
    if (size == 0) {
        return NULL;
    }
    // the index of the last block: capacities are bs, then bs - 4*(ctz(i)+1)
    uint64_t cum = bs;
    uint32_t n = 0;
    while (cum < size) {
        n++;
        if (n >= c->bc || 4u * (uint32_t)(ck_ctz32(n) + 1) >= bs) {
            ck_err(c, "%s: CTZ size %u cannot fit the device", path, size);
            return NULL;
        }
        cum += bs - 4u * (uint32_t)(ck_ctz32(n) + 1);
    }
    uint32_t *blocks = ck_alloc(((size_t)n + 1) * sizeof *blocks);
    blocks[n] = head;
    for (uint32_t i = n; i > 0; i--) {
        if (blocks[i] >= c->bc) {
            ck_err(c, "%s: CTZ block %u (index %u) out of range", path, blocks[i], i);
            free(blocks);
            return NULL;
        }
        blocks[i - 1] = ck_le32(ck_block(c, blocks[i]));
    }
    if (blocks[0] >= c->bc) {
        ck_err(c, "%s: CTZ block %u (index 0) out of range", path, blocks[0]);
        free(blocks);
        return NULL;
    }
    int bad = 0;
    for (uint32_t i = 1; i <= n && !bad; i++) {
        int skips = ck_ctz32(i);
        for (int k = 1; k <= skips; k++) {
            uint32_t want = blocks[i - (1u << k)];
            uint32_t got = ck_le32(ck_block(c, blocks[i]) + 4 * k);
            if (got != want) {
                ck_err(c, "%s: CTZ index %u skip pointer %d is %u, expected %u", path, i, k,
                       got, want);
                bad = 1;
                break;
            }
        }
    }
    for (uint32_t i = 0; i <= n; i++) {
        char who[300];
        snprintf(who, sizeof who, "file %s (index %u)", path, i);
        ck_claim(c, blocks[i], who);
    }
    uint8_t *out = ck_alloc(size);
    uint32_t pos = 0;
    for (uint32_t i = 0; i <= n && pos < size; i++) {
        uint32_t skip = i == 0 ? 0 : 4u * (uint32_t)(ck_ctz32(i) + 1);
        uint32_t take = bs - skip;
        if (take > size - pos) {
            take = size - pos;
        }
        memcpy(out + pos, ck_block(c, blocks[i]) + skip, take);
        pos += take;
    }
    *nblocks = n + 1;
    free(blocks);
    if (bad) {
        free(out);
        return NULL;
    }
    return out;
}

// littlefs' fs_size counts CTZ blocks without checking them: count them the same way.
static uint32_t ck_ctz_count(const struct ck *c, uint32_t size)
{
    if (size == 0) {
        return 0;
    }
    uint64_t cum = c->bs;
    uint32_t n = 0;
    while (cum < size && n < c->bc) {
        n++;
        uint32_t ptrs = 4u * (uint32_t)(ck_ctz32(n) + 1);
        if (ptrs >= c->bs) {
            break;
        }
        cum += c->bs - ptrs;
    }
    return n + 1;
}

/* ----------------------------------------------------------------- tree */

// name order: common prefix by memcmp; when equal, the longer name first
static int ck_namecmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
    uint32_t n = alen < blen ? alen : blen;
    int r = memcmp(a, b, n);
    if (r != 0) {
        return r;
    }
    if (alen == blen) {
        return 0;
    }
    return alen > blen ? -1 : 1;
}

static struct lfs2check_entry *ck_new_entry(struct ck *c)
{
    struct lfs2check_result *r = c->res;
    if (r->count == c->cap_entries) {
        c->cap_entries = c->cap_entries ? c->cap_entries * 2 : 64;
        r->entries = realloc(r->entries, c->cap_entries * sizeof *r->entries);
        if (r->entries == NULL) {
            abort();
        }
    }
    struct lfs2check_entry *e = &r->entries[r->count++];
    memset(e, 0, sizeof *e);
    return e;
}

static int ck_list_index(const struct ck *c, const uint32_t pair[2])
{
    for (uint32_t i = 0; i < c->nlist; i++) {
        if (ck_pair_eq(c->list[i], pair)) {
            return (int)i;
        }
    }
    return -1;
}

struct ck_dirq {
    uint32_t pair[2];
    char *path; // "" for the root
};

// Walk one directory (a chain of pairs linked by hardtails); queue subdirectories.
static void ck_walk_dir(struct ck *c, const uint32_t first[2], const char *path,
                        struct ck_dirq **q, size_t *qn, size_t *qcap)
{
    uint32_t pair[2] = {first[0], first[1]};
    const uint8_t *prev_name = NULL;
    uint32_t prev_len = 0;
    for (uint32_t hop = 0;; hop++) {
        if (hop > c->bc) {
            ck_err(c, "dir '%s': hardtail chain does not end", path);
            break;
        }
        struct ck_mdir d;
        char what[300];
        snprintf(what, sizeof what, "dir '%s'", *path ? path : "/");
        if (ck_fetch(c, pair, &d, what) != 0) {
            ck_mdir_free(&d);
            break;
        }
        char who[320];
        snprintf(who, sizeof who, "metadata of '%s'", *path ? path : "/");
        // claim both halves (a cycle of pairs shows up as a block used twice)
        int before = c->res->errors;
        ck_claim(c, d.pair[0], who);
        ck_claim(c, d.pair[1], who);
        if (c->res->errors != before) {
            ck_mdir_free(&d);
            break;
        }
        int li = ck_list_index(c, d.pair);
        if (li < 0) {
            c->res->unlisted++;
        } else {
            c->list_referenced[li] = 1;
        }
        // the move source of a pending move is treated as deleted
        int moved_id = -1;
        if (c->res->pending_move) {
            uint32_t gp[2] = {c->res->gstate[1], c->res->gstate[2]};
            if (ck_pair_eq(gp, d.pair)) {
                moved_id = (int)ck_id(c->res->gstate[0]);
            }
        }
        for (uint32_t id = 0; id < d.count; id++) {
            struct ck_slot *s = &d.slots[id];
            if (!s->has_name) {
                ck_err(c, "%s {%u,%u}: id %u has no name", what, d.pair[0], d.pair[1], id);
                continue;
            }
            if (s->name_type == 0x0FF) {
                if (id != 0 || *path) {
                    ck_err(c, "%s: superblock entry at id %u", what, id);
                }
                continue;
            }
            if ((int)id == moved_id) {
                continue;
            }
            const uint8_t *name = d.blk + s->name_off;
            uint32_t nlen = s->name_len;
            if (nlen == 0 || memchr(name, '/', nlen) || memchr(name, 0, nlen) ||
                (nlen == 1 && name[0] == '.') || (nlen == 2 && name[0] == '.' && name[1] == '.')) {
                ck_err(c, "%s: id %u has an invalid name (%u bytes)", what, id, nlen);
                continue;
            }
            if (nlen > c->res->name_max) {
                ck_err(c, "%s: name of %u bytes exceeds name_max %u", what, nlen,
                       c->res->name_max);
            }
            if (prev_name && ck_namecmp(prev_name, prev_len, name, nlen) >= 0) {
                ck_err(c, "%s: '%.*s' is not after '%.*s' in name order", what, (int)nlen,
                       (const char *)name, (int)prev_len, (const char *)prev_name);
            }
            prev_name = name;
            prev_len = nlen;
            struct lfs2check_entry *e = ck_new_entry(c);
            size_t plen = strlen(path);
            e->path = ck_alloc(plen + nlen + 2);
            memcpy(e->path, path, plen);
            e->path[plen] = '/';
            memcpy(e->path + plen + 1, name, nlen);
            e->pair[0] = d.pair[0];
            e->pair[1] = d.pair[1];
            e->id = (uint16_t)id;
            if (s->attr_overflow) {
                ck_err(c, "%s: more user attributes than the checker keeps", e->path);
            }
            e->nattrs = s->nattrs;
            e->attrs = ck_alloc(s->nattrs * sizeof *e->attrs);
            for (size_t a = 0; a < s->nattrs; a++) {
                e->attrs[a].type = s->attrs[a].type;
                e->attrs[a].len = (uint16_t)s->attrs[a].len;
                e->attrs[a].data = ck_alloc(s->attrs[a].len);
                memcpy(e->attrs[a].data, d.blk + s->attrs[a].off, s->attrs[a].len);
                if (s->attrs[a].len > c->res->attr_max) {
                    ck_err(c, "%s: attribute %u of %u bytes exceeds attr_max", e->path,
                           s->attrs[a].type, s->attrs[a].len);
                }
                if (s->attrs[a].type == 1 && s->attrs[a].len == 8) {
                    const uint8_t *p = e->attrs[a].data;
                    e->has_mtime = 1;
                    e->mtime_ns = (uint64_t)ck_le32(p) | ((uint64_t)ck_le32(p + 4) << 32);
                }
            }
            if (s->name_type == 0x002) {
                e->is_dir = 1;
                c->res->dirs++;
                if (!s->has_struct || s->struct_type != 0x200 || s->struct_len != 8) {
                    ck_err(c, "%s: directory without a DIRSTRUCT", e->path);
                    continue;
                }
                e->dir_pair[0] = ck_le32(d.blk + s->struct_off);
                e->dir_pair[1] = ck_le32(d.blk + s->struct_off + 4);
                if (*qn == *qcap) {
                    *qcap = *qcap ? *qcap * 2 : 16;
                    *q = realloc(*q, *qcap * sizeof **q);
                    if (*q == NULL) {
                        abort();
                    }
                }
                (*q)[*qn].pair[0] = e->dir_pair[0];
                (*q)[*qn].pair[1] = e->dir_pair[1];
                size_t pl = strlen(e->path);
                (*q)[*qn].path = ck_alloc(pl + 1);
                memcpy((*q)[*qn].path, e->path, pl + 1);
                (*qn)++;
            } else if (s->name_type == 0x001) {
                c->res->files++;
                if (!s->has_struct) {
                    ck_err(c, "%s: file without a struct", e->path);
                    continue;
                }
                if (s->struct_type == 0x201) {
                    e->is_inline = 1;
                    e->size = s->struct_len;
                    if (e->size) {
                        e->data = ck_alloc(e->size);
                        memcpy(e->data, d.blk + s->struct_off, e->size);
                    }
                } else if (s->struct_type == 0x202 && s->struct_len == 8) {
                    e->ctz_head = ck_le32(d.blk + s->struct_off);
                    e->size = ck_le32(d.blk + s->struct_off + 4);
                    if (e->size > c->res->file_max) {
                        ck_err(c, "%s: size %u exceeds file_max", e->path, e->size);
                        continue;
                    }
                    e->data = ck_ctz(c, e->ctz_head, e->size, e->path, &e->blocks);
                } else {
                    ck_err(c, "%s: file with struct type %03x", e->path, s->struct_type);
                }
            } else {
                ck_err(c, "%s: unknown entry type %03x", e->path, s->name_type);
            }
        }
        // prev_name points into the image, so it outlives the slots
        ck_mdir_free(&d);
        if (!d.has_tail || !d.split) {
            break;
        }
        pair[0] = d.tail[0];
        pair[1] = d.tail[1];
    }
}

static int ck_entry_cmp(const void *a, const void *b)
{
    const struct lfs2check_entry *x = a, *y = b;
    return strcmp(x->path, y->path);
}

/* ------------------------------------------------------------- toplevel */

int lfs2check_image(const uint8_t *img, uint32_t block_size, uint32_t block_count,
                    uint32_t flags, struct lfs2check_result *res)
{
    memset(res, 0, sizeof *res);
    struct ck c = {0};
    c.img = img;
    c.bs = block_size;
    c.bc = block_count;
    c.flags = flags;
    c.res = res;
    if (block_size < 16 || block_count < 2) {
        ck_err(&c, "geometry %u x %u too small", block_size, block_count);
        return res->errors;
    }
    c.owner = ck_alloc((size_t)block_count * sizeof *c.owner);
    res->block_use = ck_alloc(block_count);
    c.list = ck_alloc((size_t)block_count * sizeof *c.list);
    c.list_count = ck_alloc((size_t)block_count * sizeof *c.list_count);
    c.list_referenced = ck_alloc(block_count);

    // 1. the global list from {0,1}: superblocks, root, gstate, used blocks
    uint32_t pair[2] = {0, 1};
    uint8_t gstate[12] = {0};
    int found_sb = 0;
    int sb_chain_done = 0;
    for (;;) {
        if (c.nlist >= block_count / 2 + 1 || ck_list_index(&c, pair) >= 0) {
            ck_err(&c, "global list: cycle at {%u,%u}", pair[0], pair[1]);
            break;
        }
        struct ck_mdir d;
        if (ck_fetch(&c, pair, &d, c.nlist == 0 ? "superblock" : "global list") != 0) {
            ck_mdir_free(&d);
            break;
        }
        c.list[c.nlist][0] = d.pair[0];
        c.list[c.nlist][1] = d.pair[1];
        c.list_count[c.nlist] = d.count;
        c.nlist++;
        res->commits += d.commits;
        res->fcrcs += d.fcrcs;
        res->torn += (uint32_t)d.torn;
        res->fallbacks += (uint32_t)d.fallback;
        if (d.rev > res->max_rev && d.rev != CK_NULL) {
            res->max_rev = d.rev;
        }
        if (d.has_gdelta) {
            for (int i = 0; i < 12; i++) {
                gstate[i] ^= d.gdelta[i];
            }
        }
        res->fs_size += 2;
        res->used_blocks += 2;
        for (uint32_t id = 0; id < d.count; id++) {
            struct ck_slot *s = &d.slots[id];
            if (s->has_struct && s->struct_type == 0x202 && s->struct_len == 8) {
                uint32_t nb = ck_ctz_count(&c, ck_le32(d.blk + s->struct_off + 4));
                res->fs_size += nb;
                res->used_blocks += nb;
            } else if (s->has_struct && s->struct_type == 0x200) {
                res->used_blocks += 2; // fs_traverse visits a directory's first pair again
            }
        }
        if (d.count > 0 && d.slots[0].has_name && d.slots[0].name_type == 0x0FF) {
            struct ck_slot *s = &d.slots[0];
            if (sb_chain_done) {
                ck_err(&c, "superblock entry in {%u,%u} after the root", d.pair[0],
                       d.pair[1]);
            }
            if (s->name_len != 8 || memcmp(d.blk + s->name_off, "littlefs", 8) != 0) {
                ck_err(&c, "superblock {%u,%u}: bad magic", d.pair[0], d.pair[1]);
            } else if (!s->has_struct || s->struct_type != 0x201 || s->struct_len < 24) {
                ck_err(&c, "superblock {%u,%u}: no superblock record", d.pair[0], d.pair[1]);
            } else {
                const uint8_t *p = d.blk + s->struct_off;
                res->version = ck_le32(p);
                res->block_size = ck_le32(p + 4);
                res->block_count = ck_le32(p + 8);
                res->name_max = ck_le32(p + 12);
                res->file_max = ck_le32(p + 16);
                res->attr_max = ck_le32(p + 20);
                found_sb = 1;
            }
            res->root[0] = d.pair[0];
            res->root[1] = d.pair[1];
            res->superblock_pairs++;
        } else if (c.nlist == 1) {
            ck_err(&c, "pair {0,1} has no superblock entry");
        } else {
            sb_chain_done = 1;
        }
        int has_tail = d.has_tail;
        uint32_t tail[2] = {d.tail[0], d.tail[1]};
        ck_mdir_free(&d);
        if (!has_tail || tail[0] == CK_NULL || tail[1] == CK_NULL) {
            break;
        }
        pair[0] = tail[0];
        pair[1] = tail[1];
    }
    res->pairs = c.nlist;
    if (!found_sb) {
        ck_err(&c, "no valid superblock");
        goto out;
    }
    if ((res->version >> 16) != 2 || (res->version & 0xFFFF) > 1) {
        ck_err(&c, "superblock version %08x", res->version);
    }
    if (res->block_size != block_size) {
        ck_err(&c, "superblock block_size %u, device %u", res->block_size, block_size);
    }
    if (res->block_count != block_count) {
        ck_err(&c, "superblock block_count %u, device %u", res->block_count, block_count);
    }
    if (res->name_max == 0 || res->name_max > 1022 || res->attr_max > 1022) {
        ck_err(&c, "superblock limits name_max %u attr_max %u", res->name_max, res->attr_max);
    }
    if (res->version == 0x00020000 && res->fcrcs != 0) {
        ck_err(&c, "%u FCRC tags on a version 2.0 disk", res->fcrcs);
    }
    res->gstate[0] = ck_le32(gstate);
    res->gstate[1] = ck_le32(gstate + 4);
    res->gstate[2] = ck_le32(gstate + 8);
    res->pending_move = ck_type1(res->gstate[0]) != 0;
    res->gstate_orphans = (res->gstate[0] & 0x1FF);
    int orphans_flagged = res->gstate_orphans != 0 || (res->gstate[0] & 0x80000000u) != 0;
    if (res->pending_move) {
        if (ck_type3(res->gstate[0]) != 0x4FF) {
            ck_err(&c, "gstate move of type %03x", ck_type3(res->gstate[0]));
        }
        if (flags & LFS2CHECK_AT_REST) {
            ck_err(&c, "gstate: pending move at rest (pair {%u,%u} id %u)", res->gstate[1],
                   res->gstate[2], ck_id(res->gstate[0]));
        }
    }
    if (res->gstate[0] & 0x200) {
        ck_err(&c, "gstate: in-RAM 'needs superblock' bit on disk");
    }
    if (orphans_flagged && (flags & LFS2CHECK_AT_REST)) {
        ck_err(&c, "gstate: orphans flagged at rest (%08x)", res->gstate[0]);
    }

    // 2. the superblock pairs before the root belong to the tree
    for (uint32_t i = 0; i + 1 < res->superblock_pairs && i < c.nlist; i++) {
        ck_claim(&c, c.list[i][0], "superblock pair");
        ck_claim(&c, c.list[i][1], "superblock pair");
        c.list_referenced[i] = 1;
    }

    // 3. the directory tree, breadth first
    {
        struct ck_dirq *q = NULL;
        size_t qn = 0, qcap = 0, qi = 0;
        ck_walk_dir(&c, res->root, "", &q, &qn, &qcap);
        while (qi < qn) {
            ck_walk_dir(&c, q[qi].pair, q[qi].path, &q, &qn, &qcap);
            qi++;
        }
        for (size_t i = 0; i < qn; i++) {
            free(q[i].path);
        }
        free(q);
    }

    // 4. the global list against the tree
    for (uint32_t i = 0; i < c.nlist; i++) {
        if (!c.list_referenced[i]) {
            res->orphans++;
            for (int h = 0; h < 2; h++) {
                if (c.list[i][h] < block_count && res->block_use[c.list[i][h]] == 0) {
                    res->block_use[c.list[i][h]] = LFS2CHECK_USE_ORPHAN;
                }
            }
            if (!orphans_flagged) {
                ck_err(&c, "orphan pair {%u,%u} on the global list, not flagged in gstate",
                       c.list[i][0], c.list[i][1]);
            }
            // an orphan's blocks must not hold file data either
            for (int h = 0; h < 2; h++) {
                uint32_t b = c.list[i][h];
                if (b < block_count && c.owner[b] != 0 &&
                    strncmp(c.owner_names[c.owner[b] - 1], "file ", 5) == 0) {
                    ck_err(&c, "orphan pair block %u also used by %s", b,
                           c.owner_names[c.owner[b] - 1]);
                }
            }
        }
    }
    if (res->unlisted && !orphans_flagged) {
        ck_err(&c, "%u directory pairs are missing from the global list", res->unlisted);
    }
    if (res->pending_move) {
        // the move source must exist: its pair is on the list with that id
        uint32_t gp[2] = {res->gstate[1], res->gstate[2]};
        int gi = ck_list_index(&c, gp);
        if (gi < 0) {
            ck_err(&c, "gstate move source pair {%u,%u} is not on the global list", gp[0],
                   gp[1]);
        } else if (ck_id(res->gstate[0]) >= c.list_count[gi]) {
            ck_err(&c, "gstate move source id %u beyond the %u ids of pair {%u,%u}",
                   ck_id(res->gstate[0]), c.list_count[gi], gp[0], gp[1]);
        }
    }
    if (res->count > 1) {
        qsort(res->entries, res->count, sizeof *res->entries, ck_entry_cmp);
    }
    for (size_t i = 1; i < res->count; i++) {
        if (strcmp(res->entries[i - 1].path, res->entries[i].path) == 0) {
            ck_err(&c, "path %s listed twice", res->entries[i].path);
        }
    }
out:
    for (size_t i = 0; i < c.nowners; i++) {
        free(c.owner_names[i]);
    }
    free(c.owner_names);
    free(c.owner);
    free(c.list);
    free(c.list_count);
    free(c.list_referenced);
    return res->errors;
}

void lfs2check_free(struct lfs2check_result *res)
{
    for (size_t i = 0; i < res->count; i++) {
        struct lfs2check_entry *e = &res->entries[i];
        free(e->path);
        free(e->data);
        for (size_t a = 0; a < e->nattrs; a++) {
            free(e->attrs[a].data);
        }
        free(e->attrs);
    }
    free(res->entries);
    res->entries = NULL;
    free(res->block_use);
    res->block_use = NULL;
    res->count = 0;
}

const struct lfs2check_entry *lfs2check_find(const struct lfs2check_result *res,
                                             const char *path)
{
    size_t lo = 0, hi = res->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(res->entries[mid].path, path);
        if (r == 0) {
            return &res->entries[mid];
        }
        if (r < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

void lfs2check_print(const struct lfs2check_result *res, const char *prefix)
{
    for (int i = 0; i < res->nmsgs; i++) {
        printf("%s: %s\n", prefix, res->msgs[i]);
    }
    if (res->errors > res->nmsgs) {
        printf("%s: ... %d more errors\n", prefix, res->errors - res->nmsgs);
    }
}
