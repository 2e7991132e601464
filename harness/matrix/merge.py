"""Shards into one results.json: every shard exactly once, every stack in exactly one shard.

A missing shard would silently shrink the night's matrix and a duplicated one would count
cells twice, so both are refused, naming the folders; `partial=True` takes a run whose
remaining shards have not been run yet (a whole profile run shard by shard on one machine),
and the merged run's shard list, short of its count, says so to every report. Each shard's
config copies come along, so the merged results still point at the files that ran.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from harness.errors import ConfigError
from harness.matrix.recorder import CONFIGS_DIR
from harness.matrix.runinfo import harness_commit
from harness.matrix.schema import MatrixResults, RunInfo, ShardInfo, sorted_cases


def merge_results(
    parts: Sequence[tuple[Path, MatrixResults]], out: Path, *, partial: bool = False
) -> MatrixResults:
    """One run from its shards (each given with the folder it was read from)."""
    if not parts:
        raise ConfigError("matrix merge: no shard folders given")
    shards = _checked_shards(parts, partial)
    _check_no_stack_twice(parts)
    for folder, _ in parts:
        configs = folder / CONFIGS_DIR if folder.is_dir() else folder.parent / CONFIGS_DIR
        if configs.is_dir() and configs.resolve() != (out / CONFIGS_DIR).resolve():
            shutil.copytree(configs, out / CONFIGS_DIR, dirs_exist_ok=True)
    runs = [results.run for _, results in parts]
    first = runs[0]
    run = RunInfo(
        harness_version=first.harness_version,
        harness_commit=first.harness_commit or harness_commit(),
        started=min(r.started for r in runs),
        ended=max(r.ended for r in runs),
        engine_version=first.engine_version,
        host_cores=first.host_cores,
        workers=first.workers,
        selection=first.selection,
        shards=tuple(sorted(shards, key=lambda shard: shard.index)),
    )
    return MatrixResults(
        run=run,
        stacks={k: v for _, results in parts for k, v in results.stacks.items()},
        cases=sorted_cases(case for _, results in parts for case in results.cases),
    )


def _checked_shards(parts: Sequence[tuple[Path, MatrixResults]], partial: bool) -> list[ShardInfo]:
    found: dict[int, Path] = {}
    counts = {shard.count for _, results in parts for shard in results.run.shards}
    if len(counts) != 1:
        raise ConfigError(
            f"matrix merge: the shards come from different plans (shard counts "
            f"{', '.join(map(str, sorted(counts)))}). Hint: merge the shards of one night."
        )
    count = counts.pop()
    shards: list[ShardInfo] = []
    for folder, results in parts:
        for shard in results.run.shards:
            if shard.index in found:
                raise ConfigError(
                    f"matrix merge: shard {shard.label} is given twice: in {found[shard.index]} "
                    f"and in {folder}"
                )
            found[shard.index] = folder
            shards.append(shard)
    missing = sorted(set(range(1, count + 1)) - found.keys())
    if missing and not partial:
        raise ConfigError(
            f"matrix merge: shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing; "
            f"got {', '.join(f'{i}/{count} ({found[i]})' for i in sorted(found))}. Hint: a "
            "shard job failed before uploading its results (--partial merges what there is)."
        )
    return shards


def _check_no_stack_twice(parts: Sequence[tuple[Path, MatrixResults]]) -> None:
    seen: dict[str, Path] = {}
    for folder, results in parts:
        for stack_id in results.stacks:
            if stack_id in seen:
                raise ConfigError(
                    f"matrix merge: stack {stack_id} is in two shards: {seen[stack_id]} and "
                    f"{folder}. Hint: the shards were planned from different selections."
                )
            seen[stack_id] = folder
