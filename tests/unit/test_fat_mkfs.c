// FAT driver: mkfs layouts (vfs.md §12.2), explicit options, FAT32 on a large
// sparse device, sector sizes 512..4096, read-only mounts, device errors.
#include "test_fat_util.h"

static uint32_t ld16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | (ld16(p + 2) << 16);
}

struct layout {
    uint32_t sectors;
    uint32_t spc;
    uint64_t clusters;
    uint32_t fsize; // 0 = not checked
};

TEST(mkfs_reference_layouts)
{
    static const struct layout t[] = {
        {50, 1, 16, 1}, {64, 1, 30, 1}, {4096, 2, 2028, 7}, {16384, 8, 2043, 7},
        {65536, 8, 8183, 33}, {262144, 16, 16377, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct fx x;
        REQUIRE_EQ(fx_up(&x, 512, t[i].sectors), 0);
        struct cairn_statvfs st;
        REQUIRE_EQ(x.fs->ops->statvfs(x.fs, &st), 0);
        CHECK_EQ(st.f_bsize, t[i].spc * 512);
        CHECK_EQ(st.f_blocks, t[i].clusters);
        CHECK_EQ(st.f_bfree, t[i].clusters);
        CHECK_EQ(x.mem[13], t[i].spc);
        CHECK_EQ(x.mem[16], 1);
        CHECK_EQ(ld16(x.mem + 17), 512);
        CHECK_EQ(ld16(x.mem + 14), 1);
        if (t[i].fsize) {
            CHECK_EQ(ld16(x.mem + 22), t[i].fsize);
        }
        struct cairn_fs_info info;
        REQUIRE_EQ(x.fs->ops->info(x.fs, &info), 0);
        CHECK_STR(info.type, t[i].clusters < 4085 ? "FAT12" : "FAT16");
        CHECK_MEM(x.mem + 54, "FAT     ", 8);
        // FAT[0..1]
        CHECK_EQ(x.mem[512], 0xF8);
        CHECK_EQ(x.mem[513], 0xFF);
        CHECK_EQ(x.mem[514], 0xFF);
        fx_down(&x);
    }
}

TEST(mkfs_options)
{
    struct fx x;
    fx_dev(&x, 512, 20000);
    x.cfg.n_fats = 2;
    x.cfg.cluster_size = 1024;
    x.cfg.fat_type = 16;
    x.cfg.root_entries = 256;
    strcpy(x.cfg.label, "my disk");
    x.cfg.serial = 0x12345678;
    REQUIRE_EQ(x.fs->ops->mkfs(x.fs), 0);
    CHECK_EQ(x.mem[13], 2);
    CHECK_EQ(x.mem[16], 2);
    CHECK_EQ(ld16(x.mem + 17), 256);
    CHECK_EQ(ld32(x.mem + 39), 0x12345678);
    CHECK_MEM(x.mem + 43, "MY DISK    ", 11);
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    struct cairn_fs_info info;
    REQUIRE_EQ(x.fs->ops->info(x.fs, &info), 0);
    CHECK_STR(info.type, "FAT16");
    CHECK_STR(info.label, "MY DISK");
    CHECK_EQ(info.unit_size, 1024);
    // both FATs updated in step
    REQUIRE_EQ(fx_write(&x, "/a.bin", x.mem + 100000, 5000), 0);
    REQUIRE_EQ(x.fs->ops->umount(x.fs), 0);
    uint32_t fsz = ld16(x.mem + 22);
    CHECK_MEM(x.mem + 512, x.mem + 512 + fsz * 512, fsz * 512);
    CHECK_EQ(ld16(x.mem + 512 + 4), 3); // a chain was written: 2 -> 3
    // label set and get
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    char lab[32];
    CHECK_EQ(x.fs->ops->label(x.fs, NULL, 0, "NEWLABEL"), 0);
    CHECK_EQ(x.fs->ops->label(x.fs, lab, sizeof lab, NULL), 0);
    CHECK_STR(lab, "NEWLABEL");
    CHECK_MEM(x.mem + 43, "NEWLABEL   ", 11);
    CHECK_EQ(x.fs->ops->label(x.fs, NULL, 0, "bad*label"), CAIRN_EINVAL);
    CHECK_EQ(x.fs->ops->label(x.fs, NULL, 0, "TOOLONGLABEL"), CAIRN_EINVAL);
    CHECK_EQ(x.fs->ops->label(x.fs, NULL, 0, ""), 0);
    CHECK_EQ(x.fs->ops->label(x.fs, lab, sizeof lab, NULL), 0);
    CHECK_STR(lab, "");
    char names[64];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 1); // labels are not listed
    fx_down(&x);

    // a type the size cannot hold
    fx_dev(&x, 512, 1000);
    x.cfg.fat_type = 16;
    CHECK_EQ(x.fs->ops->mkfs(x.fs), CAIRN_EINVAL);
    x.cfg.fat_type = 0;
    x.cfg.cluster_size = 3000;
    CHECK_EQ(x.fs->ops->mkfs(x.fs), CAIRN_EINVAL);
    fx_down(&x);
}

