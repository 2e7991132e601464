# The two commands of the README. Both install what a fresh machine lacks first.
.PHONY: scenarios test lint bootstrap clean

bootstrap:
	@scripts/bootstrap

# The main job: every scenario suite on the default stacks, building the images it needs.
scenarios: bootstrap
	.venv/bin/pytest scenarios/ $(ARGS)

# The tests: unit (no Docker), the reference apps, lint and types, and the integration
# tests that prove every scenario can fail and that nothing leaks.
test: bootstrap lint
	.venv/bin/pytest tests/ $(ARGS)

lint: bootstrap
	.venv/bin/ruff check harness tests scenarios
	.venv/bin/mypy harness

clean:
	.venv/bin/harness clean
