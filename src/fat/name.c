// FAT names: UTF-8 <-> UTF-16, code page 437, upper-casing, 8.3 short names,
// numeric tails, the short-name checksum and the long-name (LFN) entries.
#include "fat_int.h"

// Code page 437, 0x80..0xFF, as Unicode: the low byte of each character,
// and (a nibble each) which of the few high bytes it has.
static const uint8_t fat_cp437_lo[128] = {
    0xC7, 0xFC, 0xE9, 0xE2, 0xE4, 0xE0, 0xE5, 0xE7, 0xEA, 0xEB, 0xE8, 0xEF,
    0xEE, 0xEC, 0xC4, 0xC5, 0xC9, 0xE6, 0xC6, 0xF4, 0xF6, 0xF2, 0xFB, 0xF9,
    0xFF, 0xD6, 0xDC, 0xA2, 0xA3, 0xA5, 0xA7, 0x92, 0xE1, 0xED, 0xF3, 0xFA,
    0xF1, 0xD1, 0xAA, 0xBA, 0xBF, 0x10, 0xAC, 0xBD, 0xBC, 0xA1, 0xAB, 0xBB,
    0x91, 0x92, 0x93, 0x02, 0x24, 0x61, 0x62, 0x56, 0x55, 0x63, 0x51, 0x57,
    0x5D, 0x5C, 0x5B, 0x10, 0x14, 0x34, 0x2C, 0x1C, 0x00, 0x3C, 0x5E, 0x5F,
    0x5A, 0x54, 0x69, 0x66, 0x60, 0x50, 0x6C, 0x67, 0x68, 0x64, 0x65, 0x59,
    0x58, 0x52, 0x53, 0x6B, 0x6A, 0x18, 0x0C, 0x88, 0x84, 0x8C, 0x90, 0x80,
    0xB1, 0xDF, 0x93, 0xC0, 0xA3, 0xC3, 0xB5, 0xC4, 0xA6, 0x98, 0xA9, 0xB4,
    0x1E, 0xC6, 0xB5, 0x29, 0x61, 0xB1, 0x65, 0x64, 0x20, 0x21, 0xF7, 0x48,
    0xB0, 0x19, 0xB7, 0x1A, 0x7F, 0xB2, 0xA0, 0xA0,
};
static const uint8_t fat_cp437_hn[64] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x02, 0x22, 0x22, 0x20, 0x22, 0x22, 0x24, 0x42, 0x04, 0x44, 0x55, 0x40,
    0x40, 0x40, 0x03, 0x06,
};
static const uint8_t fat_cp437_hi[7] = {0x00, 0x01, 0x03, 0x20, 0x22, 0x23, 0x25};

// CP437 upper-casing of 0x80..0xA4 as DOS does it (accented lower-case letters
// without an upper-case form in the code page lose their accent); the rest of
// the page stays as it is.
#define FAT_CP437_UP_N 37
static const uint8_t fat_cp437_up[FAT_CP437_UP_N] = {
    0x80, 0x9A, 0x45, 0x41, 0x8E, 0x41, 0x8F, 0x80, 0x45, 0x45, 0x45, 0x49,
    0x49, 0x49, 0x8E, 0x8F, 0x90, 0x92, 0x92, 0x4F, 0x99, 0x4F, 0x55, 0x55,
    0x59, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0x41, 0x49, 0x4F, 0x55,
    0xA5,
};

uint16_t cairn_fat_oem2uni(uint8_t c)
{
    if (c < 0x80) {
        return c;
    }
    uint32_t i = c - 0x80u, h = (fat_cp437_hn[i / 2] >> (i % 2 * 4)) & 15;
    return (uint16_t)(fat_cp437_hi[h] << 8 | fat_cp437_lo[i]);
}

