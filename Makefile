# podrun — build, test, benchmark and install.
PREFIX ?= /usr/local
CC ?= cc
SWIFT ?= swift
RELEASE_DIR := .build/release

.PHONY: all build test release install uninstall clean bench demo shim-release

all: build

build:
	$(SWIFT) build

# The README's test command; .ci/run calls it.
test:
	$(SWIFT) test

# SwiftPM links every executable, even the C shim, against the Swift runtime (≈3.6 MB of private
# memory per shim). The release shim is rebuilt with the C compiler alone, statically on Linux
# when the C library allows it (no dynamic loader: faster to start, ≈60 KiB PSS and 0.7 MB RSS
# per shim instead of ≈110 KiB and 1.2 MB), since one shim runs beside every container.
SHIM_CFLAGS ?= -O2 -Wall -Wextra
# On Linux the release executables carry the Swift runtime and Foundation themselves: only the
# code podrun uses is mapped (a lone podrun shares those libraries with nobody, so their whole
# relocated size would count in its PSS), and they run without a Swift toolchain installed.
# FoundationNetworking then needs libcurl's development files (Debian: libcurl4-openssl-dev);
# without them the release is linked dynamically, with a note.
release:
	@if [ "$$(uname -s)" = Linux ] && $(SWIFT) build -c release --static-swift-stdlib; then \
		echo "podrun: Swift runtime and Foundation linked statically"; \
	else \
		[ "$$(uname -s)" != Linux ] || echo "podrun: static link failed (libcurl development files missing?); linking dynamically"; \
		$(SWIFT) build -c release; \
	fi
	$(MAKE) shim-release

shim-release:
	@if [ "$$(uname -s)" = Linux ] && $(CC) $(SHIM_CFLAGS) -static -o $(RELEASE_DIR)/podrun-shim Sources/podrun-shim/main.c 2>/dev/null; then \
		echo "podrun-shim: built statically with $(CC)"; \
	else \
		echo "podrun-shim: built with $(CC)"; \
		$(CC) $(SHIM_CFLAGS) -o $(RELEASE_DIR)/podrun-shim Sources/podrun-shim/main.c; \
	fi

install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(RELEASE_DIR)/podrun $(RELEASE_DIR)/podrun-shim $(RELEASE_DIR)/podrun-http $(RELEASE_DIR)/podrun-demo $(DESTDIR)$(PREFIX)/bin/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/podrun $(DESTDIR)$(PREFIX)/bin/podrun-shim $(DESTDIR)$(PREFIX)/bin/podrun-http $(DESTDIR)$(PREFIX)/bin/podrun-demo

# The benchmark (docs/performance.md): release podrun and shim, every workload, one table.
# About 2.5 minutes; run it on an otherwise idle machine. BENCH_ARGS="--reps 3 --only w1,w2" etc.
BENCH_ARGS ?=
bench: release
	$(RELEASE_DIR)/podrun-bench --podrun $(RELEASE_DIR)/podrun $(BENCH_ARGS)

# Runs an example pod (EXAMPLE=native-sidecar by default) with the debug build.
EXAMPLE ?= native-sidecar
demo: build
	.build/debug/podrun run examples/$(EXAMPLE)/pod.yaml

clean:
	rm -rf .build
