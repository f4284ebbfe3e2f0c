// FAT names: UTF-8 <-> UTF-16, code page 437, upper-casing, 8.3 short names,
// numeric tails, the short-name checksum and the long-name (LFN) entries.
#include "fat_int.h"

// Code page 437, 0x80..0xFF, as Unicode.
static const uint16_t fat_cp437[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8,
    0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2,
    0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1,
    0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD,
    0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562,
    0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534,
    0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560,
    0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393,
    0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6,
    0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0,
    0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

// CP437 upper-casing of 0x80..0xFF as DOS does it (accented lower-case letters
// without an upper-case form in the code page lose their accent).
static const uint8_t fat_cp437_up[128] = {
    0x80, 0x9A, 0x45, 0x41, 0x8E, 0x41, 0x8F, 0x80, 0x45, 0x45, 0x45, 0x49, 0x49, 0x49, 0x8E,
    0x8F, 0x90, 0x92, 0x92, 0x4F, 0x99, 0x4F, 0x55, 0x55, 0x59, 0x99, 0x9A, 0x9B, 0x9C, 0x9D,
    0x9E, 0x9F, 0x41, 0x49, 0x4F, 0x55, 0xA5, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC,
    0xAD, 0xAE, 0xAF, 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB,
    0xBC, 0xBD, 0xBE, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA,
    0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9,
    0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xE0, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8,
    0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7,
    0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF,
};

uint16_t cairn_fat_oem2uni(uint8_t c)
{
    return c < 0x80 ? c : fat_cp437[c - 0x80];
}

// Unicode -> CP437 byte, 0 if the code page has no such character.
static uint8_t fat_uni2oem(uint16_t u)
{
    if (u < 0x80) {
        return (uint8_t)u;
    }
    for (unsigned i = 0; i < 128; i++) {
        if (fat_cp437[i] == u) {
            return (uint8_t)(0x80 + i);
        }
    }
    return 0;
}

// Simple upper-casing: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic,
// full-width ASCII. Enough for case-insensitive matching of common names.
uint16_t cairn_fat_upcase(uint16_t c)
{
    if (c < 0x80) {
        return (c >= 'a' && c <= 'z') ? (uint16_t)(c - 0x20) : c;
    }
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) {
        return (uint16_t)(c - 0x20);
    }
    if (c == 0xFF) {
        return 0x178;
    }
    if (c >= 0x100 && c <= 0x17F) {
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
            return (c & 1) ? c : (uint16_t)(c - 1);
        }
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) {
            return c;
        }
        return (c & 1) ? (uint16_t)(c - 1) : c;
    }
    if (c >= 0x3B1 && c <= 0x3CB) {
        return c == 0x3C2 ? 0x3A3 : (uint16_t)(c - 0x20);
    }
    if (c >= 0x430 && c <= 0x44F) {
        return (uint16_t)(c - 0x20);
    }
    if (c >= 0x450 && c <= 0x45F) {
        return (uint16_t)(c - 0x50);
    }
    if (c >= 0xFF41 && c <= 0xFF5A) {
        return (uint16_t)(c - 0x20);
    }
    return c;
}

// Lower case of an upper-case letter (the inverse of cairn_fat_upcase).
static uint16_t fat_lowcase(uint16_t u)
{
    if (u < 0x80) {
        return (u >= 'A' && u <= 'Z') ? (uint16_t)(u + 0x20) : u;
    }
    if (u == 0x178) {
        return 0xFF;
    }
    static const uint16_t step[] = {0x20, 1, 0x50};
    for (unsigned i = 0; i < sizeof step / sizeof step[0]; i++) {
        uint16_t l = (uint16_t)(u + step[i]);
        if (l != u && cairn_fat_upcase(l) == u) {
            return l;
        }
    }
    return u;
}

// ---- UTF-8 / UTF-16 -------------------------------------------------------------------

