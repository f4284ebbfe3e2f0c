// The seed walk-through (host_demo.h): the two storage snippets of the seed,
// step by step in C on the default host board, with a MicroPython-style
// transcript. examples/seed_walkthrough.c is the same code without the
// transcript, for reading.
#include "cairn/host_demo.h"

#include <stdlib.h>
#include <string.h>

#include "cairn/fat.h"
#include "cairn/host_board.h"
#include "cairn/lfs2.h"
#include "cairn/vfs.h"
#include "cairn/zephyr.h"

// Print MicroPython's view of a failed step and pass the error on.
static int demo_fail(FILE *out, const char *step, int err, const char *why)
{
    fprintf(out, "Traceback (most recent call last):\n  %s\n", step);
    if (why != NULL) {
        fprintf(out, "ValueError: %s\n", why);
    } else {
        fprintf(out, "OSError: [Errno %d] %s\n", -err, cairn_errname(err));
    }
    return err;
}

// with open(path, 'w') as f: f.write(text)  /  print(open(path).read())
static int demo_hello(FILE *out, const char *path)
{
    static const char text[] = "Hello world";
    fprintf(out, ">>> with open('%s', 'w') as f:\n...     f.write('%s')\n...\n", path, text);
    int fd = cairn_vfs_open(path, "w");
    if (fd < 0) {
        return demo_fail(out, "open", fd, NULL);
    }
    int32_t n = cairn_vfs_write(fd, text, (uint32_t)strlen(text));
    int rc = cairn_vfs_close(fd);
    if (n < 0) {
        return demo_fail(out, "f.write", (int)n, NULL);
    }
    if (rc < 0) {
        return demo_fail(out, "close", rc, NULL);
    }
    fprintf(out, "%d\n", (int)n);

    fprintf(out, ">>> print(open('%s').read())\n", path);
    fd = cairn_vfs_open(path, "r");
    if (fd < 0) {
        return demo_fail(out, "open", fd, NULL);
    }
    char buf[64];
    n = cairn_vfs_read(fd, buf, sizeof buf - 1);
    cairn_vfs_close(fd);
    if (n < 0) {
        return demo_fail(out, "read", (int)n, NULL);
    }
    buf[n] = '\0';
    fprintf(out, "%s\n", buf);
    if (strcmp(buf, text) != 0) {
        return CAIRN_EIO; // what we read is not what we wrote
    }
    return 0;
}

// The common tail of both snippets: format with the driver object (`rc` is
// its init result), mount the device at `point`, write hello.txt there and
// unmount.
static int demo_mkfs_mount(FILE *out, int rc, struct cairn_fs *fs, const char *mkfs_call,
                           struct cairn_bdev *bd, const char *point)
{
    char call[64], path[64];
    if (rc == 0) {
        rc = fs->ops->mkfs(fs);
    }
    if (rc) {
        return demo_fail(out, mkfs_call, rc, NULL);
    }
    snprintf(call, sizeof call, "vfs.mount(block_dev, '%s')", point);
    fprintf(out, ">>> %s\n", call);
    rc = cairn_vfs_mount_bdev(bd, point, 0, NULL);
    if (rc) {
        return demo_fail(out, call, rc, NULL);
    }
    snprintf(path, sizeof path, "%s/hello.txt", point);
    rc = demo_hello(out, path);
    int urc = cairn_vfs_umount(point, 1);
    return rc ? rc : urc;
}

// Snippet 1: FAT on the SD card.
static int demo_sd(FILE *out)
{
    static struct cairn_disk_access sd;
    static struct cairn_fat fat;
    fprintf(out, ">>> import vfs\n>>> from zephyr import DiskAccess\n");
    fprintf(out, ">>> block_dev = DiskAccess('SDHC')\n");
    int rc = cairn_disk_access_init(&sd, "SDHC");
    if (rc) {
        return demo_fail(out, "DiskAccess('SDHC')", rc, sd.error);
    }
    fprintf(out, ">>> vfs.VfsFat.mkfs(block_dev)\n");
    rc = cairn_fat_init(&fat, &sd.bd, NULL);
    return demo_mkfs_mount(out, rc, &fat.fs, "vfs.VfsFat.mkfs(block_dev)", &sd.bd, "/sd");
}

