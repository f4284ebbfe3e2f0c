// The host board: descriptions (built in code or parsed from boards/*.board
// text), the devices behind them (emulated SD cards and NOR chips, in memory or
// mapped from image files), and the "current board" the Zephyr API stand-ins
// (zephyr_disk.c, zephyr_flash.c) work on. Host-only: malloc, stdio and POSIX.
#include "cairn/host_board.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The default board: Nordic's nRF52840 DK (Zephyr board nrf52840dk/nrf52840).
 * Its internal flash (1 MiB, 4 KiB pages, 4-byte write words) with the
 * MCUboot flash map of its devicetree (boot_partition, slot0_partition,
 * slot1_partition, scratch_partition, storage_partition: the layout of
 * nrf52840dk_nrf52840.dts in the Zephyr 2.x/3.x releases that still had the
 * scratch partition), plus a 64 MiB SD card on the board's SPI SD/MMC slot
 * under Zephyr's usual disk name "SDHC". Partition ids follow MicroPython's
 * zephyr.FlashArea docs (boot, slot0, slot1, scratch = 1..4, so scratch is 4);
 * storage comes next. Kept identical to boards/nrf52840dk.board.
 */
const char cairn_board_default_text[] =
    "# Nordic nRF52840 DK (Zephyr: nrf52840dk/nrf52840)\n"
    "board nrf52840dk_nrf52840\n"
    "# SD card in the SPI SD/MMC slot: disk-access name \"SDHC\"\n"
    "disk SDHC sector-size=512 size=64M image=sd.img\n"
    "# nRF52840 internal flash: erase-block-size 4096, write-block-size 4\n"
    "flash flash0 size=1M erase-block=4K write-block=4 image=flash.img\n"
    "# fixed partitions; ids as MicroPython's zephyr.FlashArea docs number them\n"
    "partition boot    id=1 offset=0x00000000 size=0x0000C000 # boot_partition (mcuboot)\n"
    "partition slot0   id=2 offset=0x0000C000 size=0x00067000 # slot0_partition (image-0)\n"
    "partition slot1   id=3 offset=0x00073000 size=0x00067000 # slot1_partition (image-1)\n"
    "partition scratch id=4 offset=0x000DA000 size=0x0001E000 # scratch_partition\n"
    "partition storage id=5 offset=0x000F8000 size=0x00008000 # storage_partition\n";

static struct cairn_board *hb_current;

// ---- errors ------------------------------------------------------------------------

static int hb_fail(struct cairn_board *b, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int hb_fail(struct cairn_board *b, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
    return err;
}

const char *cairn_board_error(const struct cairn_board *b)
{
    return b->err;
}

// ---- description ---------------------------------------------------------------------

void cairn_board_init(struct cairn_board *b, const char *name)
{
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", name ? name : "board");
    for (unsigned i = 0; i < CAIRN_BOARD_MAX_DISKS; i++) {
        b->disks[i].fd = -1;
    }
    for (unsigned i = 0; i < CAIRN_BOARD_MAX_FLASH; i++) {
        b->flash[i].fd = -1;
    }
}

static int hb_name_ok(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) >= CAIRN_BOARD_NAME_LEN) {
        return 0;
    }
    for (; *s; s++) {
        if (isspace((unsigned char)*s) || *s == '/' || *s == '=' || *s == '#') {
            return 0;
        }
    }
    return 1;
}

static int hb_image_ok(const char *s)
{
    return s == NULL || *s == '\0' ||
           (strlen(s) < CAIRN_BOARD_IMAGE_LEN && strchr(s, '/') == NULL && strcmp(s, ".") != 0 &&
            strcmp(s, "..") != 0);
}

static int hb_is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static int hb_check_open(struct cairn_board *b)
{
    return b->is_open ? hb_fail(b, CAIRN_EBUSY, "board %s is open", b->name) : 0;
}

const struct cairn_board_disk *cairn_board_find_disk(const struct cairn_board *b, const char *name)
{
    for (unsigned i = 0; name && i < b->ndisks; i++) {
        if (strcmp(b->disks[i].name, name) == 0) {
            return &b->disks[i];
        }
    }
    return NULL;
}