// Unicode -> CP437 byte, 0 if the code page has no such character.
static uint8_t fat_uni2oem(uint16_t u)
{
    if (u < 0x80) {
        return (uint8_t)u;
    }
    for (unsigned i = 0x80; i < 0x100; i++) {
        if (cairn_fat_oem2uni((uint8_t)i) == u) {
            return (uint8_t)i;
        }
    }
    return 0;
}

// Simple upper-casing: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic,
// full-width ASCII. Enough for case-insensitive matching of common names.
// Lower-case ranges {first, count - 1, distance to the upper case}; with
// distance 1 (Latin Extended-A pairs) every other unit only.
static const struct {
    uint16_t lo;
    uint8_t n;
    int8_t d;
} fat_case[] = {
    {'a', 25, 0x20},   {0xE0, 22, 0x20},  {0xF8, 6, 0x20},   {0xFF, 0, -0x79},
    {0x101, 46, 1},    {0x133, 4, 1},     {0x13A, 14, 1},    {0x14B, 44, 1},
    {0x17A, 4, 1},     {0x3B1, 16, 0x20}, {0x3C3, 8, 0x20},  {0x3C2, 0, 0x1F},
    {0x430, 31, 0x20}, {0x450, 15, 0x50}, {0xFF41, 25, 0x20},
};

// c's case pair in fat_case: to upper case (dir 0) or lower case (dir 1).
static uint16_t fat_case_map(uint16_t c, int dir)
{
    for (unsigned i = 0; i < sizeof fat_case / sizeof fat_case[0]; i++) {
        uint32_t d = fat_case[i].d, x = (uint16_t)(c + (dir ? d : 0)) - fat_case[i].lo;
        if (x <= fat_case[i].n && (d != 1 || !(x & 1))) {
            return (uint16_t)(dir ? c + d : c - d);
        }
    }
    return c;
}

uint16_t cairn_fat_upcase(uint16_t c)
{
    return fat_case_map(c, 0);
}

// ---- UTF-8 / UTF-16 -------------------------------------------------------------------

size_t cairn_fat_utf16_to_utf8(const uint16_t *s, uint32_t n, char *out, size_t cap)
{
    size_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t cp = s[i];
        if ((cp & 0xF800) == 0xD800) {
            uint32_t lo = i + 1 < n ? s[i + 1] : 0;
            if (cp < 0xDC00 && (lo & 0xFC00) == 0xDC00) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else {
                cp = 0xFFFD; // a lone surrogate
            }
        }
        size_t nb = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (pos + nb >= cap) {
            continue; // no room: drop (callers size buffers for 255 units)
        }
        for (size_t k = nb - 1; k > 0; k--) {
            out[pos + k] = (char)(0x80 | (cp & 0x3F));
            cp >>= 6;
        }
        // lead byte: 0xxxxxxx, 110xxxxx, 1110xxxx or 11110xxx
        out[pos] = (char)(nb == 1 ? cp : ((0xFF00u >> nb) | cp));
        pos += nb;
    }
    if (cap) {
        out[pos] = 0;
    }
    return pos;
}

uint32_t cairn_fat_sfn_to_utf16(const uint8_t *ent, uint16_t *u)
{
    uint32_t n = 0;
    uint8_t nt = ent[FAT_DIR_NTRES];
    for (int i = 0; i < 11; i++) {
        uint8_t c = ent[i];
        if (c == ' ') {
            continue;
        }
        if (i == 0 && c == 0x05) {
            c = FAT_DDEM;
        }
        if (i == 8) {
            u[n++] = '.';
        }
        uint16_t w = cairn_fat_oem2uni(c);
        if (nt & (i < 8 ? FAT_NT_BODY : FAT_NT_EXT)) {
            w = fat_case_map(w, 1); // as Windows and Linux show such names
        }
        u[n++] = w;
    }
    return n;
}

// ---- names for lookup and creation ----------------------------------------------------

// ASCII classes: 1 = illegal in any name, 2 = long names only; 2 bits a
// character from 0x20 on ("*:<>?| and DEL, then +,;=[]); c < 0x80.
static const uint8_t fat_ascii_cls[24] = {
    0x10, 0x00, 0x90, 0x02, 0x00, 0x00, 0x90, 0x59, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41,
};

