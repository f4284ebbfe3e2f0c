/*
 * Emulated storage for tests and benchmarks: a NOR flash chip, an SD card and
 * a fault wrapper that stacks on any block device (counters, power cuts, read
 * errors, bit flips, bad blocks). Portable C over caller memory: no malloc.
 *
 *   static uint8_t mem[256 * 4096];
 *   static uint32_t wear[256];
 *   struct cairn_nor nor;
 *   struct cairn_nor_config cfg = {.block_size = 4096, .block_count = 256,
 *                                  .read_size = 1, .prog_size = 1};
 *   cairn_nor_init(&nor, &cfg, mem, wear);
 *
 *   static uint8_t scratch[4096];
 *   struct cairn_fault f;
 *   cairn_fault_init(&f, &nor.bd, scratch, sizeof scratch, 1);
 *   // ... hand &f.bd to a filesystem, read f.counters, cut power ...
 */
#ifndef CAIRN_EMU_H
#define CAIRN_EMU_H

#include "cairn/bdev.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A private ioctl the emulators answer: how a write torn by a power cut
 * breaks up. The value is the unit in bytes that is written whole (1 = any
 * byte prefix, the sector size = whole sectors only), or 0 when a torn write
 * is all-or-nothing (nothing of it is applied). The fault wrapper asks the
 * device below it; devices that do not answer tear at byte granularity.
 */
#define CAIRN_EMU_IOCTL_TEAR_UNIT 0x4301

/* ---- NOR flash ------------------------------------------------------------ */

/* What a worn-out block (erase count reached wear_limit) does. */
#define CAIRN_NOR_WEAR_ERROR 0 /* erase and program return -EIO */
#define CAIRN_NOR_WEAR_STUCK 1 /* erase and program "succeed" but change nothing */

struct cairn_nor_config {
    uint32_t block_size;  /* erase unit in bytes (> 0) */
    uint32_t block_count; /* > 0 */
    uint32_t read_size;   /* reads must be aligned to this (offset and length); 0 = 1 */
    uint32_t prog_size;   /* programs likewise; 0 = 1 */
    /*
     * 0 (permissive): a program ANDs the data into the cells, as real NOR does
     * (bits only go from 1 to 0). 1 (strict): programming any byte that is not
     * erased (0xFF) fails with -EIO and changes nothing, which catches a
     * filesystem that programs a location twice without erasing it.
     */
    uint8_t strict;
    uint8_t wear_mode;   /* CAIRN_NOR_WEAR_* */
    uint32_t wear_limit; /* erases a block survives; 0 = unlimited */
};

/* An emulated NOR chip. Extended interface only (simple calls are served by
 * the bdev wrappers as erase + program); erase sets a block to 0xFF. */
struct cairn_nor {
    struct cairn_bdev bd; /* first: hand &nor.bd to a filesystem */
    struct cairn_nor_config cfg;
    uint8_t *mem;           /* block_size * block_count bytes */
    uint32_t *erase_counts; /* block_count entries, or NULL */
};

/*
 * Set up `nor` over `mem` (block_size * block_count bytes, caller-owned; its
 * contents are kept, so a persisted image can be loaded first: fill it with
 * 0xFF for a blank chip). `erase_counts` (block_count entries, zeroed here)
 * may be NULL unless wear_limit is set. Returns 0 or -EINVAL for a bad
 * geometry (zero sizes, block_size not a multiple of read/prog size, sizes
 * over INT32_MAX).
 */
int cairn_nor_init(struct cairn_nor *nor, const struct cairn_nor_config *cfg, uint8_t *mem,
                   uint32_t *erase_counts);

/* Times `block` has been erased (0 without counts or out of range). */
uint32_t cairn_nor_erase_count(const struct cairn_nor *nor, uint32_t block);

/* Wear statistics over all blocks. mean_x1000 = 1000 * total / block_count. */
struct cairn_nor_wear {
    uint32_t min;
    uint32_t max;
    uint64_t total;
    uint64_t mean_x1000;
};

