# kensa - the two README commands and the build.
#   make        build build/kensa
#   make demo   install what is missing, build, analyze the bundled Japanese sample
#   make check  install what is missing, build with ASan+UBSan and -Werror, run every test
MESON ?= meson
NINJA ?= ninja

.PHONY: all deps demo check clean

all: build/build.ninja
	$(NINJA) -C build

build/build.ninja:
	$(MESON) setup build --buildtype=debugoptimized -Dwerror=true

deps:
	@sh scripts/deps.sh

demo: deps all
	./build/kensa analyze --format text --lang ja data/samples/demo-ja.eml

build-check/build.ninja:
	$(MESON) setup build-check --buildtype=debug -Dwerror=true \
	    -Db_sanitize=address,undefined -Db_lundef=false

check: deps build-check/build.ninja
	$(NINJA) -C build-check
	sh tests/run.sh build-check

clean:
	rm -rf build build-check
