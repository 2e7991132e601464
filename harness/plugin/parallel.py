"""A run of our scenarios is parallel by itself: `pytest scenarios/`, `harness test` and
`make scenarios` alike get pytest-xdist's `-n auto --dist loadgroup`, which the plugin answers
with as many workers as the machine carries for the stacks selected (harness/plugin/workers.py),
each running a stack or one of its lanes (harness/plugin/lanes.py). One stack's scenarios then
take about as long as its longest lane, not the sum of them.

`-n N` alone gets `--dist loadgroup` too. A run stays in one process with `-n 0` (as in
xdist), without xdist (`-p no:xdist`), and when what the user asked for needs the process that
runs the cases: a debugger (`--pdb`, `--trace`), output shown as it comes
(`-s`: xdist's workers capture it regardless), stacks kept for a look afterwards
(`--keep-stacks`), or only a listing (`--collect-only`). A mode the user chose (`--dist`,
`--tx`) is theirs.

A worker parses the controller's command line again, not its options: a `--dist loadgroup`
the plugin chose would not reach it, and the worker would not put the groups into the node
ids (xdist's remote.setup_config), so every test would be a group of its own and each worker
would start every stack it drew a test of. The controller says so in the worker's input.
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = [
    "distribute_by_default",
    "group_on_this_worker",
    "mode_chosen",
    "one_process_reason",
    "tell_worker_to_group",
]

_GROUPS_KEY = "harness_loadgroup"  # in xdist's workerinput: the controller runs --dist loadgroup

# Option dest -> what the user asked for that needs one process, when the option is set.
_NEEDS_ONE_PROCESS = {
    "usepdb": "--pdb",
    "trace": "--trace",
    "keep_stacks": "--keep-stacks",
    "collectonly": "--collect-only",
}


def mode_chosen(config: pytest.Config) -> bool:
    """Whether the user's own arguments (or addopts) chose how xdist distributes the run:
    `--dist`, `--tx` or `-d`. A worker count alone (`-n 4`) is not a mode."""
    option = config.option
    return (
        getattr(option, "dist", "no") != "no"
        or bool(getattr(option, "tx", None))
        or bool(getattr(option, "distload", False))
    )


def one_process_reason(config: pytest.Config) -> str | None:
    """The option that keeps this run in one process, if any."""
    for dest, flag in _NEEDS_ONE_PROCESS.items():
        if getattr(config.option, dest, False):
            return flag
    if getattr(config.option, "capture", "fd") == "no":
        return "-s"
    return None


def distribute_by_default(config: pytest.Config) -> bool:
    """On the controller, before xdist reads its options: no worker count given, `-n auto`
    (unless the run needs one process); a count other than 0, or auto, `--dist loadgroup`,
    so each stack (or lane) runs on one worker, not each case on any (xdist's `load`, with a
    stack started by every worker that draws one of its cases). A mode the user chose, or no
    xdist, is left alone. Returns whether the run is distributed."""
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return False
    if mode_chosen(config):
        return False
    option = config.option
    if option.numprocesses is None:
        if one_process_reason(config) is not None:
            return False
        option.numprocesses = "auto"
    if option.numprocesses == 0:
        return False
    option.dist = "loadgroup"
    option.loadscopereorder = False  # the workers queue the groups (lanes.longest_first)
    return True


def tell_worker_to_group(node: Any) -> None:
    """On the controller, for each worker it starts (xdist's pytest_configure_node)."""
    node.workerinput[_GROUPS_KEY] = node.config.getvalue("dist") == "loadgroup"


def group_on_this_worker(config: pytest.Config) -> None:
    """On a worker, before collection: group as the controller does."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and workerinput.get(_GROUPS_KEY):
        config.option.loadgroup = True
