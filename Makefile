# govgate: policy-as-code governance gate for hybrid deployments.
#
#   make            build build/govgate
#   make demo       install what is missing, run every shipped fixture
#   make check      install what is missing, run every test (also under ASan/UBSan)
#   make bench      speed against the parse-only floor and against peers
#   make SANITIZE=address,undefined   sanitizer build in build-san/
#   make man        the man pages (build/man/*.1), from the option tables
#   make install PREFIX=/usr/local DESTDIR=...
#   V=1             print whole compiler commands instead of "CC file"

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/govgate
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
CC ?= cc
OPT ?= -O2
PKG_CONFIG ?= pkg-config
PKGS = yaml-0.1 libpcre2-8 libssl libcrypto sqlite3
# libpq (store_pg.c): its header only; store_pg.c opens libpq.so.5 with
# dlopen when a PostgreSQL database is named, so that the other commands
# do not load it (and Kerberos, LDAP and shared OpenSSL) at every start.
PQ_PKG = libpq

ifneq ($(SANITIZE),)
BUILD ?= build-san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT = -O1
else
BUILD ?= build
endif

WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wvla -Wwrite-strings \
       -Wold-style-definition -Wmissing-prototypes -Wno-unused-parameter \
       -Wshadow -Wformat=2 -Wimplicit-fallthrough
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(PQ_PKG) 2>/dev/null)
# STATIC=1 (the default) links libyaml, PCRE2, OpenSSL and SQLite statically:
# a one-manifest check then starts in half the time (mapping and relocating
# shared libcrypto dominates it). STATIC=0 links them as shared libraries.
STATIC ?= 1
ifeq ($(STATIC),1)
PKG_LIBS := -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -Wl,-Bdynamic -ldl
else
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -ldl
endif
# PIE=1 (the default) links govgate as a position-independent executable,
# so its own code and data keep address randomisation: a tool that parses
# hostile input should not give an attacker fixed addresses. PIE=0 (opt-in)
# links it at a fixed address instead: the loader then need not relocate
# every pointer of the static libcrypto at start (about 100 pages copied,
# 0.25 ms of a 1.7 ms one-manifest check; docs/PERFORMANCE.md).
PIE ?= 1
GV_LDFLAGS = $(if $(filter 0,$(PIE)),-no-pie)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) \
             -DGV_DATADIR='"$(DATADIR)"' -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lpthread -lm

