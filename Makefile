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
# tests that prove every scenario can fail and that nothing leaks.
test: bootstrap lint
	.venv/bin/pytest tests/ $(ARGS)

lint: bootstrap
	.venv/bin/ruff check harness harness_contract tests scenarios examples
	.venv/bin/mypy

clean:
	.venv/bin/harness clean
