# GridKeeper — common tasks. `make demo` and `make test` work on a fresh Debian/Ubuntu machine.
SWIFT ?= swift

.PHONY: demo test build release bootstrap clean

bootstrap:
	@./scripts/bootstrap

## Run the zero-set-up demo against the embedded simulator.
demo: bootstrap
	$(SWIFT) run gridkeeper demo

## Build and run the whole test suite (the PostgreSQL ledger's tests start their own server).
test:
	@./scripts/bootstrap --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release

clean:
	rm -rf .build
