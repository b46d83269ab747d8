# The user's commands. `make up` and `make test` work on a fresh Debian 12 machine:
# each installs what is missing, builds, then runs.
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test up bench fuzz soak format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

up: build
	$(BUILD)/cli/troupe up

bench: build
	scripts/run-benchmarks.sh $(BUILD)

# Thousands of simulation seeds (CI runs a fixed few hundred); SOAK_SEEDS per scenario.
SOAK_SEEDS ?= 2000
soak: build
	TROUPE_SIM_SEEDS=$(SOAK_SEEDS) $(BUILD)/tests/sim_tests --log_level=test_suite
	TROUPE_SIM_SEEDS=$(SOAK_SEEDS) $(BUILD)/tests/control_plane_sim_tests --log_level=test_suite

# The decoder under libFuzzer, seeded from manifests/; not part of CI.
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DTROUPE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_manifest_decoder
	scripts/run-fuzzer.sh $(FUZZ_BUILD)/fuzz/fuzz_manifest_decoder $(FUZZ_SECONDS)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
