// The VFS over real filesystems on a device that fails: power cut at every
// operation N of a workload (every later device call fails with -EIO), and a
// device whose every read returns flipped bits. Whatever happens, each call
// must return a CAIRN_E* value (never crash, hang or return the host's errno),
// a forced umount must always release the mount, and after power returns the
// volume must mount again.
#include <stdio.h>
#include <string.h>

#include "cairn/emu.h"
#include "cairn/vfs.h"
#include "harness.h"

#define VF_BLOCKS 96

static uint8_t vf_mem[4096 * VF_BLOCKS];
static uint8_t vf_scratch[4096];
static struct cairn_ram_bdev vf_ram;
static struct cairn_fault vf_fault;

struct vf_geo {
    const char *fs;
    uint32_t block_size, flags;
};

static const struct vf_geo vf_geos[] = {
    {"fat", 512, CAIRN_RAM_SIMPLE},
    {"lfs2", 512, CAIRN_RAM_EXT},
    {"lfs2", 4096, CAIRN_RAM_EXT},
};

static int vf_known(long long r)
{
    static const int errs[] = {
        CAIRN_EPERM,   CAIRN_ENOENT, CAIRN_EIO,     CAIRN_EBADF,  CAIRN_ENOMEM,
        CAIRN_EACCES,  CAIRN_EBUSY,  CAIRN_EEXIST,  CAIRN_ENODEV, CAIRN_ENOTDIR,
        CAIRN_EISDIR,  CAIRN_EINVAL, CAIRN_EFBIG,   CAIRN_ENOSPC, CAIRN_EROFS,
        CAIRN_ENOTEMPTY, CAIRN_ECORRUPT, CAIRN_EMFILE, CAIRN_ENAMETOOLONG,
    };
    if (r >= 0) {
        return 1;
    }
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        if (r == errs[i]) {
            return 1;
        }
    }
    return 0;
}

// Every result of the workload goes through here.
#define VF(call)                                                                                   \
    ({                                                                                             \
        long long vf_r_ = (long long)(call);                                                       \
        if (!vf_known(vf_r_)) {                                                                    \
            th_fail(__FILE__, __LINE__, "%s: unexpected result %lld", #call, vf_r_);               \
        }                                                                                          \
        vf_r_;                                                                                     \
    })

static void vf_workload(void)
{
    static uint8_t buf[3000];
    struct cairn_stat st;
    struct cairn_statvfs sv;
    struct cairn_dirent ent;
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(i * 7 + 1);
    }
    VF(cairn_vfs_mkdir("/f/d"));
    int fd = (int)VF(cairn_vfs_open("/f/d/a.txt", "w"));
    if (fd >= 0) {
        VF(cairn_vfs_write(fd, buf, sizeof buf));
        VF(cairn_vfs_flush(fd));
        VF(cairn_vfs_seek(fd, 5000, CAIRN_SEEK_SET));
        VF(cairn_vfs_write(fd, buf, 100));
        VF(cairn_vfs_truncate(fd, 1000));
        VF(cairn_vfs_close(fd));
        VF(cairn_vfs_close(fd)); // idempotent, whatever the first one said
    }
    fd = (int)VF(cairn_vfs_open("/f/b", "a+"));
    if (fd >= 0) {
        VF(cairn_vfs_write(fd, "hello\nworld\n", 12));
        VF(cairn_vfs_seek(fd, 0, CAIRN_SEEK_SET));
        char line[16];
        VF(cairn_vfs_readline(fd, line, sizeof line));
        VF(cairn_vfs_close(fd));
    }
    VF(cairn_vfs_rename("/f/d/a.txt", "/f/c"));
    VF(cairn_vfs_stat("/f/c", &st));
    VF(cairn_vfs_statvfs("/f", &sv));
    int dd = (int)VF(cairn_vfs_opendir("/f"));
    if (dd >= 0) {
        for (int i = 0; i < 64 && VF(cairn_vfs_readdir(dd, &ent)) == 1; i++) {
        }
        VF(cairn_vfs_closedir(dd));
    }
    fd = (int)VF(cairn_vfs_open("/f/c", "r"));
    if (fd >= 0) {
        for (int i = 0; i < 64 && VF(cairn_vfs_read(fd, buf, 512)) > 0; i++) {
        }
        VF(cairn_vfs_close(fd));
    }
    VF(cairn_vfs_remove("/f/b"));
    VF(cairn_vfs_rmdir("/f/d"));
    VF(cairn_vfs_sync());
}