#if CAIRN_FAT_TINY
// (out of line: inlined twice into cairn_fat_parse_name it costs more code;
// the default build's parse is hot in lookups)
FAT_NOINLINE
#endif
static uint8_t fat_ascii_class(uint32_t c)
{
    if (c < 0x20) {
        return 1;
    }
    c -= 0x20;
    return (fat_ascii_cls[c / 4] >> (c % 4 * 2)) & 3;
}

// Parse component s[0..n) into v->name (UTF-16) and work out its short name
// the way FatFs does: one case per part and 8.3-valid => short only.
int cairn_fat_parse_name(fat_vol *v, const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    struct fat_name *nm = &v->nc; // (parsed in place: the cache)
#if !CAIRN_FAT_TINY
    if (v->nc_valid && n == nm->len) {
        // the cache holds only names of ASCII units kept as they are
        size_t i = 0;
        while (i < n && v->name[i] == u[i]) {
            i++;
        }
        if (i == n) {
            return 0;
        }
    }
    v->nc_valid = 0;
#endif
    uint16_t *nb = v->name;
    uint32_t len = 0; // (past 255: too long, refused below)
    for (size_t i = 0; i < n;) {
        uint32_t cp = u[i++];
        if (cp >= 0x80) {
            // UTF-8: the shortest form of a scalar value only
            uint32_t k = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : 1;
            if (cp < 0xC0 || cp >= 0xF8 || i + k > n) {
                return CAIRN_EINVAL;
            }
            uint32_t min = 1u << (k * 9 + 5) / 2; // 0x80, 0x800, 0x10000
            cp &= 0x3Fu >> k;
            for (; k > 0; k--, i++) {
                if ((u[i] & 0xC0) != 0x80) {
                    return CAIRN_EINVAL;
                }
                cp = (cp << 6) | (u[i] & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp & 0x1FF800) == 0xD800) {
                return CAIRN_EINVAL;
            }
        } else if (fat_ascii_class(cp) == 1) {
            return CAIRN_EINVAL;
        }
        if (cp >= 0x10000) {
            // a surrogate pair
            nb[len++ & 0xFF] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            cp = 0xDC00 + (cp & 0x3FF);
        }
        nb[len++ & 0xFF] = (uint16_t)cp;
    }
    if (len > 255) {
        return CAIRN_ENAMETOOLONG;
    }
    while (len > 0 && (nb[len - 1] == ' ' || nb[len - 1] == '.')) {
        len--; // trailing dots and spaces are dropped
    }
    if (len == 0) {
        return CAIRN_EINVAL;
    }
    nb[len] = 0;
    nm->len = (uint16_t)len;

    // the short name
    uint8_t *fn = nm->sfn;
    memset(fn, ' ', 11);
    uint32_t di, i = 0;
    int lossy = 0, need_lfn = 0;
    // b: the case flags of the body's (sh 0) and the extension's (sh 1)
    // lower-case letters, and those of their upper-case ones 4 bits up
    uint32_t b = 0, sh = 0;
    for (di = len; di > 0 && nb[di - 1] != '.'; di--) {
    }
    // di = index after the last dot (0 = no dot)
    for (uint32_t si = 0; si < len; si++) {
        uint16_t w = nb[si];
        if (si + 1 == di && i != 0) {
            i = 8; // the last dot after something of the body: the extension
            sh = 1;
            continue;
        }
        if (w == ' ' || w == '.') {
            lossy = 1; // spaces, leading and extra dots are dropped
            continue;
        }
        if (i >= 8 + 3 * sh) {
            lossy = 1; // too long
            if (sh || si >= di) {
                break; // (the extension, or no extension to go on with)
            }
            si = di - 2; // on at the last dot
            continue;
        }
        if (w >= 0x80) {
            need_lfn = 1;
            uint32_t oc = fat_uni2oem(cairn_fat_upcase(w));
            if (oc == 0) {
                oc = fat_uni2oem(w);
                if (oc >= 0x80 && oc < 0x80 + FAT_CP437_UP_N) {
                    oc = fat_cp437_up[oc - 0x80];
                }
                lossy = 1;
            }
            if (oc == 0) {
                oc = '_';
            }
            w = (uint16_t)oc;
        } else if (fat_ascii_class(w) == 2) {
            w = '_';
            lossy = 1;
        } else {
            if (w >= 'A' && w <= 'Z') {
                b |= (FAT_NT_BODY << 4) << sh;
            }
            if (w >= 'a' && w <= 'z') {
                b |= FAT_NT_BODY << sh;
                w -= 0x20;
            }
        }
        fn[i++] = (uint8_t)w;
    }
    if (fn[0] == FAT_DDEM) {
        fn[0] = 0x05;
    }
    if ((b & (b >> 4) & (FAT_NT_BODY | FAT_NT_EXT)) || lossy) {
        need_lfn = 1; // (mixed case within a part, or a numeric tail)
    }
    nm->ntres = need_lfn ? 0 : (uint8_t)(b & (FAT_NT_BODY | FAT_NT_EXT));
    _Static_assert(FAT_NT_EXT == FAT_NT_BODY << 1, "case flag bits");
    // (fn[0] is set: the name ends in a character the short name keeps)
    nm->lossy = (uint8_t)lossy;
    nm->need_lfn = (uint8_t)need_lfn;
#if !CAIRN_FAT_TINY
    // nothing trimmed and one unit per byte: ASCII, as typed
    v->nc_valid = len == n;
#endif
    return 0;
}