static size_t fat_put_utf8(uint32_t cp, char *out, size_t pos, size_t cap)
{
    uint8_t b[4];
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t k = n - 1; k > 0; k--) {
        b[k] = (uint8_t)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    // lead byte: 0xxxxxxx, 110xxxxx, 1110xxxx or 11110xxx
    b[0] = (uint8_t)(n == 1 ? cp : ((0xFF00u >> n) | cp));
    if (pos + n >= cap) {
        return pos; // no room: drop (callers size buffers for 255 units)
    }
    memcpy(out + pos, b, n);
    return pos + n;
}

size_t cairn_fat_utf16_to_utf8(const uint16_t *s, uint32_t n, char *out, size_t cap)
{
    size_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t cp = s[i];
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < n && s[i + 1] >= 0xDC00 &&
            s[i + 1] < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xD800 && cp < 0xE000) {
            cp = 0xFFFD;
        }
        pos = fat_put_utf8(cp, out, pos, cap);
    }
    if (cap) {
        out[pos] = 0;
    }
    return pos;
}

size_t cairn_fat_sfn_to_utf8(const uint8_t *ent, char *out, size_t cap)
{
    size_t pos = 0;
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
            pos = fat_put_utf8('.', out, pos, cap);
        }
        uint16_t u = cairn_fat_oem2uni(c);
        if (nt & (i < 8 ? FAT_NT_BODY : FAT_NT_EXT)) {
            u = fat_lowcase(u); // as Windows and Linux show such names
        }
        pos = fat_put_utf8(u, out, pos, cap);
    }
    if (cap) {
        out[pos] = 0;
    }
    return pos;
}

// ---- names for lookup and creation ----------------------------------------------------

