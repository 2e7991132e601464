# The two commands of the README. Both install what a fresh machine lacks first.
.PHONY: scenarios test lint bootstrap clean

# Python caches bytecode here whatever the shell says: with PYTHONDONTWRITEBYTECODE set, every
# pytest process (each worker, each broken variant's own run) compiled the harness again and
# pytest rewrote its asserts again, about 0.4 CPU s a process (one variant's run: 1.45 user s
# with it set, 1.0-1.1 without).
unexport PYTHONDONTWRITEBYTECODE

bootstrap:
	@scripts/bootstrap

# The main job: every scenario suite on the default stacks, building the images it needs, in
# parallel by itself: three pytest workers per core, as memory carries (about 1.5 GiB each), each
# running a whole stack, or with fewer stacks than workers a lane of one, on its own instance
# (harness/plugin/lanes.py, harness/plugin/workers.py; scenarios mostly wait).
# The plugin picks the count from the stacks selected (ARGS="--stack ..." included) and the
# machine (harness/plugin/parallel.py). WORKERS=0 runs in one process; WORKERS=4 forces four.
scenarios: bootstrap
	.venv/bin/pytest scenarios/ $(if $(WORKERS),-n $(WORKERS)) $(ARGS)

# The tests: unit (no Docker), the reference apps, lint and types, and the integration
# tests that prove every scenario can fail and that nothing leaks. Those without Docker run
# first, on one worker per core (they are CPU-bound: 48 s on two workers, 97-110 s on one);
# then those that measure time or resources (marker `timing`), alone; then the Docker tests
# on one worker more than there are cores, one by one (most of them, the broken variants
# above all, a pytest run or a stack of their own that mostly waits). TEST_WORKERS=1 runs
# the Docker tests serially too. Every part always runs; the worst exit code is make's (5,
# nothing selected, counts as 0).
UNIT_WORKERS ?= $$(nproc)
TEST_WORKERS ?= $$(( $$(nproc) + 1 ))
test: bootstrap lint
	@.venv/bin/pytest tests/ -m "not docker and not timing" -n $(UNIT_WORKERS) $(ARGS); unit=$$?; \
	.venv/bin/pytest tests/ -m "timing" $(ARGS); timing=$$?; \
	.venv/bin/pytest tests/ -m "docker and not timing" -n $(TEST_WORKERS) $(ARGS); parallel=$$?; \
	for code in $$unit $$timing $$parallel; do [ $$code -eq 5 ] || [ $$code -le $${worst:-0} ] || worst=$$code; done; \
	exit $${worst:-0}

lint: bootstrap
	.venv/bin/ruff check harness harness_contract tests scenarios examples scripts
	.venv/bin/ruff format --check harness harness_contract tests scenarios examples scripts
	.venv/bin/mypy

clean:
	.venv/bin/harness clean
