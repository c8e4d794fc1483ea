# SPDX-License-Identifier: GPL-2.0
#
# esptun: route-based ESP tunnel interfaces for Linux.
#
#   make            module (kmod/esptun.ko) and tools (tools/esptun, esptund)
#   make deps       install the build and test dependencies (Debian 12)
#   make check      unit tests, then the selftests in QEMU on Debian's kernel
#                   and on the debug kernel (KERNEL=debian or KERNEL=debug for
#                   one of them, T="test ..." for some tests)
#   make demo       boot the VM: two sites, an IKEv2 tunnel by esptund
#   make lint       checkpatch --strict and sparse on the module
#   make install    module (with depmod) and tools

# Debian's kernel ABI, from the metapackage: never hard-coded.
KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	  sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /lib/modules/$(KVER)/build
KERNEL ?= debian debug
T ?=
PREFIX ?= /usr/local
TARBALL := /usr/src/linux-source-6.1.tar.xz
BUILD := $(CURDIR)/build
# The module's own sources (not kbuild's generated esptun.mod.c).
KSRC := $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
	kmod/uapi/linux/esptun.h

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEPS := linux-image-amd64 linux-headers-amd64 linux-source-6.1 \
	build-essential bc flex bison libelf-dev libssl-dev xz-utils \
	qemu-system-x86 busybox-static cpio kmod util-linux procps iproute2 \
	iputils-ping iperf3 tcpdump nftables python3 python3-scapy \
	libnl-3-dev libnl-genl-3-dev pkg-config clang libclang-rt-14-dev \
	sparse strongswan-charon strongswan-swanctl \
	libstrongswan-standard-plugins libstrongswan-extra-plugins openssl

all: module tools

need-kernel:
	@[ -n "$(KVER)" ] && [ -d "$(KDIR)" ] || \
	{ echo "linux-headers-amd64 is not installed: run 'make deps'"; exit 1; }

module: need-kernel
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tools:
	$(MAKE) -C tools

# The module built again for the debug kernel, from a copy of the sources
# (kbuild writes its objects next to them).
debug-module:
	@kdir=$$(selftests/qemu/debug-kernel.sh) && \
	mkdir -p $(BUILD)/debug && \
	cp -r Kbuild kmod $(BUILD)/debug/ && \
	$(MAKE) -C $$kdir M=$(BUILD)/debug W=1 modules

# The example configurations must stay loadable: esptund -t checks them.
unit:
	$(MAKE) -C tools unit esptund
	@for f in examples/esptund/*.conf; do \
		tools/esptund -t -c $$f || exit 1; done

selftests:
	$(MAKE) -C selftests

# With both kernels, the debug kernel (if not cached yet) builds while the
# Debian kernel's guest runs: a fresh machine saves most of the build.
check: all unit install-check selftests
	@failed=; bg=; \
	case " $(KERNEL) " in *" debian "*debug*) \
		echo "make check: the debug kernel builds (or is found cached) in the background: $(BUILD)/debug-kernel.log"; \
		mkdir -p $(BUILD); selftests/qemu/debug-kernel.sh > $(BUILD)/debug-kernel.log 2>&1 & bg=$$!;; \
	esac; \
	for k in $(KERNEL); do \
		if [ $$k = debug ] && [ -n "$$bg" ] && ! wait $$bg; then \
			tail -n 30 $(BUILD)/debug-kernel.log; failed="$$failed $$k"; continue; \
		fi; \
		if [ $$k = debug ]; then $(MAKE) debug-module || { failed="$$failed $$k"; continue; }; fi; \
		selftests/qemu/vm.sh --kernel $$k --mode check -- $(T) || failed="$$failed $$k"; \
	done; \
	for k in $(KERNEL); do \
		f=$(BUILD)/check/$$k/results.tap; \
		[ -e $$f ] && echo "$$k kernel: $$(grep -c '^ok' $$f) passed, $$(grep -c '^not ok' $$f) failed"; \
	done; \
	if [ -n "$$failed" ]; then echo "make check: FAILED on:$$failed (logs under build/check/)"; exit 1; fi; \
	echo "make check: all passed on: $(KERNEL)"

demo: all
	selftests/qemu/vm.sh --kernel debian --mode demo

$(BUILD)/checkpatch/checkpatch.pl:
	@test -r $(TARBALL) || { echo "$(TARBALL) missing: run 'make deps'"; exit 1; }
	mkdir -p $(BUILD)/checkpatch
	tar -xJf $(TARBALL) -C $(BUILD)/checkpatch --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

lint: need-kernel $(BUILD)/checkpatch/checkpatch.pl
	$(BUILD)/checkpatch/checkpatch.pl --strict --no-tree --terse --show-types \
		-f $(KSRC)
	@out=$$($(MAKE) -s -C $(KDIR) M=$(CURDIR) C=2 modules 2>&1); \
	echo "$$out"; \
	if echo "$$out" | grep -E 'warning:|error:' > /dev/null; then \
		echo "sparse: not clean"; exit 1; fi; \
	echo "sparse: clean"
	python3 Documentation/netlink/check-spec.py

# INSTALL_MOD_PATH and DESTDIR stage the install under another root.
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER)
	install -D -m 0755 tools/esptun $(DESTDIR)$(PREFIX)/sbin/esptun
	install -D -m 0755 tools/esptund $(DESTDIR)$(PREFIX)/sbin/esptund

# `make install` into a scratch root: modprobe must map the names the kernel
# asks for on demand (link kind, genl family) to the installed module.
install-check: all
	@root=$(BUILD)/install-root; rm -rf $$root; mkdir -p $(BUILD); \
	$(MAKE) -s install INSTALL_MOD_PATH=$$root DESTDIR=$$root \
		> $(BUILD)/install-check.log 2>&1 || { cat $(BUILD)/install-check.log; exit 1; }; \
	for alias in rtnl-link-esptun net-pf-16-proto-16-family-esptun; do \
		mod=$$(modprobe -d $$root -S $(KVER) -R $$alias) && \
		[ "$$mod" = esptun ] || \
		{ echo "install-check: modprobe does not resolve $$alias"; exit 1; }; \
	done && \
	test -x $$root$(PREFIX)/sbin/esptun && test -x $$root$(PREFIX)/sbin/esptund && \
	echo "install-check: ok (module aliases resolve, tools installed)"

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "make deps: everything is installed"; exit 0; fi; \
	echo "make deps: installing$$(echo $$missing | tr '\n' ' ')"; \
	$(SUDO) apt-get update && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y \
		--no-install-recommends $$missing

clean:
	-[ -d "$(KDIR)" ] && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools clean
	rm -rf $(BUILD)

.PHONY: all need-kernel module tools debug-module unit selftests check demo \
	lint install install-check deps clean
