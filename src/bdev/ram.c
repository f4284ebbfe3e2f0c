// RAM block device over caller memory (bdev.h). The unit-test workhorse, and
// the device of MicroPython's own vfs tests.
#include "cairn/bdev.h"

#include <string.h>

static uint8_t *ram_at(struct cairn_ram_bdev *r, uint32_t block, uint32_t offset)
{
    return r->mem + (uint64_t)block * r->block_size + offset;
}

static int ram_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    struct cairn_ram_bdev *r = (struct cairn_ram_bdev *)bd;
    if (block >= r->block_count || nblocks > r->block_count - block) {
        return CAIRN_EINVAL;
    }
    memcpy(buf, ram_at(r, block, 0), (size_t)nblocks * r->block_size);
    return 0;
}

static int ram_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks)
{
    struct cairn_ram_bdev *r = (struct cairn_ram_bdev *)bd;
    if (block >= r->block_count || nblocks > r->block_count - block) {
        return CAIRN_EINVAL;
    }
    memcpy(ram_at(r, block, 0), buf, (size_t)nblocks * r->block_size);
    return 0;
}

static int ram_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                        uint32_t len)
{
    struct cairn_ram_bdev *r = (struct cairn_ram_bdev *)bd;
    if (block >= r->block_count || offset > r->block_size || len > r->block_size - offset) {
        return CAIRN_EINVAL;
    }
    memcpy(buf, ram_at(r, block, offset), len);
    return 0;
}

static int ram_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset,
                         const void *buf, uint32_t len)
{
    struct cairn_ram_bdev *r = (struct cairn_ram_bdev *)bd;
    if (block >= r->block_count || offset > r->block_size || len > r->block_size - offset) {
        return CAIRN_EINVAL;
    }
    memcpy(ram_at(r, block, offset), buf, len);
    return 0;
}

static int32_t ram_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_ram_bdev *r = (struct cairn_ram_bdev *)bd;
    switch (op) {
    case CAIRN_BDEV_INIT:
    case CAIRN_BDEV_DEINIT:
    case CAIRN_BDEV_SYNC:
        return 0;
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)r->block_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)r->block_size;
    case CAIRN_BDEV_BLOCK_ERASE:
        if (!(r->flags & CAIRN_RAM_EXT)) {
            return CAIRN_BDEV_IOCTL_NONE;
        }
        if (arg >= r->block_count) {
            return CAIRN_EINVAL;
        }
        if (r->flags & CAIRN_RAM_READONLY) {
            return CAIRN_EROFS;
        }
        if (!(r->flags & CAIRN_RAM_ERASE_NOOP)) {
            memset(ram_at(r, arg, 0), r->erase_value, r->block_size);
        }
        return 0;
    default:
        return CAIRN_BDEV_IOCTL_NONE;
    }
}

int cairn_ram_bdev_init(struct cairn_ram_bdev *ram, void *mem, uint32_t block_size,
                        uint32_t block_count, uint32_t flags, uint8_t erase_value)
{
    memset(ram, 0, sizeof *ram);
    if (mem == NULL || block_size == 0 || block_count == 0 ||
        !(flags & (CAIRN_RAM_SIMPLE | CAIRN_RAM_EXT)) || block_size > INT32_MAX ||
        block_count > INT32_MAX) {
        return CAIRN_EINVAL;
    }
    int ro = (flags & CAIRN_RAM_READONLY) != 0;
    if (flags & CAIRN_RAM_SIMPLE) {
        ram->ops.read = ram_read;
        ram->ops.write = ro ? NULL : ram_write;
    }
    if (flags & CAIRN_RAM_EXT) {
        ram->ops.read_ext = ram_read_ext;
        ram->ops.write_ext = ro ? NULL : ram_write_ext;
    }
    ram->ops.ioctl = ram_ioctl;
    ram->bd.ops = &ram->ops;
    ram->bd.block_size = ram->block_size = block_size;
    ram->bd.block_count = ram->block_count = block_count;
    ram->mem = mem;
    ram->flags = flags;
    ram->erase_value = erase_value;
    return 0;
}
