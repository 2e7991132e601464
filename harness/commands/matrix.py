"""`harness matrix run | plan | merge | report | compatibility | diff`.

Exit codes: 0 all good; 1 a case failed (run), or a cell newly fails against the baseline
(report --baseline, diff); 2 bad input or a harness error (the message says which).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.matrix.diff import diff_results
from harness.matrix.schema import MatrixResults, load_results, write_results
from harness.matrix.shards import ShardSpec, github_matrix, plan_shards, shard_of
from harness.plugin.workers import default_workers
from harness.spec.catalog import PROFILES
from harness.spec.model import StackSpec
from harness.spec.selection import select_stacks

EXIT_FAILURES = 1


def add_matrix_commands(commands: Any) -> None:
    """Register `matrix` and its subcommands on the `harness` parser's subparsers."""
    matrix = commands.add_parser(
        "matrix", help="the compatibility matrix: run, plan, merge, report, diff",
        description=__doc__, allow_abbrev=False, formatter_class=argparse.RawTextHelpFormatter,
    )  # fmt: skip
    sub = matrix.add_subparsers(dest="matrix_command", required=True)
    run = _selecting(sub.add_parser("run", help=cmd_run.__doc__, allow_abbrev=False))
    run.set_defaults(handler=cmd_run)
    run.add_argument("--shard", type=_shard, default=ShardSpec(1, 1), metavar="I/N")
    run.add_argument("--out", required=True, type=Path, metavar="DIR")
    run.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="pytest workers (default: from cores and memory)",
    )
    run.add_argument(
        "--pytest-args",
        default="",
        metavar="ARGS",
        help="more pytest arguments, e.g. \"-m 'forwarding or tls'\"",
    )
    run.add_argument("--no-retry", action="store_true", help="do not retry failed cases once")
    plan = _selecting(sub.add_parser("plan", help=cmd_plan.__doc__, allow_abbrev=False))
    plan.set_defaults(handler=cmd_plan)
    plan.add_argument("--shards", type=_positive, required=True, metavar="N")
    plan.add_argument("--json", action="store_true", help="print the GitHub Actions matrix")
    merge = sub.add_parser("merge", help=cmd_merge.__doc__, allow_abbrev=False)
    merge.set_defaults(handler=cmd_merge)
    merge.add_argument("shard_dirs", nargs="+", type=Path, metavar="DIR")
    merge.add_argument("--out", required=True, type=Path, metavar="DIR")
    merge.add_argument(
        "--partial",
        action="store_true",
        help="merge the shards there are (a run not finished yet); the reports say so",
    )
    compatibility = sub.add_parser(
        "compatibility", help=cmd_compatibility.__doc__, allow_abbrev=False
    )
    compatibility.set_defaults(handler=cmd_compatibility)
    compatibility.add_argument("results", type=Path, metavar="RESULTS")
    compatibility.add_argument("--out", type=Path, metavar="FILE", help="default: stdout")
    report = sub.add_parser("report", help=cmd_report.__doc__, allow_abbrev=False)
    report.set_defaults(handler=cmd_report)
    report.add_argument("results", type=Path, metavar="RESULTS")
    report.add_argument("--out", required=True, type=Path, metavar="DIR")
    report.add_argument("--baseline", type=Path, metavar="OLD_RESULTS")
    diff = sub.add_parser("diff", help=cmd_diff.__doc__, allow_abbrev=False)
    diff.set_defaults(handler=cmd_diff)
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")


