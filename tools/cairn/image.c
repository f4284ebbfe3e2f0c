// cairn CLI: opening images. A file or block device becomes a block device
// (the project's image-file device, port/host/bdev_file.c, at an offset or a
// flash-map area), the filesystem is detected (littlefs superblock, else FAT)
// with its geometry, and mounted at "/" of the VFS.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cairn/host.h"
#include "cairn/host_board.h"
#include "cli.h"

// ---- the open image ----------------------------------------------------------------

struct cairn_img {
    const char *name;
    struct cairn_file_bdev dev; // fd -1 until opened
    uint64_t avail;   // bytes from the offset to the end of the file/device (or the area)
    uint32_t area_bs; // --area: the flash's erase block
    int is_lfs2;
    int writable;
    int mounted;
    union {
        struct cairn_fs fs;
        struct cairn_fat fat;
        struct cairn_lfs2 lfs;
    } u;
    struct cairn_fat_config fatcfg;
    struct cairn_lfs2_config lfscfg;
    void *lfsbuf;
};

struct cairn_fs *cairn_cli_fs(struct cairn_img *img)
{
    return &img->u.fs;
}

void cairn_cli_sync_always(struct cairn_img *img)
{
    (void)img; // the image-file device honours every sync point already
}

static void cli_read_progress(void *ctx, uint64_t bytes_read)
{
    cairn_cli_progress((const char *)ctx, bytes_read >> 10, 0);
}

void cairn_cli_watch_reads(struct cairn_img *img, const char *what)
{
    img->dev.on_read = what ? cli_read_progress : NULL;
    img->dev.on_read_ctx = (void *)(uintptr_t)what;
    if (what == NULL) {
        cairn_cli_progress_end();
    }
}

const char *cairn_cli_fstype(const struct cairn_img *img)
{
    return img->is_lfs2 ? "lfs2" : "fat";
}

// Cache slots for the device: littlefs reads metadata a few bytes at a time,
// which cost a pread each (1.4 million for a 20 MiB unpack) without them.
#define CLI_CACHE_BLOCKS 16u

// Open the image at byte `base` (a window: the geometry comes later) and lock
// it, exclusively when writing: two tools writing one image would corrupt it.
// `resize` (format only): the file's new size after base.
static int cli_open_dev(struct cairn_img *img, const struct cairn_cli *c, int write, int create,
                        uint64_t base, uint64_t resize, int fill_ff, int bulk)
{
    struct cairn_file_bdev_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.offset = base;
    cfg.block_size = 512;
    cfg.flags = CAIRN_FILE_WINDOW | CAIRN_FILE_EXT | CAIRN_FILE_SIMPLE | CAIRN_FILE_LOCK;
    cfg.flags |= write ? 0 : CAIRN_FILE_RDONLY;
    cfg.flags |= create ? CAIRN_FILE_CREATE : 0;
    cfg.flags |= fill_ff ? CAIRN_FILE_FILL_FF : 0;
    // fdatasync at every sync point the filesystem asks for: the image's
    // bytes are as durable as with fsync, without journalling its mtime each
    // time (pack of 1000 files: ~4100 littlefs / ~2000 FAT sync points)
    cfg.flags |= CAIRN_FILE_DATASYNC;
    cfg.flags |= bulk ? CAIRN_FILE_SYNC_AT_CLOSE : 0;
    cfg.cache_blocks = CLI_CACHE_BLOCKS;
    cfg.resize = resize;
    int rc = cairn_file_bdev_open_ex(&img->dev, c->image, &cfg);
    if (rc == CAIRN_EBUSY) {
        fprintf(stderr, "cairn: %s: image is in use by another process\n", c->image);
        return CLI_EXIT_FAIL;
    }
    if (rc != 0) {
        return cairn_cli_err(c->image, rc);
    }
    img->writable = write;
    img->name = c->image;
    return 0;
}

