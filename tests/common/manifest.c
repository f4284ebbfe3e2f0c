// Interop manifest loader, a small JSON parser and SHA-256 (FIPS 180-4).
#include "manifest.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- JSON */

struct js_parser {
    const char *p, *end, *start;
    int depth;
};

#define JS_MAX_DEPTH 64

static void js_ws(struct js_parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
        ps->p++;
    }
}

static void *js_xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "manifest: out of memory\n");
        abort();
    }
    return p;
}

static int js_hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (uint32_t)(c - 'A' + 10);
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}

static size_t js_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

// Parses a string literal at ps->p (the opening quote); the result is malloc'd.
static char *js_string(struct js_parser *ps, size_t *out_len)
{
    if (ps->p >= ps->end || *ps->p != '"') {
        return NULL;
    }
    ps->p++;
    // decoded text is never longer than the literal
    const char *q = ps->p;
    while (q < ps->end && *q != '"') {
        q += (*q == '\\') ? 2 : 1;
    }
    if (q >= ps->end) {
        return NULL;
    }
    char *out = js_xalloc((size_t)(q - ps->p) + 1);
    size_t n = 0;
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) {
            free(out);
            return NULL;
        }
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        if (ps->p >= ps->end) {
            free(out);
            return NULL;
        }
        char e = *ps->p++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (ps->end - ps->p < 4 || js_hex4(ps->p, &cp) != 0) {
                free(out);
                return NULL;
            }
            ps->p += 4;
            // a surrogate pair spells one code point above U+FFFF
            if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u' && js_hex4(ps->p + 2, &lo) == 0 && lo >= 0xDC00 &&
                lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                ps->p += 6;
            }
            // "\uXXXX" (6 bytes) always decodes to at most 4, a pair (12) to 4
            n += js_utf8(cp, out + n);
            break;
        }
        default:
            free(out);
            return NULL;
        }
    }
    if (ps->p >= ps->end) {
        free(out);
        return NULL;
    }
    ps->p++; // closing quote
    out[n] = '\0';
    if (out_len) {
        *out_len = n;
    }
    return out;
}

static int js_value(struct js_parser *ps, struct th_json *v);

static int js_number(struct js_parser *ps, struct th_json *v)
{
    const char *s = ps->p;
    const char *q = s;
    int integral = 1;
    if (q < ps->end && *q == '-') {
        q++;
    }
    if (q >= ps->end || *q < '0' || *q > '9') {
        return -1;
    }
    while (q < ps->end && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' ||
                           *q == '+' || *q == '-')) {
        if (*q == '.' || *q == 'e' || *q == 'E') {
            integral = 0;
        }
        q++;
    }
    char tmp[64];
    size_t n = (size_t)(q - s);
    if (n >= sizeof tmp) {
        return -1;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *endp;
    v->type = TH_JSON_NUMBER;
    v->dval = strtod(tmp, &endp);
    if (endp != tmp + n) {
        return -1;
    }
    if (integral) {
        // exact: nanosecond timestamps do not fit a double
        long long ll = strtoll(tmp, &endp, 10);
        if (endp == tmp + n && !(ll == LLONG_MAX || ll == LLONG_MIN)) {
            v->is_int = 1;
            v->ival = ll;
        }
    }
    ps->p = q;
    return 0;
}

static int js_literal(struct js_parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
        return -1;
    }
    ps->p += n;
    return 0;
}

static int js_container(struct js_parser *ps, struct th_json *v, int is_obj)
{
    size_t cap = 8, n = 0;
    v->type = is_obj ? TH_JSON_OBJECT : TH_JSON_ARRAY;
    v->items = js_xalloc(cap * sizeof *v->items);
    if (is_obj) {
        v->keys = js_xalloc(cap * sizeof *v->keys);
    }
    ps->p++; // '{' or '['
    js_ws(ps);
    char close = is_obj ? '}' : ']';
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (n == cap) {
            cap *= 2;
            v->items = realloc(v->items, cap * sizeof *v->items);
            if (v->items == NULL) {
                abort();
            }
            memset(v->items + n, 0, (cap - n) * sizeof *v->items);
            if (is_obj) {
                v->keys = realloc(v->keys, cap * sizeof *v->keys);
                if (v->keys == NULL) {
                    abort();
                }
                memset(v->keys + n, 0, (cap - n) * sizeof *v->keys);
            }
        }
        js_ws(ps);
        if (is_obj) {
            v->keys[n] = js_string(ps, NULL);
            if (v->keys[n] == NULL) {
                v->len = n;
                return -1;
            }
            js_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                v->len = n + 1;
                return -1;
            }
            ps->p++;
        }
        int rc = js_value(ps, &v->items[n]);
        n++;
        v->len = n;
        if (rc != 0) {
            return -1;
        }
        js_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return 0;
        }
        return -1;
    }
}

