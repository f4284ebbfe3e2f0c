/*
 * The host board (host builds only): what stands in for a Zephyr board's
 * devicetree when cairn's src/zephyr runs on a PC. A board has disks (the
 * disk-access API's named disks: emulated SD cards) and flash devices
 * (emulated NOR chips) cut into fixed partitions (the flash map: label, id,
 * offset, size). port/host implements Zephyr's disk-access and flash-map C
 * APIs over the CURRENT board (<zephyr/storage/disk_access.h>,
 * <zephyr/storage/flash_map.h> from port/host/include).
 *
 *   struct cairn_board *b = malloc(sizeof *b);    // big-ish: keep it off the stack
 *   cairn_board_load_default(b);                  // or cairn_board_load(b, "x.board")
 *   cairn_board_open(b, "build/demo");            // sd.img, flash.img kept there
 *   ... cairn_disk_access_init / cairn_flash_area_init (zephyr.h) ...
 *   cairn_board_close(b);
 *
 * Board description text (boards/ *.board): one item per line, `#` starts a
 * comment, numbers are decimal or 0x-hex with an optional K/M/G suffix
 * (powers of 1024):
 *
 *   board NAME
 *   disk NAME (sectors=N | size=BYTES) [sector-size=512] [image=FILE]
 *   flash NAME size=BYTES [erase-block=4096] [write-block=1] [image=FILE] [disabled]
 *   partition LABEL id=N offset=BYTES size=BYTES [flash=NAME] [erase-block=BYTES]
 *
 * A partition belongs to the flash named, or else to the last flash declared
 * before it; LABEL "-" means an unlabelled partition; erase-block, when
 * given, must equal its flash's. Errors name the line: "FILE:LINE: message".
 *
 * Every function returning int gives 0 or a negative CAIRN_E* value and
 * leaves a one-line explanation in cairn_board_error(b).
 */
#ifndef CAIRN_HOST_BOARD_H
#define CAIRN_HOST_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include <zephyr/storage/flash_map.h> /* port/host/include: struct flash_area, device */

#include "cairn/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CAIRN_BOARD_MAX_DISKS 4
#define CAIRN_BOARD_MAX_FLASH 4
#define CAIRN_BOARD_MAX_PARTS 16
#define CAIRN_BOARD_NAME_LEN 32  /* names and labels: up to 31 bytes */
#define CAIRN_BOARD_IMAGE_LEN 64 /* image file names inside the board directory */
#define CAIRN_BOARD_DIR_LEN 512

struct cairn_board_disk {
    char name[CAIRN_BOARD_NAME_LEN];
    uint32_t sector_size;
    uint32_t sector_count;
    char image[CAIRN_BOARD_IMAGE_LEN]; /* "" = <name in lower case>.img */
    /* runtime (cairn_board_open) */
    struct cairn_bdev *bd; /* the device behind the disk */
    uint8_t attached;      /* bd is the caller's (cairn_board_attach_disk) */
    uint8_t initialized;   /* disk_access_init done */
    struct cairn_sd sd;    /* the board-made device */
    uint8_t *mem;
    uint64_t mem_size;
    int fd; /* image file, -1 when in memory */
};

struct cairn_board_flash {
    char name[CAIRN_BOARD_NAME_LEN];
    uint32_t size;
    uint32_t erase_block; /* page size: the devicetree's erase-block-size */
    uint32_t write_block; /* the devicetree's write-block-size */
    uint8_t disabled;     /* status = "disabled": its partitions are not ready */
    char image[CAIRN_BOARD_IMAGE_LEN];
    /* runtime */
    struct cairn_bdev *bd; /* extended interface + erase, erase_block-sized blocks */
    uint8_t attached;
    struct device dev; /* what fa_dev points at */
    struct cairn_nor nor;
    uint32_t *erase_counts;
    uint8_t *mem;
    uint64_t mem_size;
    int fd;
};

struct cairn_board_part {
    char label[CAIRN_BOARD_NAME_LEN]; /* "" = no label */
    uint8_t id;
    uint8_t flash; /* index into flash[] */
    uint32_t offset;
    uint32_t size;
    struct flash_area fa; /* what flash_area_open hands out */
};

