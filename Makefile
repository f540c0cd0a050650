# reprint - near-duplicate news article detector.
# See README.md. Targets: all check test bench eval install uninstall clean fuzz help

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
DESTDIR ?=
MANDIR  ?= $(PREFIX)/share/man/man1
SANITIZE ?=

PKGS     = libxxhash libutf8proc json-c libxml-2.0 sqlite3
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -pedantic
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

ifneq ($(SANITIZE),)
BUILD   ?= build-san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS =
endif

ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude -Isrc $(PKG_CFLAGS) -D_FILE_OFFSET_BITS=64
LDLIBS    = $(PKG_LIBS) -lm -pthread

LIB_SRC = $(wildcard src/*.c)
CLI_SRC = $(wildcard src/cli/*.c)
LIB_OBJ = $(LIB_SRC:src/%.c=$(BUILD)/lib/%.o)
CLI_OBJ = $(CLI_SRC:src/cli/%.c=$(BUILD)/cli/%.o)
LIB     = $(BUILD)/libreprint.a
BIN     = $(BUILD)/reprint

UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check test unit cli fuzz-replay fuzz valgrind install uninstall clean help eval bench bench-index

FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
# seconds one input may take before libFuzzer reports it as a failure
# (a hang or a quadratic path); the HTML target gets a tighter one
FUZZ_TIMEOUT ?= 5
FUZZ_TIMEOUT_html ?= 1

all: $(BIN)

$(BUILD)/lib/%.o: src/%.c $(wildcard include/*.h src/*.h) | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/cli/%.o: src/cli/%.c $(wildcard include/*.h src/*.h src/cli/*.h) | $(BUILD)/cli
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The lookalike table of normalize.c is generated at build time from ICU's
# copy of Unicode's confusables data (tools/gen_confusables.c).
GEN = $(BUILD)/gen
$(BUILD)/lib/normalize.o: $(GEN)/confusables.h
$(BUILD)/lib/normalize.o: ALL_CFLAGS += -I$(GEN)
$(GEN)/confusables.h: tools/gen_confusables.c
	@mkdir -p $(GEN)
	$(CC) -O1 -o $(GEN)/gen_confusables $< $(shell pkg-config --cflags --libs icu-uc icu-i18n)
	$(GEN)/gen_confusables > $@.tmp && mv $@.tmp $@

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(LIB) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka)

# test_input drives the CLI's input layer, so it links the CLI objects that
# layer needs (not main.o).
INPUT_OBJ = $(BUILD)/cli/input.o $(BUILD)/cli/jsonl.o $(BUILD)/cli/walk.o $(BUILD)/cli/output.o
$(BUILD)/tests/test_input: tests/unit/test_input.c tests/unit/testutil.h $(INPUT_OBJ) $(LIB) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc/cli -o $@ $< $(INPUT_OBJ) $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka)

# test_alloc fails the library's allocations one at a time: it wraps them.
$(BUILD)/tests/test_alloc: LDLIBS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

$(BUILD)/lib $(BUILD)/cli $(BUILD)/tests:
	mkdir -p $@

## check: build, then run the unit tests, the CLI tests and the fuzz corpus
check: unit cli fuzz-replay

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

cli: $(BIN)
	@REPRINT=$(BIN) bash tests/cli/run.sh

# Each fuzz target also links with replay.c into a plain program that runs
# the saved corpus: part of `make check`, no libFuzzer needed.
# FUZZ_SRC_<target> names sources from outside the library that a target
# compiles in: the JSON Lines parser lives with the CLI.
FUZZ_SRC_jsonl = src/cli/jsonl.c
.SECONDEXPANSION:
$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $$(FUZZ_SRC_$$*) $(LIB) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc/cli -o $@ $< tests/fuzz/replay.c $(FUZZ_SRC_$*) $(LIB) $(LDLIBS)

fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%)
	@for t in $(FUZZ_TARGETS); do $(BUILD)/tests/replay_$$t tests/fuzz/corpus/$$t/* || exit 1; done

## fuzz: run each libFuzzer target for FUZZ_SECONDS (clang, libclang-rt-14-dev)
FUZZ_BUILD = build-fuzz
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SANITIZE=fuzzer-no-link,address,undefined $(FUZZ_BUILD)/libreprint.a
	@mkdir -p tests/fuzz/out
	@set -e; $(foreach t,$(FUZZ_TARGETS), \
	  clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -Isrc/cli $(PKG_CFLAGS) \
	    -o $(FUZZ_BUILD)/fuzz_$t tests/fuzz/fuzz_$t.c $(FUZZ_SRC_$t) $(FUZZ_BUILD)/libreprint.a $(LDLIBS); \
	  mkdir -p tests/fuzz/out/$t; \
	  $(FUZZ_BUILD)/fuzz_$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	    -timeout=$(or $(FUZZ_TIMEOUT_$t),$(FUZZ_TIMEOUT)) \
	    tests/fuzz/out/$t tests/fuzz/corpus/$t;)

## valgrind: the CLI tests under valgrind memcheck
valgrind: $(BIN)
	@REPRINT=$(BIN) REPRINT_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" bash tests/cli/run.sh

## eval: accuracy on ../shared/eval (skips when missing)
eval: $(BIN)
	@REPRINT=$(BIN) bash tools/eval.sh

## bench: speed, memory and planted-cluster recall on generated corpora
## (cached in BENCH_DIR; see README, Performance). Never fails on a time.
BENCH_DIR   ?= $(BUILD)/bench
BENCH_SIZES ?= 20000 200000
bench: $(BIN)
	@python3 tools/bench/bench.py --bin $(BIN) --dir "$(BENCH_DIR)" --sizes "$(BENCH_SIZES)"

## install: the program to $(DESTDIR)$(PREFIX)/bin, the manual to $(DESTDIR)$(MANDIR)
## bench-index: add/query throughput, latency and size of `reprint index`
## on a synthetic feed of N documents (default 100000; N=1000000 for the
## figures in README)
bench-index: $(BIN)
	@REPRINT=$(BIN) N=$(or $(N),100000) bash tools/bench/index_bench.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/reprint
	install -m 644 src/reprint.1 $(DESTDIR)$(MANDIR)/reprint.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/reprint $(DESTDIR)$(MANDIR)/reprint.1

clean:
	rm -rf build build-san build-fuzz build-clang tests/fuzz/out

help:
	@echo "targets: all check unit cli fuzz-replay fuzz valgrind eval bench install uninstall clean" bench-index
	@echo "  make check SANITIZE=address,undefined   tests under ASan+UBSan"