// Decode one UTF-8 code point; 0 on invalid input.
static uint32_t fat_utf8_next(const uint8_t *s, size_t n, size_t *i)
{
    uint8_t c = s[*i];
    uint32_t cp, min;
    size_t k;
    if (c < 0x80) {
        (*i)++;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        cp = c & 0x1F;
        k = 1;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        k = 2;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        cp = c & 0x07;
        k = 3;
        min = 0x10000;
    } else {
        return 0;
    }
    if (*i + k >= n) {
        return 0;
    }
    for (size_t j = 1; j <= k; j++) {
        if ((s[*i + j] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[*i + j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
        return 0;
    }
    *i += k + 1;
    return cp;
}

// ASCII classes: 1 = illegal in any name, 2 = long names only ("+,;=[]").
static uint8_t fat_ascii_class(uint32_t c)
{
    if (c < 0x20 || c == 0x7F) {
        return 1;
    }
    switch (c) {
    case '"':
    case '*':
    case ':':
    case '<':
    case '>':
    case '?':
    case '|':
        return 1;
    case '+':
    case ',':
    case ';':
    case '=':
    case '[':
    case ']':
        return 2;
    default:
        return 0;
    }
}

// Parse component s[0..n) into v->name (UTF-16) and work out its short name
// the way FatFs does: one case per part and 8.3-valid => short only.
int cairn_fat_parse_name(fat_vol *v, const char *s, size_t n, struct fat_name *nm)
{
    const uint8_t *u = (const uint8_t *)s;
    if (v->nc_valid && n == v->nc.len) {
        // the cache holds only names of ASCII units kept as they are
        size_t i = 0;
        while (i < n && v->name[i] == u[i]) {
            i++;
        }
        if (i == n) {
            *nm = v->nc;
            return 0;
        }
    }
    v->nc_valid = 0;
    uint32_t len = 0;
    int too_long = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = fat_utf8_next(u, n, &i);
        if (cp == 0) {
            return CAIRN_EINVAL;
        }
        if (cp < 0x80 && fat_ascii_class(cp) == 1) {
            return CAIRN_EINVAL;
        }
        uint32_t units = cp >= 0x10000 ? 2 : 1;
        if (len + units > 255) {
            too_long = 1;
            len += units;
            continue;
        }
        if (units == 2) {
            v->name[len++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            v->name[len++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            v->name[len++] = (uint16_t)cp;
        }
    }
    if (too_long) {
        return CAIRN_ENAMETOOLONG;
    }
    while (len > 0 && (v->name[len - 1] == ' ' || v->name[len - 1] == '.')) {
        len--; // trailing dots and spaces are dropped
    }
    if (len == 0) {
        return CAIRN_EINVAL;
    }
    v->name[len] = 0;
    nm->len = (uint16_t)len;

    // the short name
    uint8_t *fn = nm->sfn;
    memset(fn, ' ', 11);
    uint32_t si = 0, di, i = 0, ni = 8;
    int lossy = 0, need_lfn = 0;
    unsigned b = 0;
    while (si < len && (v->name[si] == ' ' || v->name[si] == '.')) {
        si++;
    }
    if (si > 0) {
        lossy = 1;
    }
    for (di = len; di > 0 && v->name[di - 1] != '.'; di--) {
    }
    // di = index after the last dot (0 = no dot)
    for (;;) {
        if (si >= len) {
            break;
        }
        uint16_t w = v->name[si++];
        if (w == ' ' || (w == '.' && si != di)) {
            lossy = 1; // embedded spaces and extra dots are dropped
            continue;
        }
        if (i >= ni || si == di) {
            if (ni == 11) {
                lossy = 1; // extension too long
                break;
            }
            if (si != di) {
                lossy = 1; // body too long
            }
            if (si > di) {
                break; // no extension
            }
            si = di;
            i = 8;
            ni = 11;
            b <<= 2;
            continue;
        }
        if (w >= 0x80) {
            need_lfn = 1;
            uint8_t oc = fat_uni2oem(cairn_fat_upcase(w));
            if (oc == 0) {
                oc = fat_uni2oem(w);
                if (oc >= 0x80) {
                    oc = fat_cp437_up[oc - 0x80];
                }
                lossy = 1;
            }
            if (oc == 0) {
                oc = '_';
            }
            w = oc;
        } else if (fat_ascii_class(w) == 2) {
            w = '_';
            lossy = 1;
        } else {
            if (w >= 'A' && w <= 'Z') {
                b |= 2;
            }
            if (w >= 'a' && w <= 'z') {
                b |= 1;
                w -= 0x20;
            }
        }
        fn[i++] = (uint8_t)w;
    }
    if (fn[0] == FAT_DDEM) {
        fn[0] = 0x05;
    }
    if (ni == 8) {
        b <<= 2;
    }
    if ((b & 0x0C) == 0x0C || (b & 0x03) == 0x03) {
        need_lfn = 1; // mixed case within a part
    }
    nm->ntres = 0;
    if (!lossy && !need_lfn) {
        if (b & 0x01) {
            nm->ntres |= FAT_NT_EXT;
        }
        if (b & 0x04) {
            nm->ntres |= FAT_NT_BODY;
        }
    }
    if (fn[0] == ' ') {
        lossy = 1; // nothing usable for the short name (e.g. all dots dropped)
        fn[0] = '_';
    }
    nm->lossy = (uint8_t)lossy;
    nm->need_lfn = (uint8_t)(lossy || need_lfn);
    if (len == n) {
        // nothing trimmed and one unit per byte: ASCII, as typed
        v->nc = *nm;
        v->nc_valid = 1;
    }
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

// Short name with tail number `seq`: "~n" for n <= 5, else "~" + hex of a
// CRC-16 of the long name seeded with seq (formats.md §2.6).
void cairn_fat_numname(uint8_t *dst, const uint8_t *src, const uint16_t *lfn, uint32_t seq)
{
    memcpy(dst, src, 11);
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
    char tail[9];
    int t = 8;
    tail[8] = 0;
    do {
        unsigned d = seq % 16;
        tail[--t] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
        seq /= 16;
    } while (seq && t > 1);
    tail[--t] = '~';
    int tl = 8 - t;
    int j = 0;
    while (j < 8 - tl && dst[j] != ' ') {
        j++;
    }
    for (int k = 0; k < tl; k++) {
        dst[j++] = (uint8_t)tail[t + k];
    }
    while (j < 8) {
        dst[j++] = ' ';
    }
}

// ---- LFN entries -------------------------------------------------------------------------

static const uint8_t fat_lfn_ofs[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

// One LFN entry's characters, name positions (ord-1)*13 on: stored into
// v->name when `want` is 0 (the name is being read), else compared with
// v->name[0..want) as they come (*match cleared on a difference), so that
// one buffer serves lookups and listings. *hash gets this piece's share of
// the name's hash (fat_hash_piece). Returns the name length when this is the
// last (first-stored) entry, 0 for others, -1 if malformed.
int cairn_fat_lfn_piece(fat_vol *v, const uint8_t *ent, uint32_t want, uint8_t *match,
                        uint32_t *hash)
{
    uint32_t ord = ent[FAT_LDIR_ORD] & 0x3F;
    if (ord == 0 || ord > 20 || fat_ld16(ent + FAT_LDIR_FSTCLUS) != 0) {
        return -1;
    }
    uint32_t i = (ord - 1) * 13;
    uint32_t h = fat_hash_seed(ord - 1);
    int ended = 0;
    for (int k = 0; k < 13; k++) {
        uint16_t c = fat_ld16(ent + fat_lfn_ofs[k]);
        if (ended) {
            if (c != 0xFFFF) {
                return -1;
            }
        } else if (c == 0) {
            ended = 1;
            if (!(ent[FAT_LDIR_ORD] & FAT_LLEF)) {
                return -1; // a terminator only in the last piece
            }
        } else {
            if (i >= 255) {
                return -1;
            }
            if (want == 0) {
                v->name[i] = c;
            } else if (i >= want || cairn_fat_upcase(c) != cairn_fat_upcase(v->name[i])) {
                *match = 0;
            }
            h = fat_hash_step(h, c);
            i++;
        }
    }
    *hash ^= h;
    if (ent[FAT_LDIR_ORD] & FAT_LLEF) {
        if (want == 0) {
            v->name[i] = 0;
            v->nc_valid = 0; // (the buffer no longer holds a parsed name)
        } else if (i != want) {
            *match = 0;
        }
        return (int)i;
    }
    return 0;
}

void cairn_fat_lfn_put(uint8_t *ent, const uint16_t *lfn, uint32_t len, uint32_t ord,
                       uint8_t sum, int last)
{
    memset(ent, 0, FAT_DIRENT);
    ent[FAT_LDIR_ORD] = (uint8_t)(ord | (last ? FAT_LLEF : 0));
    ent[FAT_DIR_ATTR] = FAT_AM_LFN;
    ent[FAT_LDIR_CHKSUM] = sum;
    uint32_t i = (ord - 1) * 13;
    for (int k = 0; k < 13; k++, i++) {
        uint16_t c = i < len ? lfn[i] : i == len ? 0 : 0xFFFF;
        fat_st16(ent + fat_lfn_ofs[k], c);
    }
}

int cairn_fat_make_label(fat_vol *v, const char *s, size_t n, const char *bad, uint8_t *lab)
{
    struct fat_name nm;
    memset(lab, ' ', 11);
    int rc = cairn_fat_parse_name(v, s, n, &nm);
    if (rc) {
        return rc;
    }
    if (nm.len > 11) {
        return CAIRN_EINVAL;
    }
    for (uint32_t i = 0; i < nm.len; i++) {
        uint16_t c = cairn_fat_upcase(v->name[i]);
        if (c >= 0x80 || c == '.' || strchr(bad, (int)c)) {
            return CAIRN_EINVAL;
        }
        lab[i] = (uint8_t)c;
    }
    return 0;
}