struct cairn_board {
    char name[CAIRN_BOARD_NAME_LEN];
    unsigned ndisks, nflash, nparts;
    struct cairn_board_disk disks[CAIRN_BOARD_MAX_DISKS];
    struct cairn_board_flash flash[CAIRN_BOARD_MAX_FLASH];
    struct cairn_board_part parts[CAIRN_BOARD_MAX_PARTS];
    uint8_t is_open;
    char dir[CAIRN_BOARD_DIR_LEN]; /* "" = everything in memory */
    char err[256];
};

/* ---- describing a board ----------------------------------------------------- */

/* An empty board called `name`. */
void cairn_board_init(struct cairn_board *b, const char *name);

/* Add a disk: sector_size a power of two in 512..4096, 1..INT32_MAX sectors.
 * `image` NULL or "" = the default name. -EINVAL bad geometry or name,
 * -EEXIST duplicate name, -ENOSPC too many disks. */
int cairn_board_add_disk(struct cairn_board *b, const char *name, uint32_t sector_size,
                         uint32_t sector_count, const char *image);

/* Add a NOR flash device: erase_block divides size, write_block divides
 * erase_block. Errors as for disks. */
int cairn_board_add_flash(struct cairn_board *b, const char *name, uint32_t size,
                          uint32_t erase_block, uint32_t write_block, const char *image);

/* Add a fixed partition on flash `flash_name` (NULL = the last flash added).
 * label NULL/""/"-" = unlabelled. Offset and size must be whole erase blocks
 * inside the flash and not overlap another partition; ids and labels are
 * unique. erase_block 0 = the flash's; otherwise it must equal it. */
int cairn_board_add_partition(struct cairn_board *b, const char *label, uint32_t id,
                              const char *flash_name, uint32_t offset, uint32_t size,
                              uint32_t erase_block);

/* Parse a board description (format above). `source` names it in errors.
 * Appends to what `b` already holds; call cairn_board_init first. */
int cairn_board_parse(struct cairn_board *b, const char *text, const char *source);

/* cairn_board_init + parse the file at `path`. */
int cairn_board_load(struct cairn_board *b, const char *path);

/* The default board: nRF52840 DK flash map + a 64 MiB "SDHC" card (below). */
int cairn_board_load_default(struct cairn_board *b);
extern const char cairn_board_default_text[];

/* ---- devices supplied by the caller (tests: fault injection) --------------------- */

/* A disk backed by `bd` (simple interface; probed here for its geometry).
 * Must be called before cairn_board_open; bd must outlive the board. */
int cairn_board_attach_disk(struct cairn_board *b, const char *name, struct cairn_bdev *bd);

/* A flash device backed by `bd` (extended interface with erase; its block is
 * the erase block). */
int cairn_board_attach_flash(struct cairn_board *b, const char *name, struct cairn_bdev *bd,
                             uint32_t write_block);

/* ---- running it ---------------------------------------------------------------------- */

/*
 * Create the devices and make `b` the current board (what the Zephyr APIs
 * see). With `dir` NULL everything lives in memory; otherwise each device is
 * an image file in `dir` (created if missing: a blank SD card reads zeros, a
 * blank flash 0xFF), mapped into memory and locked against a second opener
 * (-EBUSY). An existing image of the wrong size -> -EINVAL. `b` must not move
 * while open.
 */
int cairn_board_open(struct cairn_board *b, const char *dir);

/* Write every image back to its file (msync). */
int cairn_board_sync(struct cairn_board *b);

/* Sync, unmap, close, and stop being the current board. Idempotent. */
void cairn_board_close(struct cairn_board *b);

/* The board the Zephyr APIs use (NULL: no disks, no flash map). */
struct cairn_board *cairn_board_current(void);
void cairn_board_set_current(struct cairn_board *b);

/* The last error's explanation ("" when none). */
const char *cairn_board_error(const struct cairn_board *b);

/* Find a partition by label, or by id written in decimal ("4"). NULL if none. */
const struct cairn_board_part *cairn_board_find_area(const struct cairn_board *b,
                                                     const char *label_or_id);

/* Find a disk by name (exact). NULL if none. */
const struct cairn_board_disk *cairn_board_find_disk(const struct cairn_board *b, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_HOST_BOARD_H */
