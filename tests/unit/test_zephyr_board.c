// The host board description: the default board, boards/*.board files, the
// text format's numbers, and every parse and validation error.
#include "cairn/host_board.h"
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static struct cairn_board b;

static const char *root_path(const char *rel)
{
    static char buf[1024];
    const char *root = getenv("CAIRN_ROOT");
    snprintf(buf, sizeof buf, "%s/%s", root ? root : ".", rel);
    return buf;
}

TEST(default_board_layout)
{
    REQUIRE_EQ(cairn_board_load_default(&b), 0);
    CHECK_STR(b.name, "nrf52840dk_nrf52840");
    REQUIRE_EQ(b.ndisks, 1);
    CHECK_STR(b.disks[0].name, "SDHC");
    CHECK_EQ(b.disks[0].sector_size, 512);
    CHECK_EQ(b.disks[0].sector_count, 131072);
    CHECK_STR(b.disks[0].image, "sd.img");
    REQUIRE_EQ(b.nflash, 1);
    CHECK_EQ(b.flash[0].size, 1 << 20);
    CHECK_EQ(b.flash[0].erase_block, 4096);
    CHECK_EQ(b.flash[0].write_block, 4);
    CHECK_STR(b.flash[0].image, "flash.img");
    REQUIRE_EQ(b.nparts, 5);
    const struct cairn_board_part *p = cairn_board_find_area(&b, "scratch");
    REQUIRE(p != NULL);
    CHECK_EQ(p->id, 4);
    p = cairn_board_find_area(&b, "storage");
    REQUIRE(p != NULL);
    CHECK_EQ(p->id, 5);
    CHECK_EQ(p->offset, 0xF8000);
    CHECK_EQ(p->size, 0x8000);
    CHECK(cairn_board_find_area(&b, "4") == cairn_board_find_area(&b, "scratch"));
    CHECK(cairn_board_find_area(&b, "0") == NULL);
    CHECK(cairn_board_find_area(&b, "4x") == NULL);
    CHECK(cairn_board_find_area(&b, "") == NULL);
    CHECK(cairn_board_find_area(&b, "-1") == NULL);
    CHECK(cairn_board_find_disk(&b, "SDHC") == &b.disks[0]);
    CHECK(cairn_board_find_disk(&b, "sdhc") == NULL);
    // partitions tile the whole 1 MiB flash
    uint32_t end = 0;
    for (unsigned i = 0; i < b.nparts; i++) {
        CHECK_EQ(b.parts[i].offset, end);
        end = b.parts[i].offset + b.parts[i].size;
    }
    CHECK_EQ(end, 1 << 20);
}

TEST(board_file_matches_the_default)
{
    static struct cairn_board def;
    REQUIRE_EQ(cairn_board_load_default(&def), 0);
    int rc = cairn_board_load(&b, root_path("boards/nrf52840dk.board"));
    if (rc == CAIRN_ENOENT) {
        SKIP("boards/nrf52840dk.board not found (set CAIRN_ROOT)");
    }
    REQUIRE_EQ(rc, 0);
    CHECK_STR(b.name, def.name);
    REQUIRE_EQ(b.ndisks, def.ndisks);
    REQUIRE_EQ(b.nflash, def.nflash);
    REQUIRE_EQ(b.nparts, def.nparts);
    CHECK_STR(b.disks[0].name, def.disks[0].name);
    CHECK_EQ(b.disks[0].sector_count, def.disks[0].sector_count);
    CHECK_EQ(b.flash[0].size, def.flash[0].size);
    for (unsigned i = 0; i < b.nparts; i++) {
        CHECK_STR(b.parts[i].label, def.parts[i].label);
        CHECK_EQ(b.parts[i].id, def.parts[i].id);
        CHECK_EQ(b.parts[i].offset, def.parts[i].offset);
        CHECK_EQ(b.parts[i].size, def.parts[i].size);
    }
}

