// What the Zephyr layer sees on a board: DiskAccess.disks and FlashArea.areas,
// printed the way MicroPython shows them, plus each disk's geometry.
//
//   build/examples/board_info [BOARD_FILE]     default: the built-in nRF52840 DK
#include <stdio.h>

#include "cairn/host_board.h"
#include "cairn/zephyr.h"

int main(int argc, char **argv)
{
    static struct cairn_board board;
    int rc = argc > 1 ? cairn_board_load(&board, argv[1]) : cairn_board_load_default(&board);
    if (rc == 0) {
        rc = cairn_board_open(&board, NULL); // in memory: nothing is written anywhere
    }
    if (rc != 0) {
        fprintf(stderr, "board_info: %s\n", cairn_board_error(&board));
        return 1;
    }
    printf("board %s\n", board.name);

    const char *names[CAIRN_BOARD_MAX_DISKS];
    int n = cairn_disk_access_disks(names, CAIRN_BOARD_MAX_DISKS);
    printf("DiskAccess.disks = (");
    for (int i = 0; i < n && i < CAIRN_BOARD_MAX_DISKS; i++) {
        printf("%s'%s'%s", i ? ", " : "", names[i], n == 1 ? "," : "");
    }
    printf(")\n");
    for (int i = 0; i < n && i < CAIRN_BOARD_MAX_DISKS; i++) {
        struct cairn_disk_access d;
        if (cairn_disk_access_init(&d, names[i]) == 0) {
            printf("  DiskAccess('%s'): %u sectors of %u bytes (%llu MiB)\n", names[i],
                   (unsigned)d.sector_count, (unsigned)d.sector_size,
                   (unsigned long long)d.sector_count * d.sector_size >> 20);
        } else {
            printf("  DiskAccess('%s'): %s\n", names[i], d.error);
        }
    }

    struct cairn_flash_area_info a[CAIRN_BOARD_MAX_PARTS];
    n = cairn_flash_area_areas(a, CAIRN_BOARD_MAX_PARTS);
    printf("FlashArea.areas = {");
    for (int i = 0; i < n && i < CAIRN_BOARD_MAX_PARTS; i++) {
        if (a[i].label) {
            printf("%s'%s': (%u, %u)", i ? ", " : "", a[i].label, a[i].id,
                   (unsigned)a[i].erase_block_size);
        } else {
            printf("%s%u: (%u, %u)", i ? ", " : "", a[i].id, a[i].id,
                   (unsigned)a[i].erase_block_size);
        }
    }
    printf("}\n");
    int storage = cairn_flash_area_storage_id();
    if (storage >= 0) {
        printf("FlashArea.STORAGE = %d\n", storage);
    }
    for (int i = 0; i < n && i < CAIRN_BOARD_MAX_PARTS; i++) {
        printf("  id %3u  0x%08x..0x%08x  %6u KiB  %s\n", a[i].id, (unsigned)a[i].offset,
               (unsigned)(a[i].offset + a[i].size), (unsigned)(a[i].size >> 10),
               a[i].label ? a[i].label : "(no label)");
    }
    cairn_board_close(&board);
    return 0;
}