/* Fill `out`; -EINVAL when the chip keeps no erase counts. */
int cairn_nor_wear_stats(const struct cairn_nor *nor, struct cairn_nor_wear *out);

/* ---- SD card ------------------------------------------------------------- */

/* How a write cut by a power failure tears (answered to CAIRN_EMU_IOCTL_TEAR_UNIT). */
#define CAIRN_SD_TEAR_SECTORS 0 /* a prefix of whole sectors is written (default) */
#define CAIRN_SD_TEAR_BYTES 1   /* ... and the next sector may be partly written */
#define CAIRN_SD_TEAR_NONE 2    /* a multi-sector write is all-or-nothing */

struct cairn_sd_config {
    uint32_t sector_size;  /* 0 = 512; a power of two in 512..4096 */
    uint32_t sector_count; /* > 0, at most INT32_MAX */
    uint8_t tear;          /* CAIRN_SD_TEAR_* */
};

/*
 * An emulated SD card, as Zephyr's disk-access API shows one through
 * DiskAccess: simple interface only (multi-sector read/write, no erase);
 * ioctl INIT/DEINIT/SYNC -> 0, BLOCK_COUNT, BLOCK_SIZE, any other op -> -1
 * (CAIRN_EPERM), except CAIRN_EMU_IOCTL_TEAR_UNIT.
 */
struct cairn_sd {
    struct cairn_bdev bd; /* first */
    uint8_t *mem;         /* sector_size * sector_count bytes */
    uint32_t sector_size;
    uint32_t sector_count;
    uint8_t tear;
};

/* Set up `sd` over `mem` (contents kept). Returns 0 or -EINVAL. */
int cairn_sd_init(struct cairn_sd *sd, const struct cairn_sd_config *cfg, uint8_t *mem);

/* ---- fault wrapper ---------------------------------------------------------- */

/* I/O counted at the wrapper (bench.md "Counting"). A simple write counts as
 * one prog of nblocks * block_size bytes; erase_bytes = erases * block_size. */
struct cairn_io_counters {
    uint64_t reads;
    uint64_t read_bytes;
    uint64_t progs;
    uint64_t prog_bytes;
    uint64_t erases;
    uint64_t erase_bytes;
    uint64_t syncs;
};

/*
 * What happens to the operation at which power is cut: one program choice
 * ORed with one erase choice. The choice applies to whichever kind op N is.
 *   PROG_DROP     nothing of the program is applied
 *   PROG_PREFIX   a random prefix is applied: for an extended program a byte
 *                 prefix; for a simple (multi-sector) write a prefix in the
 *                 device's tear unit (CAIRN_EMU_IOCTL_TEAR_UNIT)
 *   PROG_BITS     extended programs: a random subset of the bits the program
 *                 clears is cleared (NOR); simple writes: as PROG_PREFIX
 *   PROG_FULL     the program completes, then the power fails
 *   ERASE_DROP    the block keeps its old contents
 *   ERASE_PARTIAL a random prefix of the block is erased, the rest keeps its
 *                 old contents
 *   ERASE_GARBAGE the block is erased, then filled with random bytes
 *   ERASE_FULL    the erase completes, then the power fails
 * CAIRN_CUT_RANDOM picks one of each at random (from the seed) at the cut.
 */
#define CAIRN_CUT_PROG_DROP 0x00
#define CAIRN_CUT_PROG_PREFIX 0x01
#define CAIRN_CUT_PROG_BITS 0x02
#define CAIRN_CUT_PROG_FULL 0x03
#define CAIRN_CUT_ERASE_DROP 0x00
#define CAIRN_CUT_ERASE_PARTIAL 0x10
#define CAIRN_CUT_ERASE_GARBAGE 0x20
#define CAIRN_CUT_ERASE_FULL 0x30
#define CAIRN_CUT_RANDOM 0xFF
#define CAIRN_CUT_TORN (CAIRN_CUT_PROG_PREFIX | CAIRN_CUT_ERASE_PARTIAL)

