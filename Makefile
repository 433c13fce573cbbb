# kensa - the two README commands and the build.
#   make        build build/kensa
#   make demo   install what is missing, build, analyze the bundled Japanese sample
#   make check  install what is missing, build with ASan+UBSan and -Werror, run every test
MESON ?= meson
NINJA ?= ninja

.PHONY: all deps demo check clean fuzz fuzz-campaign

all: build/build.ninja
	$(NINJA) -C build

build/build.ninja:
	$(MESON) setup build --buildtype=debugoptimized -Dwerror=true

# apt packages, then the IP data (npm pack, pinned, into .deps/ip). Without the
# npm registry the IP data is skipped with a warning: kensa still analyzes,
# without ASN/country, and the tests that need it say they skipped.
deps:
	@sh scripts/deps.sh
	@sh scripts/fetch_data.sh || echo "deps: WARNING: IP data not fetched (npm registry unreachable?); ASN/country lookups disabled" >&2

demo: deps all
	./build/kensa analyze --format md --lang ja data/samples/demo-ja.eml

build-check/build.ninja:
	$(MESON) setup build-check --buildtype=debug -Dwerror=true \
	    -Db_sanitize=address,undefined -Db_lundef=false

check: deps build-check/build.ninja
	$(NINJA) -C build-check
	sh tests/run.sh build-check

# libFuzzer harnesses (clang); each runs FUZZ_SECONDS, corpus kept in build-fuzz/corpus-NAME
FUZZ_SECONDS ?= 60
build-fuzz/build.ninja:
	CC=clang $(MESON) setup build-fuzz --buildtype=debugoptimized -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link

fuzz: deps build-fuzz/build.ninja
	$(NINJA) -C build-fuzz
	sh fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# issue 9's long runs: each harness to 10 M executions or 1 h in all, summed
# over sessions in build-fuzz/ledger.tsv; `sh fuzz/campaign.sh build-fuzz --sum`
fuzz-campaign: deps build-fuzz/build.ninja
	$(NINJA) -C build-fuzz
	sh fuzz/campaign.sh build-fuzz

clean:
	rm -rf build build-check build-fuzz
