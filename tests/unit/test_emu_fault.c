// The fault wrapper: counters, power-cut schedules (a cut at op N leaves ops
// 1..N-1 applied plus the torn op, nothing after), injected faults.
#include <setjmp.h>

#include "cairn/emu.h"
#include "harness.h"

#define BS 256
#define BC 8
#define NOPS 48

static uint8_t mem[BS * BC];
static uint8_t model[NOPS + 1][BS * BC]; // model[k] = device after ops 1..k
static uint8_t scratch[4096];

struct op {
    int erase;
    uint32_t block, off, len;
    uint8_t data[64];
};
static struct op seq[NOPS];

static uint32_t xs(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

// A fixed op sequence and the device state after each prefix of it.
static void build_sequence(void)
{
    uint32_t s = 12345;
    memset(model[0], 0xFF, sizeof model[0]);
    for (int i = 0; i < NOPS; i++) {
        struct op *o = &seq[i];
        o->erase = xs(&s) % 5 == 0;
        o->block = xs(&s) % BC;
        o->len = 16 * (1 + xs(&s) % 4);
        o->off = 16 * (xs(&s) % ((BS - o->len) / 16 + 1));
        for (uint32_t j = 0; j < o->len; j++) {
            o->data[j] = (uint8_t)xs(&s);
        }
        memcpy(model[i + 1], model[i], sizeof model[i]);
        uint8_t *m = model[i + 1] + o->block * BS;
        if (o->erase) {
            memset(m, 0xFF, BS);
        } else {
            for (uint32_t j = 0; j < o->len; j++) {
                m[o->off + j] &= o->data[j];
            }
        }
    }
}

static int run_op(struct cairn_fault *f, const struct op *o)
{
    if (o->erase) {
        return cairn_bdev_erase(&f->bd, o->block);
    }
    return cairn_bdev_write_ext(&f->bd, o->block, o->off, o->data, o->len);
}

static int cuts_seen;
static int torn_between; // cuts that left the block neither before nor after the op
static void count_cut(void *ctx)
{
    (void)ctx;
    cuts_seen++;
}

static void setup(struct cairn_nor *nor, struct cairn_fault *f, uint32_t seed)
{
    struct cairn_nor_config cfg = {BS, BC, 16, 16, 0, 0, 0};
    memset(mem, 0xFF, sizeof mem);
    CHECK_EQ(cairn_nor_init(nor, &cfg, mem, NULL), 0);
    CHECK_EQ(cairn_fault_init(f, &nor->bd, scratch, BS, seed), 0);
}

// Check the device after a cut at op n (1-based) with a fixed mode.
static void check_cut(uint8_t mode, int n)
{
    struct cairn_nor nor;
    struct cairn_fault f;
    setup(&nor, &f, (uint32_t)n * 7 + mode);
    f.on_cut = count_cut;
    cuts_seen = 0;
    cairn_fault_cut_after(&f, (uint64_t)n, mode);
    for (int i = 0; i < NOPS; i++) {
        int rc = run_op(&f, &seq[i]);
        CHECK_EQ(rc, i + 1 < n ? 0 : CAIRN_EIO);
    }
    CHECK_EQ(cuts_seen, 1);
    CHECK(cairn_fault_power_is_off(&f));
    CHECK_EQ(f.cut_op, (uint64_t)n);
    CHECK_EQ(cairn_fault_ops_count(&f), (uint64_t)n); // later ops never reached the medium
    const struct op *o = &seq[n - 1];
    const uint8_t *before = model[n - 1], *after = model[n];
    // every block but the torn one is exactly ops 1..n-1
    for (uint32_t b = 0; b < BC; b++) {
        if (b != o->block) {
            CHECK_MEM(mem + b * BS, before + b * BS, BS);
        }
    }
    const uint8_t *got = mem + o->block * BS, *pre = before + o->block * BS,
                  *post = after + o->block * BS;
    torn_between += memcmp(got, pre, BS) != 0 && memcmp(got, post, BS) != 0;
    if (o->erase) {
        uint8_t m = mode & 0xF0;
        if (m == CAIRN_CUT_ERASE_DROP) {
            CHECK_MEM(got, pre, BS);
        } else if (m == CAIRN_CUT_ERASE_FULL) {
            CHECK_MEM(got, post, BS);
        } else if (m == CAIRN_CUT_ERASE_PARTIAL) {
            uint32_t k = 0;
            while (k < BS && got[k] == 0xFF) {
                k++;
            }
            CHECK(k >= 1);
            CHECK_MEM(got + k, pre + k, BS - k); // the rest keeps its contents
        }
        return;
    }
    uint8_t m = mode & 0x0F;
    if (m == CAIRN_CUT_PROG_DROP) {
        CHECK_MEM(got, pre, BS);
    } else if (m == CAIRN_CUT_PROG_FULL) {
        CHECK_MEM(got, post, BS);
    } else if (m == CAIRN_CUT_PROG_PREFIX) {
        uint32_t k = 0;
        while (k < o->len && got[o->off + k] == post[o->off + k]) {
            k++;
        }
        // bytes before the tear are programmed, bytes after it untouched
        CHECK_MEM(got + o->off + k, pre + o->off + k, o->len - k);
        CHECK_MEM(got, pre, o->off);
        CHECK_MEM(got + o->off + o->len, pre + o->off + o->len, BS - o->off - o->len);
    } else {
        // BITS: between the old and the new state, bit by bit
        for (uint32_t j = 0; j < BS; j++) {
            if ((got[j] & pre[j]) != got[j] || (got[j] & post[j]) != post[j]) {
                CHECK_EQ(got[j], post[j]);
                break;
            }
        }
    }
    // power back on: the device works again and keeps the torn state
    cairn_fault_power_restore(&f);
    CHECK(!cairn_fault_power_is_off(&f));
    uint8_t rd[16];
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 0, 0, rd, 16), 0);
    CHECK_MEM(rd, mem, 16);
    CHECK_EQ(cairn_bdev_erase(&f.bd, o->block), 0);
    CHECK_EQ(mem[o->block * BS], 0xFF);
}

