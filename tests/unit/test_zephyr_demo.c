// The seed walk-through (port/host/demo.c): both snippets run, the transcript
// is right, the images it leaves behind hold both files, a second run works.
#include "cairn/fat.h"
#include "cairn/host_board.h"
#include "cairn/host_demo.h"
#include "cairn/vfs.h"
#include "cairn/zephyr.h"
#include "harness.h"

#include <stdlib.h>
#include <unistd.h>

static char *out_text;
static size_t out_len;

// Run the demo with its transcript captured in out_text.
static int run_demo(const char *dir)
{
    free(out_text);
    out_text = NULL;
    FILE *out = open_memstream(&out_text, &out_len);
    if (out == NULL) {
        return -1000;
    }
    int rc = cairn_host_demo(dir, out);
    fclose(out);
    return rc;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

static void clean_dir(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/sd.img", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/flash.img", dir);
    unlink(path);
    rmdir(dir);
}

TEST(demo_in_memory_prints_the_seed_transcript)
{
    cairn_vfs_reset();
    REQUIRE_EQ(run_demo(NULL), 0);
    CHECK(strstr(out_text, ">>> block_dev = DiskAccess('SDHC')\n") != NULL);
    CHECK(strstr(out_text, ">>> vfs.VfsFat.mkfs(block_dev)\n") != NULL);
    CHECK(strstr(out_text, ">>> vfs.mount(block_dev, '/sd')\n") != NULL);
    CHECK(strstr(out_text, ">>> print(open('/sd/hello.txt').read())\nHello world\n") != NULL);
    CHECK(strstr(out_text, ">>> block_dev = FlashArea(FlashArea.STORAGE, 4096)\n") != NULL);
    CHECK(strstr(out_text, ">>> vfs.VfsLfs2.mkfs(block_dev)\n") != NULL);
    CHECK(strstr(out_text, ">>> vfs.mount(block_dev, '/flash')\n") != NULL);
    CHECK(strstr(out_text, ">>> print(open('/flash/hello.txt').read())\nHello world\n") != NULL);
    CHECK(strstr(out_text, "'storage': (5, 4096)") != NULL);
    CHECK(strstr(out_text, "'scratch': (4, 4096)") != NULL);
    CHECK_EQ(count(out_text, "Hello world\n"), 2);
    CHECK(strstr(out_text, "Traceback") == NULL);
    // it cleans up: nothing stays mounted, no board stays current
    const char *point;
    struct cairn_fs *fs;
    CHECK_EQ(cairn_vfs_mount_info(0, &point, &fs), CAIRN_ENOENT);
    CHECK(cairn_board_current() == NULL);
}

TEST(demo_images_hold_both_files_and_a_second_run_works)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", th_tmp("demo"));
    clean_dir(dir);
    cairn_vfs_reset();
    REQUIRE_EQ(run_demo(dir), 0);
    REQUIRE_EQ(run_demo(dir), 0);
    CHECK_EQ(count(out_text, "Hello world\n"), 2);

    // look inside what the demo left, through the same layers
    static struct cairn_board b;
    REQUIRE_EQ(cairn_board_load_default(&b), 0);
    REQUIRE_EQ(cairn_board_open(&b, dir), 0);
    static struct cairn_disk_access sd;
    static struct cairn_flash_area fl;
    REQUIRE_EQ(cairn_disk_access_init(&sd, "SDHC"), 0);
    REQUIRE_EQ(cairn_flash_area_init(&fl, (uint8_t)cairn_flash_area_storage_id(), 4096), 0);
    REQUIRE_EQ(cairn_vfs_mount_bdev(&sd.bd, "/sd", CAIRN_MOUNT_RDONLY, NULL), 0);
    REQUIRE_EQ(cairn_vfs_mount_bdev(&fl.bd, "/flash", CAIRN_MOUNT_RDONLY, NULL), 0);
    static const char *paths[] = {"/sd/hello.txt", "/flash/hello.txt"};
    for (int i = 0; i < 2; i++) {
        char buf[32] = {0};
        int fd = cairn_vfs_open(paths[i], "r");
        CHECK(fd >= 0);
        if (fd >= 0) {
            CHECK_EQ(cairn_vfs_read(fd, buf, sizeof buf), 11);
            CHECK_STR(buf, "Hello world");
            cairn_vfs_close(fd);
        }
    }
    struct cairn_fs_info info;
    CHECK_EQ(cairn_vfs_info("/flash", &info), 0);
    CHECK_STR(info.type, "littlefs");
    cairn_vfs_reset();
    cairn_board_close(&b);

    // a PC's checker accepts the SD card the walk-through made
    if (system("command -v fsck.fat >/dev/null 2>&1") == 0) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "fsck.fat -n '%s/sd.img' >/dev/null 2>&1", dir);
        CHECK_EQ(system(cmd), 0);
    } else {
        printf("demo: fsck.fat not installed, SD image not checked by dosfstools\n");
    }
    clean_dir(dir);
}

TEST(demo_reports_failures)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", th_tmp("busy"));
    clean_dir(dir);
    cairn_vfs_reset();
    // images held by another board: the demo cannot open them
    static struct cairn_board b;
    REQUIRE_EQ(cairn_board_load_default(&b), 0);
    REQUIRE_EQ(cairn_board_open(&b, dir), 0);
    CHECK_EQ(run_demo(dir), CAIRN_EBUSY);
    CHECK(strstr(out_text, "in use") != NULL);
    cairn_board_close(&b);
    // /sd already taken: the mount step fails as vfs.mount would (D2)
    static struct cairn_fat fat;
    static uint8_t mem[64 * 512];
    struct cairn_ram_bdev ram;
    cairn_ram_bdev_init(&ram, mem, 512, 64, CAIRN_RAM_SIMPLE, 0);
    REQUIRE_EQ(cairn_fat_init(&fat, &ram.bd, NULL), 0);
    REQUIRE_EQ(fat.fs.ops->mkfs(&fat.fs), 0);
    REQUIRE_EQ(cairn_vfs_mount(&fat.fs, "/sd", 0), 0);
    CHECK_EQ(run_demo(NULL), CAIRN_EPERM);
    CHECK(strstr(out_text, "OSError: [Errno 1] EPERM") != NULL);
    CHECK(cairn_board_current() == NULL);
    cairn_vfs_reset();
    clean_dir(dir);
    free(out_text);
    out_text = NULL;
}
