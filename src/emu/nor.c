// Emulated NOR flash (emu.h): extended interface, explicit erase to 0xFF,
// programs that only clear bits, per-block erase counts and wear-out.
#include "cairn/emu.h"

#include <string.h>

static uint8_t *nor_at(struct cairn_nor *nor, uint32_t block, uint32_t offset)
{
    return nor->mem + (uint64_t)block * nor->cfg.block_size + offset;
}

static int nor_check(const struct cairn_nor *nor, uint32_t block, uint32_t offset, uint32_t len,
                     uint32_t align)
{
    if (block >= nor->cfg.block_count || offset > nor->cfg.block_size ||
        len > nor->cfg.block_size - offset) {
        return CAIRN_EINVAL;
    }
    if (offset % align != 0 || len % align != 0) {
        return CAIRN_EINVAL;
    }
    return 0;
}

// A block is worn once it has been erased wear_limit times.
static int nor_worn(const struct cairn_nor *nor, uint32_t block)
{
    return nor->cfg.wear_limit != 0 && nor->erase_counts != NULL &&
           nor->erase_counts[block] >= nor->cfg.wear_limit;
}

static int nor_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                        uint32_t len)
{
    struct cairn_nor *nor = (struct cairn_nor *)bd;
    int rc = nor_check(nor, block, offset, len, nor->cfg.read_size);
    if (rc) {
        return rc;
    }
    memcpy(buf, nor_at(nor, block, offset), len);
    return 0;
}

static int nor_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, const void *buf,
                         uint32_t len)
{
    struct cairn_nor *nor = (struct cairn_nor *)bd;
    int rc = nor_check(nor, block, offset, len, nor->cfg.prog_size);
    if (rc) {
        return rc;
    }
    if (nor_worn(nor, block)) {
        return nor->cfg.wear_mode == CAIRN_NOR_WEAR_STUCK ? 0 : CAIRN_EIO;
    }
    uint8_t *p = nor_at(nor, block, offset);
    const uint8_t *src = buf;
    if (nor->cfg.strict) {
        for (uint32_t i = 0; i < len; i++) {
            if (p[i] != 0xFF) {
                return CAIRN_EIO; // programming over unerased cells
            }
        }
    }
    // NOR programming can only clear bits; a word at a time, the tail bytewise
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t a, s;
        memcpy(&a, p + i, 8);
        memcpy(&s, src + i, 8);
        a &= s;
        memcpy(p + i, &a, 8);
    }
    for (; i < len; i++) {
        p[i] &= src[i];
    }
    return 0;
}

static int32_t nor_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_nor *nor = (struct cairn_nor *)bd;
    switch (op) {
    case CAIRN_BDEV_INIT:
    case CAIRN_BDEV_DEINIT:
    case CAIRN_BDEV_SYNC:
        return 0;
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)nor->cfg.block_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)nor->cfg.block_size;
    case CAIRN_BDEV_BLOCK_ERASE:
        if (arg >= nor->cfg.block_count) {
            return CAIRN_EINVAL;
        }
        if (nor_worn(nor, arg)) {
            return nor->cfg.wear_mode == CAIRN_NOR_WEAR_STUCK ? 0 : CAIRN_EIO;
        }
        memset(nor_at(nor, arg, 0), 0xFF, nor->cfg.block_size);
        if (nor->erase_counts != NULL && nor->erase_counts[arg] != UINT32_MAX) {
            nor->erase_counts[arg]++;
        }
        return 0;
    case CAIRN_EMU_IOCTL_TEAR_UNIT:
        return 1;
    default:
        return CAIRN_BDEV_IOCTL_NONE;
    }
}

static const struct cairn_bdev_ops nor_ops = {NULL, NULL, nor_read_ext, nor_write_ext, nor_ioctl};

int cairn_nor_init(struct cairn_nor *nor, const struct cairn_nor_config *cfg, uint8_t *mem,
                   uint32_t *erase_counts)
{
    memset(nor, 0, sizeof *nor);
    if (cfg == NULL || mem == NULL) {
        return CAIRN_EINVAL;
    }
    struct cairn_nor_config c = *cfg;
    c.read_size = c.read_size ? c.read_size : 1;
    c.prog_size = c.prog_size ? c.prog_size : 1;
    if (c.block_size == 0 || c.block_count == 0 || c.block_size > INT32_MAX ||
        c.block_count > INT32_MAX || c.block_size % c.read_size != 0 ||
        c.block_size % c.prog_size != 0 || c.wear_mode > CAIRN_NOR_WEAR_STUCK ||
        (c.wear_limit != 0 && erase_counts == NULL)) {
        return CAIRN_EINVAL;
    }
    nor->bd.ops = &nor_ops;
    nor->bd.block_size = c.block_size;
    nor->bd.block_count = c.block_count;
    nor->cfg = c;
    nor->mem = mem;
    nor->erase_counts = erase_counts;
    if (erase_counts != NULL) {
        memset(erase_counts, 0, (size_t)c.block_count * sizeof *erase_counts);
    }
    return 0;
}

uint32_t cairn_nor_erase_count(const struct cairn_nor *nor, uint32_t block)
{
    if (nor->erase_counts == NULL || block >= nor->cfg.block_count) {
        return 0;
    }
    return nor->erase_counts[block];
}

int cairn_nor_wear_stats(const struct cairn_nor *nor, struct cairn_nor_wear *out)
{
    memset(out, 0, sizeof *out);
    if (nor->erase_counts == NULL || nor->cfg.block_count == 0) {
        return CAIRN_EINVAL;
    }
    out->min = UINT32_MAX;
    for (uint32_t i = 0; i < nor->cfg.block_count; i++) {
        uint32_t n = nor->erase_counts[i];
        out->min = n < out->min ? n : out->min;
        out->max = n > out->max ? n : out->max;
        out->total += n;
    }
    out->mean_x1000 = out->total * 1000u / nor->cfg.block_count;
    return 0;
}