# Building is parallel by default (one job per core); the test targets are
# not, as their runners print in order and some tests time themselves.
BUILD_GOALS = all install man completions test-binaries $(BUILD)/govgate $(BUILD)/unit-tests
NPROC := $(shell nproc 2>/dev/null || echo 1)
ifeq ($(filter-out $(BUILD_GOALS),$(or $(MAKECMDGOALS),all)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

# Short lines ("CC validator/eval.c"); V=1 prints the whole commands.
ifeq ($(V),1)
say =
else
say = @printf '%-4s %s\n' '$(1)' '$(2)';
endif

CLI_SRC = validator/main.c $(wildcard validator/cmd_*.c)
LIB_SRC = $(filter-out $(CLI_SRC),$(wildcard validator/*.c))
LIB_OBJ = $(LIB_SRC:validator/%.c=$(BUILD)/obj/%.o)
CLI_OBJ = $(CLI_SRC:validator/%.c=$(BUILD)/obj/%.o)
TEST_SRC = $(wildcard tests/unit/test_*.c)
TEST_OBJ = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tobj/%.o) $(BUILD)/tobj/runner.o

.PHONY: all deps demo check check-unit check-cli check-cli-pg check-san check-fuzz valgrind bench test-binaries \
	bench-ledger fuzz install clean man completions
all: $(BUILD)/govgate

$(BUILD)/obj/%.o: validator/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The PostgreSQL schema and roles (validator/sql/*.sql), embedded as C strings.
PG_SQL = validator/sql/pg_schema.sql validator/sql/pg_roles.sql
$(BUILD)/gen/pg_sql.h: $(PG_SQL)
	@mkdir -p $(@D)
	@for f in $(PG_SQL); do n=$$(basename $$f .sql); \
	  echo "static const char gv_$${n}_sql[] ="; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $$f; \
	  echo "\t;"; done > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/store_pg.o: $(BUILD)/gen/pg_sql.h
$(BUILD)/obj/store_pg.o: ALL_CFLAGS += -I$(BUILD)/gen
build-fuzz/obj/store_pg.o: $(BUILD)/gen/pg_sql.h
build-fuzz/obj/store_pg.o: FUZZ_CFLAGS += -I$(BUILD)/gen

# The shipped rules/ and policies/ as node trees (validator/embedded.h):
# tools/embed.c, linked against the library without them, loads each file
# as policy_load.c would and writes $(BUILD)/gen/embedded_data.c. The folders
# are prerequisites too, so adding or removing a file regenerates it.
EMBED_FILES = $(sort $(wildcard rules/*.yaml policies/*.yaml))
$(BUILD)/libgv-base.a: $(LIB_OBJ)
	@rm -f $@
	$(call say,AR,$@)ar rcs $@ $^

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -Ivalidator -c -o $@ $<

$(BUILD)/embed-gen: $(BUILD)/tools/embed.o $(BUILD)/libgv-base.a
	$(call say,LD,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/gen/embedded_data.c: $(BUILD)/embed-gen $(EMBED_FILES) rules policies
	@mkdir -p $(@D)
	$(call say,GEN,$@)$(BUILD)/embed-gen -o $@.tmp $(EMBED_FILES) && mv $@.tmp $@

$(BUILD)/obj/embedded_data.o: $(BUILD)/gen/embedded_data.c
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -Ivalidator -c -o $@ $<

$(BUILD)/libgv.a: $(LIB_OBJ) $(BUILD)/obj/embedded_data.o
	@rm -f $@
	$(call say,AR,$@)ar rcs $@ $^

$(BUILD)/govgate: $(CLI_OBJ) $(BUILD)/libgv.a
	$(call say,LD,$@)$(CC) $(ALL_LDFLAGS) $(GV_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libgv.a $(LIBS)

# The man pages and the bash and zsh completions come from the option
# tables in the binary (validator/cli_opts.h), so they cannot drift from
# --help. SOURCE_DATE_EPOCH (default: the last commit's time) dates the pages.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
MAN_STAMP = $(BUILD)/man/.stamp
man: $(MAN_STAMP)
$(MAN_STAMP): $(BUILD)/govgate
	@mkdir -p $(@D)
	$(call say,MAN,$(@D)/*.1)set -e; rm -f $(@D)/*.1; \
	for p in $$($(BUILD)/govgate help --man); do \
	  SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(BUILD)/govgate help --man $$p > $(@D)/$$p.1.tmp; \
	  mv $(@D)/$$p.1.tmp $(@D)/$$p.1; done; touch $@
completions: $(BUILD)/completions/govgate $(BUILD)/completions/_govgate
$(BUILD)/completions/govgate: $(BUILD)/govgate
	@mkdir -p $(@D)
	$(call say,GEN,$@)$(BUILD)/govgate completion bash > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/_govgate: $(BUILD)/govgate
	@mkdir -p $(@D)
	$(call say,GEN,$@)$(BUILD)/govgate completion zsh > $@.tmp && mv $@.tmp $@

# Check suites: tests/unit/test_NAME.c defines `Suite *NAME_suite(void)`;
# the runner's list is generated from the file names.
$(BUILD)/tobj/suites.h: $(TEST_SRC)
	@mkdir -p $(@D)
	@for f in $(TEST_SRC); do n=$$(basename $$f .c); n=$${n#test_}; \
	  echo "SUITE($${n}_suite)"; done > $@.tmp && mv $@.tmp $@

$(BUILD)/tobj/runner.o: tests/unit/runner.c $(BUILD)/tobj/suites.h
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -I$(BUILD)/tobj -Ivalidator -c -o $@ $<

$(BUILD)/tobj/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -Ivalidator -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/unit-tests: $(TEST_OBJ) $(BUILD)/libgv.a
	$(call say,LD,$@)$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/libgv.a \
	  $$($(PKG_CONFIG) --libs check) $(LIBS) -lrt -lsubunit

deps:
	@sh tests/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh fixtures/demo.sh $(BUILD)/govgate

# make check: the unit and CLI tests in the normal build, again under
# ASan+UBSan (check-san), then a short fuzz smoke (check-fuzz). Every runner
# prints a line per suite or file and appends its counts to $(TALLY); the
# closing line sums them, and a step that fails without counting a failure
# (a build error, a crash) counts as one.
TALLY = build/check-tally
check: deps
	@mkdir -p build && rm -f $(TALLY) && st=0; \
	export GV_TALLY="$(CURDIR)/$(TALLY)"; \
	echo "== $(BUILD): unit and CLI tests"; \
	$(MAKE) --no-print-directory test-binaries || st=1; \
	$(MAKE) --no-print-directory -k check-unit check-cli check-cli-pg || st=1; \
	echo "== build-san: the same under ASan+UBSan"; \
	$(MAKE) --no-print-directory check-san || st=1; \
	echo "== fuzz smoke"; \
	$(MAKE) --no-print-directory check-fuzz || st=1; \
	sh tests/tally.sh sum $(TALLY) $$st

# Check forks a process per test; the sanitizer pass runs them in one process
# so that LeakSanitizer sees every test's leaks at exit.
CK_FORK ?= yes
check-unit: $(BUILD)/unit-tests
	@cd tests/unit && CK_FORK=$(CK_FORK) sh ../tally.sh guard "unit-tests ($(BUILD))" \
	  ../../$(BUILD)/unit-tests

check-cli: $(BUILD)/govgate $(BUILD)/bench-ledger $(BUILD)/pg-stream-check
	@sh tests/tally.sh guard "cli tests ($(BUILD))" sh tests/cli/run.sh $(BUILD)/govgate

# The audit, sync, metrics and deploy tests again, each database on a real
# PostgreSQL server (tests/cli/run.sh, GOVGATE_TEST_PG); normal build only.
check-cli-pg: $(BUILD)/govgate
	@GOVGATE_TEST_PG=1 sh tests/tally.sh guard "cli tests on PostgreSQL ($(BUILD))" \
	  sh tests/cli/run.sh $(BUILD)/govgate

# Under the sanitizers the stress tests run a smaller load
# (GOVGATE_TEST_SMALL; the full load runs in the normal build).
check-san:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined test-binaries
	@GOVGATE_TEST_SMALL=1 $(MAKE) --no-print-directory -k SANITIZE=address,undefined CK_FORK=no \
	  check-unit check-cli

# Everything the tests run, built in parallel (a BUILD_GOALS member) before
# the serial test targets start.
test-binaries: $(BUILD)/unit-tests $(BUILD)/govgate $(BUILD)/bench-ledger $(BUILD)/pg-stream-check

valgrind: $(BUILD)/unit-tests $(BUILD)/govgate
	cd tests/unit && CK_FORK=no valgrind --error-exitcode=1 --leak-check=full \
	  --errors-for-leak-kinds=definite --suppressions=../valgrind.supp ../../$(BUILD)/unit-tests
	GOVGATE_VALGRIND=1 sh tests/cli/run.sh $(BUILD)/govgate

bench: deps all
	@sh bench/run.sh $(BUILD)/govgate

# make bench-ledger: appends per second on SQLite and PostgreSQL (1 and 8
# writers, through the CLI and through the library) and audit verify of
# 100,000 entries on both (bench/ledger.sh, docs/PERFORMANCE.md).
$(BUILD)/bench-ledger: bench/ledger.c $(BUILD)/libgv.a
	$(call say,LD,$@)$(CC) $(ALL_CFLAGS) -Ivalidator -o $@ $< $(BUILD)/libgv.a $(LIBS)

# the streamed PostgreSQL statements, left mid-way (tests/cli/t373)
$(BUILD)/pg-stream-check: tests/pg/stream.c $(BUILD)/libgv.a
	$(call say,LD,$@)$(CC) $(ALL_CFLAGS) -Ivalidator -o $@ $< $(BUILD)/libgv.a $(LIBS)

bench-ledger: deps all $(BUILD)/bench-ledger
	@sh bench/ledger.sh $(BUILD)/govgate $(BUILD)/bench-ledger

install: $(BUILD)/govgate $(MAN_STAMP) completions
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BUILD)/govgate $(DESTDIR)$(BINDIR)/govgate
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(BUILD)/completions/govgate $(DESTDIR)$(BASHCOMPDIR)/govgate
	install -m 0644 $(BUILD)/completions/_govgate $(DESTDIR)$(ZSHCOMPDIR)/_govgate
	cp -R rules $(DESTDIR)$(DATADIR)/
	cp -R policies $(DESTDIR)$(DATADIR)/
	cp -R schemas $(DESTDIR)$(DATADIR)/

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/tools/embed.d \
  $(BUILD)/obj/embedded_data.d

# Coverage-guided fuzzing with libFuzzer (clang): make fuzz FUZZ_SECONDS=60.
# The harnesses are tests/fuzz/fuzz_*.c, linked against libgv built with
# the fuzzer's instrumentation; each one's seeds are tests/fuzz/seeds/NAME/
# (all of tests/fuzz/seeds/ and fixtures/ for those that have none).
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 2
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
              $(filter-out -Wformat=2,$(WARN)) -Ivalidator $(PKG_CFLAGS) -DGV_DATADIR='"$(DATADIR)"'
FUZZERS = $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
build-fuzz/obj/%.o: validator/%.c $(wildcard validator/*.h)
	@mkdir -p $(@D)
	$(call say,CC,$<)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
# The embedded rules and policies: the data the normal build generates.
build-fuzz/obj/embedded_data.o: $(BUILD)/gen/embedded_data.c
	@mkdir -p $(@D)
	$(call say,CC,$<)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
build-fuzz/libgv.a: $(LIB_SRC:validator/%.c=build-fuzz/obj/%.o) build-fuzz/obj/embedded_data.o
	@rm -f $@
	$(call say,AR,$@)ar rcs $@ $^
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h validator/*.h) build-fuzz/libgv.a
	$(call say,LD,$@)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libgv.a $(LIBS)
fuzz: deps $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
	  s=tests/fuzz/seeds/$$n; [ -d $$s ] || s="tests/fuzz/seeds fixtures"; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    build-fuzz/corpus-$$n $$s 2>&1 | tail -3 || exit 1; done

# The fuzz smoke of make check: each harness replays its seeds and fuzzes
# for FUZZ_SMOKE_SECONDS; skipped when clang is not installed.
check-fuzz:
	@if ! command -v clang >/dev/null 2>&1; then \
	  echo "fuzz: smoke skipped (clang is not installed)"; exit 0; fi; \
	mkdir -p build-fuzz; \
	if ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return !d + (int)n - (int)n; }\n' | \
	  clang -fsanitize=fuzzer -x c -o build-fuzz/probe - >/dev/null 2>&1; then \
	  echo "fuzz: smoke skipped (clang cannot link libFuzzer here)"; exit 0; fi; \
	$(MAKE) --no-print-directory -j$(NPROC) $(FUZZERS) >build-fuzz/build.log 2>&1 || \
	  { cat build-fuzz/build.log; exit 1; }; \
	sh tests/tally.sh guard "fuzz smoke" sh tests/fuzz/smoke.sh $(FUZZ_SMOKE_SECONDS) $(FUZZERS)