// ---- short-name checksum and numeric tails -------------------------------------------

uint8_t cairn_fat_sum(const uint8_t *sfn)
{
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++) {
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
    }
    return sum;
}

// The parsed name's short name with tail number `seq`: "~n" for n <= 5,
// else "~" + hex of a CRC-16 of the long name seeded with seq (formats.md
// §2.6); 0: no tail.
void cairn_fat_numname(fat_vol *v, uint8_t *dst, uint32_t seq)
{
    const uint16_t *lfn = v->name;
    cairn_fat_name11(dst, v->nc.sfn);
    if (seq == 0) {
        return;
    }
    if (seq > 5) {
        uint32_t r = seq;
        for (; *lfn; lfn++) {
            uint16_t wc = *lfn;
            for (int k = 0; k < 16; k++) {
                r = (r << 1) + (wc & 1u);
                wc >>= 1;
                if (r & 0x10000u) {
                    r ^= 0x11021u;
                }
            }
        }
        seq = r & 0xFFFFu;
    }
    uint8_t tail[8]; // "~" and the digits end at 8 (the body is space padded)
    int t = 8;
    do {
        unsigned d = seq % 16;
        tail[--t] = (uint8_t)(d < 10 ? '0' + d : 'A' + d - 10);
        seq /= 16;
    } while (seq); // (at most 4 digits: seq is 1..5 or 16 bits)
    tail[--t] = '~';
    int j = 0;
    while (j < t && dst[j] != ' ') {
        j++;
    }
    while (t < 8) {
        dst[j++] = tail[t++];
    }
}

int cairn_fat_make_label(fat_vol *v, const char *s, size_t n, const char *bad, uint8_t *lab)
{
    int rc = cairn_fat_parse_name(v, s, n);
    if (rc) {
        return rc;
    }
    if (v->nc.len > 11) {
        return CAIRN_EINVAL;
    }
    for (uint32_t i = 0; i < 11; i++) {
        uint16_t c = i < v->nc.len ? cairn_fat_upcase(v->name[i]) : ' ';
        if (c >= 0x80 || c == '.' || strchr(bad, (int)c)) {
            return CAIRN_EINVAL;
        }
        lab[i] = (uint8_t)c;
    }
    return 0;
}
