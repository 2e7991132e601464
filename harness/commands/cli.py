"""The `harness` command: test, build, stacks, render, check-manifests, up, load, clean, doctor,
init, scenarios.

Every failure the harness expects (bad input, engine down, build failed) ends as one clear
message and the exit code of its class (harness/exitcodes.py), never a traceback.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from harness.commands.matrix import add_matrix_commands
from harness.errors import ConfigError, HarnessError
from harness.exitcodes import HELP as EXIT_CODES_HELP
from harness.exitcodes import ExitCode, exit_code_for
from harness.progress import Progress
from harness.spec.catalog import PROFILES
from harness.spec.model import StackSpec
from harness.spec.selection import known_stacks, nearest_stacks, select_stacks
from harness.spec.stackfile import load_stack_file

if TYPE_CHECKING:
    from harness.plugin.scenario_index import ScenarioEntry

# A command imports the image builders, docker-py and the runners when it runs: the parser,
# `--help` and a usage error need none of them (0.2 CPU s a call instead of 0.85 on this
# machine; the tests call the CLI about a hundred times).

EXIT_FAILURE = ExitCode.CHECKS_FAILED
EXIT_USAGE = ExitCode.USAGE

# Wide enough for the stacks table when output goes to a file or CI log.
console = Console(width=None if sys.stdout.isatty() else 220)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def _files(args: argparse.Namespace) -> list[Path]:
    return list(getattr(args, "stack_file", None) or [])


def cmd_stacks(args: argparse.Namespace) -> int:
    """List every known stack and profile, or only those --stack/--profile select."""
    from harness.building.pinned import resolve_pin_set

    if args.stack or args.profile:
        stacks = {spec.id: spec for spec in _selected(args)}
    else:
        stacks = known_stacks([spec for path in _files(args) for spec in load_stack_file(path)])
    if args.resolve:
        for spec in stacks.values():
            if spec.packages:
                resolve_pin_set(spec, Progress())
    table = _stacks_table(stacks.values())
    console.print(table)
    for name, members in PROFILES.items():
        console.print(f"profile [bold]{name}[/]: {len(members)} stack(s)")
    specs = list(stacks.values())
    console.print(
        f"{len({s.proxy for s in specs})} proxies, {len({s.server for s in specs})} servers "
        f"({len({s.server_label for s in specs})} server modes), "
        f"{len({s.app_mode for s in specs})} app modes: "
        f"{', '.join(sorted({s.app_mode for s in specs}))}"
    )
    return 0


def _stacks_table(specs: Iterable[StackSpec]) -> Table:
    """One row per stack: its parts, versions and where it was declared."""
    from harness.building.pinned import versions_line

    columns = ("stack", "proxy", "server", "app mode", "tls", "replicas", "balancing")
    table = Table(*columns, "versions", "source")
    for spec in specs:
        table.add_row(
            spec.id,
            f"{spec.proxy} + cache" if spec.cache else str(spec.proxy),
            spec.server_label,
            spec.app_mode,
            "yes" if spec.tls else "no",
            str(spec.replicas),
            str(spec.balancing),
            versions_line(spec),
            spec.source,
        )
    return table


def _selected(args: argparse.Namespace) -> list[StackSpec]:
    return select_stacks(
        getattr(args, "stack", None) or [], _files(args), getattr(args, "profile", None)
    )


def cmd_build(args: argparse.Namespace) -> int:
    """Build (or reuse) every image the selected stacks run, their own included; say which."""
    from harness.building.pinned import resolve_pin_set
    from harness.run.session import HarnessSession

    progress, specs = Progress(), _selected(args)
    for spec in specs:  # every pin checked before the first (minute-long) build
        if spec.packages:
            resolve_pin_set(spec, progress)
    session = HarnessSession(progress)  # builds as `harness test` does, and starts nothing
    try:
        shown: set[str] = set()
        for spec in specs:
            session.build(spec)
            for outcome in session.builds:
                if outcome.tag not in shown:
                    shown.add(outcome.tag)
                    console.print(outcome.describe())
    finally:
        session.close()
    return 0


def _named_stacks(args: argparse.Namespace, stack_ids: Sequence[str]) -> list[StackSpec]:
    """The stacks named on the command line, among built-in and stack-file stacks."""
    stacks = known_stacks([spec for path in _files(args) for spec in load_stack_file(path)])
    for stack_id in stack_ids:
        if stack_id not in stacks:
            raise HarnessError(
                f"{args.command}: unknown stack {stack_id!r}. "
                + nearest_stacks(stack_id, sorted(stacks))
            )
    return [stacks[stack_id] for stack_id in stack_ids]


def _named_stack(args: argparse.Namespace) -> StackSpec:
    return _named_stacks(args, [args.stack_id])[0]


def cmd_render(args: argparse.Namespace) -> int:
    """Write the exact configs a stack runs with, and a stack file that uses them (--out);
    the stack as Kubernetes manifests (--kubernetes)."""
    from harness.building.render_out import write_effective_configs

    if args.out is None and args.kubernetes is None:
        raise ConfigError(
            "render: nothing to write; expected --out DIR (the effective configs), "
            "--kubernetes DIR (manifests), or both. Hint: harness render STACK --out ./effective/"
        )
    spec, written = _named_stack(args), []
    for option, folder in (("--out", args.out), ("--kubernetes", args.kubernetes)):
        if folder is None:
            continue
        try:
            if option == "--out":
                written += write_effective_configs(spec, Path(folder))
            else:
                written += _write_kubernetes(spec, Path(folder))
        except OSError as error:
            raise ConfigError(
                f"render: cannot write to {option} {folder!r}: {error.strerror or error}; "
                f"allowed: a folder you can create and write. Hint: choose another {option}."
            ) from None
    for path in written:
        console.print(f"wrote {path}")
    return 0


def _write_kubernetes(spec: StackSpec, out: Path) -> list[Path]:
    from harness.kubernetes.manifests import stack_manifests
    from harness.kubernetes.writing import write_manifests

    return write_manifests(spec.id, stack_manifests(spec), out)


def cmd_check_manifests(args: argparse.Namespace) -> int:
    """Validate Kubernetes manifests offline (schemas of each version) and check their
    relations: grace period, probes, ingress limits (docs/kubernetes.md)."""
    from harness.kubernetes.checking import check_manifests

    spec = _named_stacks(args, [args.stack_id])[0] if args.stack_id else None
    outcome = check_manifests(Path(args.folder), args.kubernetes_version or (), spec)
    for line in outcome.problems:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for line in outcome.notes:
        console.print(f"note: {line}", markup=False, highlight=False, soft_wrap=True)
    versions = ", ".join(outcome.versions)
    console.print(
        f"{len(outcome.problems)} problem(s) in {outcome.documents} document(s); "
        f"schemas of Kubernetes {versions}",
        markup=False,
        highlight=False,
    )
    return EXIT_FAILURE if outcome.problems else 0


def cmd_up(args: argparse.Namespace) -> int:
    """Start one stack and leave it running; print how to reach and remove it."""
    from harness.run.runtime import RunIdentity
    from harness.run.session import HarnessSession

    spec = _named_stack(args)
    session = HarnessSession(Progress(), RunIdentity.new(kept=True))
    try:
        stack = session.start(spec)
    except BaseException:
        session.close()
        raise
    console.print(f"stack {stack.id} is up at {stack.url} ({stack.up_seconds:.1f}s)")
    if stack.ca_path:
        console.print(f"  its test CA: {stack.ca_path}")
    console.print(f"  remove it: harness clean --run {session.identity.run_id}")
    return 0


def cmd_base(args: argparse.Namespace) -> int:
    """Print the tag of our base image (built if missing), for your Dockerfile's FROM."""
    from harness.building.images import ensure_base
    from harness.spec.model import Suite

    console.print(ensure_base(Suite(args.suite), Progress()).tag, soft_wrap=True)
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """Run our scenario suites (and your own scenario files) on the selected stacks."""
    from harness.commands.testrun import run_scenarios

    selection = [f"--stack={glob}" for glob in args.stack or []]
    selection += [f"--stack-file={path}" for path in _files(args)]
    selection += [f"--profile={args.profile}"] if args.profile else []
    return run_scenarios(args.paths, selection, args.pytest_args, args.workers)


