// FAT driver: a power cut after every sector write of a small workload (and
// a torn last write) leaves a volume that mounts, that fsck repairs to clean,
// where synced files are intact and the file being written holds a prefix of
// its data.
#include <unistd.h>

#include "test_fat_util.h"

struct cutdev {
    struct cairn_ram_bdev ram;
    struct cairn_bdev_ops ops;
    uint32_t writes; // sector writes seen
    uint32_t cut;    // writes allowed; later ones are lost
    int torn;        // the write at `cut` lands half-way
};

static int cd_write(struct cairn_bdev *bd, uint32_t b, const void *buf, uint32_t n)
{
    struct cutdev *d = (struct cutdev *)bd;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = (const uint8_t *)buf + i * 512;
        if (d->writes < d->cut) {
            memcpy(d->ram.mem + (size_t)(b + i) * 512, p, 512);
        } else if (d->writes == d->cut && d->torn) {
            memcpy(d->ram.mem + (size_t)(b + i) * 512, p, 256);
        }
        d->writes++;
    }
    return 0;
}

static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 31 + 7);
}

// The workload; returns the writes it made.
static void workload(struct cairn_fs *fs)
{
    const struct cairn_fs_ops *o = fs->ops;
    uint8_t fh[256], buf[700];
    if (o->mount(fs, 0)) {
        return;
    }
    for (uint32_t i = 0; i < sizeof buf; i++) {
        buf[i] = pattern(i);
    }
    o->mkdir(fs, "/A Directory");
    o->rename(fs, "/keep.txt", "/A Directory/kept with a long name.txt");
    if (o->open(fs, fh, "/growing log file.bin", CAIRN_O_WRONLY | CAIRN_O_CREAT) == 0) {
        uint32_t off = 0;
        for (int k = 0; k < 5; k++) {
            uint32_t n = 300 + (uint32_t)k * 97;
            for (uint32_t i = 0; i < n; i++) {
                buf[i] = pattern(off + i);
            }
            o->write(fs, fh, buf, n);
            off += n;
            if (k % 2 == 1) {
                o->sync(fs, fh);
            }
        }
        o->close(fs, fh);
    }
    o->remove(fs, "/gone.bin");
    o->umount(fs);
}

static int prefix_ok(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != pattern(i)) {
            return 0;
        }
    }
    return 1;
}

static void cut_run(int torn)
{
    static uint8_t base[400 * 512], mem[400 * 512];
    struct fx x;
    // the starting volume: a synced file to keep, one to remove
    REQUIRE_EQ(fx_up(&x, 512, 400), 0);
    uint8_t keep[1500];
    for (int i = 0; i < 1500; i++) {
        keep[i] = (uint8_t)(i ^ 0x5A);
    }
    REQUIRE_EQ(fx_write(&x, "/keep.txt", keep, sizeof keep), 0);
    REQUIRE_EQ(fx_write(&x, "/gone.bin", keep, 900), 0);
    REQUIRE_EQ(x.fs->ops->umount(x.fs), 0);
    memcpy(base, x.mem, sizeof base);
    fx_down(&x);

    // count the writes of an uninterrupted run
    struct cutdev d;
    memcpy(mem, base, sizeof mem);
    memset(&d, 0, sizeof d);
    cairn_ram_bdev_init(&d.ram, mem, 512, 400, CAIRN_RAM_SIMPLE, 0);
    d.ops = d.ram.ops;
    d.ops.write = cd_write;
    d.ram.bd.ops = &d.ops;
    d.cut = UINT32_MAX;
    struct cairn_fat fat;
    cairn_fat_init(&fat, &d.ram.bd, NULL);
    workload(&fat.fs);
    uint32_t total = d.writes;
    CHECK(total > 20);
    printf("power cut after each of %u sector writes%s\n", total, torn ? " (torn)" : "");

    int failures = 0;
    for (uint32_t cut = 0; cut <= total && failures < 3; cut++) {
        memcpy(mem, base, sizeof mem);
        d.writes = 0;
        d.cut = cut;
        d.torn = torn;
        cairn_fat_init(&fat, &d.ram.bd, NULL);
        workload(&fat.fs);
        // after the cut: everything is written again
        d.cut = UINT32_MAX;
        struct fx v;
        memset(&v, 0, sizeof v);
        v.fs = &fat.fs;
        v.mem = mem;
        v.ss = 512;
        v.count = 400;
        cairn_fat_init(&fat, &d.ram.bd, NULL);
        const struct cairn_fs_ops *o = fat.fs.ops;
        int bad = 0;
        if (o->mount(&fat.fs, 0) != 0) {
            th_fail(__FILE__, __LINE__, "cut %u: mount fails", cut);
            failures++;
            continue;
        }
        int32_t left = fx_fsck(&fat.fs, CAIRN_FSCK_REPAIR, NULL, NULL);
        if (left != 0) {
            th_fail(__FILE__, __LINE__, "cut %u: fsck leaves %d", cut, (int)left);
            bad = 1;
        }
        if (fx_fsck(&fat.fs, 0, NULL, NULL) != 0) {
            th_fail(__FILE__, __LINE__, "cut %u: not clean after repair", cut);
            bad = 1;
        }
        static uint8_t back[4000];
        int32_t n = fx_read(&v, "/keep.txt", back, sizeof back);
        if (n < 0) {
            n = fx_read(&v, "/A Directory/kept with a long name.txt", back, sizeof back);
        }
        if (n != 1500 || memcmp(back, keep, 1500) != 0) {
            th_fail(__FILE__, __LINE__, "cut %u: the synced file is damaged (%d)", cut, (int)n);
            bad = 1;
        }
        n = fx_read(&v, "/growing log file.bin", back, sizeof back);
        if (n >= 0 && !prefix_ok(back, (uint32_t)n)) {
            th_fail(__FILE__, __LINE__, "cut %u: log holds foreign data (size %d)", cut, (int)n);
            bad = 1;
        }
        o->umount(&fat.fs);
        // dosfstools agrees after the repair (none without our fsck)
        if (CAIRN_FAT_FSCK && !bad && access("/usr/sbin/fsck.fat", X_OK) == 0) {
            const char *img = th_tmp("cut.img");
            FILE *f = fopen(img, "wb");
            if (f) {
                fwrite(mem, 512, 400, f);
                fclose(f);
                char cmd[512];
                snprintf(cmd, sizeof cmd, "fsck.fat -n '%s' >/dev/null 2>&1", img);
                if (system(cmd) != 0) {
                    th_fail(__FILE__, __LINE__, "cut %u: fsck.fat -n disagrees", cut);
                    bad = 1;
                }
                remove(img);
            }
        }
        failures += bad;
    }
}

TEST(powercut_every_write)
{
    cut_run(0);
}

TEST(powercut_torn_write)
{
    cut_run(1);
}
