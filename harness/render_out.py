"""`harness render`: the effective configs of a stack, and a stack file that reuses them.

Run values (published ports) stay as `{{ placeholders }}`, so the written files work
unchanged in a later run through `--stack-file DIR/stack.toml`: edit one line, and the
scenarios test your edit.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

from harness.configs import render_stack
from harness.specs import StackSpec


def write_effective_configs(spec: StackSpec, out: Path) -> list[Path]:
    """Write the proxy and server configs and `stack.toml`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    rendered = render_stack(spec)
    written: list[Path] = []
    overrides: dict[str, object] = {}
    for key, files in (
        ("proxy_config", rendered.proxy.files),
        ("server_config", rendered.app.files),
    ):
        for index, file in enumerate(files):
            target = out / posixpath.basename(file.path)
            target.write_text(file.content, encoding="utf-8")
            written.append(target)
            if index == 0:  # the main config; helper files (HAProxy's Lua) are for reference
                overrides[key] = target.name
    if not rendered.app.files:
        overrides["server_args"] = list(rendered.app.command)
    stack_file = out / "stack.toml"
    lines = [
        "# Effective configs of a deploy-harness stack, written by `harness render`.",
        "# Edit the files, then: pytest scenarios/ --stack-file " + str(stack_file),
        "[[stacks]]",
        f"id = {json.dumps(spec.id)}",
        f"extends = {json.dumps(spec.id)}",
        "",
        "[stacks.overrides]",
        *(f"{key} = {json.dumps(value)}" for key, value in overrides.items()),
        "",
    ]
    stack_file.write_text("\n".join(lines), encoding="utf-8")
    written.append(stack_file)
    return written