def cmd_load(args: argparse.Namespace) -> int:
    """Run the same bounded load sweep on each stack in turn, compare, report and gate.

    Exit codes: 0 all good; 1 a step failed more requests than --max-failure-ratio;
    3 the gate found a regression against --baseline; 2 bad input (EXIT_USAGE).
    """
    from harness.commands.load import plan_from, run_load_command

    plan, baseline, threshold = plan_from(args)
    return run_load_command(args, plan, _named_stacks(args, args.stack_ids), baseline, threshold)


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"got {text!r}; allowed: {low} to {high}")
        return int(text)

    return parse


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number from 0 to 1")
    return value


def _url_path(text: str) -> str:
    if not text.startswith("/") or "," in text or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError(
            f"got {text!r}; allowed: a path on the stack, starting with /, without commas or spaces"
        )
    return text


def cmd_clean(args: argparse.Namespace) -> int:
    """Remove containers, networks and volumes the harness left behind."""
    from harness.run.runtime import remove_images, remove_resources

    removed = remove_resources(run_id=args.run, only_orphans=args.orphans)
    if args.images:
        removed += remove_images()
    for name in removed:
        console.print(f"removed {name}")
    console.print(f"{len(removed)} resource(s) removed")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List every scenario, the property it proves and over which inputs, and the
    misconfigurations that it catches."""
    from harness.plugin.scenario_index import as_markdown, scenario_index

    entries = scenario_index()
    if args.markdown:
        sys.stdout.write(as_markdown(entries))
        return 0
    if args.own_app:
        return _own_app_table(entries)
    table = Table("family", "scenario", "property", "over", "protocols", "catches")
    for entry in entries:
        table.add_row(
            entry.family,
            entry.node,
            entry.property,
            "\n".join(entry.inputs) or "-",
            entry.protocols,
            "\n".join(v.split(" (")[0] for v in entry.caught_by) or "-",
        )
    console.print(table)
    return 0


def _own_app_table(entries: list[ScenarioEntry]) -> int:
    """What runs on your own app behind the contract adapter, and why the rest does not."""
    table = Table("family", "scenario", "on your own app")
    for entry in entries:
        verdict = "runs" if entry.not_on_own_app is None else f"skips: {entry.not_on_own_app}"
        table.add_row(entry.family, entry.node, verdict)
    runs = sum(entry.not_on_own_app is None for entry in entries)
    console.print(table)
    console.print(
        f"{runs} of {len(entries)} scenarios run on your own app; as on any stack, WebSocket "
        "scenarios need an ASGI app, TLS ones a TLS proxy, cache ones `cache = true`."
    )
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Write a stack.toml (and deploy_tests/) for the project in FOLDER, from what is there."""
    from harness.commands.init import init_project

    for line in init_project(args.folder, force=args.force):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check what the harness needs on this machine and say how to fix each problem."""
    from harness.commands.doctor import run_checks

    problems = 0
    for check in run_checks():
        mark = "[green]ok[/]" if check.ok else "[red]problem[/]"
        console.print(f"{mark:>20}  {check.name}: {check.detail}")
        if not check.ok:
            problems += 1
            console.print(f"{'':>9}  fix: {check.hint}")
    return EXIT_FAILURE if problems else 0


def _parser() -> argparse.ArgumentParser:
    # No abbreviations: `--stack` must never be taken for `--stack-file`.
    parser = argparse.ArgumentParser(
        prog="harness",
        description=__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = partial(_add_command, commands)
    _add_run_commands(add)
    _add_stack_commands(add)
    clean = add("clean", cmd_clean, files=False)
    clean.add_argument("--run", metavar="RUN_ID", help="only this run's resources")
    clean.add_argument(
        "--orphans", action="store_true", help="only resources of runs whose process is gone"
    )
    clean.add_argument(
        "--images", action="store_true", help="also remove every deploy-harness image"
    )
    add("doctor", cmd_doctor, files=False)
    init = add("init", cmd_init, files=False)
    init.add_argument(
        "folder", nargs="?", default=Path(), type=Path, metavar="FOLDER",
        help="your project's folder (default: this one)",
    )  # fmt: skip
    init.add_argument("--force", action="store_true", help="overwrite files init writes")
    add_matrix_commands(commands)
    scenarios = add("scenarios", cmd_scenarios, files=False)
    scenarios.add_argument("--markdown", action="store_true", help="print docs/scenarios.md")
    scenarios.add_argument(
        "--own-app",
        action="store_true",
        help="what runs on your own app behind the contract adapter, and why the rest does not",
    )
    return parser


AddCommand = Callable[..., argparse.ArgumentParser]


def _add_command(
    commands: Any,  # argparse's _SubParsersAction, private
    name: str,
    handler: Callable[[argparse.Namespace], int],
    selection: bool = False,
    files: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand whose help is its handler's docstring, with the stack options it takes."""
    sub: argparse.ArgumentParser = commands.add_parser(
        name, help=(handler.__doc__ or "").strip(), allow_abbrev=False
    )
    sub.set_defaults(handler=handler)
    if files:
        sub.add_argument("--stack-file", action="append", type=Path, metavar="FILE")
    if selection:
        sub.add_argument("--stack", action="append", metavar="GLOB")
        sub.add_argument("--profile", choices=list(PROFILES))
    return sub


