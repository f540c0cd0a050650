# reprint - near-duplicate news article detector.
# See README.md. Targets: all check test bench eval install uninstall clean fuzz help

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
DESTDIR ?=
MANDIR  ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
SANITIZE ?=

PKGS     = libxxhash libutf8proc json-c libxml-2.0 sqlite3 libarchive zlib libbrotlidec
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -pedantic
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
# what the library itself links (json-c and libarchive are the CLI's): reprint.pc's
# Requires.private and the shared library's dependencies
LIB_PKGS   = libxxhash libutf8proc libxml-2.0 sqlite3
LIB_LIBS   := $(shell pkg-config --libs $(LIB_PKGS)) -lm -pthread

# The version is set in include/reprint.h only.
ver = $(shell sed -n 's/^\#define RP_VERSION_$(1) \([0-9][0-9]*\)$$/\1/p' include/reprint.h)
MAJOR   := $(call ver,MAJOR)
VERSION := $(MAJOR).$(call ver,MINOR).$(call ver,PATCH)

ifneq ($(SANITIZE),)
BUILD   ?= build-san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS =
endif

ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude -Isrc $(PKG_CFLAGS) -D_FILE_OFFSET_BITS=64 \
             $(CPPFLAGS) -MMD -MP
# the library exports only what include/reprint.h marks RP_API
LIB_CFLAGS = -fvisibility=hidden
LDLIBS    = $(PKG_LIBS) -lm -pthread