// --area NAME|ID: the partition's place in a dump of its flash device, from
// the board's flash map (the default board, or --board FILE).
static int cli_area(const struct cairn_cli *c, uint64_t *base, uint64_t *size, uint32_t *bs)
{
    struct cairn_board *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return cairn_cli_err(c->area, CAIRN_ENOMEM);
    }
    int rc = c->board ? cairn_board_load(b, c->board) : cairn_board_load_default(b);
    if (rc != 0) {
        fprintf(stderr, "cairn: %s: %s\n", c->board ? c->board : "board",
                cairn_board_error(b)[0] ? cairn_board_error(b) : cairn_strerror(rc));
        free(b);
        return CLI_EXIT_FAIL;
    }
    const struct cairn_board_part *part = cairn_board_find_area(b, c->area);
    if (part == NULL) {
        fprintf(stderr, "cairn: %s: no such flash area on board %s (areas:", c->area, b->name);
        for (unsigned i = 0; i < b->nparts; i++) {
            if (b->parts[i].label[0]) {
                fprintf(stderr, " %s=%u", b->parts[i].label, (unsigned)b->parts[i].id);
            } else {
                fprintf(stderr, " %u", (unsigned)b->parts[i].id);
            }
        }
        fprintf(stderr, ")\n");
        free(b);
        return CLI_EXIT_FAIL;
    }
    *base = part->offset + (c->has_offset ? c->offset : 0);
    *size = part->size;
    *bs = b->flash[part->flash].erase_block;
    free(b);
    return 0;
}

// Where the filesystem starts (--offset, --area); with --area also its size
// and the flash's erase block.
static int cli_base(const struct cairn_cli *c, uint64_t *base, uint64_t *asize, uint32_t *abs)
{
    *base = c->has_offset ? c->offset : 0;
    *asize = 0;
    *abs = 0;
    return c->area ? cli_area(c, base, asize, abs) : 0;
}

// After opening: check the offset or area against the image; fills img->avail.
static int cli_place(struct cairn_img *img, const struct cairn_cli *c, uint64_t asize)
{
    uint64_t base = img->dev.offset, size = img->dev.file_size;
    if (c->area) {
        if (base + asize > size) {
            fprintf(stderr,
                    "cairn: %s: area %s (%llu bytes at %llu) does not fit in the image "
                    "(%llu bytes)\n",
                    c->image, c->area, (unsigned long long)asize, (unsigned long long)base,
                    (unsigned long long)size);
            return CLI_EXIT_FAIL;
        }
        img->avail = asize;
        return 0;
    }
    if (base > size) {
        fprintf(stderr, "cairn: %s: offset %llu is past the end of the image (%llu bytes)\n",
                c->image, (unsigned long long)base, (unsigned long long)size);
        return CLI_EXIT_FAIL;
    }
    img->avail = img->dev.size;
    return 0;
}

static int cli_dev_setup(struct cairn_img *img, uint32_t bs, uint32_t count)
{
    int rc = cairn_file_bdev_set_geometry(&img->dev, bs, count);
    if (rc != 0) {
        fprintf(stderr, "cairn: %s: %u blocks of %u bytes: %s\n", img->name, (unsigned)count,
                (unsigned)bs, cairn_strerror(rc));
    }
    return rc;
}

// ---- littlefs superblock search ------------------------------------------------------

struct cli_sb {
    int valid;
    int in_block0; // a valid superblock copy sits in block 0
    uint32_t version, block_size, block_count;
};

static int cli_read_at(struct cairn_img *img, uint64_t pos, uint8_t *buf, uint32_t len)
{
    if (pos >= img->avail || len > img->avail - pos) {
        return -1;
    }
    return cairn_file_bdev_pread(&img->dev, pos, buf, len) == 0 ? 0 : -1;
}

// Find the superblock through the driver's probe (block 0 or 1, block sizes
// 128..64K, CRC-checked commits). Returns 1 (found, *sb filled), 0 (none).
static int cli_find_lfs2(struct cairn_img *img, uint32_t want_bs, struct cli_sb *sb)
{
    memset(sb, 0, sizeof *sb);
    // byte-granular reads from the window: 128-byte blocks divide every
    // candidate size; the geometry in force is put back afterwards
    uint32_t obs = img->dev.block_size, ocount = img->dev.block_count;
    uint64_t n = img->avail / 128;
    if (n == 0 || cairn_file_bdev_set_geometry(&img->dev, 128,
                                               n > UINT32_MAX ? UINT32_MAX : (uint32_t)n) != 0) {
        return 0;
    }
    struct cairn_lfs2_probe_info info;
    int rc = cairn_lfs2_probe(&img->dev.bd, 0, want_bs, &info);
    cairn_file_bdev_set_geometry(&img->dev, obs, ocount);
    if (rc != 0) {
        return 0;
    }
    sb->valid = 1;
    sb->in_block0 = info.in_block0;
    sb->version = info.disk_version;
    sb->block_size = info.block_size;
    sb->block_count = info.block_count;
    return 1;
}

// ---- filesystem objects ----------------------------------------------------------------