static int hb_find_flash(const struct cairn_board *b, const char *name)
{
    for (unsigned i = 0; i < b->nflash; i++) {
        if (strcmp(b->flash[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int cairn_board_add_disk(struct cairn_board *b, const char *name, uint32_t sector_size,
                         uint32_t sector_count, const char *image)
{
    int rc = hb_check_open(b);
    if (rc) {
        return rc;
    }
    if (!hb_name_ok(name)) {
        return hb_fail(b, CAIRN_EINVAL, "bad disk name '%s'", name ? name : "");
    }
    if (cairn_board_find_disk(b, name)) {
        return hb_fail(b, CAIRN_EEXIST, "disk %s declared twice", name);
    }
    if (b->ndisks >= CAIRN_BOARD_MAX_DISKS) {
        return hb_fail(b, CAIRN_ENOSPC, "too many disks (at most %d)", CAIRN_BOARD_MAX_DISKS);
    }
    if (!hb_is_pow2(sector_size) || sector_size < 512 || sector_size > 4096) {
        return hb_fail(b, CAIRN_EINVAL,
                       "disk %s: sector size %u is not a power of two in 512..4096", name,
                       (unsigned)sector_size);
    }
    if (sector_count == 0 || sector_count > (uint32_t)INT32_MAX) {
        return hb_fail(b, CAIRN_EINVAL, "disk %s: sector count %u out of range 1..%d", name,
                       (unsigned)sector_count, INT32_MAX);
    }
    if (!hb_image_ok(image)) {
        return hb_fail(b, CAIRN_EINVAL, "disk %s: bad image file name '%s'", name, image);
    }
    struct cairn_board_disk *d = &b->disks[b->ndisks];
    memset(d, 0, sizeof *d);
    d->fd = -1;
    snprintf(d->name, sizeof d->name, "%s", name);
    d->sector_size = sector_size;
    d->sector_count = sector_count;
    if (image && *image) {
        snprintf(d->image, sizeof d->image, "%s", image);
    } else {
        size_t i = 0;
        for (; name[i] && i < sizeof d->image - 5; i++) {
            d->image[i] = (char)tolower((unsigned char)name[i]);
        }
        memcpy(d->image + i, ".img", 5);
    }
    b->ndisks++;
    return 0;
}

int cairn_board_add_flash(struct cairn_board *b, const char *name, uint32_t size,
                          uint32_t erase_block, uint32_t write_block, const char *image)
{
    int rc = hb_check_open(b);
    if (rc) {
        return rc;
    }
    if (!hb_name_ok(name)) {
        return hb_fail(b, CAIRN_EINVAL, "bad flash name '%s'", name ? name : "");
    }
    if (hb_find_flash(b, name) >= 0) {
        return hb_fail(b, CAIRN_EEXIST, "flash %s declared twice", name);
    }
    if (b->nflash >= CAIRN_BOARD_MAX_FLASH) {
        return hb_fail(b, CAIRN_ENOSPC, "too many flash devices (at most %d)",
                       CAIRN_BOARD_MAX_FLASH);
    }
    if (size == 0 || size > (1u << 30)) {
        return hb_fail(b, CAIRN_EINVAL, "flash %s: size %u out of range 1..1G", name,
                       (unsigned)size);
    }
    if (erase_block == 0 || size % erase_block != 0) {
        return hb_fail(b, CAIRN_EINVAL, "flash %s: erase block %u does not divide the size %u",
                       name, (unsigned)erase_block, (unsigned)size);
    }
    if (write_block == 0 || erase_block % write_block != 0) {
        return hb_fail(b, CAIRN_EINVAL,
                       "flash %s: write block %u does not divide the erase block %u", name,
                       (unsigned)write_block, (unsigned)erase_block);
    }
    if (!hb_image_ok(image)) {
        return hb_fail(b, CAIRN_EINVAL, "flash %s: bad image file name '%s'", name, image);
    }
    struct cairn_board_flash *f = &b->flash[b->nflash];
    memset(f, 0, sizeof *f);
    f->fd = -1;
    snprintf(f->name, sizeof f->name, "%s", name);
    f->size = size;
    f->erase_block = erase_block;
    f->write_block = write_block;
    if (image && *image) {
        snprintf(f->image, sizeof f->image, "%s", image);
    } else {
        snprintf(f->image, sizeof f->image, "%.*s.img", (int)(sizeof f->image - 5), name);
    }
    b->nflash++;
    return 0;
}

int cairn_board_add_partition(struct cairn_board *b, const char *label, uint32_t id,
                              const char *flash_name, uint32_t offset, uint32_t size,
                              uint32_t erase_block)
{
    int rc = hb_check_open(b);
    if (rc) {
        return rc;
    }
    if (label != NULL && (*label == '\0' || strcmp(label, "-") == 0)) {
        label = NULL;
    }
    const char *what = label ? label : "(unlabelled)";
    if (label != NULL && !hb_name_ok(label)) {
        return hb_fail(b, CAIRN_EINVAL, "bad partition label '%s'", label);
    }
    if (b->nparts >= CAIRN_BOARD_MAX_PARTS) {
        return hb_fail(b, CAIRN_ENOSPC, "too many partitions (at most %d)", CAIRN_BOARD_MAX_PARTS);
    }
    if (id > 255) {
        return hb_fail(b, CAIRN_EINVAL, "partition %s: id %u out of range 0..255", what,
                       (unsigned)id);
    }
    int fi;
    if (flash_name != NULL) {
        fi = hb_find_flash(b, flash_name);
        if (fi < 0) {
            return hb_fail(b, CAIRN_ENOENT, "partition %s: no flash called %s", what, flash_name);
        }
    } else {
        if (b->nflash == 0) {
            return hb_fail(b, CAIRN_ENOENT, "partition %s: no flash declared before it", what);
        }
        fi = (int)b->nflash - 1;
    }
    const struct cairn_board_flash *f = &b->flash[fi];
    for (unsigned i = 0; i < b->nparts; i++) {
        const struct cairn_board_part *p = &b->parts[i];
        if (p->id == id) {
            return hb_fail(b, CAIRN_EEXIST, "partition %s: id %u already used by %s", what,
                           (unsigned)id, p->label[0] ? p->label : "an unlabelled partition");
        }
        if (label && strcmp(p->label, label) == 0) {
            return hb_fail(b, CAIRN_EEXIST, "partition %s declared twice", label);
        }
    }
    if (erase_block != 0 && erase_block != f->erase_block) {
        return hb_fail(b, CAIRN_EINVAL, "partition %s: erase block %u differs from flash %s's (%u)",
                       what, (unsigned)erase_block, f->name, (unsigned)f->erase_block);
    }
    if (size == 0) {
        return hb_fail(b, CAIRN_EINVAL, "partition %s: size 0", what);
    }
    if ((uint64_t)offset + size > f->size) {
        return hb_fail(b, CAIRN_EINVAL,
                       "partition %s: 0x%x + 0x%x runs past the end of flash %s (0x%x bytes)", what,
                       (unsigned)offset, (unsigned)size, f->name, (unsigned)f->size);
    }
    if (offset % f->erase_block || size % f->erase_block) {
        return hb_fail(b, CAIRN_EINVAL,
                       "partition %s: offset 0x%x and size 0x%x must be whole %u-byte erase "
                       "blocks",
                       what, (unsigned)offset, (unsigned)size, (unsigned)f->erase_block);
    }
    for (unsigned i = 0; i < b->nparts; i++) {
        const struct cairn_board_part *p = &b->parts[i];
        if (p->flash == fi && offset < p->offset + p->size && p->offset < offset + size) {
            return hb_fail(b, CAIRN_EINVAL, "partition %s overlaps partition %s", what,
                           p->label[0] ? p->label : "(unlabelled)");
        }
    }
    struct cairn_board_part *p = &b->parts[b->nparts];
    memset(p, 0, sizeof *p);
    if (label) {
        snprintf(p->label, sizeof p->label, "%s", label);
    }
    p->id = (uint8_t)id;
    p->flash = (uint8_t)fi;
    p->offset = offset;
    p->size = size;
    b->nparts++;
    return 0;
}

int cairn_board_attach_disk(struct cairn_board *b, const char *name, struct cairn_bdev *bd)
{
    if (bd == NULL || !cairn_bdev_has_simple(bd)) {
        return hb_fail(b, CAIRN_EINVAL, "disk %s: the device needs the simple interface",
                       name ? name : "");
    }
    int rc = cairn_bdev_probe(bd, 0, 0);
    if (rc) {
        return hb_fail(b, rc, "disk %s: probing the device failed", name ? name : "");
    }
    rc = cairn_board_add_disk(b, name, bd->block_size, bd->block_count, NULL);
    if (rc) {
        return rc;
    }
    b->disks[b->ndisks - 1].bd = bd;
    b->disks[b->ndisks - 1].attached = 1;
    return 0;
}

int cairn_board_attach_flash(struct cairn_board *b, const char *name, struct cairn_bdev *bd,
                             uint32_t write_block)
{
    if (bd == NULL || !cairn_bdev_has_ext(bd)) {
        return hb_fail(b, CAIRN_EINVAL, "flash %s: the device needs the extended interface",
                       name ? name : "");
    }
    int rc = cairn_bdev_probe(bd, 0, 0);
    if (rc) {
        return hb_fail(b, rc, "flash %s: probing the device failed", name ? name : "");
    }
    uint64_t size = (uint64_t)bd->block_size * bd->block_count;
    if (size > UINT32_MAX) {
        return hb_fail(b, CAIRN_EINVAL, "flash %s: device larger than 4 GiB", name);
    }
    rc = cairn_board_add_flash(b, name, (uint32_t)size, bd->block_size, write_block, NULL);
    if (rc) {
        return rc;
    }
    b->flash[b->nflash - 1].bd = bd;
    b->flash[b->nflash - 1].attached = 1;
    return 0;
}

// ---- parser ---------------------------------------------------------------------------

#define HB_MAX_TOKENS 12

struct hb_line {
    char *tok[HB_MAX_TOKENS];
    int n;
    uint8_t used[HB_MAX_TOKENS];
};

// A number: decimal or 0x-hex, optional K/M/G (1024-based). 0 and *v, or -1.
static int hb_number(const char *s, uint64_t *v)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || isspace((unsigned char)*s)) {
        return -1;
    }
    // 0x for hex; never octal (a leading zero is decimal, as people read it)
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!isxdigit((unsigned char)*digits)) {
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long x = strtoull(digits, &end, hex ? 16 : 10);
    if (errno || end == digits) {
        return -1;
    }
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') {
        shift = 10;
    } else if (*end == 'M' || *end == 'm') {
        shift = 20;
    } else if (*end == 'G' || *end == 'g') {
        shift = 30;
    }
    if (shift) {
        end++;
    }
    if (*end != '\0' || x > (UINT64_MAX >> shift)) {
        return -1;
    }
    *v = (uint64_t)x << shift;
    return 0;
}

// The value of key=... on the line (marking it used), or NULL.
static const char *hb_key(struct hb_line *l, const char *key)
{
    size_t k = strlen(key);
    for (int i = 2; i < l->n; i++) {
        if (strncmp(l->tok[i], key, k) == 0 && l->tok[i][k] == '=') {
            l->used[i] = 1;
            return l->tok[i] + k + 1;
        }
    }
    return NULL;
}

static int hb_flag(struct hb_line *l, const char *word)
{
    for (int i = 2; i < l->n; i++) {
        if (strcmp(l->tok[i], word) == 0) {
            l->used[i] = 1;
            return 1;
        }
    }
    return 0;
}

// key=NUMBER within [lo, hi]: 1 found, 0 absent (def kept), or an error.
static int hb_num_key(struct cairn_board *b, struct hb_line *l, const char *src, int line,
                      const char *key, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const char *s = hb_key(l, key);
    if (s == NULL) {
        return 0;
    }
    uint64_t v;
    if (hb_number(s, &v) != 0) {
        return hb_fail(b, CAIRN_EINVAL, "%s:%d: %s=%s is not a number", src, line, key, s);
    }
    if (v < lo || v > hi) {
        return hb_fail(b, CAIRN_EINVAL, "%s:%d: %s=%s out of range %llu..%llu", src, line, key, s,
                       (unsigned long long)lo, (unsigned long long)hi);
    }
    *out = v;
    return 1;
}

static int hb_leftovers(struct cairn_board *b, struct hb_line *l, const char *src, int line)
{
    for (int i = 2; i < l->n; i++) {
        if (!l->used[i]) {
            return hb_fail(b, CAIRN_EINVAL, "%s:%d: unknown setting '%s' for %s", src, line,
                           l->tok[i], l->tok[0]);
        }
    }
    return 0;
}

// Re-prefix an error from the add functions with the line.
static int hb_at(struct cairn_board *b, int rc, const char *src, int line)
{
    if (rc) {
        char msg[sizeof b->err];
        snprintf(msg, sizeof msg, "%s", b->err);
        hb_fail(b, rc, "%s:%d: %s", src, line, msg);
    }
    return rc;
}

static int hb_parse_line(struct cairn_board *b, struct hb_line *l, const char *src, int line)
{
    const char *kind = l->tok[0];
    if (l->n < 2) {
        return hb_fail(b, CAIRN_EINVAL, "%s:%d: '%s' needs a name", src, line, kind);
    }
    const char *name = l->tok[1];
    int rc;
    if (strcmp(kind, "board") == 0) {
        if (l->n > 2) {
            return hb_fail(b, CAIRN_EINVAL, "%s:%d: unexpected '%s' after the board name", src,
                           line, l->tok[2]);
        }
        if (!hb_name_ok(name)) {
            return hb_fail(b, CAIRN_EINVAL, "%s:%d: bad board name '%s'", src, line, name);
        }
        snprintf(b->name, sizeof b->name, "%s", name);
        return 0;
    }
    if (strcmp(kind, "disk") == 0) {
        uint64_t ss = 512, count = 0, size = 0;
        if ((rc = hb_num_key(b, l, src, line, "sector-size", 1, 1u << 20, &ss)) < 0) {
            return rc;
        }
        int has_count = hb_num_key(b, l, src, line, "sectors", 1, INT32_MAX, &count);
        if (has_count < 0) {
            return has_count;
        }
        int has_size = hb_num_key(b, l, src, line, "size", 1, UINT64_MAX, &size);
        if (has_size < 0) {
            return has_size;
        }
        const char *image = hb_key(l, "image");
        if ((rc = hb_leftovers(b, l, src, line)) != 0) {
            return rc;
        }
        if (has_count == has_size) {
            return hb_fail(b, CAIRN_EINVAL,
                           "%s:%d: disk %s needs exactly one of sectors= or size=", src, line,
                           name);
        }
        if (has_size) {
            if (size % ss != 0) {
                return hb_fail(b, CAIRN_EINVAL,
                               "%s:%d: disk %s: size %llu is not a whole number of %u-byte "
                               "sectors",
                               src, line, name, (unsigned long long)size, (unsigned)ss);
            }
            count = size / ss;
            if (count > INT32_MAX) {
                return hb_fail(b, CAIRN_EINVAL, "%s:%d: disk %s: too many sectors", src, line,
                               name);
            }
        }
        return hb_at(b, cairn_board_add_disk(b, name, (uint32_t)ss, (uint32_t)count, image), src,
                     line);
    }
    if (strcmp(kind, "flash") == 0) {
        uint64_t size = 0, erase = 4096, wb = 1;
        int has_size = hb_num_key(b, l, src, line, "size", 1, UINT32_MAX, &size);
        if (has_size < 0) {
            return has_size;
        }
        if ((rc = hb_num_key(b, l, src, line, "erase-block", 1, UINT32_MAX, &erase)) < 0 ||
            (rc = hb_num_key(b, l, src, line, "write-block", 1, UINT32_MAX, &wb)) < 0) {
            return rc;
        }
        const char *image = hb_key(l, "image");
        int disabled = hb_flag(l, "disabled");
        if ((rc = hb_leftovers(b, l, src, line)) != 0) {
            return rc;
        }
        if (!has_size) {
            return hb_fail(b, CAIRN_EINVAL, "%s:%d: flash %s needs size=", src, line, name);
        }
        rc = cairn_board_add_flash(b, name, (uint32_t)size, (uint32_t)erase, (uint32_t)wb, image);
        if (rc == 0) {
            b->flash[b->nflash - 1].disabled = (uint8_t)disabled;
        }
        return hb_at(b, rc, src, line);
    }
    if (strcmp(kind, "partition") == 0) {
        uint64_t id = 0, off = 0, size = 0, erase = 0;
        int has_id = hb_num_key(b, l, src, line, "id", 0, 255, &id);
        if (has_id < 0) {
            return has_id;
        }
        int has_off = hb_num_key(b, l, src, line, "offset", 0, UINT32_MAX, &off);
        if (has_off < 0) {
            return has_off;
        }
        int has_size = hb_num_key(b, l, src, line, "size", 1, UINT32_MAX, &size);
        if (has_size < 0) {
            return has_size;
        }
        if ((rc = hb_num_key(b, l, src, line, "erase-block", 1, UINT32_MAX, &erase)) < 0) {
            return rc;
        }
        const char *flash = hb_key(l, "flash");
        if ((rc = hb_leftovers(b, l, src, line)) != 0) {
            return rc;
        }
        if (!has_id || !has_off || !has_size) {
            return hb_fail(b, CAIRN_EINVAL, "%s:%d: partition %s needs id=, offset= and size=", src,
                           line, name);
        }
        return hb_at(b,
                     cairn_board_add_partition(b, name, (uint32_t)id, flash, (uint32_t)off,
                                               (uint32_t)size, (uint32_t)erase),
                     src, line);
    }
    return hb_fail(b, CAIRN_EINVAL,
                   "%s:%d: unknown item '%s' (expected board, disk, flash or partition)", src, line,
                   kind);
}

int cairn_board_parse(struct cairn_board *b, const char *text, const char *source)
{
    const char *src = source ? source : "board";
    b->err[0] = '\0';
    if (text == NULL) {
        return hb_fail(b, CAIRN_EINVAL, "%s: no text", src);
    }
    int line = 0;
    const char *p = text;
    while (*p) {
        line++;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char buf[512];
        if (len >= sizeof buf) {
            return hb_fail(b, CAIRN_EINVAL, "%s:%d: line too long", src, line);
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        p = eol ? eol + 1 : p + len;
        char *hash = strchr(buf, '#');
        if (hash) {
            *hash = '\0';
        }
        struct hb_line l;
        memset(&l, 0, sizeof l);
        char *save = NULL;
        for (char *t = strtok_r(buf, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
            if (l.n == HB_MAX_TOKENS) {
                return hb_fail(b, CAIRN_EINVAL, "%s:%d: too many settings", src, line);
            }
            l.tok[l.n++] = t;
        }
        if (l.n == 0) {
            continue;
        }
        int rc = hb_parse_line(b, &l, src, line);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int cairn_board_load(struct cairn_board *b, const char *path)
{
    cairn_board_init(b, NULL);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return hb_fail(b, CAIRN_ENOENT, "%s: cannot open: %s", path, strerror(errno));
    }
    char *text = malloc(65536 + 1);
    if (text == NULL) {
        fclose(fp);
        return hb_fail(b, CAIRN_ENOMEM, "%s: out of memory", path);
    }
    size_t n = fread(text, 1, 65536 + 1, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad || n > 65536) {
        free(text);
        return hb_fail(b, CAIRN_EINVAL, "%s: %s", path, bad ? "read error" : "file too large");
    }
    text[n] = '\0';
    if (strlen(text) != n) {
        free(text);
        return hb_fail(b, CAIRN_EINVAL, "%s: not a text file", path);
    }
    int rc = cairn_board_parse(b, text, path);
    free(text);
    return rc;
}

int cairn_board_load_default(struct cairn_board *b)
{
    cairn_board_init(b, NULL);
    return cairn_board_parse(b, cairn_board_default_text, "default board");
}

const struct cairn_board_part *cairn_board_find_area(const struct cairn_board *b,
                                                     const char *label_or_id)
{
    if (label_or_id == NULL || *label_or_id == '\0') {
        return NULL;
    }
    for (unsigned i = 0; i < b->nparts; i++) {
        if (b->parts[i].label[0] && strcmp(b->parts[i].label, label_or_id) == 0) {
            return &b->parts[i];
        }
    }
    char *end;
    unsigned long id = strtoul(label_or_id, &end, 10);
    if (*end != '\0' || !isdigit((unsigned char)*label_or_id) || id > 255) {
        return NULL;
    }
    for (unsigned i = 0; i < b->nparts; i++) {
        if (b->parts[i].id == id) {
            return &b->parts[i];
        }
    }
    return NULL;
}

// ---- backing memory ------------------------------------------------------------------------

// Memory for one device: a mapped image file in b->dir, or plain heap memory.
// A new image (or heap block) is filled with `blank`.
static int hb_backing(struct cairn_board *b, const char *what, const char *image, uint64_t size,
                      uint8_t blank, uint8_t **mem, int *fdp)
{
    *fdp = -1;
    if (b->dir[0] == '\0') {
        // calloc: a big blank SD card costs no memory until written
        *mem = calloc(1, size ? size : 1);
        if (*mem == NULL) {
            return hb_fail(b, CAIRN_ENOMEM, "%s: cannot allocate %llu bytes", what,
                           (unsigned long long)size);
        }
        if (blank != 0) {
            memset(*mem, blank, size);
        }
        return 0;
    }
    char path[CAIRN_BOARD_DIR_LEN + CAIRN_BOARD_IMAGE_LEN + 2];
    snprintf(path, sizeof path, "%s/%s", b->dir, image);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return hb_fail(b, CAIRN_EIO, "%s: cannot open %s: %s", what, path, strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return hb_fail(b, CAIRN_EBUSY, "%s: %s is in use by another program", what, path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return hb_fail(b, CAIRN_EIO, "%s: cannot stat %s", what, path);
    }
    int fresh = st.st_size == 0;
    if (!fresh && (uint64_t)st.st_size != size) {
        close(fd);
        return hb_fail(b, CAIRN_EINVAL, "%s: %s holds %llu bytes, the board wants %llu", what, path,
                       (unsigned long long)st.st_size, (unsigned long long)size);
    }
    if (fresh && ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return hb_fail(b, CAIRN_EIO, "%s: cannot size %s: %s", what, path, strerror(errno));
    }
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        return hb_fail(b, CAIRN_EIO, "%s: cannot map %s: %s", what, path, strerror(errno));
    }
    // A new file reads as zeros (sparse); only a non-zero blank needs writing.
    if (fresh && blank != 0) {
        memset(m, blank, size);
    }
    *mem = m;
    *fdp = fd;
    return 0;
}

static void hb_release(uint8_t **mem, uint64_t size, int *fd)
{
    if (*mem == NULL) {
        return;
    }
    if (*fd >= 0) {
        msync(*mem, size, MS_SYNC);
        munmap(*mem, size);
        close(*fd); // drops the lock
        *fd = -1;
    } else {
        free(*mem);
    }
    *mem = NULL;
}

// mkdir -p: the directory and any missing parents.
static int hb_mkdirs(struct cairn_board *b, const char *dir)
{
    char path[CAIRN_BOARD_DIR_LEN];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') {
            continue;
        }
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            return hb_fail(b, CAIRN_EIO, "cannot create %s: %s", path, strerror(errno));
        }
        *p = c;
        if (c == '\0') {
            break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return hb_fail(b, CAIRN_ENOTDIR, "%s is not a directory", dir);
    }
    return 0;
}

// ---- open / close ----------------------------------------------------------------------------

static int hb_open_disk(struct cairn_board *b, struct cairn_board_disk *d)
{
    d->initialized = 0;
    if (d->attached) {
        return 0;
    }
    d->mem_size = (uint64_t)d->sector_size * d->sector_count;
    int rc = hb_backing(b, d->name, d->image, d->mem_size, 0x00, &d->mem, &d->fd);
    if (rc) {
        return rc;
    }
    struct cairn_sd_config cfg = {.sector_size = d->sector_size,
                                  .sector_count = d->sector_count,
                                  .tear = CAIRN_SD_TEAR_SECTORS};
    rc = cairn_sd_init(&d->sd, &cfg, d->mem);
    if (rc) {
        return hb_fail(b, rc, "disk %s: the SD emulator refused the geometry", d->name);
    }
    d->bd = &d->sd.bd;
    return 0;
}

static int hb_open_flash(struct cairn_board *b, struct cairn_board_flash *f)
{
    f->dev.name = f->name;
    f->dev.data = f;
    if (f->attached) {
        return 0;
    }
    f->mem_size = f->size;
    int rc = hb_backing(b, f->name, f->image, f->mem_size, 0xFF, &f->mem, &f->fd);
    if (rc) {
        return rc;
    }
    uint32_t blocks = f->size / f->erase_block;
    f->erase_counts = calloc(blocks, sizeof *f->erase_counts);
    if (f->erase_counts == NULL) {
        return hb_fail(b, CAIRN_ENOMEM, "flash %s: out of memory", f->name);
    }
    struct cairn_nor_config cfg = {.block_size = f->erase_block,
                                   .block_count = blocks,
                                   .read_size = 1,
                                   .prog_size = f->write_block};
    rc = cairn_nor_init(&f->nor, &cfg, f->mem, f->erase_counts);
    if (rc) {
        return hb_fail(b, rc, "flash %s: the NOR emulator refused the geometry", f->name);
    }
    f->bd = &f->nor.bd;
    return 0;
}

int cairn_board_open(struct cairn_board *b, const char *dir)
{
    int rc = hb_check_open(b);
    if (rc) {
        return rc;
    }
    b->err[0] = '\0';
    b->dir[0] = '\0';
    if (dir != NULL) {
        if (strlen(dir) >= sizeof b->dir || *dir == '\0') {
            return hb_fail(b, CAIRN_ENAMETOOLONG, "board directory name too long or empty");
        }
        int rc2 = hb_mkdirs(b, dir);
        if (rc2) {
            return rc2;
        }
        snprintf(b->dir, sizeof b->dir, "%s", dir);
    }
    b->is_open = 1; // so that close() releases a half-opened board
    for (unsigned i = 0; i < b->ndisks && rc == 0; i++) {
        rc = hb_open_disk(b, &b->disks[i]);
    }
    for (unsigned i = 0; i < b->nflash && rc == 0; i++) {
        rc = hb_open_flash(b, &b->flash[i]);
    }
    if (rc) {
        char msg[sizeof b->err];
        snprintf(msg, sizeof msg, "%s", b->err);
        cairn_board_close(b);
        snprintf(b->err, sizeof b->err, "%s", msg);
        return rc;
    }
    for (unsigned i = 0; i < b->nparts; i++) {
        struct cairn_board_part *p = &b->parts[i];
        memset(&p->fa, 0, sizeof p->fa);
        p->fa.fa_id = p->id;
        p->fa.fa_off = (off_t)p->offset;
        p->fa.fa_size = p->size;
        p->fa.fa_dev = &b->flash[p->flash].dev;
        p->fa.fa_label = p->label[0] ? p->label : NULL;
    }
    hb_current = b;
    return 0;
}

int cairn_board_sync(struct cairn_board *b)
{
    int rc = 0;
    for (unsigned i = 0; i < b->ndisks; i++) {
        struct cairn_board_disk *d = &b->disks[i];
        if (d->fd >= 0 && d->mem && msync(d->mem, d->mem_size, MS_SYNC) != 0) {
            rc = hb_fail(b, CAIRN_EIO, "disk %s: sync failed: %s", d->name, strerror(errno));
        }
    }
    for (unsigned i = 0; i < b->nflash; i++) {
        struct cairn_board_flash *f = &b->flash[i];
        if (f->fd >= 0 && f->mem && msync(f->mem, f->mem_size, MS_SYNC) != 0) {
            rc = hb_fail(b, CAIRN_EIO, "flash %s: sync failed: %s", f->name, strerror(errno));
        }
    }
    return rc;
}

void cairn_board_close(struct cairn_board *b)
{
    if (!b->is_open) {
        return;
    }
    for (unsigned i = 0; i < b->ndisks; i++) {
        struct cairn_board_disk *d = &b->disks[i];
        hb_release(&d->mem, d->mem_size, &d->fd);
        if (!d->attached) {
            d->bd = NULL;
        }
        d->initialized = 0;
    }
    for (unsigned i = 0; i < b->nflash; i++) {
        struct cairn_board_flash *f = &b->flash[i];
        hb_release(&f->mem, f->mem_size, &f->fd);
        free(f->erase_counts);
        f->erase_counts = NULL;
        if (!f->attached) {
            f->bd = NULL;
        }
    }
    b->is_open = 0;
    if (hb_current == b) {
        hb_current = NULL;
    }
}

struct cairn_board *cairn_board_current(void)
{
    return hb_current;
}

void cairn_board_set_current(struct cairn_board *b)
{
    hb_current = b;
}
