/*
 * The block-device protocol (MicroPython's AbstractBlockDev, in C).
 *
 * A device is an array of block_count blocks of block_size bytes. It offers
 * one or both of two interfaces, kept as separate entry points:
 *
 *   simple    read / write whole blocks (a run of nblocks from `block`).
 *             A simple write leaves the blocks holding exactly the data; the
 *             device erases first if its medium needs it.
 *   extended  read_ext / write_ext of `len` bytes at byte `offset` inside one
 *             block (offset + len <= block_size). An extended write changes only
 *             the bytes it targets and never erases; the caller erases first
 *             with ioctl BLOCK_ERASE.
 *
 * A NULL entry means "not offered". A device with neither write entry is
 * read-only. Entries return 0 or a negative errno (cairn.h); a positive return
 * is a contract breach that the checked wrappers below turn into -EINVAL.
 *
 * Filesystems never call the ops directly: they call the cairn_bdev_* wrappers,
 * which check bounds against the geometry cached by cairn_bdev_probe(), map
 * positive returns to -EINVAL and adapt one interface to the other where that
 * needs no buffer (extended-only devices serve simple calls block by block;
 * simple-only devices need struct cairn_bdev_ext_adapter to serve extended
 * calls, since that takes a block-sized scratch buffer).
 *
 * Byte addresses inside devices are 64-bit (SD cards exceed 4 GiB).
 */
#ifndef CAIRN_BDEV_H
#define CAIRN_BDEV_H

#include "cairn/cairn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ioctl operations: the numbers of MicroPython's protocol. */
enum cairn_bdev_ioctl_op {
    CAIRN_BDEV_INIT = 1,
    CAIRN_BDEV_DEINIT = 2,
    CAIRN_BDEV_SYNC = 3,
    CAIRN_BDEV_BLOCK_COUNT = 4,
    CAIRN_BDEV_BLOCK_SIZE = 5,
    CAIRN_BDEV_BLOCK_ERASE = 6,
};

/* What ioctl returns for an op it does not implement (Python's None). The
 * caller applies the protocol's default for that op. */
#define CAIRN_BDEV_IOCTL_NONE ((int32_t)0x7fffffff)

struct cairn_bdev;

struct cairn_bdev_ops {
    /* simple interface: whole blocks */
    int (*read)(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks);
    int (*write)(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks);
    /* extended interface: bytes within one block, never erases */
    int (*read_ext)(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                    uint32_t len);
    int (*write_ext)(struct cairn_bdev *bd, uint32_t block, uint32_t offset, const void *buf,
                     uint32_t len);
    /* value >= 0, a negative errno, or CAIRN_BDEV_IOCTL_NONE */
    int32_t (*ioctl)(struct cairn_bdev *bd, int op, uint32_t arg);
};

/*
 * Every device object starts with this header. Devices set `ops`; the
 * geometry fields are filled by cairn_bdev_probe() (devices may pre-fill
 * them) and are what the checked wrappers test against.
 */
struct cairn_bdev {
    const struct cairn_bdev_ops *ops;
    uint32_t block_size;  /* bytes per block; 0 = not probed yet */
    uint32_t block_count; /* blocks; 0 = not probed yet */
};

/* Interface queries. */
static inline int cairn_bdev_has_simple(const struct cairn_bdev *bd)
{
    return bd->ops->read != NULL;
}
static inline int cairn_bdev_has_ext(const struct cairn_bdev *bd)
{
    return bd->ops->read_ext != NULL;
}
static inline int cairn_bdev_is_readonly(const struct cairn_bdev *bd)
{
    return bd->ops->write == NULL && bd->ops->write_ext == NULL;
}

/*
 * INIT(init_arg), then BLOCK_SIZE and BLOCK_COUNT, cached in bd. The INIT
 * result is returned only when negative and `strict` is set (FAT treats a
 * failing INIT as "not ready"). BLOCK_SIZE not implemented means 512.
 * Returns 0, -EINVAL for a zero/unreadable size, or the device's error.
 */
