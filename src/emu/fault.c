// Fault wrapper (emu.h): counts I/O at the device boundary and injects power
// cuts, read errors, bit flips and bad blocks, deterministically from a seed.
#include "cairn/emu.h"

#include <string.h>

// ---- helpers ------------------------------------------------------------------

static uint32_t emu_rand(struct cairn_fault *f)
{
    uint32_t x = f->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    f->rng = x;
    return x;
}

static uint32_t emu_below(struct cairn_fault *f, uint32_t n)
{
    return n ? emu_rand(f) % n : 0;
}

// Non-zero when a block in [block, block + n) carries `flag`.
static int emu_marked(const struct cairn_fault *f, uint32_t block, uint32_t n, uint32_t flag)
{
    for (uint32_t i = 0; i < f->nmarks; i++) {
        if ((f->marks[i].flags & flag) && f->marks[i].block >= block &&
            f->marks[i].block - block < n) {
            return 1;
        }
    }
    return 0;
}

// Count a program/erase. Returns 1 when this op is the one to tear, 0 to
// carry it out, -EIO with the power off.
static int emu_op_begin(struct cairn_fault *f)
{
    if (f->power_off) {
        return CAIRN_EIO;
    }
    f->ops_done++;
    return f->cut_at != 0 && f->ops_done == f->cut_at;
}

// Power fails after the torn op: everything from now on returns -EIO.
static int emu_power_fail(struct cairn_fault *f)
{
    f->power_off = 1;
    f->cut_op = f->ops_done;
    f->cut_at = 0;
    if (f->on_cut) {
        f->on_cut(f->on_cut_ctx); // may longjmp; the state above is already final
    }
    return CAIRN_EIO;
}

static uint8_t emu_mode(struct cairn_fault *f)
{
    if (f->cut_mode != CAIRN_CUT_RANDOM) {
        return f->cut_mode;
    }
    uint32_t r = emu_rand(f);
    return (uint8_t)((r & 3u) | (((r >> 8) & 3u) << 4));
}

static void emu_flip(struct cairn_fault *f, void *buf, uint64_t len)
{
    if (f->flip_ppm == 0 || len == 0 || emu_below(f, 1000000u) >= f->flip_ppm) {
        return;
    }
    uint64_t bit = ((uint64_t)emu_rand(f) << 32 | emu_rand(f)) % (len * 8);
    ((uint8_t *)buf)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    f->flips++;
}

// The device's tear unit (emu.h); plain devices tear at any byte.
static uint32_t emu_tear_unit(struct cairn_fault *f)
{
    int32_t u = cairn_bdev_ioctl(f->lower, CAIRN_EMU_IOCTL_TEAR_UNIT, 0);
    if (u == CAIRN_BDEV_IOCTL_NONE || u < 0) {
        return 1;
    }
    return (uint32_t)u;
}

// ---- torn operations ----------------------------------------------------------------

// A torn extended program is the program of (data | mask): cells whose mask
// bit is 1 keep their old state, as a flash cell that was never pulsed does.
// PREFIX masks a random suffix, BITS a random subset of bits.
static void emu_tear_prog_ext(struct cairn_fault *f, uint8_t mode, uint32_t block, uint32_t offset,
                              const uint8_t *src, uint32_t len)
{
    if (mode == CAIRN_CUT_PROG_FULL) {
        (void)cairn_bdev_write_ext(f->lower, block, offset, src, len);
        return;
    }
    if (mode == CAIRN_CUT_PROG_DROP || f->scratch == NULL || len == 0) {
        return;
    }
    uint32_t unit = emu_tear_unit(f);
    if (unit == 0) {
        return; // all-or-nothing device
    }
    uint32_t keep = emu_below(f, len) / unit * unit; // strict prefix: the op is torn
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < f->scratch_size ? len - done : f->scratch_size;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t at = done + i;
            uint8_t mask;
            if (mode == CAIRN_CUT_PROG_BITS) {
                mask = (uint8_t)emu_rand(f);
            } else {
                mask = at < keep ? 0x00 : 0xFF;
            }
            f->scratch[i] = src[at] | mask;
        }
        if (cairn_bdev_write_ext(f->lower, block, offset + done, f->scratch, n) != 0) {
            return;
        }
        done += n;
    }
}

