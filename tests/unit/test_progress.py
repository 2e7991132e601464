"""Progress shows on a terminal and stays quiet in CI or when output is not a TTY."""

from harness.progress import Progress


def test_quiet_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert Progress().enabled is False


def test_quiet_when_not_a_tty(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert Progress().enabled is False


def test_records_how_long_each_step_took():
    progress = Progress(enabled=False)
    with progress.task("step"):
        pass
    assert [name for name, _ in progress.timings] == ["step"]