static int js_value(struct js_parser *ps, struct th_json *v)
{
    js_ws(ps);
    if (ps->p >= ps->end) {
        return -1;
    }
    switch (*ps->p) {
    case '{':
    case '[': {
        if (++ps->depth > JS_MAX_DEPTH) {
            return -1;
        }
        int rc = js_container(ps, v, *ps->p == '{');
        ps->depth--;
        return rc;
    }
    case '"':
        v->type = TH_JSON_STRING;
        v->str = js_string(ps, &v->len);
        return v->str ? 0 : -1;
    case 't':
        v->type = TH_JSON_TRUE;
        return js_literal(ps, "true");
    case 'f':
        v->type = TH_JSON_FALSE;
        return js_literal(ps, "false");
    case 'n':
        v->type = TH_JSON_NULL;
        return js_literal(ps, "null");
    default:
        return js_number(ps, v);
    }
}

static void js_free_inner(struct th_json *v)
{
    if (v->type == TH_JSON_STRING) {
        free(v->str);
    } else if (v->type == TH_JSON_ARRAY || v->type == TH_JSON_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            js_free_inner(&v->items[i]);
            if (v->keys) {
                free(v->keys[i]);
            }
        }
        free(v->items);
        free(v->keys);
    }
}

void th_json_free(struct th_json *v)
{
    if (v) {
        js_free_inner(v);
        free(v);
    }
}

struct th_json *th_json_parse(const char *text, size_t len, size_t *err_off)
{
    struct js_parser ps = {text, text + len, text, 0};
    struct th_json *v = js_xalloc(sizeof *v);
    int rc = js_value(&ps, v);
    if (rc == 0) {
        js_ws(&ps);
        if (ps.p != ps.end) {
            rc = -1;
        }
    }
    if (rc != 0) {
        if (err_off) {
            *err_off = (size_t)(ps.p - ps.start);
        }
        th_json_free(v);
        return NULL;
    }
    return v;
}

const struct th_json *th_json_get(const struct th_json *v, const char *dotted)
{
    const char *s = dotted;
    while (v && *s) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        const struct th_json *next = NULL;
        if (v->type == TH_JSON_OBJECT) {
            for (size_t i = 0; i < v->len; i++) {
                if (strlen(v->keys[i]) == n && memcmp(v->keys[i], s, n) == 0) {
                    next = &v->items[i];
                }
            }
        } else if (v->type == TH_JSON_ARRAY) {
            char *endp;
            unsigned long idx = strtoul(s, &endp, 10);
            if (endp == s + n && n > 0 && idx < v->len) {
                next = &v->items[idx];
            }
        }
        v = next;
        s += n;
        if (*s == '.') {
            s++;
        }
    }
    return v;
}

int64_t th_json_int(const struct th_json *v, const char *dotted, int64_t dflt)
{
    const struct th_json *j = th_json_get(v, dotted);
    if (j == NULL || j->type != TH_JSON_NUMBER) {
        return dflt;
    }
    return j->is_int ? j->ival : (int64_t)j->dval;
}

const char *th_json_str(const struct th_json *v, const char *dotted, const char *dflt)
{
    const struct th_json *j = th_json_get(v, dotted);
    return (j && j->type == TH_JSON_STRING) ? j->str : dflt;
}

/* ------------------------------------------------------------ manifest */

static char *mf_dup(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s);
    char *d = js_xalloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

static uint32_t mf_version(const char *s)
{
    unsigned maj = 0, min = 0;
    if (s == NULL || sscanf(s, "%u.%u", &maj, &min) != 2) {
        return 0;
    }
    return ((uint32_t)maj << 16) | (uint32_t)min;
}

