// Checked access to block devices: the contract lives here, once, so that
// neither drivers nor devices have to repeat it (bdev.h).
#include "cairn/bdev.h"

#include <string.h>

// ---- contract helpers -------------------------------------------------------

// A device returning a positive value broke the protocol; treat it as -EINVAL
// (littlefs would take a positive count for success and corrupt data).
static int bd_result(int rc)
{
    return rc > 0 ? CAIRN_EINVAL : rc;
}

static int bd_range(const struct cairn_bdev *bd, uint32_t block, uint32_t nblocks)
{
    if (bd->block_count == 0) {
        return 0; // not probed: the device checks for itself
    }
    if (block >= bd->block_count || nblocks > bd->block_count - block) {
        return CAIRN_EINVAL;
    }
    return 0;
}

static int bd_ext_range(const struct cairn_bdev *bd, uint32_t block, uint32_t offset,
                        uint32_t len)
{
    int rc = bd_range(bd, block, 1);
    if (rc) {
        return rc;
    }
    if (bd->block_size != 0 && (offset > bd->block_size || len > bd->block_size - offset)) {
        return CAIRN_EINVAL;
    }
    return 0;
}

// ---- probe and ioctl --------------------------------------------------------

int32_t cairn_bdev_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    if (bd->ops->ioctl == NULL) {
        return CAIRN_BDEV_IOCTL_NONE;
    }
    return bd->ops->ioctl(bd, op, arg);
}

int cairn_bdev_probe(struct cairn_bdev *bd, uint32_t init_arg, int strict)
{
    int32_t rc = cairn_bdev_ioctl(bd, CAIRN_BDEV_INIT, init_arg);
    if (strict && rc != CAIRN_BDEV_IOCTL_NONE && rc != 0) {
        return rc < 0 ? (int)rc : CAIRN_EBUSY;
    }
    int32_t bs = cairn_bdev_ioctl(bd, CAIRN_BDEV_BLOCK_SIZE, 0);
    if (bs == CAIRN_BDEV_IOCTL_NONE) {
        bs = 512;
    }
    if (bs < 0) {
        return (int)bs;
    }
    if (bs == 0) {
        return CAIRN_EINVAL;
    }
    int32_t bc = cairn_bdev_ioctl(bd, CAIRN_BDEV_BLOCK_COUNT, 0);
    if (bc == CAIRN_BDEV_IOCTL_NONE) {
        return CAIRN_EINVAL;
    }
    if (bc < 0) {
        return (int)bc;
    }
    bd->block_size = (uint32_t)bs;
    bd->block_count = (uint32_t)bc;
    return 0;
}

int cairn_bdev_erase(struct cairn_bdev *bd, uint32_t block)
{
    if (cairn_bdev_is_readonly(bd)) {
        return CAIRN_EROFS;
    }
    int rc = bd_range(bd, block, 1);
    if (rc) {
        return rc;
    }
    int32_t r = cairn_bdev_ioctl(bd, CAIRN_BDEV_BLOCK_ERASE, block);
    if (r == CAIRN_BDEV_IOCTL_NONE) {
        return CAIRN_EOPNOTSUPP;
    }
    return bd_result((int)r);
}

int cairn_bdev_sync(struct cairn_bdev *bd)
{
    int32_t r = cairn_bdev_ioctl(bd, CAIRN_BDEV_SYNC, 0);
    if (r == CAIRN_BDEV_IOCTL_NONE || r > 0) {
        return 0; // MicroPython ignores a positive SYNC result
    }
    return (int)r;
}

// ---- data transfer ------------------------------------------------------------

int cairn_bdev_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    int rc = bd_range(bd, block, nblocks);
    if (rc) {
        return rc;
    }
    if (bd->ops->read) {
        return bd_result(bd->ops->read(bd, block, buf, nblocks));
    }
    if (bd->ops->read_ext == NULL || bd->block_size == 0) {
        return CAIRN_EOPNOTSUPP;
    }
    uint8_t *p = buf;
    for (uint32_t i = 0; i < nblocks; i++, p += bd->block_size) {
        rc = bd_result(bd->ops->read_ext(bd, block + i, 0, p, bd->block_size));
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int cairn_bdev_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks)
{
    if (cairn_bdev_is_readonly(bd)) {
        return CAIRN_EROFS;
    }
    int rc = bd_range(bd, block, nblocks);
    if (rc) {
        return rc;
    }
    if (bd->ops->write) {
        return bd_result(bd->ops->write(bd, block, buf, nblocks));
    }
    if (bd->block_size == 0) {
        return CAIRN_EOPNOTSUPP;
    }
    // Extended-only device: a simple write means "erase, then program".
    const uint8_t *p = buf;
    for (uint32_t i = 0; i < nblocks; i++, p += bd->block_size) {
        int32_t r = cairn_bdev_ioctl(bd, CAIRN_BDEV_BLOCK_ERASE, block + i);
        if (r != CAIRN_BDEV_IOCTL_NONE && r != 0) {
            return bd_result((int)r);
        }
        rc = bd_result(bd->ops->write_ext(bd, block + i, 0, p, bd->block_size));
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int cairn_bdev_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                        uint32_t len)
{
    int rc = bd_ext_range(bd, block, offset, len);
    if (rc) {
        return rc;
    }
    if (bd->ops->read_ext == NULL) {
        return CAIRN_EOPNOTSUPP;
    }
    return bd_result(bd->ops->read_ext(bd, block, offset, buf, len));
}

int cairn_bdev_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset,
                         const void *buf, uint32_t len)
{
    if (cairn_bdev_is_readonly(bd)) {
        return CAIRN_EROFS;
    }
    int rc = bd_ext_range(bd, block, offset, len);
    if (rc) {
        return rc;
    }
    if (bd->ops->write_ext == NULL) {
        return CAIRN_EOPNOTSUPP;
    }
    return bd_result(bd->ops->write_ext(bd, block, offset, buf, len));
}

