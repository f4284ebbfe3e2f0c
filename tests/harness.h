/*
 * cairn's test harness: one executable per test file, tests registered with
 * TEST(name), checks that record a failure and let the test go on.
 *
 * Each executable prints one line per failed check and ends with
 * "<file>: N passed, N failed[, N skipped]"; scripts/run-tests.sh adds them up.
 * Environment: CAIRN_SHARED (the shared/ folder), CAIRN_TMP (scratch folder),
 * CAIRN_TEST_FILTER (run only tests whose name contains it),
 * CAIRN_LONG=1 (long schedules: exhaustive power loss, big fuzz counts).
 */
#ifndef CAIRN_TEST_HARNESS_H
#define CAIRN_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*th_fn)(void);
void th_register(const char *name, th_fn fn);
void th_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void th_skip(const char *reason);
int th_failed_now(void); /* non-zero once the running test has a failure */

/* Paths: th_shared("interop/x") -> "<shared>/interop/x"; th_tmp("a.img") ->
 * "<tmp>/<test file>.<name>". Returned strings live until the next call
 * (4 rotating buffers). */
const char *th_shared(const char *rel);
const char *th_tmp(const char *name);
int th_long(void); /* CAIRN_LONG set */
/* Uncompressed interop image or manifest: th_interop("lfs2/x.img"). */
const char *th_interop(const char *rel);

#define TEST(name)                                                                          \
    static void name(void);                                                                 \
    __attribute__((constructor)) static void th_reg_##name(void) { th_register(#name, name); } \
    static void name(void)

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            th_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                \
        }                                                                                   \
    } while (0)

#define CHECK_EQ(a, b)                                                                      \
    do {                                                                                    \
        long long th_a_ = (long long)(a), th_b_ = (long long)(b);                           \
        if (th_a_ != th_b_) {                                                               \
            th_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, th_a_, th_b_);    \
        }                                                                                   \
    } while (0)

#define CHECK_STR(a, b)                                                                     \
    do {                                                                                    \
        const char *th_a_ = (a), *th_b_ = (b);                                              \
        if (th_a_ == NULL || th_b_ == NULL || strcmp(th_a_, th_b_) != 0) {                  \
            th_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,               \
                    th_a_ ? th_a_ : "(null)", th_b_ ? th_b_ : "(null)");                    \
        }                                                                                   \
    } while (0)

#define CHECK_MEM(a, b, n)                                                                  \
    do {                                                                                    \
        if (memcmp((a), (b), (n)) != 0) {                                                   \
            th_fail(__FILE__, __LINE__, "memcmp(%s, %s, %s) != 0", #a, #b, #n);             \
        }                                                                                   \
    } while (0)

/* Stop the current test if a check failed (for setup steps). */
#define REQUIRE(cond)                                                                       \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            th_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond);                              \
            return;                                                                         \
        }                                                                                   \
    } while (0)

#define REQUIRE_EQ(a, b)                                                                    \
    do {                                                                                    \
        long long th_a_ = (long long)(a), th_b_ = (long long)(b);                           \
        if (th_a_ != th_b_) {                                                               \
            th_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, th_a_, th_b_);    \
            return;                                                                         \
        }                                                                                   \
    } while (0)

#define SKIP(reason)                                                                        \
    do {                                                                                    \
        th_skip(reason);                                                                    \
        return;                                                                             \
    } while (0)

#endif