int th_manifest_load(const char *path, struct th_manifest *m)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "manifest: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = js_xalloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            text = realloc(text, cap);
            if (text == NULL) {
                abort();
            }
        }
        size_t got = fread(text + len, 1, cap - len, f);
        if (got == 0) {
            break;
        }
        len += got;
    }
    fclose(f);
    size_t off = 0;
    struct th_json *root = th_json_parse(text, len, &off);
    free(text);
    if (root == NULL || root->type != TH_JSON_OBJECT) {
        fprintf(stderr, "manifest: %s: JSON error at byte %zu\n", path, off);
        th_json_free(root);
        return -1;
    }
    m->root = root;
    m->name = th_json_str(root, "name", "");
    m->filesystem = th_json_str(root, "filesystem", "");
    m->image_file = th_json_str(root, "image_file", "");
    m->image_size = (uint64_t)th_json_int(root, "image_size", 0);
    m->image_sha256 = th_json_str(root, "image_sha256", "");
    m->block_size = (uint32_t)th_json_int(root, "geometry.block_size", 0);
    m->block_count = (uint32_t)th_json_int(root, "geometry.block_count", 0);
    const struct th_json *sv = th_json_get(root, "statvfs");
    if (sv && sv->type == TH_JSON_ARRAY) {
        for (size_t i = 0; i < sv->len && i < 10; i++) {
            const struct th_json *x = &sv->items[i];
            m->statvfs[i] = x->is_int ? (uint64_t)x->ival : (uint64_t)x->dval;
        }
        m->statvfs_count = (int)(sv->len < 10 ? sv->len : 10);
    }
    const struct th_json *lf = th_json_get(root, "littlefs");
    if (lf && lf->type == TH_JSON_OBJECT) {
        m->has_littlefs = 1;
        m->lfs_disk_version = mf_version(th_json_str(lf, "disk_version", NULL));
        m->lfs_read_size = (uint32_t)th_json_int(lf, "read_size", 0);
        m->lfs_prog_size = (uint32_t)th_json_int(lf, "prog_size", 0);
        m->lfs_cache_size = (uint32_t)th_json_int(lf, "cache_size", 0);
        m->lfs_lookahead_size = (uint32_t)th_json_int(lf, "lookahead_size_bytes", 0);
        m->lfs_block_cycles = (int32_t)th_json_int(lf, "block_cycles", 0);
        m->lfs_name_max = (uint32_t)th_json_int(lf, "name_max", 0);
        m->lfs_file_max = (uint32_t)th_json_int(lf, "file_max", 0);
        m->lfs_attr_max = (uint32_t)th_json_int(lf, "attr_max", 0);
        m->lfs_inline_max = (uint32_t)th_json_int(lf, "inline_max", 0);
        m->lfs_used_blocks = (uint32_t)th_json_int(lf, "used_blocks", 0);
        const struct th_json *mt = th_json_get(lf, "mtime_attribute");
        m->lfs_mtime = mt != NULL && mt->type == TH_JSON_OBJECT;
    }
    const struct th_json *ents = th_json_get(root, "entries");
    if (ents && ents->type == TH_JSON_ARRAY) {
        m->entries = js_xalloc(ents->len * sizeof *m->entries);
        for (size_t i = 0; i < ents->len; i++) {
            const struct th_json *e = &ents->items[i];
            struct th_manifest_entry *o = &m->entries[m->count];
            const char *p = th_json_str(e, "path", NULL);
            if (e->type != TH_JSON_OBJECT || p == NULL) {
                continue;
            }
            o->path = mf_dup(p);
            o->is_dir = strcmp(th_json_str(e, "type", ""), "dir") == 0;
            o->size = (uint64_t)th_json_int(e, "size", 0);
            const char *h = th_json_str(e, "sha256", "");
            snprintf(o->sha256, sizeof o->sha256, "%s", h);
            const struct th_json *x;
            if ((x = th_json_get(e, "mtime")) != NULL && x->type == TH_JSON_NUMBER) {
                o->has_mtime = 1;
                o->mtime = x->is_int ? x->ival : (int64_t)x->dval;
            }
            if ((x = th_json_get(e, "mtime_ns")) != NULL && x->type == TH_JSON_NUMBER) {
                o->has_mtime_ns = 1;
                o->mtime_ns = x->is_int ? x->ival : (int64_t)x->dval;
            }
            o->sfn = mf_dup(th_json_str(e, "sfn", NULL));
            o->path_on_disk_unicode = mf_dup(th_json_str(e, "path_on_disk_unicode", NULL));
            o->has_path_on_disk_unicode = o->path_on_disk_unicode != NULL;
            if ((x = th_json_get(e, "content_seed")) != NULL && x->type == TH_JSON_NUMBER) {
                o->has_content_seed = 1;
                o->content_seed = (uint32_t)x->ival;
            }
            if (o->is_dir) {
                m->dirs++;
            } else {
                m->files++;
            }
            m->count++;
        }
    }
    return 0;
}