static int cli_lfs2_init(struct cairn_img *img, const struct cairn_cli *c, uint32_t bs,
                         uint32_t count)
{
    img->is_lfs2 = 1;
    struct cairn_lfs2_config *cfg = &img->lfscfg;
    memset(cfg, 0, sizeof *cfg);
    cfg->read_size = c->read_size;
    cfg->prog_size = c->prog_size;
    // A bigger lookahead than VfsLfs2's 32 bytes costs no format change and
    // saves whole-filesystem scans on large images.
    uint32_t la = c->lookahead;
    if (la == 0) {
        la = ((count + 63) / 64) * 8;
        la = la < 32 ? 32 : la > 8192 ? 8192 : la;
    }
    cfg->lookahead_size = la;
    cfg->block_size = bs;
    cfg->block_count = count;
    // cache_size stays the driver's default (it decides inline_max, so it
    // shapes the image); the buffer is sized for the largest cache possible
    uint32_t need = CAIRN_LFS2_BUFFER_SIZE(bs, la) + 64;
    img->lfsbuf = aligned_alloc(8, (need + 7) & ~7u);
    if (img->lfsbuf == NULL) {
        return CAIRN_ENOMEM;
    }
    memset(img->lfsbuf, 0, need);
    cfg->buffer = img->lfsbuf;
    cfg->buffer_size = need;
    return cairn_lfs2_init(&img->u.lfs, &img->dev.bd, cfg);
}

static int cli_fat_init(struct cairn_img *img, const struct cairn_cli *c)
{
    memset(&img->fatcfg, 0, sizeof img->fatcfg);
    if (c->partition > 0) {
        img->fatcfg.partition = (uint8_t)c->partition;
    }
    if (c->label) {
        snprintf(img->fatcfg.label, sizeof img->fatcfg.label, "%s", c->label);
    }
    img->is_lfs2 = 0;
    return cairn_fat_init(&img->u.fat, &img->dev.bd, &img->fatcfg);
}

// Sector 0 ends in the 0x55AA signature (a FAT boot sector or an MBR).
static int cli_boot_sector(struct cairn_img *img)
{
    uint8_t b[2];
    return cli_read_at(img, 510, b, 2) == 0 && b[0] == 0x55 && b[1] == 0xaa;
}

// FAT sector size: the BPB's when sector 0 holds a plausible boot sector.
static uint32_t cli_fat_sector_size(struct cairn_img *img)
{
    uint8_t b[512];
    if (cli_read_at(img, 0, b, sizeof b) == 0 && b[510] == 0x55 && b[511] == 0xaa) {
        uint32_t ss = (uint32_t)b[11] | (uint32_t)b[12] << 8;
        if ((b[0] == 0xeb || b[0] == 0xe9) &&
            (ss == 512 || ss == 1024 || ss == 2048 || ss == 4096)) {
            return ss;
        }
    }
    return 512;
}

static void cli_img_free(struct cairn_img *img)
{
    cairn_file_bdev_close(&img->dev);
    free(img->lfsbuf);
    free(img);
}

static struct cairn_img *cli_img_new(void)
{
    struct cairn_img *img = calloc(1, sizeof *img);
    if (img) {
        img->dev.fd = -1; // closing a never-opened device is a no-op
    }
    return img;
}

// Explain a mount failure, naming what was found.
static void cli_mount_error(struct cairn_img *img, int rc, const struct cli_sb *sb)
{
    const char *n = img->name;
    if (img->is_lfs2) {
        if (sb && sb->valid) {
            fprintf(stderr,
                    "cairn: %s: cannot mount littlefs (superblock: version %u.%u, block size "
                    "%u, block count %u): %s\n",
                    n, (unsigned)(sb->version >> 16), (unsigned)(sb->version & 0xffff),
                    (unsigned)sb->block_size, (unsigned)sb->block_count, cairn_strerror(rc));
        } else {
            fprintf(stderr, "cairn: %s: cannot mount littlefs: %s\n", n, cairn_strerror(rc));
        }
        return;
    }
    if (rc == CAIRN_ENODEV) {
        uint8_t b[64];
        struct cli_sb found;
        if (cli_find_lfs2(img, 0, &found)) {
            fprintf(stderr,
                    "cairn: %s: not a FAT filesystem (littlefs found; use --fs lfs2 "
                    "or leave --fs out)\n",
                    n);
        } else if (cli_read_at(img, 0, b, sizeof b) == 0 && memcmp(b + 40, "littlefs", 8) == 0) {
            fprintf(stderr, "cairn: %s: littlefs v1 filesystem found: not supported\n", n);
        } else if (cli_read_at(img, 0, b, sizeof b) == 0 && memcmp(b + 8, "littlefs", 8) == 0) {
            fprintf(stderr, "cairn: %s: littlefs magic found but no valid superblock\n", n);
        } else {
            fprintf(stderr,
                    "cairn: %s: no filesystem found (no littlefs superblock, no FAT "
                    "boot sector)\n",
                    n);
        }
        return;
    }
    fprintf(stderr, "cairn: %s: cannot mount FAT: %s\n", n, cairn_strerror(rc));
}