TEST(cut_linear_schedule_every_mode)
{
    static const uint8_t modes[] = {
        CAIRN_CUT_PROG_DROP | CAIRN_CUT_ERASE_DROP,
        CAIRN_CUT_PROG_PREFIX | CAIRN_CUT_ERASE_PARTIAL,
        CAIRN_CUT_PROG_BITS | CAIRN_CUT_ERASE_GARBAGE,
        CAIRN_CUT_PROG_FULL | CAIRN_CUT_ERASE_FULL,
    };
    build_sequence();
    // first run: count the operations
    struct cairn_nor nor;
    struct cairn_fault f;
    setup(&nor, &f, 1);
    for (int i = 0; i < NOPS; i++) {
        CHECK_EQ(run_op(&f, &seq[i]), 0);
    }
    CHECK_EQ(cairn_fault_ops_count(&f), NOPS);
    CHECK_MEM(mem, model[NOPS], sizeof mem);
    for (unsigned m = 0; m < sizeof modes; m++) {
        torn_between = 0;
        for (int n = 1; n <= NOPS; n++) {
            check_cut(modes[m], n);
            if (th_failed_now()) {
                printf("  (mode 0x%02x, cut at op %d)\n", modes[m], n);
                return;
            }
        }
        // DROP and FULL never leave an in-between state; the tearing modes mostly do
        if (m == 0 || m == 3) {
            CHECK_EQ(torn_between, 0);
        } else {
            CHECK(torn_between > NOPS / 2);
        }
    }
}

TEST(cut_random_mode_keeps_other_blocks)
{
    build_sequence();
    for (int n = 1; n <= NOPS; n++) {
        struct cairn_nor nor;
        struct cairn_fault f;
        setup(&nor, &f, (uint32_t)n);
        cairn_fault_cut_after(&f, (uint64_t)n, CAIRN_CUT_RANDOM);
        for (int i = 0; i < NOPS; i++) {
            (void)run_op(&f, &seq[i]);
        }
        const struct op *o = &seq[n - 1];
        for (uint32_t b = 0; b < BC; b++) {
            if (b != o->block) {
                CHECK_MEM(mem + b * BS, model[n - 1] + b * BS, BS);
            }
        }
    }
}

TEST(cut_is_relative_and_deterministic)
{
    build_sequence();
    static uint8_t first[BS * BC];
    for (int round = 0; round < 2; round++) {
        struct cairn_nor nor;
        struct cairn_fault f;
        setup(&nor, &f, 99);
        for (int i = 0; i < 5; i++) {
            CHECK_EQ(run_op(&f, &seq[i]), 0);
        }
        cairn_fault_cut_after(&f, 3, CAIRN_CUT_PROG_BITS | CAIRN_CUT_ERASE_GARBAGE);
        for (int i = 5; i < NOPS; i++) {
            CHECK_EQ(run_op(&f, &seq[i]), i < 7 ? 0 : CAIRN_EIO);
        }
        CHECK_EQ(f.cut_op, 8);
        if (round == 0) {
            memcpy(first, mem, sizeof mem);
        } else {
            CHECK_MEM(first, mem, sizeof mem); // same seed, same tear
        }
    }
}