// A fresh filesystem on the RAM device (no faults), unmounted.
static int vf_format(const struct vf_geo *g)
{
    memset(vf_mem, 0xFF, sizeof vf_mem);
    int rc = cairn_ram_bdev_init(&vf_ram, vf_mem, g->block_size, VF_BLOCKS, g->flags, 0xFF);
    if (rc == 0) {
        rc = cairn_vfs_mount_bdev(&vf_ram.bd, "/f", CAIRN_MOUNT_MKFS, g->fs);
    }
    if (rc == 0) {
        rc = cairn_vfs_umount("/f", 0);
    }
    return rc;
}

// Mount through the fault wrapper; a cut may make that fail.
static int vf_mount_faulty(uint32_t seed)
{
    int rc = cairn_fault_init(&vf_fault, &vf_ram.bd, vf_scratch, sizeof vf_scratch, seed);
    return rc ? rc : cairn_vfs_mount_bdev(&vf_fault.bd, "/f", 0, NULL);
}

TEST(power_cut_at_every_operation)
{
    for (size_t gi = 0; gi < sizeof vf_geos / sizeof vf_geos[0]; gi++) {
        const struct vf_geo *g = &vf_geos[gi];
        cairn_vfs_reset();
        // how many device operations the whole run takes without a cut
        REQUIRE_EQ(vf_format(g), 0);
        REQUIRE_EQ(vf_mount_faulty(1), 0);
        vf_workload();
        CHECK_EQ(cairn_vfs_umount("/f", 1), 0);
        uint64_t total = cairn_fault_ops_count(&vf_fault);
        CHECK(total > 10);
        static const uint8_t modes[] = {CAIRN_CUT_RANDOM, CAIRN_CUT_TORN,
                                        CAIRN_CUT_PROG_BITS | CAIRN_CUT_ERASE_GARBAGE,
                                        CAIRN_CUT_PROG_FULL | CAIRN_CUT_ERASE_FULL};
        for (uint64_t k = 0; k < (total + 1) * 4 && !th_failed_now(); k++) {
            uint64_t n = k / 4 + 1;
            uint8_t mode = modes[k % 4];
            REQUIRE_EQ(vf_format(g), 0);
            REQUIRE_EQ(cairn_fault_init(&vf_fault, &vf_ram.bd, vf_scratch, sizeof vf_scratch,
                                        (uint32_t)n),
                       0);
            cairn_fault_cut_after(&vf_fault, n, mode);
            int rc = (int)VF(cairn_vfs_mount_bdev(&vf_fault.bd, "/f", 0, NULL));
            if (rc == 0) {
                vf_workload();
                VF(cairn_vfs_umount("/f", 1));
            }
            // the table entry is gone whatever the device said
            CHECK_EQ(cairn_vfs_mount_info(0, NULL, NULL), CAIRN_ENOENT);
            cairn_fault_power_restore(&vf_fault);
            rc = cairn_vfs_mount_bdev(&vf_ram.bd, "/f", 0, g->fs);
            if (rc != 0) {
                th_fail(__FILE__, __LINE__, "%s bs %u: no mount after a cut (mode %#x) at op %llu: %d",
                        g->fs, (unsigned)g->block_size, mode, (unsigned long long)n, rc);
            }
            struct cairn_stat st;
            CHECK_EQ(cairn_vfs_stat("/f", &st), 0);
            CHECK_EQ(cairn_vfs_umount("/f", 1), 0);
        }
    }
    cairn_vfs_reset();
}

// Every read returns one flipped bit: the drivers see corrupt metadata
// everywhere and must answer with errors, not crash or loop.
TEST(every_read_corrupt)
{
    for (size_t gi = 0; gi < sizeof vf_geos / sizeof vf_geos[0]; gi++) {
        const struct vf_geo *g = &vf_geos[gi];
        for (uint32_t seed = 1; seed <= 64 && !th_failed_now(); seed++) {
            cairn_vfs_reset();
            REQUIRE_EQ(vf_format(g), 0);
            REQUIRE_EQ(cairn_fault_init(&vf_fault, &vf_ram.bd, vf_scratch, sizeof vf_scratch, seed),
                       0);
            cairn_fault_set_bitflip(&vf_fault, 1000000);
            int rc = (int)VF(cairn_vfs_mount_bdev(&vf_fault.bd, "/f", 0, g->fs));
            if (rc == 0) {
                vf_workload();
                VF(cairn_vfs_umount("/f", 1));
            }
            CHECK_EQ(cairn_vfs_mount_info(0, NULL, NULL), CAIRN_ENOENT);
        }
    }
    cairn_vfs_reset();
}