/* Per-block injected faults (cairn_fault_set_block). */
#define CAIRN_FAULT_READ_ERROR 0x1 /* every read touching the block returns -EIO */
#define CAIRN_FAULT_BAD_BLOCK 0x2  /* program/erase of the block return -EIO, change nothing */

#define CAIRN_FAULT_MAX_MARKS 16 /* blocks that can carry injected faults at once */

/*
 * The wrapper. It offers the same interfaces as the device below it and
 * passes everything through, counting, and applying the faults set up.
 *
 * Operations: every program (extended write_ext, or a simple write of any
 * number of blocks: one op) and every erase (ioctl BLOCK_ERASE) that reaches
 * the wrapper while the power is on is one operation, numbered from 1 since
 * cairn_fault_init (cairn_fault_ops_count). Reads and syncs are not
 * operations.
 *
 * Power cut: after cairn_fault_cut_after(f, n, mode), the n-th operation from
 * then on is torn (mode), on_cut(on_cut_ctx) is called (it may longjmp out),
 * and from then on every read, program, erase and sync — including the torn
 * op itself if on_cut returns — fails with -EIO and changes nothing, until
 * cairn_fault_power_restore(). Geometry ioctls keep answering.
 */
struct cairn_fault {
    struct cairn_bdev bd; /* first */
    struct cairn_bdev_ops ops;
    struct cairn_bdev *lower;
    uint8_t *scratch; /* lower block_size bytes: tearing erases and sectors */
    uint32_t scratch_size;
    uint32_t rng; /* xorshift32 state */

    struct cairn_io_counters counters;
    uint64_t ops_done; /* program/erase operations so far */

    /* power cut */
    uint64_t cut_at; /* absolute op number to tear; 0 = none armed */
    uint8_t cut_mode;
    uint8_t power_off;
    uint64_t cut_op;           /* the op that was torn (0 = none yet) */
    void (*on_cut)(void *ctx); /* set after cairn_fault_init (which clears it) */
    void *on_cut_ctx;

    /* injection */
    uint32_t flip_ppm; /* chance per read call, in millionths, of one flipped bit */
    uint64_t flips;    /* bits flipped so far */
    struct {
        uint32_t block;
        uint32_t flags;
    } marks[CAIRN_FAULT_MAX_MARKS];
    uint32_t nmarks;
};

/*
 * Wrap `lower` (probed here if it was not). `scratch` must hold one block of
 * the lower device (needed to tear simple writes and erases; NULL is accepted,
 * and such cuts then degrade to DROP). `seed` drives every random choice
 * (0 is taken as 1). Returns 0, -EINVAL, or the probe's error.
 */
int cairn_fault_init(struct cairn_fault *f, struct cairn_bdev *lower, uint8_t *scratch,
                     uint32_t scratch_size, uint32_t seed);

/* Zero the I/O counters (the operation count is kept). */
void cairn_fault_reset_counters(struct cairn_fault *f);

/* Program/erase operations so far (since init, across power cuts). */
uint64_t cairn_fault_ops_count(const struct cairn_fault *f);

/* Arm a power cut at the n-th operation from now (n >= 1; 0 disarms). */
void cairn_fault_cut_after(struct cairn_fault *f, uint64_t n, uint8_t mode);

/* Power on again (disarms any pending cut). The torn op stays torn. */
void cairn_fault_power_restore(struct cairn_fault *f);

/* Non-zero while the power is off. */
int cairn_fault_power_is_off(const struct cairn_fault *f);

/* Reseed the generator. */
void cairn_fault_seed(struct cairn_fault *f, uint32_t seed);

/* Set (flags != 0) or clear (0) injected faults on a block. -ENOMEM when
 * CAIRN_FAULT_MAX_MARKS blocks are already marked, -EINVAL out of range. */
int cairn_fault_set_block(struct cairn_fault *f, uint32_t block, uint32_t flags);

/* Flip one random bit of a read's data with probability ppm / 1000000 per
 * read call (0 = never). */
void cairn_fault_set_bitflip(struct cairn_fault *f, uint32_t ppm);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_EMU_H */