def _add_run_commands(add: AddCommand) -> None:
    """`stacks` and `test`: what a selection holds, and its scenarios run."""
    stacks = add("stacks", cmd_stacks, selection=True)
    stacks.add_argument(
        "--resolve",
        action="store_true",
        help="download the wheelhouse of each pinned stack (from PyPI, on this host) to show "
        "the versions its pins resolve to; a bad pin is an error",
    )
    test = add("test", cmd_test, selection=True)
    test.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="your own scenario files or folders"
    )
    test.add_argument(
        "--pytest-args",
        dest="pytest_args",
        default=[],
        type=shlex.split,
        metavar="ARGS",
        help="more pytest arguments, split like a shell: --pytest-args='-m forwarding -x'",
    )
    test.add_argument(
        "--workers",
        type=_whole_number(1, 256),
        metavar="N",
        help="pytest workers (default: as many as cores and memory carry for the stacks "
        "selected; 1 runs in this process alone, as do --pdb and --keep-stacks)",
    )


def _add_stack_commands(add: AddCommand) -> None:
    """`build`, `base`, `render`, `up`, `load`: one stack's images, files, containers, load."""
    add("build", cmd_build, selection=True)
    base = add("base", cmd_base, files=False)
    base.add_argument("--suite", default="bookworm", choices=["bookworm", "trixie"])
    render = add("render", cmd_render)
    render.add_argument("stack_id")
    render.add_argument("--out", metavar="DIR", help="the effective configs and a stack file")
    render.add_argument("--kubernetes", metavar="DIR", help="the stack as Kubernetes manifests")
    check = add("check-manifests", cmd_check_manifests)
    check.add_argument("folder", metavar="DIR", help="Kubernetes manifests (*.yaml, *.yml)")
    check.add_argument(
        "--kubernetes-version", action="append", metavar="V",
        help="validate against this minor version (repeatable; default: 1.30 to the newest "
        "the installed kubernetes-validate ships)",
    )  # fmt: skip
    check.add_argument(
        "--stack", dest="stack_id", metavar="STACK",
        help="hold the manifests to this stack's declared limits and timeouts (default: the "
        "deploy-harness.dev/ annotations render wrote, if any)",
    )  # fmt: skip
    up = add("up", cmd_up)
    up.add_argument("stack_id")
    load = add("load", cmd_load)
    load.add_argument("stack_ids", nargs="+", metavar="STACK")
    from harness.commands.load import add_load_arguments

    add_load_arguments(load, _whole_number, _ratio, _url_path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code is documented in `harness --help` (epilog)."""
    args = _parser().parse_args(argv)
    from harness.run.boundary import command_docker_errors

    try:
        with command_docker_errors(args.command):  # a last resort: the boundary is in run code
            code: int = args.handler(args)
    except HarnessError as error:
        errors.print("error:", style="bold red", end=" ")
        errors.print(str(error), markup=False, highlight=False, soft_wrap=True)
        for note in getattr(error, "__notes__", []):
            errors.print(note, markup=False, highlight=False)
        return exit_code_for(error)
    except KeyboardInterrupt:
        errors.print("interrupted")
        return ExitCode.INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