// ---- extended-over-simple adapter -------------------------------------------------

static int ad_fill(struct cairn_bdev_ext_adapter *ad, uint32_t block)
{
    if (ad->scratch_block == block) {
        return 0;
    }
    ad->scratch_block = UINT32_MAX;
    int rc = cairn_bdev_read(ad->lower, block, ad->scratch, 1);
    if (rc == 0) {
        ad->scratch_block = block;
    }
    return rc;
}

static int ad_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    struct cairn_bdev_ext_adapter *ad = (struct cairn_bdev_ext_adapter *)bd;
    return cairn_bdev_read(ad->lower, block, buf, nblocks);
}

static int ad_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks)
{
    struct cairn_bdev_ext_adapter *ad = (struct cairn_bdev_ext_adapter *)bd;
    if (ad->scratch_block != UINT32_MAX && ad->scratch_block >= block &&
        ad->scratch_block - block < nblocks) {
        ad->scratch_block = UINT32_MAX;
    }
    return cairn_bdev_write(ad->lower, block, buf, nblocks);
}

static int ad_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                       uint32_t len)
{
    struct cairn_bdev_ext_adapter *ad = (struct cairn_bdev_ext_adapter *)bd;
    if (offset == 0 && len == bd->block_size) {
        return cairn_bdev_read(ad->lower, block, buf, 1);
    }
    int rc = ad_fill(ad, block);
    if (rc) {
        return rc;
    }
    memcpy(buf, ad->scratch + offset, len);
    return 0;
}

static int ad_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, const void *buf,
                        uint32_t len)
{
    struct cairn_bdev_ext_adapter *ad = (struct cairn_bdev_ext_adapter *)bd;
    if (offset == 0 && len == bd->block_size) {
        ad->scratch_block = block == ad->scratch_block ? UINT32_MAX : ad->scratch_block;
        return cairn_bdev_write(ad->lower, block, buf, 1);
    }
    int rc = ad_fill(ad, block);
    if (rc) {
        return rc;
    }
    memcpy(ad->scratch + offset, buf, len);
    rc = cairn_bdev_write(ad->lower, block, ad->scratch, 1);
    if (rc) {
        ad->scratch_block = UINT32_MAX;
    }
    return rc;
}

static int32_t ad_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_bdev_ext_adapter *ad = (struct cairn_bdev_ext_adapter *)bd;
    if (op == CAIRN_BDEV_BLOCK_ERASE) {
        // A disk has no erase; littlefs never assumes an erase value.
        return arg < bd->block_count ? 0 : CAIRN_EINVAL;
    }
    return cairn_bdev_ioctl(ad->lower, op, arg);
}

static const struct cairn_bdev_ops ad_ops = {ad_read, ad_write, ad_read_ext, ad_write_ext,
                                             ad_ioctl};
static const struct cairn_bdev_ops ad_ops_ro = {ad_read, NULL, ad_read_ext, NULL, ad_ioctl};

int cairn_bdev_ext_adapter_init(struct cairn_bdev_ext_adapter *ad, struct cairn_bdev *lower,
                                uint8_t *scratch, uint32_t scratch_size)
{
    memset(ad, 0, sizeof *ad);
    if (lower->block_size == 0) {
        int rc = cairn_bdev_probe(lower, 0, 0);
        if (rc) {
            return rc;
        }
    }
    if (scratch == NULL || scratch_size < lower->block_size) {
        return CAIRN_EINVAL;
    }
    ad->bd.ops = cairn_bdev_is_readonly(lower) ? &ad_ops_ro : &ad_ops;
    ad->bd.block_size = lower->block_size;
    ad->bd.block_count = lower->block_count;
    ad->lower = lower;
    ad->scratch = scratch;
    ad->scratch_block = UINT32_MAX;
    return 0;
}

