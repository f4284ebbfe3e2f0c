// The process-wide clock hook (cairn.h).
#include "cairn/cairn.h"

static cairn_clock_fn clock_fn;
static void *clock_ctx;

void cairn_clock_set(cairn_clock_fn fn, void *ctx)
{
    clock_fn = fn;
    clock_ctx = ctx;
}

int cairn_clock_is_set(void)
{
    return clock_fn != NULL;
}

int64_t cairn_clock_now_ns(void)
{
    if (clock_fn == NULL) {
        return CAIRN_TIME_NO_RTC * 1000000000LL;
    }
    return clock_fn(clock_ctx);
}