TEST(numbers_suffixes_defaults_and_comments)
{
    cairn_board_init(&b, NULL);
    const char *text = "  # a comment line\n"
                       "\n"
                       "board  tiny\t# trailing comment\r\n"
                       "disk SD sectors=010\n" // decimal, never octal
                       "disk BIG size=1G sector-size=4k image=big.bin\n"
                       "flash nor size=0x10000 erase-block=256\n"
                       "partition - id=0 offset=0 size=32K\n"
                       "partition data id=255 offset=0x8000 size=0X8000 erase-block=0x100 "
                       "flash=nor\n";
    REQUIRE_EQ(cairn_board_parse(&b, text, "t"), 0);
    CHECK_STR(b.name, "tiny");
    CHECK_EQ(b.disks[0].sector_count, 10);
    CHECK_EQ(b.disks[0].sector_size, 512); // default
    CHECK_STR(b.disks[0].image, "sd.img"); // default: lower-cased name
    CHECK_EQ(b.disks[1].sector_size, 4096);
    CHECK_EQ(b.disks[1].sector_count, (1u << 30) / 4096);
    CHECK_STR(b.disks[1].image, "big.bin");
    CHECK_EQ(b.flash[0].write_block, 1); // default
    CHECK_STR(b.flash[0].image, "nor.img");
    CHECK_STR(b.parts[0].label, "");
    CHECK_EQ(b.parts[1].id, 255);
    CHECK_EQ(b.parts[1].size, 0x8000);
    CHECK(cairn_board_find_area(&b, "0") == &b.parts[0]);
    CHECK(cairn_board_find_area(&b, "255") == &b.parts[1]);
    CHECK(cairn_board_find_area(&b, "256") == NULL);
}

struct bad_case {
    const char *text;
    int err;
    const char *msg; // a part of the message
};

// Every item below is preceded by a valid flash line, so line numbers start at 2.
static const struct bad_case bad[] = {
    {"frob x\n", CAIRN_EINVAL, "t:2: unknown item 'frob'"},
    {"disk\n", CAIRN_EINVAL, "t:2: 'disk' needs a name"},
    {"disk SD sectors=100 colour=red\n", CAIRN_EINVAL, "t:2: unknown setting 'colour=red'"},
    {"disk SD sectors=12Q\n", CAIRN_EINVAL, "t:2: sectors=12Q is not a number"},
    {"disk SD sectors=-5\n", CAIRN_EINVAL, "is not a number"},
    {"disk SD sectors=0\n", CAIRN_EINVAL, "out of range"},
    {"disk SD sectors=4G\n", CAIRN_EINVAL, "out of range"},
    {"disk SD sectors=99999999999999999999999\n", CAIRN_EINVAL, "is not a number"},
    {"disk SD\n", CAIRN_EINVAL, "exactly one of sectors= or size="},
    {"disk SD sectors=1 size=512\n", CAIRN_EINVAL, "exactly one of sectors= or size="},
    {"disk SD size=1000\n", CAIRN_EINVAL, "not a whole number of 512-byte sectors"},
    {"disk SD sectors=8 sector-size=1000\n", CAIRN_EINVAL, "not a power of two in 512..4096"},
    {"disk SD sectors=8 sector-size=256\n", CAIRN_EINVAL, "not a power of two in 512..4096"},
    {"disk SD sectors=8 sector-size=8192\n", CAIRN_EINVAL, "not a power of two in 512..4096"},
    {"disk SD sectors=8 image=../x.img\n", CAIRN_EINVAL, "bad image file name"},
    {"disk SD sectors=8\ndisk SD sectors=9\n", CAIRN_EEXIST, "t:3: disk SD declared twice"},
    {"disk A sectors=1\ndisk B sectors=1\ndisk C sectors=1\ndisk D sectors=1\ndisk E sectors=1\n",
     CAIRN_ENOSPC, "t:6: too many disks"},
    {"board\n", CAIRN_EINVAL, "'board' needs a name"},
    {"board a b\n", CAIRN_EINVAL, "unexpected 'b'"},
    {"flash g\n", CAIRN_EINVAL, "flash g needs size="},
    {"flash f size=64K\n", CAIRN_EEXIST, "flash f declared twice"},
    {"flash g size=10000 erase-block=4096\n", CAIRN_EINVAL, "does not divide the size"},
    {"flash g size=64K erase-block=4096 write-block=3\n", CAIRN_EINVAL,
     "write block 3 does not divide the erase block 4096"},
    {"flash g size=0\n", CAIRN_EINVAL, "out of range"},
    {"flash g size=2G\n", CAIRN_EINVAL, "out of range"},
    {"partition p offset=0 size=4K\n", CAIRN_EINVAL, "needs id=, offset= and size="},
    {"partition p id=1 size=4K\n", CAIRN_EINVAL, "needs id=, offset= and size="},
    {"partition p id=256 offset=0 size=4K\n", CAIRN_EINVAL, "id=256 out of range 0..255"},
    {"partition p id=1 offset=0 size=0\n", CAIRN_EINVAL, "out of range"},
    {"partition p id=1 offset=60K size=8K\n", CAIRN_EINVAL, "runs past the end of flash f"},
    {"partition p id=1 offset=0xFFFFF000 size=8K\n", CAIRN_EINVAL, "runs past the end"},
    {"partition p id=1 offset=100 size=4K\n", CAIRN_EINVAL, "whole 4096-byte erase blocks"},
    {"partition p id=1 offset=0 size=5000\n", CAIRN_EINVAL, "whole 4096-byte erase blocks"},
    {"partition p id=1 offset=0 size=8K\npartition q id=2 offset=4K size=8K\n", CAIRN_EINVAL,
     "t:3: partition q overlaps partition p"},
    {"partition p id=1 offset=0 size=4K\npartition q id=1 offset=4K size=4K\n", CAIRN_EEXIST,
     "t:3: partition q: id 1 already used by p"},
    {"partition p id=1 offset=0 size=4K\npartition p id=2 offset=4K size=4K\n", CAIRN_EEXIST,
     "partition p declared twice"},
    {"partition p id=1 offset=0 size=4K flash=nope\n", CAIRN_ENOENT, "no flash called nope"},
    {"partition p id=1 offset=0 size=4K erase-block=64K\n", CAIRN_EINVAL,
     "erase block 65536 differs from flash f's (4096)"},
    {"partition p id=1 offset=0 size=4K a b c d e f g h i j\n", CAIRN_EINVAL, "too many settings"},
};