// A torn simple write: a prefix in the device's tear unit (whole sectors for
// an SD card), the sector it ends in merged with its old contents.
static void emu_tear_write(struct cairn_fault *f, uint8_t mode, uint32_t block, const uint8_t *src,
                           uint32_t nblocks)
{
    uint32_t bs = f->bd.block_size;
    if (mode == CAIRN_CUT_PROG_FULL) {
        (void)cairn_bdev_write(f->lower, block, src, nblocks);
        return;
    }
    if (mode == CAIRN_CUT_PROG_DROP) {
        return;
    }
    uint32_t unit = emu_tear_unit(f);
    if (unit == 0) {
        return;
    }
    uint64_t total = (uint64_t)nblocks * bs;
    uint64_t keep = ((uint64_t)emu_rand(f) << 32 | emu_rand(f)) % total / unit * unit;
    uint32_t whole = (uint32_t)(keep / bs), rem = (uint32_t)(keep % bs);
    if (whole > 0 && cairn_bdev_write(f->lower, block, src, whole) != 0) {
        return;
    }
    if (rem > 0 && f->scratch != NULL &&
        cairn_bdev_read(f->lower, block + whole, f->scratch, 1) == 0) {
        memcpy(f->scratch, src + (uint64_t)whole * bs, rem);
        (void)cairn_bdev_write(f->lower, block + whole, f->scratch, 1);
    }
}

// A torn erase: PARTIAL erases a random prefix of the block (the rest keeps
// its contents), GARBAGE leaves random bytes.
static void emu_tear_erase(struct cairn_fault *f, uint8_t mode, uint32_t block)
{
    uint32_t bs = f->bd.block_size;
    if (mode == CAIRN_CUT_ERASE_FULL) {
        (void)cairn_bdev_ioctl(f->lower, CAIRN_BDEV_BLOCK_ERASE, block);
        return;
    }
    if (mode == CAIRN_CUT_ERASE_DROP || f->scratch == NULL || f->scratch_size < bs ||
        f->lower->ops->read_ext == NULL || f->lower->ops->write_ext == NULL) {
        return;
    }
    if (mode == CAIRN_CUT_ERASE_PARTIAL) {
        if (cairn_bdev_read_ext(f->lower, block, 0, f->scratch, bs) != 0) {
            return;
        }
        uint32_t erased = bs > 1 ? 1 + emu_below(f, bs - 1) : 0;
        memset(f->scratch, 0xFF, erased);
    } else {
        for (uint32_t i = 0; i < bs; i++) {
            f->scratch[i] = (uint8_t)emu_rand(f);
        }
    }
    if (cairn_bdev_ioctl(f->lower, CAIRN_BDEV_BLOCK_ERASE, block) != 0) {
        return;
    }
    (void)cairn_bdev_write_ext(f->lower, block, 0, f->scratch, bs);
}

// ---- device entries --------------------------------------------------------------------

static int emu_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    struct cairn_fault *f = (struct cairn_fault *)bd;
    if (f->power_off) {
        return CAIRN_EIO;
    }
    uint64_t len = (uint64_t)nblocks * bd->block_size;
    f->counters.reads++;
    f->counters.read_bytes += len;
    if (emu_marked(f, block, nblocks, CAIRN_FAULT_READ_ERROR)) {
        return CAIRN_EIO;
    }
    int rc = cairn_bdev_read(f->lower, block, buf, nblocks);
    if (rc == 0) {
        emu_flip(f, buf, len);
    }
    return rc;
}

static int emu_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                        uint32_t len)
{
    struct cairn_fault *f = (struct cairn_fault *)bd;
    if (f->power_off) {
        return CAIRN_EIO;
    }
    f->counters.reads++;
    f->counters.read_bytes += len;
    if (emu_marked(f, block, 1, CAIRN_FAULT_READ_ERROR)) {
        return CAIRN_EIO;
    }
    int rc = cairn_bdev_read_ext(f->lower, block, offset, buf, len);
    if (rc == 0) {
        emu_flip(f, buf, len);
    }
    return rc;
}

static int emu_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks)
{
    struct cairn_fault *f = (struct cairn_fault *)bd;
    int cut = emu_op_begin(f);
    if (cut < 0) {
        return cut;
    }
    f->counters.progs++;
    f->counters.prog_bytes += (uint64_t)nblocks * bd->block_size;
    int bad = emu_marked(f, block, nblocks, CAIRN_FAULT_BAD_BLOCK);
    if (cut) {
        if (!bad && nblocks > 0) {
            emu_tear_write(f, emu_mode(f) & 0x0F, block, buf, nblocks);
        }
        return emu_power_fail(f);
    }
    if (bad) {
        return CAIRN_EIO;
    }
    return cairn_bdev_write(f->lower, block, buf, nblocks);
}

static int emu_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, const void *buf,
                         uint32_t len)
{
    struct cairn_fault *f = (struct cairn_fault *)bd;
    int cut = emu_op_begin(f);
    if (cut < 0) {
        return cut;
    }
    f->counters.progs++;
    f->counters.prog_bytes += len;
    int bad = emu_marked(f, block, 1, CAIRN_FAULT_BAD_BLOCK);
    if (cut) {
        if (!bad) {
            emu_tear_prog_ext(f, emu_mode(f) & 0x0F, block, offset, buf, len);
        }
        return emu_power_fail(f);
    }
    if (bad) {
        return CAIRN_EIO;
    }
    return cairn_bdev_write_ext(f->lower, block, offset, buf, len);
}