TEST(cut_disarm_with_zero)
{
    build_sequence();
    struct cairn_nor nor;
    struct cairn_fault f;
    setup(&nor, &f, 3);
    cairn_fault_cut_after(&f, 2, CAIRN_CUT_TORN);
    cairn_fault_cut_after(&f, 0, CAIRN_CUT_TORN);
    for (int i = 0; i < NOPS; i++) {
        CHECK_EQ(run_op(&f, &seq[i]), 0);
    }
    CHECK_MEM(mem, model[NOPS], sizeof mem);
}

static jmp_buf cut_jmp;
static void jump_out(void *ctx)
{
    *(int *)ctx += 1;
    longjmp(cut_jmp, 1);
}

TEST(on_cut_may_longjmp)
{
    build_sequence();
    struct cairn_nor nor;
    struct cairn_fault f;
    static volatile int reached;
    static int calls;
    calls = 0;
    reached = 0;
    setup(&nor, &f, 5);
    f.on_cut = jump_out;
    f.on_cut_ctx = &calls;
    cairn_fault_cut_after(&f, 4, CAIRN_CUT_PROG_FULL | CAIRN_CUT_ERASE_FULL);
    if (setjmp(cut_jmp) == 0) {
        for (int i = 0; i < NOPS; i++) {
            (void)run_op(&f, &seq[i]);
            reached = i + 1;
        }
    }
    CHECK_EQ(reached, 3);
    CHECK_EQ(calls, 1);
    CHECK(cairn_fault_power_is_off(&f));
    CHECK_MEM(mem, model[4], sizeof mem);
    uint8_t b[16];
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 0, 0, b, 16), CAIRN_EIO);
}

TEST(power_off_fails_everything_but_geometry)
{
    struct cairn_nor nor;
    struct cairn_fault f;
    uint8_t b[16] = {0};
    setup(&nor, &f, 1);
    cairn_fault_cut_after(&f, 1, CAIRN_CUT_PROG_DROP);
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 0, 0, b, 16), CAIRN_EIO);
    CHECK_EQ(mem[0], 0xFF);
    struct cairn_io_counters c = f.counters;
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 0, 0, b, 16), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 0, 0, b, 16), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_erase(&f.bd, 0), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_sync(&f.bd), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_INIT, 0), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_BLOCK_SIZE, 0), BS);
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_BLOCK_COUNT, 0), BC);
    CHECK_EQ(cairn_fault_ops_count(&f), 1);
    CHECK_MEM(&c, &f.counters, sizeof c); // nothing counted while off
    cairn_fault_power_restore(&f);
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 0, 0, b, 16), 0);
    CHECK_EQ(mem[0], 0);
}

TEST(counters_count_calls_and_bytes)
{
    struct cairn_nor nor;
    struct cairn_fault f;
    uint8_t b[BS];
    memset(b, 0x5A, sizeof b);
    setup(&nor, &f, 1);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 1, 16, b, 32), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 1, 0, b, 16), 0);
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 1, 0, b, 48), 0);
    CHECK_EQ(cairn_bdev_erase(&f.bd, 2), 0);
    CHECK_EQ(cairn_bdev_sync(&f.bd), 0);
    CHECK_EQ(cairn_bdev_write(&f.bd, 3, b, 1), 0); // simple on ext-only: erase + prog
    CHECK_EQ(f.counters.reads, 2);
    CHECK_EQ(f.counters.read_bytes, 48);
    CHECK_EQ(f.counters.progs, 2);
    CHECK_EQ(f.counters.prog_bytes, 48 + BS);
    CHECK_EQ(f.counters.erases, 2);
    CHECK_EQ(f.counters.erase_bytes, 2 * BS);
    CHECK_EQ(f.counters.syncs, 1);
    CHECK_EQ(cairn_fault_ops_count(&f), 4);
    cairn_fault_reset_counters(&f);
    CHECK_EQ(f.counters.reads + f.counters.progs + f.counters.erases + f.counters.syncs, 0);
    CHECK_EQ(cairn_fault_ops_count(&f), 4);
    // invalid erase is refused before it becomes an operation
    CHECK_EQ(cairn_bdev_ioctl(&f.bd, CAIRN_BDEV_BLOCK_ERASE, BC), CAIRN_EINVAL);
    CHECK_EQ(f.counters.erases, 0);
}