// ---- a sparse device: only written sectors are stored ------------------------------

struct sparse {
    struct cairn_bdev bd;
    struct cairn_bdev_ops ops;
    uint32_t count;
    uint32_t cap;
    uint32_t *keys; // sector + 1, 0 = empty
    uint8_t **data;
};

static uint8_t **sp_slot(struct sparse *s, uint32_t sect, int create)
{
    uint32_t h = (sect * 2654435761u) % s->cap;
    for (uint32_t i = 0; i < s->cap; i++, h = (h + 1) % s->cap) {
        if (s->keys[h] == sect + 1) {
            return &s->data[h];
        }
        if (s->keys[h] == 0) {
            if (!create) {
                return NULL;
            }
            s->keys[h] = sect + 1;
            s->data[h] = calloc(1, 512);
            return &s->data[h];
        }
    }
    return NULL;
}

static int sp_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t n)
{
    struct sparse *s = (struct sparse *)bd;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t **p = sp_slot(s, block + i, 0);
        if (p) {
            memcpy((uint8_t *)buf + i * 512, *p, 512);
        } else {
            memset((uint8_t *)buf + i * 512, 0, 512);
        }
    }
    return 0;
}

static int sp_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t n)
{
    struct sparse *s = (struct sparse *)bd;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t **p = sp_slot(s, block + i, 1);
        if (!p) {
            return CAIRN_EIO;
        }
        memcpy(*p, (const uint8_t *)buf + i * 512, 512);
    }
    return 0;
}

static int32_t sp_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    (void)arg;
    struct sparse *s = (struct sparse *)bd;
    switch (op) {
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)s->count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return 512;
    default:
        return 0;
    }
}

static void sp_free(struct sparse *s)
{
    for (uint32_t i = 0; i < s->cap; i++) {
        free(s->data[i]);
    }
    free(s->keys);
    free(s->data);
}