static int32_t emu_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_fault *f = (struct cairn_fault *)bd;
    switch (op) {
    case CAIRN_BDEV_BLOCK_COUNT:
    case CAIRN_BDEV_BLOCK_SIZE:
    case CAIRN_EMU_IOCTL_TEAR_UNIT:
        return cairn_bdev_ioctl(f->lower, op, arg);
    case CAIRN_BDEV_SYNC:
        if (f->power_off) {
            return CAIRN_EIO;
        }
        f->counters.syncs++;
        return cairn_bdev_ioctl(f->lower, op, arg);
    case CAIRN_BDEV_BLOCK_ERASE: {
        if (f->power_off) {
            return CAIRN_EIO;
        }
        if (arg >= bd->block_count) {
            return CAIRN_EINVAL; // not an operation: nothing reached the medium
        }
        int cut = emu_op_begin(f);
        f->counters.erases++;
        f->counters.erase_bytes += bd->block_size;
        int bad = emu_marked(f, arg, 1, CAIRN_FAULT_BAD_BLOCK);
        if (cut) {
            if (!bad) {
                emu_tear_erase(f, emu_mode(f) & 0xF0, arg);
            }
            return emu_power_fail(f);
        }
        if (bad) {
            return CAIRN_EIO;
        }
        return cairn_bdev_ioctl(f->lower, op, arg);
    }
    default:
        if (f->power_off) {
            return CAIRN_EIO;
        }
        return cairn_bdev_ioctl(f->lower, op, arg);
    }
}

// ---- public API ---------------------------------------------------------------------------

int cairn_fault_init(struct cairn_fault *f, struct cairn_bdev *lower, uint8_t *scratch,
                     uint32_t scratch_size, uint32_t seed)
{
    memset(f, 0, sizeof *f);
    if (lower == NULL) {
        return CAIRN_EINVAL;
    }
    if (lower->block_size == 0 || lower->block_count == 0) {
        int rc = cairn_bdev_probe(lower, 0, 0);
        if (rc) {
            return rc;
        }
    }
    if (scratch != NULL && scratch_size < lower->block_size) {
        return CAIRN_EINVAL;
    }
    const struct cairn_bdev_ops *lo = lower->ops;
    f->ops.read = lo->read ? emu_read : NULL;
    f->ops.write = lo->write ? emu_write : NULL;
    f->ops.read_ext = lo->read_ext ? emu_read_ext : NULL;
    f->ops.write_ext = lo->write_ext ? emu_write_ext : NULL;
    f->ops.ioctl = emu_ioctl;
    f->bd.ops = &f->ops;
    f->bd.block_size = lower->block_size;
    f->bd.block_count = lower->block_count;
    f->lower = lower;
    f->scratch = scratch;
    f->scratch_size = scratch ? scratch_size : 0;
    f->rng = seed ? seed : 1;
    return 0;
}

void cairn_fault_reset_counters(struct cairn_fault *f)
{
    memset(&f->counters, 0, sizeof f->counters);
}

uint64_t cairn_fault_ops_count(const struct cairn_fault *f)
{
    return f->ops_done;
}

void cairn_fault_cut_after(struct cairn_fault *f, uint64_t n, uint8_t mode)
{
    f->cut_at = n ? f->ops_done + n : 0;
    f->cut_mode = mode;
}

void cairn_fault_power_restore(struct cairn_fault *f)
{
    f->power_off = 0;
    f->cut_at = 0;
}

int cairn_fault_power_is_off(const struct cairn_fault *f)
{
    return f->power_off;
}

void cairn_fault_seed(struct cairn_fault *f, uint32_t seed)
{
    f->rng = seed ? seed : 1;
}

int cairn_fault_set_block(struct cairn_fault *f, uint32_t block, uint32_t flags)
{
    if (block >= f->bd.block_count) {
        return CAIRN_EINVAL;
    }
    for (uint32_t i = 0; i < f->nmarks; i++) {
        if (f->marks[i].block == block) {
            if (flags) {
                f->marks[i].flags = flags;
            } else {
                f->marks[i] = f->marks[--f->nmarks];
            }
            return 0;
        }
    }
    if (flags == 0) {
        return 0;
    }
    if (f->nmarks >= CAIRN_FAULT_MAX_MARKS) {
        return CAIRN_ENOMEM;
    }
    f->marks[f->nmarks].block = block;
    f->marks[f->nmarks].flags = flags;
    f->nmarks++;
    return 0;
}

void cairn_fault_set_bitflip(struct cairn_fault *f, uint32_t ppm)
{
    f->flip_ppm = ppm;
}