TEST(parse_errors_name_the_line)
{
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "flash f size=64K erase-block=4K\n%s", bad[i].text);
        cairn_board_init(&b, NULL);
        int rc = cairn_board_parse(&b, text, "t");
        if (rc != bad[i].err || strstr(cairn_board_error(&b), bad[i].msg) == NULL) {
            th_fail(__FILE__, __LINE__, "case %u (%s): rc %d, message \"%s\"", i, bad[i].text, rc,
                    cairn_board_error(&b));
        }
    }
}

TEST(parse_errors_without_a_flash)
{
    cairn_board_init(&b, NULL);
    CHECK_EQ(cairn_board_parse(&b, "partition p id=1 offset=0 size=4K\n", "x.board"), CAIRN_ENOENT);
    CHECK(strstr(cairn_board_error(&b), "x.board:1: partition p: no flash declared before it") !=
          NULL);
    cairn_board_init(&b, NULL);
    char longline[700];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    CHECK_EQ(cairn_board_parse(&b, longline, "x"), CAIRN_EINVAL);
    CHECK(strstr(cairn_board_error(&b), "x:1: line too long") != NULL);
    cairn_board_init(&b, NULL);
    CHECK_EQ(cairn_board_parse(&b, NULL, "x"), CAIRN_EINVAL);
    // a last line without a newline still counts
    cairn_board_init(&b, NULL);
    CHECK_EQ(cairn_board_parse(&b, "board x\ndisk SD sectors=8", "x"), 0);
    CHECK_EQ(b.ndisks, 1);
}

TEST(load_errors)
{
    CHECK_EQ(cairn_board_load(&b, "/nonexistent/dir/x.board"), CAIRN_ENOENT);
    CHECK(strstr(cairn_board_error(&b), "/nonexistent/dir/x.board") != NULL);
    const char *path = th_tmp("bad.board");
    FILE *fp = fopen(path, "wb");
    REQUIRE(fp != NULL);
    fputs("board ok\nflash f size=64K\npartition storage id=1 offset=0 size=128K\n", fp);
    fclose(fp);
    CHECK_EQ(cairn_board_load(&b, path), CAIRN_EINVAL);
    char want[1100];
    snprintf(want, sizeof want, "%s:3: partition storage", path);
    CHECK(strstr(cairn_board_error(&b), want) != NULL);
    // binary junk is not a board
    fp = fopen(path, "wb");
    REQUIRE(fp != NULL);
    fwrite("board x\n\0\1\2", 1, 11, fp);
    fclose(fp);
    CHECK_EQ(cairn_board_load(&b, path), CAIRN_EINVAL);
    CHECK(strstr(cairn_board_error(&b), "not a text file") != NULL);
    unlink(path);
}