TEST(wrapper_mirrors_lower_interfaces)
{
    static uint8_t sdmem[32 * 512];
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {512, 32, 0};
    struct cairn_fault f;
    REQUIRE_EQ(cairn_sd_init(&sd, &cfg, sdmem), 0);
    REQUIRE_EQ(cairn_fault_init(&f, &sd.bd, scratch, 512, 1), 0);
    CHECK(cairn_bdev_has_simple(&f.bd));
    CHECK(!cairn_bdev_has_ext(&f.bd));
    CHECK_EQ(cairn_bdev_erase(&f.bd, 0), CAIRN_EPERM); // counted, passed down
    CHECK_EQ(f.counters.erases, 1);
    struct cairn_ram_bdev ram;
    static uint8_t rmem[16 * 512];
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, rmem, 512, 16, CAIRN_RAM_SIMPLE | CAIRN_RAM_EXT, 0xFF), 0);
    REQUIRE_EQ(cairn_fault_init(&f, &ram.bd, NULL, 0, 1), 0);
    CHECK(cairn_bdev_has_simple(&f.bd) && cairn_bdev_has_ext(&f.bd));
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, rmem, 512, 16, CAIRN_RAM_EXT | CAIRN_RAM_READONLY, 0), 0);
    REQUIRE_EQ(cairn_fault_init(&f, &ram.bd, NULL, 0, 1), 0);
    CHECK(cairn_bdev_is_readonly(&f.bd));
    CHECK_EQ(cairn_fault_init(&f, &ram.bd, scratch, 100, 1), CAIRN_EINVAL); // scratch too small
    CHECK_EQ(cairn_fault_init(&f, NULL, NULL, 0, 1), CAIRN_EINVAL);
    // an unprobed lower device is probed
    ram.bd.block_size = ram.bd.block_count = 0;
    REQUIRE_EQ(cairn_fault_init(&f, &ram.bd, NULL, 0, 1), 0);
    CHECK_EQ(f.bd.block_count, 16);
}

// An SD write of 4 sectors cut under each tear option.
static void sd_tear(uint8_t tear, uint32_t seed, uint32_t *keep_out)
{
    static uint8_t sdmem[8 * 512];
    static uint8_t buf[4 * 512];
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {512, 8, tear};
    struct cairn_fault f;
    memset(sdmem, 0xEE, sizeof sdmem);
    memset(buf, 0x11, sizeof buf);
    REQUIRE(cairn_sd_init(&sd, &cfg, sdmem) == 0);
    REQUIRE(cairn_fault_init(&f, &sd.bd, scratch, 512, seed) == 0);
    cairn_fault_cut_after(&f, 1, CAIRN_CUT_PROG_PREFIX);
    CHECK_EQ(cairn_bdev_write(&f.bd, 2, buf, 4), CAIRN_EIO);
    uint32_t k = 0;
    while (k < 4 * 512 && sdmem[2 * 512 + k] == 0x11) {
        k++;
    }
    *keep_out = k;
    CHECK(k < 4 * 512);
    for (uint32_t i = 2 * 512 + k; i < sizeof sdmem; i++) {
        if (sdmem[i] != 0xEE) {
            CHECK_EQ(sdmem[i], 0xEE);
            break;
        }
    }
    CHECK_EQ(sdmem[2 * 512 - 1], 0xEE);
}

TEST(sd_torn_multi_sector_writes)
{
    int partial_bytes = 0, partial_sectors = 0;
    for (uint32_t seed = 1; seed <= 40; seed++) {
        uint32_t k;
        sd_tear(CAIRN_SD_TEAR_SECTORS, seed, &k);
        CHECK_EQ(k % 512, 0);
        partial_sectors += k > 0;
        sd_tear(CAIRN_SD_TEAR_BYTES, seed, &k);
        partial_bytes += k % 512 != 0;
        sd_tear(CAIRN_SD_TEAR_NONE, seed, &k);
        CHECK_EQ(k, 0);
    }
    CHECK(partial_sectors > 0);
    CHECK(partial_bytes > 0);
}