void th_manifest_free(struct th_manifest *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free(m->entries[i].path);
        free(m->entries[i].sfn);
        free(m->entries[i].path_on_disk_unicode);
    }
    free(m->entries);
    th_json_free(m->root);
    memset(m, 0, sizeof *m);
}

const struct th_manifest_entry *th_manifest_find(const struct th_manifest *m, const char *path)
{
    for (size_t i = 0; i < m->count; i++) {
        if (strcmp(m->entries[i].path, path) == 0) {
            return &m->entries[i];
        }
    }
    return NULL;
}

/* -------------------------------------------------------------- SHA-256 */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static uint32_t sha_ror(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
               ((uint32_t)p[4 * i + 2] << 8) | p[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = sha_ror(w[i - 15], 7) ^ sha_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = sha_ror(w[i - 2], 17) ^ sha_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = sha_ror(e, 6) ^ sha_ror(e, 11) ^ sha_ror(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + s1 + ch + sha_k[i] + w[i];
        uint32_t s0 = sha_ror(a, 2) ^ sha_ror(a, 13) ^ sha_ror(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = s0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void th_sha256_init(struct th_sha256_ctx *c)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
    c->fill = 0;
}

void th_sha256_update(struct th_sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->total += len;
    while (len > 0) {
        if (c->fill == 0 && len >= 64) {
            sha_block(c->h, p);
            p += 64;
            len -= 64;
            continue;
        }
        size_t n = 64 - c->fill;
        if (n > len) {
            n = len;
        }
        memcpy(c->buf + c->fill, p, n);
        c->fill += n;
        p += n;
        len -= n;
        if (c->fill == 64) {
            sha_block(c->h, c->buf);
            c->fill = 0;
        }
    }
}

void th_sha256_final(struct th_sha256_ctx *c, uint8_t out[32])
{
    uint64_t bits = c->total * 8;
    uint8_t pad = 0x80;
    uint64_t total = c->total;
    th_sha256_update(c, &pad, 1);
    pad = 0;
    while (c->fill != 56) {
        th_sha256_update(c, &pad, 1);
    }
    uint8_t lenb[8];
    for (int i = 0; i < 8; i++) {
        lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    th_sha256_update(c, lenb, 8);
    c->total = total;
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void th_hex(const uint8_t *raw, size_t n, char *out)
{
    static const char dig[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = dig[raw[i] >> 4];
        out[2 * i + 1] = dig[raw[i] & 15];
    }
    out[2 * n] = '\0';
}

void th_sha256(const void *data, size_t len, uint8_t out[32])
{
    struct th_sha256_ctx c;
    th_sha256_init(&c);
    th_sha256_update(&c, data, len);
    th_sha256_final(&c, out);
}

void th_sha256_hex(const void *data, size_t len, char out[65])
{
    uint8_t raw[32];
    th_sha256(data, len, raw);
    th_hex(raw, 32, out);
}

/* ------------------------------------------------------------ contents */

void th_xorshift_fill(uint32_t seed, void *buf, size_t len)
{
    uint8_t *p = buf;
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < len; i += 4) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        for (size_t j = 0; j < 4 && i + j < len; j++) {
            p[i + j] = (uint8_t)(x >> (8 * j));
        }
    }
}

uint32_t th_fnv1a(const char *s)
{
    uint32_t h = 0x811C9DC5u;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 0x01000193u;
    }
    return h;
}