TEST(api_validation_without_text)
{
    cairn_board_init(&b, "api");
    CHECK_EQ(cairn_board_add_disk(&b, "", 512, 1, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_disk(&b, NULL, 512, 1, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_disk(&b, "a b", 512, 1, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_disk(&b, "0123456789012345678901234567890123", 512, 1, NULL),
             CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_disk(&b, "SD", 512, 0, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_disk(&b, "SD", 512, 0x80000000u, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_flash(&b, "f", 4096, 0, 1, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_flash(&b, "f", 4096, 4096, 0, NULL), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_flash(&b, "f", 4096, 4096, 1, NULL), 0);
    CHECK_EQ(cairn_board_add_partition(&b, "p", 300, NULL, 0, 4096, 0), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_add_partition(&b, "p", 1, NULL, 0, 4096, 0), 0);
    // a disk or flash attached as a device must offer the right interface
    static uint8_t mem[4 * 512];
    struct cairn_ram_bdev ext, simple;
    cairn_ram_bdev_init(&ext, mem, 512, 4, CAIRN_RAM_EXT, 0xFF);
    cairn_ram_bdev_init(&simple, mem, 512, 4, CAIRN_RAM_SIMPLE, 0xFF);
    CHECK_EQ(cairn_board_attach_disk(&b, "X", &ext.bd), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_attach_flash(&b, "Y", &simple.bd, 1), CAIRN_EINVAL);
    CHECK_EQ(cairn_board_attach_disk(&b, "X", &simple.bd), 0);
    CHECK_EQ(cairn_board_attach_flash(&b, "Y", &ext.bd, 1), 0);
    CHECK_EQ(b.flash[1].size, 2048);
    CHECK_EQ(b.flash[1].erase_block, 512);
    // nothing changes under an open board
    REQUIRE_EQ(cairn_board_open(&b, NULL), 0);
    CHECK_EQ(cairn_board_add_disk(&b, "Z", 512, 1, NULL), CAIRN_EBUSY);
    CHECK_EQ(cairn_board_open(&b, NULL), CAIRN_EBUSY);
    cairn_board_close(&b);
    cairn_board_close(&b); // idempotent
    CHECK(cairn_board_current() == NULL);
}

// Every board file in boards/ parses, and opens in memory.
TEST(every_board_file_parses)
{
    DIR *d = opendir(root_path("boards"));
    if (d == NULL) {
        SKIP("boards/ not found (set CAIRN_ROOT)");
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 6, ".board") != 0) {
            continue;
        }
        char rel[300];
        snprintf(rel, sizeof rel, "boards/%s", e->d_name);
        int rc = cairn_board_load(&b, root_path(rel));
        if (rc != 0) {
            th_fail(__FILE__, __LINE__, "%s: %s", rel, cairn_board_error(&b));
            continue;
        }
        CHECK(b.ndisks + b.nflash > 0);
        CHECK_EQ(cairn_board_open(&b, NULL), 0);
        cairn_board_close(&b);
        n++;
    }
    closedir(d);
    CHECK(n >= 2);
}

TEST(open_creates_missing_directories)
{
    char base[512], dir[600], path[700];
    snprintf(base, sizeof base, "%s", th_tmp("nest"));
    snprintf(dir, sizeof dir, "%s/a/b", base);
    cairn_board_init(&b, "nest");
    REQUIRE_EQ(cairn_board_add_disk(&b, "SD", 512, 8, NULL), 0);
    REQUIRE_EQ(cairn_board_open(&b, dir), 0);
    cairn_board_close(&b);
    snprintf(path, sizeof path, "%s/sd.img", dir);
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (fp) {
        fseek(fp, 0, SEEK_END);
        CHECK_EQ(ftell(fp), 8 * 512);
        fclose(fp);
    }
    // a file where the directory should be
    CHECK_EQ(cairn_board_open(&b, path), CAIRN_ENOTDIR);
    CHECK(strstr(cairn_board_error(&b), "is not a directory") != NULL);
    CHECK_EQ(b.is_open, 0);
    unlink(path);
    rmdir(dir);
    snprintf(path, sizeof path, "%s/a", base);
    rmdir(path);
    rmdir(base);
}
