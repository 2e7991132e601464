"""The pytest plugin: stack selection, fixtures in layers, skips, diagnostics, cleanup.

Fixtures, from expensive to cheap (override any level in your own conftest.py):

- `harness_session` (session): images, test CA, run id; removes the run's resources at exit.
- `live_stack` (session, parametrized over the selected stacks): one running stack, shared
  by every test of that stack; pytest orders tests so one stack runs at a time.
- `stack` (function): the live stack, with every replica running again after the test.
- `protocol` (function, parametrized): the HTTP version the case speaks, h1, h2 or h3.
- `client` (function): an httpx.Client bound to the stack's public URL, trusting its CA,
  speaking the case's protocol.
- `ws` (function): opens WebSockets through the proxy, trusting the same CA.
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, cast

import httpx
import psutil
import pytest

from harness.clients.http import client_for
from harness.clients.own_app import OwnAppStack, own_app_skip_reason
from harness.clients.traffic import wait_fleet_back_in_rotation
from harness.clients.wsclient import WebSocket, open_websocket
from harness.errors import HarnessError
from harness.exitcodes import ExitCode, exit_code_for
from harness.matrix.recorder import ReportRecorder, record_stack_facts
from harness.paths import SCENARIOS_DIR
from harness.plugin.engine_check import exit_unless_engine_answers
from harness.plugin.items import (
    FAMILIES,
    PROTOCOL_FIXTURE,
    STACK_FIXTURE,
    case_name,
    expect_known_failures,
    family_of,
    is_ours,
    not_offered,
    outside_families,
    protocol_spoken,
    scenario_function,
    spec_of,
)
from harness.plugin.lanes import (
    Lane,
    Split,
    lane_of,
    longest_first,
    proxy_kin,
    split_of_stacks,
    staggered_block,
    xdist_group,
)
from harness.plugin.parallel import (
    distribute_by_default,
    group_on_this_worker,
    tell_worker_to_group,
)
from harness.plugin.summary import ReasonSummary
from harness.plugin.workers import default_workers
from harness.progress import Progress
from harness.run.runtime import RunIdentity, remove_resources
from harness.run.session import HarnessSession
from harness.run.stack import Stack
from harness.spec.model import ClientProtocol, StackSpec
from harness.spec.prefix import PREFIX_FAMILY
from harness.spec.reading import sources_said_at_start
from harness.spec.selection import select_stacks

# Seconds a scenario's own call may take. Its fixtures are not counted: the stack's start-up
# builds a stack file's own image the first time (minutes of pip on a loaded machine: a
# 180 s limit that counted it stopped the build of the installed-wheel example in CI) and
# is bounded by its own waits (readiness, HARNESS_READY_TIMEOUT; the engine's 120 s read
# timeout while a build is silent).
SCENARIO_TIME_LIMIT = 180


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "deploy-harness")
    group.addoption(
        "--stack",
        action="append",
        default=[],
        metavar="GLOB",
        help="run stacks whose id matches GLOB (repeatable), e.g. 'nginx-*'",
    )
    group.addoption(
        "--stack-file",
        action="append",
        default=[],
        metavar="FILE",
        type=Path,
        help="TOML stack file with your own stacks and configs (repeatable)",
    )
    group.addoption(
        "--profile",
        default=None,
        metavar="NAME",
        help="named list of stacks: default, ci, nightly (default: default)",
    )
    group.addoption(
        "--matrix-out",
        default=None,
        metavar="DIR",
        type=Path,
        help="record every case's outcome and every stack's versions and configs under DIR "
        "(what `harness matrix run` assembles into results.json)",
    )
    group.addoption(
        "--keep-stacks",
        action="store_true",
        help="leave stacks running after the run and print how to reach them",
    )


def pytest_configure(config: pytest.Config) -> None:
    for family, description in FAMILIES.items():
        config.addinivalue_line("markers", f"{family}: scenario family: {description}")
    config.addinivalue_line("markers", "asgi_only: needs the contract's WebSocket routes")
    config.addinivalue_line("markers", "tls_only: needs a TLS-terminating proxy")
    config.addinivalue_line(
        "markers", "http1_only(reason): runs over HTTP/1.1 alone, not on the protocol axis"
    )
    config.addinivalue_line("markers", "docker: needs a Docker engine")
    if _asked_for_stacks(config):  # a bad selection is a usage error before collection
        _selected_specs(config)
    if _runs_scenarios(config):  # an engine out of reach: one line, before any worker starts
        exit_unless_engine_answers(config)
        if not hasattr(config, "workerinput"):  # the controller has every report
            config.pluginmanager.register(ReasonSummary(), "harness-reason-summary")
    group_on_this_worker(config)
    _interrupt_workers_on_sigterm(config)
    matrix_out = config.getoption("matrix_out")
    # Reports reach the xdist controller (or the only process): it alone records them.
    if matrix_out is not None and not hasattr(config, "workerinput"):
        config.pluginmanager.register(ReportRecorder(matrix_out), "harness-matrix-recorder")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Once, at the start of a run of our scenarios: for each stack with its own configs,
    the expected values read from them and those assumed (harness/spec/reading.py)."""
    if not _runs_scenarios(config):
        return []
    return [line for spec in _selected_specs(config) for line in sources_said_at_start(spec)]