def _selecting(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--profile", choices=list(PROFILES))
    parser.add_argument("--stack", action="append", metavar="GLOB")
    parser.add_argument("--stack-file", action="append", type=Path, metavar="FILE")
    parser.add_argument(
        "--durations-from",
        type=Path,
        metavar="RESULTS",
        help="balance shards by the stack durations of a previous results.json",
    )
    return parser


def _shard(text: str) -> ShardSpec:
    try:
        return ShardSpec.parse(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--shard: ")) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a whole number from 1")
    return int(text)


def _selection(args: argparse.Namespace) -> tuple[list[StackSpec], str]:
    specs = select_stacks(args.stack or [], args.stack_file or [], args.profile)
    parts = [f"--profile {args.profile}"] if args.profile else []
    parts += [f"--stack {glob}" for glob in args.stack or []]
    parts += [f"--stack-file {path}" for path in args.stack_file or []]
    return specs, " ".join(parts) or "--profile default"


def _measured(args: argparse.Namespace) -> dict[str, float]:
    if args.durations_from is None:
        return {}
    previous = load_results(args.durations_from)
    return {stack_id: record.seconds for stack_id, record in previous.stacks.items()}


def cmd_run(args: argparse.Namespace) -> int:
    """Run the scenario suites over the selection (or one --shard of it) into DIR/results.json."""
    from harness.matrix.runner import MatrixPlan, run_matrix  # pytest, docker-py: when run

    specs, selection = _selection(args)
    mine = shard_of(specs, args.shard, _measured(args))
    try:
        pytest_args = tuple(shlex.split(args.pytest_args))
    except ValueError as error:
        raise ConfigError(f"--pytest-args: got {args.pytest_args!r}; {error}") from None
    plan = MatrixPlan(
        specs=tuple(mine),
        # pytest runs in the harness's own folder: paths from the user's folder go absolute.
        stack_files=tuple(Path(path).resolve() for path in args.stack_file or ()),
        shard=args.shard,
        selection=selection,
        workers=args.workers or default_workers(len(mine)),
        pytest_args=pytest_args,
        retry=not args.no_retry,
    )
    out = Path(args.out).resolve()
    results = run_matrix(plan, out)
    path = write_results(results, out)
    _print_counts(results, f"shard {args.shard.label}: wrote {path}")
    return EXIT_FAILURES if results.failures else 0


def cmd_plan(args: argparse.Namespace) -> int:
    """Deal the selection into N shards by expected duration; --json prints the CI matrix."""
    specs, _ = _selection(args)
    shards = plan_shards(specs, args.shards, _measured(args))
    if args.json:
        sys.stdout.write(json.dumps(github_matrix(shards)) + "\n")
        return 0
    for shard in shards:
        print(
            f"shard {shard.spec.label}: {len(shard.stack_ids)} stack(s), about "
            f"{shard.expected_seconds:.0f}s serial: {' '.join(shard.stack_ids)}"
        )
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge shard results into one results.json; refuse a missing or duplicated shard."""
    from harness.matrix.merge import merge_results  # the recorder's pytest: when run

    parts = [(folder, load_results(folder)) for folder in args.shard_dirs]
    merged = merge_results(parts, args.out, partial=args.partial)
    _print_counts(
        merged, f"merged {len(args.shard_dirs)} shard(s) into {write_results(merged, args.out)}"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write index.html, summary.md and junit.xml from a results.json (diffed to --baseline)."""
    from harness.matrix.report import write_reports

    results = load_results(args.results)
    diff = diff_results(load_results(args.baseline), results) if args.baseline else None
    for path in write_reports(results, args.out, diff):
        print(f"wrote {path}")
    if diff is not None:
        print("\n".join(diff.lines()))
        return EXIT_FAILURES if diff.has_new_failures else 0
    return 0


def cmd_compatibility(args: argparse.Namespace) -> int:
    """Write docs/compatibility.md's page from a merged results.json: per proxy x server x
    app mode, the families that hold, the known incompatibilities, the findings."""
    from harness.matrix.report.compatibility import render_compatibility, write_compatibility

    results = load_results(args.results)
    if args.out is None:
        sys.stdout.write(render_compatibility(results))
    else:
        print(f"wrote {write_compatibility(results, args.out)}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare two results.json cell by cell; exit 1 when a cell newly fails."""
    diff = diff_results(load_results(args.old), load_results(args.new))
    print("\n".join(diff.lines()))
    return EXIT_FAILURES if diff.has_new_failures else 0


def _print_counts(results: MatrixResults, headline: str) -> None:
    counts = {
        str(outcome): results.count(outcome) for outcome in {c.outcome for c in results.cases}
    }
    print(headline)
    print(
        f"{len(results.stacks)} stack(s), {len(results.cases)} cell(s): "
        + ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
    )
    for case in results.failures:
        print(f"  {case.outcome}: {case.stack} {case.case}: {case.reason}")
