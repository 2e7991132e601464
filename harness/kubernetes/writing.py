"""Manifests as YAML files a user applies with `kubectl apply -f DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.kubernetes.manifests import Resource

_HEADER = """\
# Stack {stack_id}, written by `harness render --kubernetes` (docs/kubernetes.md).
# Every value comes from the stack; check edits offline: `harness check-manifests DIR`.
"""

__all__ = ["manifests_yaml", "write_manifests"]


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no types
    """Multi-line strings (the config files in ConfigMaps) as literal blocks, readable as
    the files they are; a value used twice (a probe's action) written out twice, not as a
    YAML alias a reader must follow."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, text: str) -> Any:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def manifests_yaml(stack_id: str, documents: list[Resource]) -> str:
    """One file's text: a header, then its documents separated by `---`."""
    body = str(yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, width=100))
    return _HEADER.format(stack_id=stack_id) + body


def write_manifests(stack_id: str, files: dict[str, list[Resource]], out: Path) -> list[Path]:
    """Write each file of manifests into `out`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, documents in files.items():
        target = out / name
        target.write_text(manifests_yaml(stack_id, documents), encoding="utf-8")
        written.append(target)
    return written