def _asked_for_stacks(config: pytest.Config) -> bool:
    return bool(
        config.getoption("stack") or config.getoption("stack_file") or config.getoption("profile")
    )


def _selected_specs(config: pytest.Config) -> list[StackSpec]:
    """The stacks this run selected, chosen once: when the options name some, or when the
    first test asking for a stack is collected. A pytest run without our scenarios (a user's
    other tests in the same virtualenv) never selects stacks."""
    if _SPECS not in config.stash:
        try:
            config.stash[_SPECS] = select_stacks(
                config.getoption("stack"),
                config.getoption("stack_file"),
                config.getoption("profile"),
            )
        except HarnessError as error:
            raise pytest.UsageError(str(error)) from None
    return config.stash[_SPECS]


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM ends the run like Ctrl-C, so fixtures tear the stacks down."""
    raise KeyboardInterrupt(f"signal {signum}")


def _interrupt_with_workers(signum: int, frame: Any) -> None:
    """SIGTERM on the xdist controller: each worker gets SIGTERM too, which it turns into
    Ctrl-C (pytest_collection_finish) and tears its stacks down; then the controller stops
    like Ctrl-C and waits for them (xdist gives workers 10 s before it kills them). Not
    SIGINT: a run started in the background of a shell without job control inherits SIGINT
    ignored, and its workers ran on until xdist killed them, stacks up."""
    for worker in psutil.Process().children():
        with suppress(psutil.Error):
            worker.send_signal(signal.SIGTERM)
    raise KeyboardInterrupt(f"signal {signum}")


def _interrupt_workers_on_sigterm(config: pytest.Config) -> None:
    """On the controller of an xdist run of our scenarios, SIGTERM stops the workers too:
    it reaches the controller alone, which else died of it while the workers, cut off,
    ran on or were killed with their stacks up."""
    controller = not hasattr(config, "workerinput") and getattr(config.option, "dist", "no") != "no"
    main_thread = threading.current_thread() is threading.main_thread()
    if controller and main_thread and _runs_scenarios(config):
        config.stash[_PREVIOUS_SIGTERM] = signal.signal(signal.SIGTERM, _interrupt_with_workers)


_SPECS = pytest.StashKey[list[StackSpec]]()
_SESSION = pytest.StashKey[HarnessSession]()
_KEPT = pytest.StashKey[list[Stack]]()
_START_ERRORS = pytest.StashKey[dict[str, HarnessError]]()  # stack id -> why it did not start
# Stack id -> the lane that now uses its instance, and the stack's fleet_changes when it began.
_LANE_OF_INSTANCE = pytest.StashKey[dict[str, tuple[Lane, int]]]()
_PREVIOUS_SIGTERM = pytest.StashKey[Any]()
_NEXT_ITEM = pytest.StashKey[pytest.Item | None]()  # the test run after this one


# A report of a case whose stack did not start carries the exit code of that error's class
# (harness/exitcodes.py) under this user property: what `harness test` classifies,
# read from the reports, which reach the xdist controller from every worker.
START_EXIT_CODE = "harness.start_exit_code"


def start_exit_code(report: pytest.TestReport) -> ExitCode | None:
    """The exit code of why this case's stack did not start, if that is why it failed."""
    codes = [value for name, value in report.user_properties if name == START_EXIT_CODE]
    return ExitCode(cast(int, codes[0])) if codes else None


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` on a run of our scenarios: as many workers as this machine carries for the
    stacks selected (harness/plugin/workers.py). Any other run, or one with xdist's own
    PYTEST_XDIST_AUTO_NUM_WORKERS set, keeps xdist's count."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or not _runs_scenarios(config):
        return None
    return default_workers(len(_selected_specs(config)))


@pytest.hookimpl(wrapper=True)  # ahead of xdist's own, which reads -n and --dist
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    """A run of our scenarios is parallel by itself (harness/plugin/parallel.py)."""
    if _runs_scenarios(config):
        distribute_by_default(config)
    return (yield)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist starts a worker: it groups as this controller does (harness/plugin/parallel.py)."""
    tell_worker_to_group(node)


def _runs_scenarios(config: pytest.Config) -> bool:
    """Whether this run is one of our scenarios: it names stacks, or a path on its command
    line is, or is inside, our scenarios folder."""
    if _asked_for_stacks(config):
        return True
    ours = SCENARIOS_DIR.resolve()
    paths = ((config.invocation_params.dir / a.partition("::")[0]).resolve() for a in config.args)
    return any(path == ours or ours in path.parents for path in paths)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Only a run that collected tests using our stacks turns SIGTERM into Ctrl-C (so the
    stacks are torn down); any other pytest run keeps its own signal handling. An xdist
    worker whose groups were ignored says so."""
    _warn_if_ungrouped(session)
    uses_stacks = any(STACK_FIXTURE in getattr(item, "fixturenames", ()) for item in session.items)
    if uses_stacks and threading.current_thread() is threading.main_thread():
        session.config.stash[_PREVIOUS_SIGTERM] = signal.signal(signal.SIGTERM, _interrupt)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if STACK_FIXTURE in metafunc.fixturenames:
        specs = _selected_specs(metafunc.config)
        on_axis = PROTOCOL_FIXTURE in metafunc.fixturenames
        single = ("http1_only", "http2")  # HTTP/1.1 by nature; HTTP/2 by nature
        if on_axis and not any(metafunc.definition.get_closest_marker(m) for m in single):
            # Parametrized before the stack, so the id reads `[...-h2-<stack>]`.
            offered = {protocol for spec in specs for protocol in spec.offered_protocols}
            protocols = [protocol for protocol in ClientProtocol if protocol in offered]
            metafunc.parametrize(PROTOCOL_FIXTURE, protocols, ids=str, indirect=True)
        metafunc.parametrize(
            STACK_FIXTURE, specs, ids=[s.id for s in specs], indirect=True, scope="session"
        )


# A wrapper, first: grouped before xdist's worker reads the groups into the node ids; queued
# after pytest has ordered the items by stack (its fixtures' reorder_items).
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Generator[None, None, None]:
    """Skip what a stack cannot serve; give each scenario a time limit; group by stack (or
    lane), and on an xdist worker queue the groups the longest first (lanes.longest_first),
    each whole stack's scenarios in blocks staggered from the stack before (lanes.staggered_block).

    A stack that names its families (`StackSpec.families`) runs only those: its other cases
    are deselected, not skipped, so a version axis adds no rows of skips to the matrix. A
    stack under a URL prefix runs only the prefix family unless it names others; on a stack
    without one, the prefix family skips with a reason."""
    outside = [item for item in items if outside_families(item) or not_offered(item)]
    if outside:
        config.hook.pytest_deselected(items=outside)
        dropped = set(map(id, outside))
        items[:] = [item for item in items if id(item) not in dropped]
    lanes = _lanes(config, items)
    for item in items:
        spec = spec_of(item)
        if spec is None:
            continue
        if item.get_closest_marker("asgi_only") and not spec.websockets:
            item.add_marker(
                pytest.mark.skip(reason=f"{spec.id} serves {spec.app_mode}: no WebSocket routes")
            )
        if item.get_closest_marker("tls_only") and not spec.tls:
            item.add_marker(pytest.mark.skip(reason=f"{spec.id} does not terminate TLS"))
        if family_of(item) == PREFIX_FAMILY and not spec.prefix:
            reason = f"{spec.id} serves the app at the root: no URL prefix (stack field prefix)"
            item.add_marker(pytest.mark.skip(reason=reason))
        own_app = own_app_skip_reason(spec, case_name(item)) if is_ours(item) else None
        if own_app is not None:
            item.add_marker(pytest.mark.skip(reason=own_app))
        known = expect_known_failures(item, spec)
        item.user_properties.extend(
            [
                ("harness.stack", spec.id),
                ("harness.case", case_name(item)),
                ("harness.family", family_of(item)),
                ("harness.protocol", str(protocol_spoken(item))),
                ("harness.incompatibility", "; ".join(k.reason for k in known)),
            ]
        )
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(SCENARIO_TIME_LIMIT, func_only=True))
        if lanes is not None:
            split = lanes[spec.id]
            group = xdist_group(spec.id, family_of(item), split, scenario_function(item))
            item.add_marker(pytest.mark.xdist_group(group))
    yield
    if lanes is not None:
        queue = longest_first(Counter(map(_group_of, items)))
        position = {group: index for index, group in enumerate(queue)}
        whole = [group for group in queue if lanes.get(group) is Split.WHOLE]
        turn = {group: index for index, group in enumerate(whole)}

        def place(item: pytest.Item) -> tuple[int, int]:
            group = _group_of(item)
            if group not in turn:
                return (position[group], 0)
            lane = lane_of(family_of(item), scenario_function(item))
            return (position[group], staggered_block(lane, turn[group]))

        items.sort(key=place)  # stable: collection order within a block


def _group_of(item: pytest.Item) -> str:
    """The item's xdist group ("" for none: then xdist runs it on its own, early)."""
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker is not None and marker.args else ""


def _warn_if_ungrouped(session: pytest.Session) -> None:
    """On an xdist worker under --dist loadgroup, say so when xdist could not group: our
    scenarios then spread test by test, and each worker starts every stack it draws one of."""
    config = session.config
    if getattr(config, "workerinput", None) is None or not config.getvalue("loadgroup"):
        return
    grouped = [item for item in session.items if item.get_closest_marker("xdist_group")]
    if grouped and all("@" not in item.nodeid.rpartition("]")[2] for item in grouped):
        versions = f"pytest {pytest.__version__}, pytest-xdist {_xdist_version()}"
        warnings.warn(
            pytest.PytestWarning(
                f"--dist loadgroup did not group the tests ({versions}): each worker starts "
                "every stack it draws a test of, which is slower. Hint: with pytest 9.2 "
                "(pytest-dev/pytest-xdist#1386), pip install 'pytest<9.2'; a conftest.py that "
                "adds xdist_group markers must do so in a pytest_collection_modifyitems marked "
                "tryfirst, before xdist's worker reads them."
            ),
            stacklevel=1,
        )


def _xdist_version() -> str:
    from importlib.metadata import version

    return version("pytest-xdist")


def _lanes(config: pytest.Config, items: list[pytest.Item]) -> dict[str, Split] | None:
    """How this xdist run groups each stack (None: not an xdist worker). Each worker decides
    alike from what it collected (the cases of each stack) and the worker count."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return None
    cases = Counter(spec.id for item in items if (spec := spec_of(item)) is not None)
    return split_of_stacks(cases, int(workerinput["workercount"]))


@pytest.fixture(scope="session")
def harness_session(pytestconfig: pytest.Config) -> Iterator[HarnessSession]:
    """This run's images, CA and run id; its containers and networks go at the end."""
    remove_resources(only_orphans=True)  # what runs killed with SIGKILL left behind
    kept = bool(pytestconfig.getoption("keep_stacks"))
    session = HarnessSession(Progress(), RunIdentity.new(kept=kept))
    pytestconfig.stash[_SESSION] = session
    yield session
    if not pytestconfig.getoption("keep_stacks"):
        session.close()


@pytest.fixture(scope="session")
def live_stack(request: pytest.FixtureRequest, harness_session: HarnessSession) -> Iterator[Stack]:
    """One running stack for the selected spec, shared by every test of that stack."""
    spec: StackSpec = request.param
    matrix_out: Path | None = request.config.getoption("matrix_out")
    try:
        stack = harness_session.start(spec)
    except HarnessError as error:
        request.config.stash.setdefault(_START_ERRORS, {})[spec.id] = error
        notes = "\n".join(getattr(error, "__notes__", []))
        pytest.fail(f"stack {spec.id} did not start: {error}\n{notes}", pytrace=False)
    if matrix_out is not None:
        record_stack_facts(stack, matrix_out)
    yield stack
    if request.config.getoption("keep_stacks"):
        request.config.stash.setdefault(_KEPT, []).append(stack)
    else:
        stack.down()


@pytest.fixture
def stack(request: pytest.FixtureRequest, live_stack: Stack) -> Iterator[Stack | OwnAppStack]:
    """The live stack; replicas a test stopped or paused run again after it, and the proxy
    routes to each again before the next test. On a stack whose own app answers the contract
    under a prefix, its URLs end in that prefix."""
    fresh_for_its_lane(request, live_stack)
    changes = live_stack.fleet_changes
    scenario_stack = OwnAppStack(live_stack) if live_stack.contract_root else live_stack
    yield scenario_stack
    if _instance_used_next(request, live_stack):
        restore_fleet(live_stack, scenario_stack, changes)


def _instance_used_next(request: pytest.FixtureRequest, live_stack: Stack) -> bool:
    """Whether a test runs on this instance after this one (or the run keeps its stacks).
    If not, the instance goes down next: restoring its fleet would only wait (seen: 9 s
    after the last scenario of a one-process run, for a restarted replica the proxy no
    longer reached)."""
    if request.config.getoption("keep_stacks") or _NEXT_ITEM not in request.node.stash:
        return True
    nextitem = request.node.stash[_NEXT_ITEM]
    spec = spec_of(nextitem) if nextitem is not None else None
    return spec is not None and spec.id == live_stack.id


@pytest.hookimpl(wrapper=True)  # a wrapper runs whichever implementation answers the call
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Remember which test runs after this one (pytest, and each xdist worker, know it)."""
    item.stash[_NEXT_ITEM] = nextitem
    return (yield)


def fresh_for_its_lane(request: pytest.FixtureRequest, live_stack: Stack) -> None:
    """Each lane meets the stack as it started. A worker that draws a second lane of a stack
    runs it on the same instance; when the earlier lane changed the fleet (stopped, paused or
    recreated replicas), the proxy is restarted first (the replicas are as restore_fleet left
    them: running and answering), since a proxy keeps state such changes leave behind: seen,
    Apache re-resolving a member whose cached address had failed (a stopped replica then gave
    500, DNS lookup failure, in the failover lane after the restarts lane), and HAProxy
    retrying a recreated replica a second late (an SSE stream in the steady lane). A lane
    split off another shares that lane's proxy (lanes.proxy_kin): no restart between them."""
    lane = proxy_kin(lane_of(family_of(request.node), scenario_function(request.node)))
    lanes = request.config.stash.setdefault(_LANE_OF_INSTANCE, {})
    previous = lanes.get(live_stack.id)
    if previous is not None and previous[0] == lane:
        return
    if previous is not None and live_stack.fleet_changes != previous[1]:
        live_stack.restart_proxy()
    lanes[live_stack.id] = (lane, live_stack.fleet_changes)


def restore_fleet(live_stack: Stack, scenario_stack: Stack | OwnAppStack, changes: int) -> None:
    """After a test: replicas it stopped or paused run again, and when it changed the fleet
    (`changes`: the stack's fleet_changes before it), the proxy routes to each replica again
    before the next test on this instance starts. A replica that came back on another
    address gets the proxy restarted first: one that resolved names only at its start would
    never reach it again, and the next scenarios would meet one replica fewer."""
    stopped = [r for r in live_stack.replicas if live_stack.state(r) != "running"]
    for replica in stopped:
        if live_stack.state(replica) == "paused":
            live_stack.unpause_replica(replica)
        else:
            live_stack.start_replica(replica)
    if stopped:
        live_stack.wait_replicas_ready(stopped)
    if live_stack.fleet_changes != changes:
        if live_stack.replicas_moved():
            live_stack.restart_proxy()
        # An OwnAppStack is the stack as scenarios see it: its /echo is the adapter's.
        wait_fleet_back_in_rotation(cast(Stack, scenario_stack))


@pytest.fixture
def protocol(request: pytest.FixtureRequest) -> ClientProtocol:
    """The HTTP version the case speaks to the proxy: `h1`, `h2` or `h3` in its id, one case
    per protocol its stack offers (StackSpec.offered_protocols)."""
    return ClientProtocol(getattr(request, "param", ClientProtocol.H1))


@pytest.fixture
def client(stack: Stack | OwnAppStack, protocol: ClientProtocol) -> Iterator[httpx.Client]:
    """An HTTP client for the stack's public URL that trusts only the run's test CA and
    speaks the case's protocol (answers over any other fail the case)."""
    with client_for(stack, protocol=protocol) as session:
        yield session


@pytest.fixture
def ws(stack: Stack) -> Iterator[Callable[..., WebSocket]]:
    """Opens WebSockets through the stack's proxy (wss:// trusting only the run's CA).

    `ws("/ws/echo")` sends the site's own Origin, as a browser on the site would;
    `ws(path, origin="https://elsewhere.example")` sends another. All close after the test.
    The connections are harness.wsclient's: send, recv(timeout=...), ping_answered, close.
    """
    opened: list[WebSocket] = []

    def connect(path: str = "/ws/echo", *, origin: str | None = None) -> WebSocket:
        connection = open_websocket(stack, path, origin)
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        connection.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed scenario carries the last lines of its stack's proxy and replica logs; one
    whose stack did not start, the exit code of why (START_EXIT_CODE)."""
    report = yield
    spec = spec_of(item)
    if report.failed and call.when == "setup" and spec is not None:
        error = item.config.stash.get(_START_ERRORS, {}).get(spec.id)
        if error is not None:
            report.user_properties.append((START_EXIT_CODE, int(exit_code_for(error))))
    if report.failed and call.when in ("call", "setup"):
        live = item.funcargs.get(STACK_FIXTURE) if hasattr(item, "funcargs") else None
        if isinstance(live, Stack) and live.containers:
            report.sections.append((f"stack {live.id}: container logs", live.diagnostics()))
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    """However the run ended (Ctrl-C included), nothing of this run is left on the engine."""
    session = config.stash.get(_SESSION, None)
    if session is not None and not config.getoption("keep_stacks"):
        session.close()
    if _PREVIOUS_SIGTERM in config.stash:
        signal.signal(signal.SIGTERM, config.stash[_PREVIOUS_SIGTERM])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """With --keep-stacks: how to reach each kept stack, and how to remove it."""
    for stack in config.stash.get(_KEPT, []):
        terminalreporter.write_line(f"kept stack {stack.id}: {stack.url}")
        if stack.ca_path:
            terminalreporter.write_line(
                f"  trust its CA: curl --cacert {stack.ca_path} {stack.url}/echo"
            )
        terminalreporter.write_line(f"  logs: docker logs {stack.name_of('proxy')}")
        terminalreporter.write_line(f"  remove: harness clean --run {stack.identity.run_id}")