LIB_SRC = $(wildcard src/*.c)
CLI_SRC = $(wildcard src/cli/*.c)
LIB_OBJ = $(LIB_SRC:src/%.c=$(BUILD)/lib/%.o)
CLI_OBJ = $(CLI_SRC:src/cli/%.c=$(BUILD)/cli/%.o)
PIC_OBJ = $(LIB_SRC:src/%.c=$(BUILD)/pic/%.o)
LIB     = $(BUILD)/libreprint.a
BIN     = $(BUILD)/reprint
# the shared library: the real file, its SONAME link and the link to build with
SONAME  = libreprint.so.$(MAJOR)
SHLIB   = $(BUILD)/libreprint.so.$(VERSION)
SHLINKS = $(BUILD)/$(SONAME) $(BUILD)/libreprint.so
# every undefined symbol of the .so must come from its dependencies (not
# with the sanitizers, whose runtime the program brings)
SHLIB_DEFS = $(if $(SANITIZE),,-Wl,-z,defs)

UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check test unit cli python fuzz-replay fuzz fuzz-lib valgrind install uninstall clean help eval bench bench-index screenshot

FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
# seconds one input may take before libFuzzer reports it as a failure
# (a hang or a quadratic path); the HTML target gets a tighter one
FUZZ_TIMEOUT ?= 5
FUZZ_TIMEOUT_html ?= 1

all: $(BIN) $(SHLINKS)

# Header dependencies: each object's .d, written by -MMD -MP. An object
# also depends on its .d, so that one built without it is built again.
DEPS = $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
-include $(wildcard $(DEPS) $(BUILD)/tests/*.d)
$(DEPS):

$(BUILD)/lib/%.o: src/%.c $(BUILD)/lib/%.d | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(BUILD)/pic/%.o: src/%.c $(BUILD)/pic/%.d | $(BUILD)/pic
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -fPIC -c -o $@ $<

$(BUILD)/cli/%.o: src/cli/%.c $(BUILD)/cli/%.d | $(BUILD)/cli
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The report page's stylesheet and script are hand-written files, embedded
# in page.o with their SHA-256 for its Content-Security-Policy.
$(BUILD)/cli/page_assets.h: src/cli/report.css src/cli/report.js tools/embed.py | $(BUILD)/cli
	python3 tools/embed.py src/cli/report.css src/cli/report.js > $@.tmp && mv $@.tmp $@
$(BUILD)/cli/page.o: $(BUILD)/cli/page_assets.h
$(BUILD)/cli/page.o: ALL_CFLAGS += -I$(BUILD)/cli

# The lookalike table of normalize.c is generated at build time from ICU's
# copy of Unicode's confusables data (tools/gen_confusables.c).
GEN = $(BUILD)/gen
$(BUILD)/lib/normalize.o $(BUILD)/pic/normalize.o: $(GEN)/confusables.h
$(BUILD)/lib/normalize.o $(BUILD)/pic/normalize.o: ALL_CFLAGS += -I$(GEN)
$(GEN)/confusables.h: tools/gen_confusables.c
	@mkdir -p $(GEN)
	$(CC) -O1 -o $(GEN)/gen_confusables $< $(shell pkg-config --cflags --libs icu-uc icu-i18n)
	$(GEN)/gen_confusables > $@.tmp && mv $@.tmp $@

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(SHLIB): $(PIC_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) $(SHLIB_DEFS) -o $@ $^ $(LIB_LIBS)

$(SHLINKS): $(SHLIB)
	ln -sf $(notdir $<) $@

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(LIB) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka)

# test_input drives the CLI's input layer, so it links the CLI objects that
# layer needs (not main.o).
INPUT_OBJ = $(BUILD)/cli/input.o $(BUILD)/cli/jsonl.o $(BUILD)/cli/cliutil.o $(BUILD)/cli/walk.o $(BUILD)/cli/output.o \
            $(BUILD)/cli/unpack.o $(BUILD)/cli/warc.o
$(BUILD)/tests/test_input: tests/unit/test_input.c tests/unit/testutil.h $(INPUT_OBJ) $(LIB) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc/cli -o $@ $< $(INPUT_OBJ) $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka)

# test_warc drives the CLI's WARC reader (src/cli/warc.c); it writes its
# brotli samples with libbrotlienc.
$(BUILD)/tests/test_warc: tests/unit/test_warc.c tests/unit/testutil.h $(BUILD)/cli/warc.o $(LIB) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc/cli -o $@ $< $(BUILD)/cli/warc.o $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka libbrotlienc)

# test_alloc fails the library's allocations one at a time: it wraps them.
$(BUILD)/tests/test_alloc: LDLIBS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

$(BUILD)/lib $(BUILD)/pic $(BUILD)/cli $(BUILD)/tests:
	mkdir -p $@

## check: build, then run the unit tests, the CLI tests and the fuzz corpus
check: unit cli fuzz-replay python

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

# REPRINT_MAKE lets t_install.sh install this very build (and compile its
# test programs with the same sanitizers).
cli: $(BIN) $(SHLINKS)
	@REPRINT=$(BIN) REPRINT_MAKE="BUILD=$(BUILD) SANITIZE=$(SANITIZE)" \
	  REPRINT_SANFLAGS="$(SANFLAGS)" bash tests/cli/run.sh

## python: the Python bindings' tests (python3-pytest) on the shared library,
## with $(PYTHON), or Debian's /usr/bin/python3 when that one has no pytest
PYTHON ?= python3
python: $(SHLINKS) $(BIN)
	@if [ -n "$(SANITIZE)" ]; then echo "python: skipped under SANITIZE (python3 is not built with the sanitizers)"; exit 0; fi; \
	for py in $(PYTHON) /usr/bin/python3; do \
	  if $$py -c 'import pytest' 2>/dev/null; then \
	    REPRINT_LIB=$(BUILD)/libreprint.so REPRINT=$(BIN) PYTHONPATH=python PYTHONDONTWRITEBYTECODE=1 \
	      exec $$py -m pytest -q -p no:cacheprovider python/tests; fi; \
	done; echo "python: skipped: no python3 with pytest (apt-get install python3-pytest)"

# Each fuzz target also links with replay.c into a plain program that runs
# the saved corpus: part of `make check`, no libFuzzer needed.
# FUZZ_SRC_<target> names sources from outside the library that a target
# compiles in: the JSON Lines parser lives with the CLI.
FUZZ_SRC_jsonl = src/cli/jsonl.c src/cli/cliutil.c
FUZZ_SRC_warc = src/cli/warc.c
FUZZ_SRC_distrec = src/cli/distrec.c src/cli/cliutil.c
.SECONDEXPANSION:
$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $$(FUZZ_SRC_$$*) $(LIB) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc/cli -o $@ $< tests/fuzz/replay.c $(FUZZ_SRC_$*) $(LIB) $(LDLIBS)

fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%)
	@for t in $(FUZZ_TARGETS); do $(BUILD)/tests/replay_$$t tests/fuzz/corpus/$$t/* || exit 1; done

## fuzz: run each libFuzzer target for FUZZ_SECONDS (clang, libclang-rt-14-dev);
## each target is its own make goal (fuzz-NAME), so `make -j2 fuzz` runs two
## at once, each writing its log to $(FUZZ_BUILD)/fuzz_NAME.log
FUZZ_BUILD = build-fuzz
fuzz: $(FUZZ_TARGETS:%=fuzz-%)

fuzz-lib:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SANITIZE=fuzzer-no-link,address,undefined $(FUZZ_BUILD)/libreprint.a

fuzz-%: fuzz-lib
	@mkdir -p tests/fuzz/out/$*
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -Isrc/cli $(PKG_CFLAGS) \
	  -o $(FUZZ_BUILD)/fuzz_$* tests/fuzz/fuzz_$*.c $(FUZZ_SRC_$*) $(FUZZ_BUILD)/libreprint.a $(LDLIBS)
	@if $(FUZZ_BUILD)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	    -timeout=$(or $(FUZZ_TIMEOUT_$*),$(FUZZ_TIMEOUT)) \
	    tests/fuzz/out/$* tests/fuzz/corpus/$* >$(FUZZ_BUILD)/fuzz_$*.log 2>&1; then \
	  echo "fuzz $*: ok: $$(grep -E '^stat::number_of_executed_units' $(FUZZ_BUILD)/fuzz_$*.log)"; \
	else tail -60 $(FUZZ_BUILD)/fuzz_$*.log; echo "fuzz $*: FAILED (log: $(FUZZ_BUILD)/fuzz_$*.log)"; exit 1; fi

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
DATASKETCH_SRC ?= ../datasketch
BENCH_BASE  ?=
bench: $(BIN)
	@python3 tools/bench/bench.py --bin $(BIN) --dir "$(BENCH_DIR)" --sizes "$(BENCH_SIZES)" --datasketch "$(DATASKETCH_SRC)" --base "$(BENCH_BASE)"

## screenshot: docs/report.png, the report of corpus/ drawn by headless chromium
screenshot: $(BIN)
	$(BIN) report -o $(BUILD)/corpus-report.html corpus/
	prof=$$(mktemp -d) && chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	  --disable-component-update --disable-sync --no-first-run --user-data-dir=$$prof \
	  --proxy-server=127.0.0.1:9 --virtual-time-budget=5000 --hide-scrollbars --window-size=1280,1700 \
	  --screenshot=$(CURDIR)/docs/report.png file://$(CURDIR)/$(BUILD)/corpus-report.html; \
	  rc=$$?; rm -rf $$prof; exit $$rc

## bench-index: add/query throughput, latency and size of `reprint index`
## on a synthetic feed of N documents (default 100000; N=1000000 for the
## figures in README)
bench-index: $(BIN)
	@REPRINT=$(BIN) N=$(or $(N),100000) bash tools/bench/index_bench.sh

## install: the program to $(DESTDIR)$(PREFIX)/bin, the manual to
## $(DESTDIR)$(MANDIR), the library (libreprint.so.MAJOR, libreprint.a) to
## $(DESTDIR)$(LIBDIR), reprint.h to $(DESTDIR)$(INCLUDEDIR) and reprint.pc to
## $(DESTDIR)$(PKGCONFIGDIR), the bash and zsh completions to $(BASHCOMPDIR) and
## $(ZSHCOMPDIR)
# reprint.pc names libdir and includedir relative to ${prefix} when they
# are below it, so that --define-variable=prefix=... relocates it.
pcdir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
install: $(BIN) $(LIB) $(SHLIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/reprint
	install -m 644 src/reprint.1 $(DESTDIR)$(MANDIR)/reprint.1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 completions/reprint.bash $(DESTDIR)$(BASHCOMPDIR)/reprint
	install -m 644 completions/_reprint $(DESTDIR)$(ZSHCOMPDIR)/_reprint
	install -m 644 $(SHLIB) $(DESTDIR)$(LIBDIR)/libreprint.so.$(VERSION)
	ln -sf libreprint.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libreprint.so
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libreprint.a
	install -m 644 include/reprint.h $(DESTDIR)$(INCLUDEDIR)/reprint.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pcdir,$(LIBDIR))|' \
	  -e 's|@INCLUDEDIR@|$(call pcdir,$(INCLUDEDIR))|' -e 's|@VERSION@|$(VERSION)|' \
	  -e 's|@REQUIRES@|$(LIB_PKGS)|' reprint.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/reprint.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/reprint.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/reprint $(DESTDIR)$(MANDIR)/reprint.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/reprint $(DESTDIR)$(ZSHCOMPDIR)/_reprint
	rm -f $(DESTDIR)$(LIBDIR)/libreprint.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libreprint.so $(DESTDIR)$(LIBDIR)/libreprint.a \
	  $(DESTDIR)$(INCLUDEDIR)/reprint.h $(DESTDIR)$(PKGCONFIGDIR)/reprint.pc

clean:
	rm -rf build build-san build-fuzz build-clang tests/fuzz/out

help:
	@echo "targets: all check unit cli python fuzz-replay fuzz valgrind eval bench install uninstall clean bench-index screenshot"
	@echo "  make check SANITIZE=address,undefined   tests under ASan+UBSan"