// Snippet 2: littlefs on the flash map's "storage" partition.
static int demo_flash(FILE *out)
{
    static struct cairn_flash_area fl;
    static struct cairn_lfs2 lfs;
    static uint32_t buf[CAIRN_LFS2_BUFFER_SIZE(128, 32) / 4]; // 4-byte aligned
    fprintf(out, ">>> from zephyr import FlashArea\n");
    fprintf(out, ">>> block_dev = FlashArea(FlashArea.STORAGE, 4096)\n");
    int id = cairn_flash_area_storage_id();
    if (id < 0) {
        return demo_fail(out, "FlashArea.STORAGE", id,
                         "type object 'FlashArea' has no attribute 'STORAGE'");
    }
    int rc = cairn_flash_area_init(&fl, (uint8_t)id, 4096);
    if (rc) {
        return demo_fail(out, "FlashArea(FlashArea.STORAGE, 4096)", rc, fl.error);
    }
    fprintf(out, ">>> vfs.VfsLfs2.mkfs(block_dev)\n");
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg); // zero = VfsLfs2's defaults
    cfg.buffer = buf;
    cfg.buffer_size = sizeof buf;
    rc = cairn_lfs2_init(&lfs, &fl.bd, &cfg);
    return demo_mkfs_mount(out, rc, &lfs.fs, "vfs.VfsLfs2.mkfs(block_dev)", &fl.bd, "/flash");
}

static void demo_board(FILE *out, const struct cairn_board *b, const char *dir)
{
    fprintf(out, "# board %s", b->name);
    if (dir != NULL) {
        fprintf(out, ", images in %s/", dir);
    }
    fprintf(out, "\n# DiskAccess.disks:");
    for (unsigned i = 0; i < b->ndisks; i++) {
        fprintf(out, " %s (%u x %u bytes, %s)", b->disks[i].name,
                (unsigned)b->disks[i].sector_count, (unsigned)b->disks[i].sector_size,
                b->disks[i].image);
    }
    fprintf(out, "\n# FlashArea.areas:");
    struct cairn_flash_area_info a[CAIRN_BOARD_MAX_PARTS];
    int n = cairn_flash_area_areas(a, CAIRN_BOARD_MAX_PARTS);
    for (int i = 0; i < n && i < CAIRN_BOARD_MAX_PARTS; i++) {
        if (a[i].label) {
            fprintf(out, " '%s': (%u, %u)", a[i].label, a[i].id, (unsigned)a[i].erase_block_size);
        } else {
            fprintf(out, " %u: (%u, %u)", a[i].id, a[i].id, (unsigned)a[i].erase_block_size);
        }
    }
    fprintf(out, "\n\n");
}

int cairn_host_demo(const char *dir, FILE *out)
{
    struct cairn_board *b = malloc(sizeof *b);
    if (b == NULL) {
        return CAIRN_ENOMEM;
    }
    int rc = cairn_board_load_default(b);
    if (rc == 0) {
        rc = cairn_board_open(b, dir);
    }
    if (rc) {
        fprintf(out, "cairn demo: %s\n", cairn_board_error(b));
        free(b);
        return rc;
    }
    demo_board(out, b, dir);
    rc = demo_sd(out);
    if (rc == 0) {
        fprintf(out, "\n");
        rc = demo_flash(out);
    }
    int src = cairn_board_sync(b);
    if (rc == 0 && src != 0) {
        fprintf(out, "cairn demo: %s\n", cairn_board_error(b));
        rc = src;
    }
    cairn_board_close(b);
    free(b);
    return rc;
}
