// The seed walk-through, in C: MicroPython's two storage snippets for Zephyr
//
//   import vfs                                import vfs
//   from zephyr import DiskAccess             from zephyr import FlashArea
//   block_dev = DiskAccess('SDHC')            block_dev = FlashArea(FlashArea.STORAGE, 4096)
//   vfs.VfsFat.mkfs(block_dev)                vfs.VfsLfs2.mkfs(block_dev)
//   vfs.mount(block_dev, '/sd')               vfs.mount(block_dev, '/flash')
//   with open('/sd/hello.txt','w') as f:      with open('/flash/hello.txt','w') as f:
//       f.write('Hello world')                    f.write('Hello world')
//   print(open('/sd/hello.txt').read())       print(open('/flash/hello.txt').read())
//
// line by line. On a host it runs on the emulated nRF52840 DK board (port/host):
//
//   build/examples/seed_walkthrough [DIR]     DIR keeps sd.img and flash.img
//
// In a Zephyr application (examples/zephyr/) the same file builds against
// Zephyr's own disk-access and flash-map APIs; only the host board set-up
// (#ifndef __ZEPHYR__) goes away.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/fat.h"
#include "cairn/lfs2.h"
#include "cairn/vfs.h"
#include "cairn/zephyr.h"
#ifndef __ZEPHYR__
#include "cairn/host_board.h"
#endif

static int check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "seed_walkthrough: %s: %s (%s)\n", what, cairn_strerror(rc),
                cairn_errname(rc));
        exit(1);
    }
    return rc;
}

// with open(path, 'w') as f: f.write('Hello world')
// print(open(path).read())
static void hello(const char *path)
{
    int fd = check(cairn_vfs_open(path, "w"), path);
    check(cairn_vfs_write(fd, "Hello world", 11), "write");
    check(cairn_vfs_close(fd), "close");

    char buf[32] = {0};
    fd = check(cairn_vfs_open(path, "r"), path);
    int32_t n = check(cairn_vfs_read(fd, buf, sizeof buf - 1), "read");
    check(cairn_vfs_close(fd), "close");
    printf("%.*s\n", (int)n, buf);
}

int main(int argc, char **argv)
{
#ifndef __ZEPHYR__
    // The host stand-in for the devicetree: the default board's SD card and flash.
    static struct cairn_board board;
    check(cairn_board_load_default(&board), "default board");
    if (cairn_board_open(&board, argc > 1 ? argv[1] : NULL) != 0) {
        fprintf(stderr, "seed_walkthrough: %s\n", cairn_board_error(&board));
        return 1;
    }
#else
    (void)argc;
    (void)argv;
#endif

    // block_dev = DiskAccess('SDHC')
    static struct cairn_disk_access sd;
    check(cairn_disk_access_init(&sd, "SDHC"), "DiskAccess('SDHC')");
    // vfs.VfsFat.mkfs(block_dev)
    static struct cairn_fat fat;
    check(cairn_fat_init(&fat, &sd.bd, NULL), "VfsFat");
    check(fat.fs.ops->mkfs(&fat.fs), "VfsFat.mkfs");
    // vfs.mount(block_dev, '/sd')
    check(cairn_vfs_mount_bdev(&sd.bd, "/sd", 0, NULL), "mount /sd");
    hello("/sd/hello.txt");

    // block_dev = FlashArea(FlashArea.STORAGE, 4096)
    static struct cairn_flash_area flash;
    int storage = check(cairn_flash_area_storage_id(), "FlashArea.STORAGE");
    check(cairn_flash_area_init(&flash, (uint8_t)storage, 4096), "FlashArea(STORAGE, 4096)");
    // vfs.VfsLfs2.mkfs(block_dev)
    static struct cairn_lfs2 lfs;
    static uint32_t lfs_buf[CAIRN_LFS2_BUFFER_SIZE(128, 32) / 4];
    struct cairn_lfs2_config cfg = {0}; // VfsLfs2's defaults
    cfg.buffer = lfs_buf;
    cfg.buffer_size = sizeof lfs_buf;
    check(cairn_lfs2_init(&lfs, &flash.bd, &cfg), "VfsLfs2");
    check(lfs.fs.ops->mkfs(&lfs.fs), "VfsLfs2.mkfs");
    // vfs.mount(block_dev, '/flash')
    check(cairn_vfs_mount_bdev(&flash.bd, "/flash", 0, NULL), "mount /flash");
    hello("/flash/hello.txt");

    cairn_vfs_reset(); // unmount everything (syncs)
#ifndef __ZEPHYR__
    cairn_board_close(&board);
#endif
    return 0;
}