// ---- read-only view -----------------------------------------------------------

static int ro_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    return cairn_bdev_read(((struct cairn_bdev_ro *)bd)->lower, block, buf, nblocks);
}

static int ro_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                       uint32_t len)
{
    return cairn_bdev_read_ext(((struct cairn_bdev_ro *)bd)->lower, block, offset, buf, len);
}

static int32_t ro_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    if (op == CAIRN_BDEV_BLOCK_ERASE) {
        return CAIRN_EROFS;
    }
    return cairn_bdev_ioctl(((struct cairn_bdev_ro *)bd)->lower, op, arg);
}

static const struct cairn_bdev_ops ro_ops_simple = {ro_read, NULL, NULL, NULL, ro_ioctl};
static const struct cairn_bdev_ops ro_ops_ext = {NULL, NULL, ro_read_ext, NULL, ro_ioctl};
static const struct cairn_bdev_ops ro_ops_both = {ro_read, NULL, ro_read_ext, NULL, ro_ioctl};

void cairn_bdev_ro_init(struct cairn_bdev_ro *ro, struct cairn_bdev *lower)
{
    ro->lower = lower;
    ro->bd.block_size = lower->block_size;
    ro->bd.block_count = lower->block_count;
    if (lower->ops->read && lower->ops->read_ext) {
        ro->bd.ops = &ro_ops_both;
    } else if (lower->ops->read_ext) {
        ro->bd.ops = &ro_ops_ext;
    } else {
        ro->bd.ops = &ro_ops_simple;
    }
}

// ---- slice -------------------------------------------------------------------------

static int sl_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t nblocks)
{
    struct cairn_bdev_slice *s = (struct cairn_bdev_slice *)bd;
    return cairn_bdev_read(s->lower, s->first + block, buf, nblocks);
}

static int sl_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t nblocks)
{
    struct cairn_bdev_slice *s = (struct cairn_bdev_slice *)bd;
    return cairn_bdev_write(s->lower, s->first + block, buf, nblocks);
}

static int sl_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                       uint32_t len)
{
    struct cairn_bdev_slice *s = (struct cairn_bdev_slice *)bd;
    return cairn_bdev_read_ext(s->lower, s->first + block, offset, buf, len);
}

static int sl_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset,
                        const void *buf, uint32_t len)
{
    struct cairn_bdev_slice *s = (struct cairn_bdev_slice *)bd;
    return cairn_bdev_write_ext(s->lower, s->first + block, offset, buf, len);
}

static int32_t sl_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_bdev_slice *s = (struct cairn_bdev_slice *)bd;
    switch (op) {
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)bd->block_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)bd->block_size;
    case CAIRN_BDEV_BLOCK_ERASE:
        if (arg >= bd->block_count) {
            return CAIRN_EINVAL;
        }
        return cairn_bdev_ioctl(s->lower, op, s->first + arg);
    default:
        return cairn_bdev_ioctl(s->lower, op, arg);
    }
}

int cairn_bdev_slice_init(struct cairn_bdev_slice *s, struct cairn_bdev *lower, uint32_t first,
                          uint32_t count)
{
    static const struct cairn_bdev_ops sl_ops_table[4] = {
        {sl_read, sl_write, NULL, NULL, sl_ioctl},
        {NULL, NULL, sl_read_ext, sl_write_ext, sl_ioctl},
        {sl_read, sl_write, sl_read_ext, sl_write_ext, sl_ioctl},
        {sl_read, NULL, sl_read_ext, NULL, sl_ioctl},
    };
    memset(s, 0, sizeof *s);
    if (lower->block_size == 0) {
        int rc = cairn_bdev_probe(lower, 0, 0);
        if (rc) {
            return rc;
        }
    }
    if (count == 0 || first >= lower->block_count || count > lower->block_count - first) {
        return CAIRN_EINVAL;
    }
    int simple = lower->ops->read != NULL, ext = lower->ops->read_ext != NULL;
    if (cairn_bdev_is_readonly(lower)) {
        // Slices of read-only devices stay read-only; keep whatever reads exist.
        static const struct cairn_bdev_ops sl_ro_simple = {sl_read, NULL, NULL, NULL, sl_ioctl};
        static const struct cairn_bdev_ops sl_ro_ext = {NULL, NULL, sl_read_ext, NULL, sl_ioctl};
        s->bd.ops = simple && ext ? &sl_ops_table[3] : simple ? &sl_ro_simple : &sl_ro_ext;
    } else {
        s->bd.ops = &sl_ops_table[simple && ext ? 2 : ext ? 1 : 0];
    }
    s->bd.block_size = lower->block_size;
    s->bd.block_count = count;
    s->lower = lower;
    s->first = first;
    return 0;
}