TEST(simple_write_cut_full_and_drop)
{
    static uint8_t sdmem[8 * 512], buf[2 * 512];
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {512, 8, 0};
    struct cairn_fault f;
    memset(sdmem, 0, sizeof sdmem);
    memset(buf, 7, sizeof buf);
    REQUIRE_EQ(cairn_sd_init(&sd, &cfg, sdmem), 0);
    REQUIRE_EQ(cairn_fault_init(&f, &sd.bd, scratch, 512, 1), 0);
    cairn_fault_cut_after(&f, 2, CAIRN_CUT_PROG_FULL);
    CHECK_EQ(cairn_bdev_write(&f.bd, 0, buf, 2), 0);
    CHECK_EQ(cairn_bdev_write(&f.bd, 4, buf, 2), CAIRN_EIO);
    CHECK_EQ(sdmem[5 * 512 + 511], 7);
    cairn_fault_power_restore(&f);
    cairn_fault_cut_after(&f, 1, CAIRN_CUT_PROG_DROP);
    CHECK_EQ(cairn_bdev_write(&f.bd, 6, buf, 2), CAIRN_EIO);
    CHECK_EQ(sdmem[6 * 512], 0);
    CHECK_EQ(cairn_fault_ops_count(&f), 3);
    // power off: simple reads and writes fail and are not operations
    CHECK_EQ(cairn_bdev_read(&f.bd, 0, buf, 1), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_write(&f.bd, 6, buf, 1), CAIRN_EIO);
    CHECK_EQ(sdmem[6 * 512], 0);
    CHECK_EQ(cairn_fault_ops_count(&f), 3);
    cairn_fault_power_restore(&f);
    CHECK_EQ(cairn_bdev_read(&f.bd, 0, buf, 1), 0);
    CHECK_EQ(buf[0], 7);
}

TEST(reseed_repeats_the_tear)
{
    static uint8_t sdmem[8 * 512], buf[4 * 512], first[8 * 512];
    struct cairn_sd sd;
    struct cairn_sd_config cfg = {512, 8, CAIRN_SD_TEAR_BYTES};
    struct cairn_fault f;
    memset(buf, 9, sizeof buf);
    for (int round = 0; round < 2; round++) {
        memset(sdmem, 0, sizeof sdmem);
        REQUIRE_EQ(cairn_sd_init(&sd, &cfg, sdmem), 0);
        REQUIRE_EQ(cairn_fault_init(&f, &sd.bd, scratch, 512, 1), 0);
        (void)cairn_bdev_read(&f.bd, 0, first, 1); // no randomness used by reads
        cairn_fault_seed(&f, 1234);
        cairn_fault_cut_after(&f, 1, CAIRN_CUT_PROG_PREFIX);
        CHECK_EQ(cairn_bdev_write(&f.bd, 1, buf, 4), CAIRN_EIO);
        if (round == 0) {
            memcpy(first, sdmem, sizeof sdmem);
        } else {
            CHECK_MEM(first, sdmem, sizeof sdmem);
        }
    }
    cairn_fault_seed(&f, 0); // 0 is taken as 1
    CHECK_EQ(f.rng, 1);
}

TEST(read_errors_and_bad_blocks)
{
    struct cairn_nor nor;
    struct cairn_fault f;
    uint8_t b[16];
    memset(b, 0, sizeof b);
    setup(&nor, &f, 1);
    CHECK_EQ(cairn_fault_set_block(&f, 3, CAIRN_FAULT_READ_ERROR), 0);
    CHECK_EQ(cairn_fault_set_block(&f, 4, CAIRN_FAULT_BAD_BLOCK), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 3, 0, b, 16), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 2, 0, b, 16), 0);
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 3, 0, b, 16), 0); // readable errors only on reads
    CHECK_EQ(cairn_bdev_write_ext(&f.bd, 4, 0, b, 16), CAIRN_EIO);
    CHECK_EQ(mem[4 * BS], 0xFF);
    mem[4 * BS] = 0;
    CHECK_EQ(cairn_bdev_erase(&f.bd, 4), CAIRN_EIO);
    CHECK_EQ(mem[4 * BS], 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 4, 0, b, 16), 0);
    // simple reads/writes spanning a marked block (through the ext fallback)
    uint8_t blk[3 * BS];
    CHECK_EQ(cairn_bdev_read(&f.bd, 2, blk, 3), CAIRN_EIO);
    // change and clear marks
    CHECK_EQ(cairn_fault_set_block(&f, 3, CAIRN_FAULT_BAD_BLOCK), 0);
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 3, 0, b, 16), 0);
    CHECK_EQ(cairn_fault_set_block(&f, 3, 0), 0);
    CHECK_EQ(cairn_fault_set_block(&f, 4, 0), 0);
    CHECK_EQ(cairn_fault_set_block(&f, 5, 0), 0); // clearing an unmarked block
    CHECK_EQ(cairn_bdev_erase(&f.bd, 4), 0);
    CHECK_EQ(f.nmarks, 0);
    CHECK_EQ(cairn_fault_set_block(&f, BC, CAIRN_FAULT_BAD_BLOCK), CAIRN_EINVAL);
}