struct cairn_img *cairn_cli_open(const struct cairn_cli *c, int flags)
{
    if (c->image == NULL) {
        fprintf(stderr, "cairn: %s: no image given (-i IMG)\n", c->cmd);
        return NULL;
    }
    struct cairn_img *img = cli_img_new();
    if (img == NULL) {
        cairn_cli_err(c->image, CAIRN_ENOMEM);
        return NULL;
    }
    // --read-only: open read-only and mount read-only; writes then fail with
    // EROFS from the filesystem, naming the path.
    int write = (flags & CLI_OPEN_WRITE) && !c->read_only;
    uint64_t base, asize;
    if (cli_base(c, &base, &asize, &img->area_bs) != 0 ||
        cli_open_dev(img, c, write, 0, base, 0, 0, flags & CLI_OPEN_BULK) != 0 || cli_place(img, c, asize) != 0) {
        cli_img_free(img);
        return NULL;
    }
    if (img->avail == 0) {
        fprintf(stderr, "cairn: %s: empty image (no filesystem)\n", c->image);
        cli_img_free(img);
        return NULL;
    }
    struct cli_sb sb;
    memset(&sb, 0, sizeof sb);
    int lfs2 = 0;
    // the superblock search honours an explicit --block-size, and falls back
    // to any size so that a mismatch is reported with what the image holds
    if (c->fs) {
        lfs2 = strcmp(c->fs, "lfs2") == 0;
        if (lfs2 && !cli_find_lfs2(img, c->block_size, &sb) && c->block_size) {
            cli_find_lfs2(img, 0, &sb);
        }
    } else {
        lfs2 = cli_find_lfs2(img, c->block_size, &sb);
        if (!lfs2 && c->block_size) {
            lfs2 = cli_find_lfs2(img, 0, &sb);
        }
    }
    // A FAT volume can hold a littlefs image as a file that happens to start
    // at "block 1"; a real littlefs block 0 is never a boot sector.
    if (lfs2 && !c->fs && !sb.in_block0 && cli_boot_sector(img)) {
        lfs2 = 0;
    }
    if (lfs2 && c->partition > 0) {
        fprintf(stderr, "cairn: %s: --partition applies to FAT disks only\n", c->image);
        cli_img_free(img);
        return NULL;
    }
    int rc;
    if (lfs2) {
        uint32_t bs = c->block_size ? c->block_size : sb.valid ? sb.block_size : img->area_bs;
        if (bs == 0) {
            fprintf(stderr,
                    "cairn: %s: not a littlefs image (no superblock found; "
                    "--block-size forces a geometry)\n",
                    c->image);
            cli_img_free(img);
            return NULL;
        }
        uint64_t avail_blocks = img->avail / bs;
        uint32_t count = c->block_count                    ? c->block_count
                         : sb.valid && sb.block_size == bs ? sb.block_count
                                                           : 0;
        if (count == 0) {
            count = avail_blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)avail_blocks;
        }
        if (count > avail_blocks) {
            fprintf(stderr,
                    "cairn: %s: image too small: littlefs needs %u blocks of %u bytes, the "
                    "image holds %llu\n",
                    c->image, (unsigned)count, (unsigned)bs, (unsigned long long)avail_blocks);
            cli_img_free(img);
            return NULL;
        }
        rc = cli_dev_setup(img, bs, count);
        if (rc != 0) {
            cli_img_free(img);
            return NULL;
        }
        rc = cli_lfs2_init(img, c, bs, count);
    } else {
        uint32_t bs = c->block_size  ? c->block_size
                      : img->area_bs ? img->area_bs
                                     : cli_fat_sector_size(img);
        uint64_t n = img->avail / bs;
        if (cli_dev_setup(img, bs, n > INT32_MAX ? INT32_MAX : (uint32_t)n) != 0) {
            cli_img_free(img);
            return NULL;
        }
        rc = cli_fat_init(img, c);
    }
    if (rc == 0) {
        rc = cairn_vfs_mount(&img->u.fs, "/", write ? 0 : CAIRN_MOUNT_RDONLY);
    }
    if (rc != 0) {
        cli_mount_error(img, rc, &sb);
        cli_img_free(img);
        return NULL;
    }
    img->mounted = 1;
    return img;
}

