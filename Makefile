# cairn — build entry point.
#
#   make            library, CLI (build/cairn), examples, tests, benches
#   make test       everything CI checks: gcc + clang warning-free builds, the
#                   whole suite under ASan+UBSan in the default and in the
#                   size-first (TINY) configuration, unit/VFS/conformance programs
#                   under valgrind, short fuzz runs, the Cortex-M4 size table.
#                   CAIRN_LONG=1 for the long schedules.
#   make demo       the seed walk-through on the emulated board
#   make bench      bench.md workloads, one line each, then set against the reference
#                   (make bench-tiny: the same in the size-first configuration)
#   make size       Cortex-M4 -Os code size of each module
#   make fuzz       build the libFuzzer harnesses (clang)
#
# Sources are found by folder, so adding a file needs no Makefile change:
# src/<module>/*.c and port/host/*.c form the library, tests/<dir>/test_*.c
# are test programs, tools/cairn/*.c the CLI, examples/*.c, bench/*.c.

CC      ?= gcc
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
ifeq ($(origin CC),default)
CC := gcc
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS  := -std=c11 $(OPT) -g $(WARN) -Iinclude -Iport/host/include -D_GNU_SOURCE $(EXTRA_CFLAGS)
LDLIBS  := -lm
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

# The portable core: everything under src/ (no host calls), built also for Cortex-M4.
CORE_SRCS := $(sort $(wildcard src/*/*.c))
# Host-only pieces: image-file device, the board emulation behind the Zephyr APIs.
HOST_SRCS := $(sort $(wildcard port/host/*.c))
LIB_SRCS  := $(CORE_SRCS) $(HOST_SRCS)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/libcairn.a

TOOL_SRCS := $(sort $(wildcard tools/cairn/*.c))
TOOL_OBJS := $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o)
CLI       := $(BUILD)/cairn

TEST_SRCS := $(sort $(wildcard tests/*/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# Helpers shared by tests: tests/*/*.c that are not test_*.c, plus the harness.
TEST_LIB_SRCS := tests/harness.c $(filter-out $(TEST_SRCS),$(sort $(wildcard tests/*/*.c)))
TEST_LIB_OBJS := $(TEST_LIB_SRCS:%.c=$(BUILD)/obj/%.o)

# The size-first configuration: the drivers without their speed caches (the
# same on-disk results and errors, fewer bytes of code and RAM).
TINY_FLAGS := -DCAIRN_LFS2_TINY=1 -DCAIRN_FAT_TINY=1
# Its test build (ASan+UBSan), for make test and make test-tiny.
TINY_TESTS = $(MAKE) BUILD=build/tiny SAN=1 OPT=-O1 EXTRA_CFLAGS="$(TINY_FLAGS)" tests cli

EX_SRCS   := $(sort $(wildcard examples/*.c))
EX_BINS   := $(EX_SRCS:examples/%.c=$(BUILD)/examples/%)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_MAIN := $(filter bench/bench_%.c,$(BENCH_SRCS))
BENCH_LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(BENCH_MAIN),$(BENCH_SRCS)))
BENCH_BINS := $(BENCH_MAIN:bench/%.c=$(BUILD)/bench/%)

# The CLI may use libfuse3 when its headers are present.
FUSE_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null)
FUSE_LIBS   := $(shell pkg-config --libs fuse3 2>/dev/null)
ifneq ($(FUSE_LIBS),)
TOOL_CFLAGS := -DCAIRN_HAVE_FUSE=1 $(FUSE_CFLAGS)
endif

.PHONY: all lib cli tests examples benches test test-fast test-tiny demo bench bench-tiny size fuzz clean deps
all: lib cli tests examples benches

lib: $(LIB)
cli: $(CLI)
tests: $(TEST_BINS)
examples: $(EX_BINS)
benches: $(BENCH_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/tools/%.o: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TOOL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(CLI): $(TOOL_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(LIB) $(LDLIBS) $(FUSE_LIBS)

$(BUILD)/tests/%: tests/%.c $(TEST_LIB_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -MMD -MP $(LDFLAGS) -o $@ $< $(TEST_LIB_OBJS) $(LIB) $(LDLIBS)

$(BUILD)/examples/%: examples/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BENCH_LIB_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench -MMD -MP $(LDFLAGS) -o $@ $< $(BENCH_LIB_OBJS) $(LIB) $(LDLIBS)

deps:
	@scripts/deps.sh

# The README's test command. The suite runs last so that its summary line
# ("tests: N passed, N failed, N skipped") closes the output.
test: deps
	$(MAKE) all
	$(MAKE) BUILD=build/clang CC=clang lib cli examples
	$(MAKE) BUILD=build/asan SAN=1 OPT=-O1 tests cli
	$(TINY_TESTS)
	scripts/size.sh
	scripts/fuzz.sh short
	CAIRN_FUZZ_TINY=1 CAIRN_FUZZ_SHORT_SECONDS=10 scripts/fuzz.sh short
	scripts/valgrind.sh build
	scripts/run-tests.sh build/tiny
	scripts/run-tests.sh build/asan

# The suite alone, without sanitizers, fuzzing or the size table.
test-fast: all
	scripts/run-tests.sh $(BUILD)

# The suite in the size-first configuration (under ASan+UBSan).
test-tiny:
	$(TINY_TESTS)
	scripts/run-tests.sh build/tiny

demo: deps cli
	$(CLI) demo build/demo

# BENCH_FLAGS=--callgrind adds instruction counts (and their targets) to the comparison
bench: benches cli
	scripts/bench.sh $(BUILD) $(BENCH_FLAGS) | tee $(BUILD)/bench.txt
	@echo "-- against the reference (bench/reference.txt; targets of issues 3 and 4):"
	@scripts/bench-compare.sh < $(BUILD)/bench.txt || true

# The same in the size-first configuration: its rows are slower than the
# default build's (the issues' targets are the default build's), not the reference's.
bench-tiny:
	$(MAKE) BUILD=build/tiny-bench EXTRA_CFLAGS="$(TINY_FLAGS)" benches cli
	scripts/bench.sh build/tiny-bench $(BENCH_FLAGS) | tee build/tiny-bench/bench.txt
	@echo "-- against the reference (bench/reference.txt):"
	@scripts/bench-compare.sh < build/tiny-bench/bench.txt || true

size:
	scripts/size.sh

fuzz:
	scripts/fuzz.sh build

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