TEST(marks_table_full)
{
    static uint8_t rmem[64 * 16];
    struct cairn_ram_bdev ram;
    struct cairn_fault f;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, rmem, 16, 64, CAIRN_RAM_SIMPLE, 0), 0);
    REQUIRE_EQ(cairn_fault_init(&f, &ram.bd, NULL, 0, 1), 0);
    for (uint32_t i = 0; i < CAIRN_FAULT_MAX_MARKS; i++) {
        CHECK_EQ(cairn_fault_set_block(&f, i, CAIRN_FAULT_READ_ERROR), 0);
    }
    CHECK_EQ(cairn_fault_set_block(&f, 40, CAIRN_FAULT_READ_ERROR), CAIRN_ENOMEM);
    CHECK_EQ(cairn_fault_set_block(&f, 0, CAIRN_FAULT_BAD_BLOCK), 0); // update in place
    uint8_t blk[16];
    CHECK_EQ(cairn_bdev_write(&f.bd, 0, blk, 1), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_read(&f.bd, 1, blk, 1), CAIRN_EIO);
    CHECK_EQ(cairn_bdev_read(&f.bd, 20, blk, 1), 0);
}

TEST(bit_flips_deterministic)
{
    struct cairn_nor nor;
    struct cairn_fault f;
    uint8_t b[64], first[64 * 20];
    for (int round = 0; round < 2; round++) {
        setup(&nor, &f, 42);
        cairn_fault_set_bitflip(&f, 1000000); // every read
        for (int i = 0; i < 20; i++) {
            CHECK_EQ(cairn_bdev_read_ext(&f.bd, 0, 0, b, 64), 0);
            int bits = 0;
            for (int j = 0; j < 64; j++) {
                bits += __builtin_popcount((uint8_t)~b[j]);
            }
            CHECK_EQ(bits, 1); // exactly one bit flipped per read
            if (round == 0) {
                memcpy(first + 64 * i, b, 64);
            } else {
                CHECK_MEM(first + 64 * i, b, 64);
            }
        }
        CHECK_EQ(f.flips, 20);
        CHECK_EQ(mem[0], 0xFF); // the medium is untouched
    }
    setup(&nor, &f, 42);
    cairn_fault_set_bitflip(&f, 100000); // 10%
    for (int i = 0; i < 1000; i++) {
        CHECK_EQ(cairn_bdev_read_ext(&f.bd, 0, 0, b, 16), 0);
    }
    CHECK(f.flips > 50 && f.flips < 200);
    cairn_fault_set_bitflip(&f, 0);
    uint64_t n = f.flips;
    CHECK_EQ(cairn_bdev_read_ext(&f.bd, 0, 0, b, 16), 0);
    CHECK_EQ(f.flips, n);
}

TEST(torn_erase_without_scratch_degrades_to_drop)
{
    struct cairn_nor nor;
    struct cairn_nor_config cfg = {BS, BC, 1, 1, 0, 0, 0};
    struct cairn_fault f;
    memset(mem, 0, sizeof mem);
    REQUIRE_EQ(cairn_nor_init(&nor, &cfg, mem, NULL), 0);
    REQUIRE_EQ(cairn_fault_init(&f, &nor.bd, NULL, 0, 1), 0);
    cairn_fault_cut_after(&f, 1, CAIRN_CUT_ERASE_PARTIAL);
    CHECK_EQ(cairn_bdev_erase(&f.bd, 1), CAIRN_EIO);
    CHECK_EQ(mem[BS], 0);
    CHECK_EQ(mem[2 * BS - 1], 0);
    cairn_fault_power_restore(&f);
    cairn_fault_cut_after(&f, 1, CAIRN_CUT_ERASE_FULL);
    CHECK_EQ(cairn_bdev_erase(&f.bd, 1), CAIRN_EIO);
    CHECK_EQ(mem[BS], 0xFF);
}