int cairn_bdev_probe(struct cairn_bdev *bd, uint32_t init_arg, int strict);

/* Checked ioctl: positive-for-error rules do not apply (ioctl returns values),
 * but CAIRN_BDEV_IOCTL_NONE passes through for the caller to default. */
int32_t cairn_bdev_ioctl(struct cairn_bdev *bd, int op, uint32_t arg);

/* Whole blocks. Falls back to the extended interface (erase + program per
 * block for writes) on an extended-only device. -EROFS on a read-only device. */
int cairn_bdev_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks);
int cairn_bdev_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks);

/* Bytes inside one block. -EOPNOTSUPP on a simple-only device (wrap it in a
 * cairn_bdev_ext_adapter). */
int cairn_bdev_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                        uint32_t len);
int cairn_bdev_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset,
                         const void *buf, uint32_t len);

/* ioctl BLOCK_ERASE with range check; not implemented -> -EOPNOTSUPP. */
int cairn_bdev_erase(struct cairn_bdev *bd, uint32_t block);

/* ioctl SYNC; not implemented counts as success. */
int cairn_bdev_sync(struct cairn_bdev *bd);

/* ---- adapters ------------------------------------------------------------ */

/*
 * Serves the extended interface on top of a simple-only device: reads fetch
 * the whole block into `scratch` (block_size bytes, caller-owned) and copy
 * out; writes read-modify-write the block. Erase is a no-op (a disk has no
 * erase). Also passes the simple interface straight through.
 */
struct cairn_bdev_ext_adapter {
    struct cairn_bdev bd;
    struct cairn_bdev *lower;
    uint8_t *scratch;
    uint32_t scratch_block; /* block held in scratch, UINT32_MAX if none */
};

int cairn_bdev_ext_adapter_init(struct cairn_bdev_ext_adapter *ad, struct cairn_bdev *lower,
                                uint8_t *scratch, uint32_t scratch_size);

/*
 * A read-only view: passes reads and ioctls (but not erase) through and
 * answers every write with -EROFS. Used for read-only mounts so that nothing
 * below the mount can program or erase (D5).
 */
struct cairn_bdev_ro {
    struct cairn_bdev bd;
    struct cairn_bdev *lower;
};

void cairn_bdev_ro_init(struct cairn_bdev_ro *ro, struct cairn_bdev *lower);

/*
 * A window onto part of another device: blocks [first, first + count) of
 * `lower`, renumbered from 0 (an MBR partition, or a filesystem at an offset
 * into a flash dump). block_size is the lower device's.
 */
struct cairn_bdev_slice {
    struct cairn_bdev bd;
    struct cairn_bdev *lower;
    uint32_t first;
};

int cairn_bdev_slice_init(struct cairn_bdev_slice *s, struct cairn_bdev *lower, uint32_t first,
                          uint32_t count);

/* ---- RAM device ------------------------------------------------------------ */

/*
 * A block device over caller memory (block_size * block_count bytes).
 * `flags` selects the interfaces it offers. Erase fills with `erase_value`
 * (MicroPython's test devices leave data alone: CAIRN_RAM_ERASE_NOOP).
 */
#define CAIRN_RAM_SIMPLE 0x1
#define CAIRN_RAM_EXT 0x2
#define CAIRN_RAM_READONLY 0x4
#define CAIRN_RAM_ERASE_NOOP 0x8

struct cairn_ram_bdev {
    struct cairn_bdev bd;
    struct cairn_bdev_ops ops;
    uint8_t *mem;
    uint32_t block_size;  /* the device's own geometry (bd's is a cache) */
    uint32_t block_count;
    uint32_t flags;
    uint8_t erase_value;
};

int cairn_ram_bdev_init(struct cairn_ram_bdev *ram, void *mem, uint32_t block_size,
                        uint32_t block_count, uint32_t flags, uint8_t erase_value);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_BDEV_H */
