/*
 * The seed walk-through on the emulated board (host builds only; the CLI's
 * `cairn demo [DIR]` calls it). It runs, in C, the two snippets of the seed:
 *
 *   block_dev = DiskAccess('SDHC')            block_dev = FlashArea(FlashArea.STORAGE, 4096)
 *   vfs.VfsFat.mkfs(block_dev)                vfs.VfsLfs2.mkfs(block_dev)
 *   vfs.mount(block_dev, '/sd')               vfs.mount(block_dev, '/flash')
 *   write 'Hello world' to /sd/hello.txt      ... to /flash/hello.txt
 *   print(open('/sd/hello.txt').read())       print(open('/flash/hello.txt').read())
 *
 * on the default host board (host_board.h), printing a MicroPython-style
 * transcript to `out`.
 */
#ifndef CAIRN_HOST_DEMO_H
#define CAIRN_HOST_DEMO_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Run the walk-through. `dir` keeps the board's images (sd.img: the 64 MiB SD
 * card, flash.img: the 1 MiB flash with its partitions), created when missing,
 * so a second run and the CLI (`cairn ls -i DIR/sd.img`, `cairn ls -i
 * DIR/flash.img --area storage`) see them; NULL keeps everything in memory.
 * The VFS must have nothing mounted at /sd or /flash; both are unmounted
 * again before returning. Returns 0, or the first failing step's CAIRN_E*
 * error (also reported on `out`).
 */
int cairn_host_demo(const char *dir, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_HOST_DEMO_H */