// Every device call fails from the start: mount reports it, nothing crashes.
TEST(dead_device)
{
    for (size_t gi = 0; gi < sizeof vf_geos / sizeof vf_geos[0]; gi++) {
        const struct vf_geo *g = &vf_geos[gi];
        cairn_vfs_reset();
        REQUIRE_EQ(vf_format(g), 0);
        REQUIRE_EQ(cairn_fault_init(&vf_fault, &vf_ram.bd, vf_scratch, sizeof vf_scratch, 1), 0);
        for (uint32_t b = 0; b < CAIRN_FAULT_MAX_MARKS; b++) {
            REQUIRE_EQ(cairn_fault_set_block(&vf_fault, b, CAIRN_FAULT_READ_ERROR), 0);
        }
        int rc = cairn_vfs_mount_bdev(&vf_fault.bd, "/f", 0, NULL);
        CHECK(rc < 0 && vf_known(rc));
        rc = cairn_vfs_mount_bdev(&vf_fault.bd, "/f", 0, g->fs);
        CHECK(rc < 0 && vf_known(rc));
        CHECK_EQ(cairn_vfs_mount_info(0, NULL, NULL), CAIRN_ENOENT);
    }
    cairn_vfs_reset();
}

// Handles left open by a forced umount stay dead when the VFS pool object
// and the handle slots are reused by the next mount (D3, D13): they must not
// reach the new filesystem.
TEST(stale_handles_after_forced_umount)
{
    static uint8_t mem2[512 * 64];
    struct cairn_ram_bdev ram2;
    struct cairn_dirent ent;
    cairn_vfs_reset();
    REQUIRE_EQ(vf_format(&vf_geos[0]), 0);
    REQUIRE_EQ(cairn_vfs_mount_bdev(&vf_ram.bd, "/f", 0, NULL), 0);
    int fd = cairn_vfs_open("/f/x", "w+");
    int dd = cairn_vfs_opendir("/f");
    REQUIRE(fd >= 0 && dd >= 0);
    CHECK_EQ(cairn_vfs_write(fd, "abc", 3), 3);
    CHECK_EQ(cairn_vfs_umount("/f", 0), CAIRN_EBUSY);
    CHECK_EQ(cairn_vfs_umount("/f", 1), 0);
    memset(mem2, 0xFF, sizeof mem2);
    REQUIRE_EQ(cairn_ram_bdev_init(&ram2, mem2, 512, 64, CAIRN_RAM_EXT, 0xFF), 0);
    REQUIRE_EQ(cairn_vfs_mount_bdev(&ram2.bd, "/f", CAIRN_MOUNT_MKFS, "lfs2"), 0);
    int fd2 = cairn_vfs_open("/f/y", "w");
    int dd2 = cairn_vfs_opendir("/f");
    CHECK(fd2 >= 0 && fd2 != fd && dd2 >= 0 && dd2 != dd);
    CHECK_EQ(cairn_vfs_write(fd, "zz", 2), CAIRN_EBADF);
    CHECK_EQ(cairn_vfs_seek(fd, 0, CAIRN_SEEK_SET), CAIRN_EBADF);
    CHECK_EQ(cairn_vfs_tell(fd), CAIRN_EBADF);
    CHECK_EQ(cairn_vfs_flush(fd), CAIRN_EBADF);
    CHECK_EQ(cairn_vfs_truncate(fd, 0), CAIRN_EBADF);
    CHECK_EQ(cairn_vfs_readdir(dd, &ent), CAIRN_EBADF);
    CHECK_EQ(cairn_vfs_close(fd), 0); // idempotent close of a dead handle
    CHECK_EQ(cairn_vfs_closedir(dd), 0);
    CHECK_EQ(cairn_vfs_write(fd2, "new", 3), 3);
    CHECK_EQ(cairn_vfs_close(fd2), 0);
    CHECK_EQ(cairn_vfs_closedir(dd2), 0);
    struct cairn_stat st;
    CHECK_EQ(cairn_vfs_stat("/f/x", &st), CAIRN_ENOENT);
    CHECK_EQ(cairn_vfs_stat("/f/y", &st), 0);
    CHECK_EQ(st.size, 3);
    CHECK_EQ(cairn_vfs_umount("/f", 0), 0);
    // the FAT volume got the forced close's flush
    REQUIRE_EQ(cairn_vfs_mount_bdev(&vf_ram.bd, "/f", 0, "fat"), 0);
    CHECK_EQ(cairn_vfs_stat("/f/x", &st), 0);
    CHECK_EQ(st.size, 3);
    cairn_vfs_reset();
}