int cairn_cli_close(struct cairn_img *img)
{
    int status = 0;
    if (img == NULL) {
        return 1;
    }
    if (img->mounted) {
        int rc = img->writable ? cairn_vfs_sync() : 0;
        int rc2 = cairn_vfs_umount("/", 1);
        if (rc == 0) {
            rc = rc2;
        }
        if (rc == 0 && img->writable) {
            rc = cairn_bdev_sync(&img->dev.bd);
        }
        if (rc != 0) {
            status = cairn_cli_err(img->name, rc);
        }
        img->mounted = 0;
    }
    if (img->dev.io_errors && status == 0) {
        fprintf(stderr, "cairn: %s: I/O error on the image\n", img->name);
        status = 1;
    }
    cli_img_free(img);
    return status;
}

// ---- formatting ----------------------------------------------------------------------

int cairn_cli_format(const struct cairn_cli *c)
{
    if (c->image == NULL) {
        return cairn_cli_usage(c, "no image given (-i IMG)");
    }
    if (c->fs == NULL) {
        return cairn_cli_usage(c, "say which filesystem: --fs fat or --fs lfs2");
    }
    if (c->read_only) {
        return cairn_cli_err(c->image, CAIRN_EROFS);
    }
    uint64_t area_base = 0, area_size = 0;
    uint32_t area_bs = 0;
    if (c->area) {
        int rc = cli_area(c, &area_base, &area_size, &area_bs);
        if (rc) {
            return rc;
        }
    }
    struct stat st;
    int exists = stat(c->image, &st) == 0;
    if (c->area) {
        // the image is the whole flash device: it must exist and hold the area
        if (!exists) {
            errno = ENOENT;
            return cairn_cli_errno(c->image);
        }
        if ((uint64_t)st.st_size < area_base + area_size && S_ISREG(st.st_mode)) {
            fprintf(stderr, "cairn: %s: area %s does not fit in the image\n", c->image, c->area);
            return CLI_EXIT_FAIL;
        }
    } else if (!exists && !c->has_size) {
        return cairn_cli_usage(c, "%s does not exist: give --size to create it", c->image);
    }
    struct cairn_img *img = cli_img_new();
    if (img == NULL) {
        return cairn_cli_err(c->image, CAIRN_ENOMEM);
    }
    int lfs2 = strcmp(c->fs, "lfs2") == 0;
    uint64_t base = c->area ? area_base : c->has_offset ? c->offset : 0;
    // a regular file given --size is cut or extended to exactly that, padded
    // with erased bytes for littlefs (the device resizes it once locked)
    int regular = exists ? S_ISREG(st.st_mode) : 1;
    uint64_t resize = !c->area && regular && c->has_size ? c->size : 0;
    int status = cli_open_dev(img, c, 1, 1, base, resize, lfs2, 0);
    if (status) {
        cli_img_free(img);
        return status;
    }
    uint64_t size = c->has_size ? c->size : img->dev.size;
    if (c->area) {
        size = c->has_size && c->size < area_size ? c->size : area_size;
    } else if (base + size > img->dev.file_size) {
        fprintf(stderr, "cairn: %s: the device holds only %llu bytes\n", c->image,
                (unsigned long long)img->dev.file_size);
        cli_img_free(img);
        return CLI_EXIT_FAIL;
    }
    img->avail = size;
    uint32_t bs = c->block_size ? c->block_size : area_bs ? area_bs : lfs2 ? 4096 : 512;
    uint64_t count = size / bs;
    if (count < 2 || count > INT32_MAX) {
        fprintf(stderr, "cairn: %s: %llu bytes cannot hold a filesystem with %u-byte blocks\n",
                c->image, (unsigned long long)size, (unsigned)bs);
        cli_img_free(img);
        return CLI_EXIT_FAIL;
    }
    if (c->block_count && c->block_count < count) {
        count = c->block_count;
    }
    int rc = cli_dev_setup(img, bs, (uint32_t)count);
    if (rc != 0) {
        cli_img_free(img);
        return CLI_EXIT_FAIL;
    }
    rc = lfs2 ? cli_lfs2_init(img, c, bs, (uint32_t)count) : cli_fat_init(img, c);
    if (rc == 0) {
        rc = img->u.fs.ops->mkfs(&img->u.fs);
    }
    if (rc == 0) {
        rc = cairn_bdev_sync(&img->dev.bd);
    }
    if (rc != 0) {
        fprintf(stderr, "cairn: %s: cannot format %s: %s\n", c->image, lfs2 ? "littlefs" : "FAT",
                cairn_strerror(rc));
        status = CLI_EXIT_FAIL;
    }
    cli_img_free(img);
    return status;
}
