// The harness behind tests/harness.h.
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>

#define TH_MAX 1024

static struct {
    const char *name;
    th_fn fn;
} th_tests[TH_MAX];
static int th_count;
static int th_cur_failed, th_cur_skipped;
static const char *th_cur_name = "";
static const char *th_prog = "test";

void th_register(const char *name, th_fn fn)
{
    if (th_count < TH_MAX) {
        th_tests[th_count].name = name;
        th_tests[th_count].fn = fn;
        th_count++;
    }
}

void th_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "FAIL %s: %s:%d: ", th_cur_name, file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    th_cur_failed++;
}

void th_skip(const char *reason)
{
    printf("SKIP %s: %s\n", th_cur_name, reason);
    th_cur_skipped = 1;
}

int th_failed_now(void)
{
    return th_cur_failed != 0;
}

int th_long(void)
{
    const char *v = getenv("CAIRN_LONG");
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static char th_bufs[4][1024];
static int th_buf_next;

static char *th_buf(void)
{
    char *b = th_bufs[th_buf_next];
    th_buf_next = (th_buf_next + 1) % 4;
    return b;
}

const char *th_shared(const char *rel)
{
    const char *root = getenv("CAIRN_SHARED");
    char *b = th_buf();
    snprintf(b, 1024, "%s/%s", root ? root : "../shared", rel);
    return b;
}

const char *th_interop(const char *rel)
{
    const char *root = getenv("CAIRN_INTEROP");
    char *b = th_buf();
    snprintf(b, 1024, "%s/%s", root ? root : "build/interop", rel);
    return b;
}

const char *th_tmp(const char *name)
{
    const char *root = getenv("CAIRN_TMP");
    char *b = th_buf();
    snprintf(b, 1024, "%s/%s.%s", root ? root : "/tmp", th_prog, name);
    return b;
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *slash = strrchr(argv[0], '/');
    th_prog = slash ? slash + 1 : argv[0];
    const char *filter = getenv("CAIRN_TEST_FILTER");
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < th_count; i++) {
        if (filter && *filter && strstr(th_tests[i].name, filter) == NULL) {
            continue;
        }
        th_cur_name = th_tests[i].name;
        th_cur_failed = 0;
        th_cur_skipped = 0;
        th_tests[i].fn();
        if (th_cur_failed) {
            failed++;
        } else if (th_cur_skipped) {
            skipped++;
        } else {
            passed++;
        }
    }
    printf("%s: %d passed, %d failed, %d skipped\n", th_prog, passed, failed, skipped);
    return failed ? 1 : 0;
}
