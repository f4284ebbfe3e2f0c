// The power-cut schedule runner, on a tiny two-slot journal over NOR: a
// record is durable once its commit byte is programmed, so after any cut the
// newest committed record must be one the workload wrote.
#include "cairn/emu.h"
#include "harness.h"
#include "powercut.h"

#define BS 64
#define BC 4
static uint8_t mem[BS * BC];

// Record layout in a block: [0] commit byte (0x00 = committed), [1..16] the
// payload, 16 copies of seq. A partial erase (a prefix) always clears the commit.
static int journal_write(struct cairn_bdev *bd, uint8_t seq)
{
    uint32_t blk = seq % 2;
    uint8_t rec[16], commit = 0;
    memset(rec, seq, sizeof rec);
    int rc = cairn_bdev_erase(bd, blk);
    rc = rc ? rc : cairn_bdev_write_ext(bd, blk, 1, rec, 16);
    rc = rc ? rc : cairn_bdev_write_ext(bd, blk, 0, &commit, 1);
    return rc;
}

static int work(struct cairn_bdev *bd, void *ctx)
{
    (void)ctx;
    for (uint8_t s = 1; s <= 6; s++) {
        int rc = journal_write(bd, s);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

static int newest(struct cairn_bdev *bd)
{
    int best = 0;
    for (uint32_t b = 0; b < 2; b++) {
        uint8_t rec[17];
        if (cairn_bdev_read_ext(bd, b, 0, rec, 17) != 0 || rec[0] != 0) {
            continue;
        }
        for (int i = 2; i < 17; i++) {
            if (rec[i] != rec[1]) {
                return -1; // committed but corrupt: the journal's promise broken
            }
        }
        best = rec[1] > best ? rec[1] : best;
    }
    return best;
}

static uint64_t checks, cuts_sum;
static int check(struct cairn_bdev *bd, uint64_t cut, void *ctx)
{
    (void)ctx;
    checks++;
    cuts_sum += cut;
    int n = newest(bd);
    // op k: 3 ops per record; a cut at op 3s (the commit) may or may not land
    int floor_rec = cut == 0 ? 6 : (int)((cut - 1) / 3);
    return n >= floor_rec && n <= (cut == 0 ? 6 : floor_rec + 1) ? 0 : 1;
}

static void setup_nor(struct cairn_nor *nor)
{
    struct cairn_nor_config cfg = {BS, BC, 1, 1, 0, 0, 0};
    memset(mem, 0xFF, sizeof mem);
    CHECK_EQ(cairn_nor_init(nor, &cfg, mem, NULL), 0);
}

TEST(linear_schedule_visits_every_op)
{
    static const uint8_t modes[] = {CAIRN_CUT_TORN, CAIRN_CUT_RANDOM,
                                    CAIRN_CUT_PROG_BITS | CAIRN_CUT_ERASE_GARBAGE};
    for (unsigned m = 0; m < sizeof modes; m++) {
        struct cairn_nor nor;
        setup_nor(&nor);
        struct th_pc pc = {.dev = &nor.bd,
                           .mem = mem,
                           .mem_size = sizeof mem,
                           .mode = modes[m],
                           .seed = 7,
                           .work = work,
                           .check = check,
                           .verbose = 1};
        checks = cuts_sum = 0;
        CHECK_EQ(th_pc_run(&pc), 0);
        CHECK_EQ(pc.clean_rc, 0);
        CHECK_EQ(pc.clean_check, 0);
        CHECK_EQ(pc.ops, 18);
        CHECK_EQ(pc.runs, 18);
        CHECK_EQ(checks, 19);
        CHECK_EQ(cuts_sum, 18 * 19 / 2);
        CHECK_EQ(pc.failures, 0);
    }
}

// A journal that commits before the payload breaks under cuts: the runner
// must report it.
static int bad_work(struct cairn_bdev *bd, void *ctx)
{
    (void)ctx;
    for (uint8_t s = 1; s <= 6; s++) {
        uint32_t blk = s % 2;
        uint8_t rec[16], commit = 0;
        memset(rec, s, sizeof rec);
        int rc = cairn_bdev_erase(bd, blk);
        rc = rc ? rc : cairn_bdev_write_ext(bd, blk, 0, &commit, 1);
        rc = rc ? rc : cairn_bdev_write_ext(bd, blk, 1, rec, 16);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

static int check_intact(struct cairn_bdev *bd, uint64_t cut, void *ctx)
{
    (void)cut, (void)ctx;
    return newest(bd) < 0;
}

TEST(schedule_finds_a_broken_ordering)
{
    struct cairn_nor nor;
    setup_nor(&nor);
    struct th_pc pc = {.dev = &nor.bd,
                       .mem = mem,
                       .mem_size = sizeof mem,
                       .mode = CAIRN_CUT_PROG_PREFIX | CAIRN_CUT_ERASE_DROP,
                       .seed = 3,
                       .work = bad_work,
                       .check = check_intact};
    CHECK(th_pc_run(&pc) > 0);
    CHECK(pc.first_failure > 0);
    CHECK_EQ(pc.first_failure % 3, 0); // a cut tearing the payload after the commit
}

TEST(sampled_schedule)
{
    struct cairn_nor nor;
    setup_nor(&nor);
    struct th_pc pc = {.dev = &nor.bd,
                       .mem = mem,
                       .mem_size = sizeof mem,
                       .mode = CAIRN_CUT_RANDOM,
                       .seed = 1,
                       .work = work,
                       .check = check,
                       .sample = 5};
    CHECK_EQ(th_pc_run(&pc), 0);
    CHECK_EQ(pc.ops, 18);
    CHECK(pc.runs <= 6 && pc.runs >= 4);
    struct th_pc bad = {0};
    CHECK_EQ(th_pc_run(&bad), CAIRN_EINVAL);
}
