.PHONY: run test lint format build compose-check deploy-check clean

# Brings the whole stack up on this machine with demo data; Ctrl-C stops it.
run:
	@scripts/run.sh

# Runs every test against a private PostgreSQL and Redis; exits with the tests' status.
test:
	@scripts/test.sh

# Checks the formatting against .swift-format (make test does too, and fails on compiler warnings in our code).
lint:
	@scripts/lint.sh

# Rewrites the code as .swift-format says.
format:
	swift-format format --in-place --recursive Package.swift Shared Services Tests bench/support

build:
	swift build

# Validates docker-compose.yml (needs Debian's docker-compose, not a Docker engine).
compose-check:
	docker-compose config -q
	docker-compose -f docker-compose.yml -f docker-compose.demo.yml config -q

# Stops the private stores and removes the run folder (the demo data with it).
clean:
	-@scripts/stores.sh stop dev
	-@scripts/stores.sh stop test
	rm -rf run

# Renders the Kubernetes overlays and validates them against the 1.30 schemas (make test does too).
deploy-check:
	@scripts/deploy-check.sh
