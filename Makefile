# The two commands of the README. Both install what a fresh machine lacks first.
.PHONY: scenarios test lint bootstrap clean

bootstrap:
	@scripts/bootstrap

# The main job: every scenario suite on the default stacks, building the images it needs, in
# parallel by itself: two pytest workers per core, as memory carries (about 1.5 GiB each), each
# running whole lanes of a stack on its own instance (harness/plugin/lanes.py; scenarios mostly wait).
# WORKERS=1 runs serially; WORKERS=6 forces six.
# (Counted when the recipe runs, after bootstrap has made the virtualenv.)
scenarios: bootstrap
	.venv/bin/pytest scenarios/ -n $(if $(WORKERS),$(WORKERS),$$(.venv/bin/python -m harness.plugin.workers)) --dist loadgroup $(ARGS)

# The tests: unit (no Docker), the reference apps, lint and types, and the integration
# tests that prove every scenario can fail and that nothing leaks. The broken variants run
# last, one more worker than there are cores (each variant is a pytest run of its own that
# mostly waits on its stack: 138 took 9 min 45 s with 3 workers on 2 cores, about 28 min with
# one); the rest run serially, since some measure timing or count the engine's containers.
# Both parts always run; the worse exit code is make's.
VARIANTS := tests/integration/test_broken_variants.py
VARIANT_WORKERS ?= $$(( $$(nproc) + 1 ))
test: bootstrap lint
	@.venv/bin/pytest tests/ --ignore=$(VARIANTS) $(ARGS); rest=$$?; \
	.venv/bin/pytest $(VARIANTS) -n $(VARIANT_WORKERS) $(ARGS); variants=$$?; \
	for code in $$rest $$variants; do [ $$code -eq 5 ] || [ $$code -le $${worst:-0} ] || worst=$$code; done; \
	exit $${worst:-0}

lint: bootstrap
	.venv/bin/ruff check harness harness_contract tests scenarios examples
	.venv/bin/mypy

clean:
	.venv/bin/harness clean