TEST(mkfs_fat32_on_4gib_sparse)
{
    struct sparse s;
    memset(&s, 0, sizeof s);
    s.ops.read = sp_read;
    s.ops.write = sp_write;
    s.ops.ioctl = sp_ioctl;
    s.bd.ops = &s.ops;
    s.count = 8388608;
    s.cap = 1u << 14;
    s.keys = calloc(s.cap, sizeof *s.keys);
    s.data = calloc(s.cap, sizeof *s.data);
    struct cairn_fat fat;
    REQUIRE_EQ(cairn_fat_init(&fat, &s.bd, NULL), 0);
    struct cairn_fs *fs = &fat.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    uint8_t mbr[512], bs[512];
    sp_read(&s.bd, 0, mbr, 1);
    CHECK_EQ(mbr[446 + 4], 0x0C);
    CHECK_EQ(ld32(mbr + 446 + 8), 63);
    CHECK_EQ(ld32(mbr + 446 + 12), 8388608 - 63);
    sp_read(&s.bd, 63, bs, 1);
    CHECK_MEM(bs + 82, "FAT32   ", 8);
    CHECK_EQ(bs[13], 64);
    CHECK_EQ(ld16(bs + 14), 32);
    CHECK_EQ(ld32(bs + 28), 63);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    struct cairn_statvfs st;
    REQUIRE_EQ(fs->ops->statvfs(fs, &st), 0);
    CHECK_EQ(st.f_bsize, 32768);
    CHECK_EQ(st.f_blocks, 131054);
    CHECK_EQ(st.f_bfree, 131053);
    uint8_t fh[256];
    REQUIRE_EQ(fs->ops->open(fs, fh, "/test.txt", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(fs->ops->write(fs, fh, "test file", 9), 9);
    CHECK_EQ(fs->ops->close(fs, fh), 0);
    REQUIRE_EQ(fs->ops->statvfs(fs, &st), 0);
    CHECK_EQ(st.f_bfree, 131052);
    // the clean mark: cleared while in use (when the driver keeps it), set
    // again at unmount
    uint8_t fat1[512];
    sp_read(&s.bd, 63 + 32, fat1, 1);
    CHECK_EQ(fat1[7] & 0x08, CAIRN_FAT_DIRTY_MARK ? 0x00 : 0x08);
    REQUIRE_EQ(fs->ops->umount(fs), 0);
    sp_read(&s.bd, 63 + 32, fat1, 1);
    CHECK_EQ(fat1[7] & 0x08, 0x08);
    // FSInfo carries the free count across mounts
    sp_read(&s.bd, 64, bs, 1);
    CHECK_EQ(ld32(bs + 488), 131052);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    REQUIRE_EQ(fs->ops->statvfs(fs, &st), 0);
    CHECK_EQ(st.f_bfree, 131052);
    char buf[16];
    REQUIRE_EQ(fs->ops->open(fs, fh, "/TEST.TXT", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->read(fs, fh, buf, 16), 9);
    CHECK_MEM(buf, "test file", 9);
    fs->ops->close(fs, fh);
    REQUIRE_EQ(fs->ops->mkdir(fs, "/sub"), 0);
    REQUIRE_EQ(fs->ops->mkdir(fs, "/sub/deeper"), 0);
    struct cairn_stat sst;
    CHECK_EQ(fs->ops->stat(fs, "/sub/deeper", &sst), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    sp_free(&s);
}

TEST(fat32_small_explicit_and_big_sectors)
{
    // FAT32 forced on a small device with 1 sector per cluster
    struct fx x;
    fx_dev(&x, 512, 70000);
    x.cfg.fat_type = 32;
    x.cfg.cluster_size = 512;
    x.cfg.no_mbr = 1;
    REQUIRE_EQ(x.fs->ops->mkfs(x.fs), 0);
    CHECK_MEM(x.mem + 82, "FAT32   ", 8);
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    char p[64], names[16];
    REQUIRE_EQ(x.fs->ops->mkdir(x.fs, "/dir"), 0);
    for (int i = 0; i < 60; i++) {
        snprintf(p, sizeof p, "/a file with a long name %d", i);
        REQUIRE_EQ(fx_write(&x, p, p, (uint32_t)strlen(p)), 0);
    }
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 61); // the root grew by clusters
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 61);
    char buf[64];
    CHECK_EQ(fx_read(&x, "/a file with a long name 59", buf, sizeof buf), 27);
    fx_down(&x);

    // every sector size of D14
    for (uint32_t ss = 512; ss <= 4096; ss *= 2) {
        REQUIRE_EQ(fx_up(&x, ss, 2000), 0);
        CHECK_EQ(ld16(x.mem + 11), ss);
        CHECK_EQ(x.mem[510], 0x55);
        uint8_t data[10000];
        for (int i = 0; i < 10000; i++) {
            data[i] = (uint8_t)(i * 7);
        }
        REQUIRE_EQ(x.fs->ops->mkdir(x.fs, "/Sub Dir"), 0);
        REQUIRE_EQ(fx_write(&x, "/Sub Dir/Data File.bin", data, sizeof data), 0);
        REQUIRE_EQ(fx_remount(&x, 0), 0);
        uint8_t back[10001];
        CHECK_EQ(fx_read(&x, "/sub dir/data file.BIN", back, sizeof back), 10000);
        CHECK_MEM(back, data, 10000);
        fx_down(&x);
    }
}

// ---- read-only mounts and device errors --------------------------------------------------

struct errdev {
    struct cairn_ram_bdev ram;
    struct cairn_bdev_ops ops;
    int fail_reads, fail_writes, fail_init;
    uint32_t writes;
};

static struct errdev *ed_of(struct cairn_bdev *bd)
{
    return (struct errdev *)bd;
}

static int ed_read(struct cairn_bdev *bd, uint32_t b, void *buf, uint32_t n)
{
    if (ed_of(bd)->fail_reads) {
        return ed_of(bd)->fail_reads;
    }
    return ed_of(bd)->ram.ops.read(bd, b, buf, n);
}

static int ed_write(struct cairn_bdev *bd, uint32_t b, const void *buf, uint32_t n)
{
    ed_of(bd)->writes++;
    if (ed_of(bd)->fail_writes) {
        return ed_of(bd)->fail_writes;
    }
    return ed_of(bd)->ram.ops.write(bd, b, buf, n);
}

static int32_t ed_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    if (op == CAIRN_BDEV_INIT && ed_of(bd)->fail_init) {
        return -1;
    }
    return ed_of(bd)->ram.ops.ioctl(bd, op, arg);
}

TEST(readonly_and_device_errors)
{
    static uint8_t mem[200 * 512];
    struct errdev d;
    memset(&d, 0, sizeof d);
    memset(mem, 0, sizeof mem);
    REQUIRE_EQ(cairn_ram_bdev_init(&d.ram, mem, 512, 200, CAIRN_RAM_SIMPLE, 0), 0);
    d.ops = d.ram.ops;
    d.ops.read = ed_read;
    d.ops.write = ed_write;
    d.ops.ioctl = ed_ioctl;
    d.ram.bd.ops = &d.ops;
    struct cairn_fat fat;
    cairn_fat_init(&fat, &d.ram.bd, NULL);
    struct cairn_fs *fs = &fat.fs;
    const struct cairn_fs_ops *o = fs->ops;
    CHECK_EQ(o->mount(fs, 0), CAIRN_ENODEV); // blank device (D19)
    REQUIRE_EQ(o->mkfs(fs), 0);
    REQUIRE_EQ(o->mount(fs, 0), 0);
    uint8_t fh[256];
    _Alignas(8) char buf[640]; // (the 600-byte write below reads all of it)
    REQUIRE_EQ(o->open(fs, fh, "/test", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    memset(buf, 'a', 64);
    CHECK_EQ(o->write(fs, fh, buf, 64), 64);
    CHECK_EQ(o->close(fs, fh), 0);
    REQUIRE_EQ(o->umount(fs), 0);

    // read-only mount writes nothing at all (D5)
    d.writes = 0;
    REQUIRE_EQ(o->mount(fs, CAIRN_MOUNT_RDONLY), 0);
    CHECK_EQ(o->open(fs, fh, "/test", CAIRN_O_WRONLY), CAIRN_EROFS);
    CHECK_EQ(o->open(fs, fh, "/new", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_EROFS);
    CHECK_EQ(o->mkdir(fs, "/d"), CAIRN_EROFS);
    CHECK_EQ(o->remove(fs, "/test"), CAIRN_EROFS);
    CHECK_EQ(o->rename(fs, "/test", "/t2"), CAIRN_EROFS);
    CHECK_EQ(o->label(fs, NULL, 0, "X"), CAIRN_EROFS);
    REQUIRE_EQ(o->open(fs, fh, "/test", CAIRN_O_RDONLY), 0);
    CHECK_EQ(o->read(fs, fh, buf, 64), 64);
    CHECK_EQ(o->truncate(fs, fh, 0), CAIRN_EBADF);
    CHECK_EQ(o->close(fs, fh), 0);
    struct cairn_statvfs st;
    CHECK_EQ(o->statvfs(fs, &st), 0);
    CHECK_EQ(o->sync_fs(fs), 0);
    CHECK_EQ(o->umount(fs), 0);
    CHECK_EQ(d.writes, 0);

    // every device error is EIO
    REQUIRE_EQ(o->mount(fs, 0), 0);
    REQUIRE_EQ(o->open(fs, fh, "/test", CAIRN_O_RDONLY), 0);
    int codes[] = {-5, 5, 33, -22};
    for (int i = 0; i < 4; i++) {
        d.fail_reads = codes[i];
        CHECK_EQ(o->read(fs, fh, buf, 1), CAIRN_EIO);
    }
    d.fail_reads = 0;
    o->close(fs, fh);
    // a lookup that needs the device (nothing cached right after mount)
    REQUIRE_EQ(o->umount(fs), 0);
    REQUIRE_EQ(o->mount(fs, 0), 0);
    for (int i = 0; i < 4; i++) {
        d.fail_reads = codes[i];
        CHECK_EQ(o->stat(fs, "/other", (struct cairn_stat *)buf), CAIRN_EIO);
    }
    d.fail_reads = 0;
    REQUIRE_EQ(o->open(fs, fh, "/test", CAIRN_O_RDONLY), 0);
    CHECK_EQ(o->read(fs, fh, buf, 64), 64);
    o->close(fs, fh);
    d.fail_writes = -5;
    REQUIRE_EQ(o->open(fs, fh, "/test", CAIRN_O_WRONLY), 0);
    CHECK_EQ(o->write(fs, fh, buf, 600), CAIRN_EIO);
    CHECK_EQ(o->close(fs, fh), 0); // nothing was written: nothing to sync
    CHECK_EQ(o->mkdir(fs, "/x"), CAIRN_EIO);
    d.fail_writes = 0;
    o->umount(fs);
    d.fail_reads = -5;
    CHECK_EQ(o->mount(fs, 0), CAIRN_EIO);
    d.fail_reads = 0;
    d.fail_init = 1;
    CHECK_EQ(o->mount(fs, 0), CAIRN_EBUSY);
    CHECK_EQ(o->mkfs(fs), CAIRN_EBUSY);
    d.fail_init = 0;
    REQUIRE_EQ(o->mount(fs, 0), 0);
    CHECK_EQ(fx_list(&(struct fx){.fs = fs}, "/", buf, sizeof buf), 1);
    o->umount(fs);
}

TEST(mbr_partition_mount)
{
    // an MBR with the FAT volume in partition 2
    struct fx x;
    fx_dev(&x, 512, 3000);
    struct cairn_ram_bdev part;
    struct cairn_bdev_slice sl;
    REQUIRE_EQ(cairn_bdev_slice_init(&sl, &x.ram.bd, 1000, 2000), 0);
    struct cairn_fat f2;
    cairn_fat_init(&f2, &sl.bd, NULL);
    REQUIRE_EQ(f2.fs.ops->mkfs(&f2.fs), 0);
    (void)part;
    uint8_t *m = x.mem;
    m[446 + 16 + 4] = 0x06;
    m[446 + 16 + 8] = 1000 & 0xFF;
    m[446 + 16 + 9] = 1000 >> 8;
    m[446 + 16 + 12] = 2000 & 0xFF;
    m[446 + 16 + 13] = 2000 >> 8;
    m[510] = 0x55;
    m[511] = 0xAA;
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    REQUIRE_EQ(fx_write(&x, "/in partition.txt", "p", 1), 0);
    REQUIRE_EQ(x.fs->ops->umount(x.fs), 0);
    x.cfg.partition = 1;
    CHECK_EQ(x.fs->ops->mount(x.fs, 0), CAIRN_ENODEV);
    x.cfg.partition = 2;
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    char names[64];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 1);
    CHECK_STR(names, "in partition.txt");
    fx_down(&x);
}

// Exactly 65525 clusters is FAT16 to FatFs and FAT32 to Microsoft: mkfs
// takes one more reserved sector so that both agree.
TEST(mkfs_never_65525_clusters)
{
    struct sparse s;
    memset(&s, 0, sizeof s);
    s.ops.read = sp_read;
    s.ops.write = sp_write;
    s.ops.ioctl = sp_ioctl;
    s.bd.ops = &s.ops;
    s.count = 4193900; // FatFs's sizing gives 65525 clusters of 64 sectors here
    s.cap = 1u << 12;
    s.keys = calloc(s.cap, sizeof *s.keys);
    s.data = calloc(s.cap, sizeof *s.data);
    struct cairn_fat fat;
    REQUIRE_EQ(cairn_fat_init(&fat, &s.bd, NULL), 0);
    struct cairn_fs *fs = &fat.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    uint8_t bs[512];
    sp_read(&s.bd, 0, bs, 1);
    CHECK_EQ(bs[13], 64);
    CHECK(ld16(bs + 14) > 1); // extra reserved sectors, not a smaller cluster count rule
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    struct cairn_statvfs st;
    REQUIRE_EQ(fs->ops->statvfs(fs, &st), 0);
    CHECK_EQ(st.f_blocks, 65524);
    fs->ops->umount(fs);
    sp_free(&s);
}

// A new label takes the first free root entry (a deleted one too); a full
// fixed root refuses it; removing it marks its entry deleted, nothing more.
TEST(label_entry_in_the_root)
{
    struct fx x;
    fx_dev(&x, 512, 2048);
    x.cfg.fat_type = 12;
    x.cfg.root_entries = 16;
    const struct cairn_fs_ops *o = x.fs->ops;
    REQUIRE_EQ(o->mkfs(x.fs), 0);
    REQUIRE_EQ(o->mount(x.fs, 0), 0);
    const uint8_t *root = x.mem + 512 * (ld16(x.mem + 14) + x.mem[16] * ld16(x.mem + 22));
    char nm[8], lab[32];
    for (int i = 0; i < 16; i++) {
        nm[0] = '/';
        nm[1] = 'D';
        nm[2] = (char)('A' + i);
        nm[3] = 0;
        REQUIRE_EQ(o->mkdir(x.fs, nm), 0);
    }
    CHECK_EQ(o->label(x.fs, NULL, 0, "FULL"), CAIRN_EACCES);
    CHECK_EQ(o->label(x.fs, lab, sizeof lab, NULL), 0);
    CHECK_STR(lab, "");
    CHECK_MEM(x.mem + 43, "NO NAME    ", 11);
    REQUIRE_EQ(o->rmdir(x.fs, "/DD"), 0);
    CHECK_EQ(o->label(x.fs, NULL, 0, "lab"), 0);
    CHECK_MEM(root + 3 * 32, "LAB        ", 11);
    CHECK_EQ(root[3 * 32 + 11], 0x28); // volume label, archive
    CHECK_EQ(root[3 * 32 + 12], 0);    // no case flags
    CHECK_MEM(x.mem + 43, "LAB        ", 11);
    CHECK_EQ(o->label(x.fs, lab, sizeof lab, NULL), 0);
    CHECK_STR(lab, "LAB");
    CHECK_EQ(o->mkdir(x.fs, "/DD"), CAIRN_EACCES); // the label holds the slot
    CHECK_EQ(o->label(x.fs, NULL, 0, "my disk"), 0); // in place
    CHECK_MEM(root + 3 * 32, "MY DISK    ", 11);
    CHECK_EQ(o->label(x.fs, NULL, 0, ""), 0);
    CHECK_EQ(root[3 * 32], 0xE5);
    CHECK_MEM(root + 3 * 32 + 1, "Y DISK    ", 10);
    CHECK_EQ(root[3 * 32 + 11], 0x28);
    CHECK_MEM(x.mem + 43, "NO NAME    ", 11);
    CHECK_EQ(o->label(x.fs, lab, sizeof lab, NULL), 0);
    CHECK_STR(lab, "");
    CHECK_EQ(o->label(x.fs, NULL, 0, "NEW"), 0); // the deleted entry again
    CHECK_MEM(root + 3 * 32, "NEW        ", 11);
    char names[256];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 15); // labels are not listed
    CHECK_EQ(fx_fsck(x.fs, 0, NULL, NULL), 0);
    fx_down(&x);
}
