"""Headless Chromium, to see the page as a person's browser does: its DOM after scripts ran,
and a screenshot.

Chromium runs with a throwaway profile and with every background request it would make on its
own (updates, sync, metrics, first-run pages) turned off: the page is a local file and the
check must not depend on the network.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from harness.errors import HarnessError

TIMEOUT_SECONDS = 60
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = (
    "--headless",
    "--no-sandbox",  # containers and CI runners rarely allow Chromium's own sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The path of a Chromium (or Chrome) executable on PATH."""
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise HarnessError(
        f"No Chromium found on PATH (looked for {', '.join(_NAMES)}); the matrix report is "
        "checked in a headless browser. Hint: apt-get install chromium"
    )


def dump_dom(page: Path, query: str = "", fragment: str = "") -> str:
    """The DOM of `page` (an HTML file, opened with `?query#fragment`) after its scripts
    ran, as HTML text."""
    return _run(_url(page, query, fragment), ["--dump-dom"])


def screenshot(
    page: Path, png: Path, size: tuple[int, int] = (1600, 1000), fragment: str = ""
) -> Path:
    """Save a `size` (width, height) screenshot of `page` to `png` and return `png`.

    With a `fragment` the page opens at that target: a cell's detail shows as a panel. (A
    fragment that only scrolls does not help: headless Chromium captures a scrolled page
    blank, so take a taller `size` to see further down.)
    """
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    width, height = size
    url = _url(page, "", fragment)
    _run(url, [f"--screenshot={png.resolve()}", f"--window-size={width},{height}"])
    if not png.is_file():
        raise HarnessError(f"Chromium ran but wrote no screenshot at {png} for {url}.")
    return png


def _url(page: Path, query: str, fragment: str) -> str:
    return (
        page.resolve().as_uri()
        + (f"?{query}" if query else "")
        + (f"#{fragment}" if fragment else "")
    )


def _run(url: str, action: list[str]) -> str:
    """Run Chromium on `url` with `action` flags in a throwaway profile; return its stdout."""
    executable = chromium()
    with tempfile.TemporaryDirectory(prefix="harness-chromium-") as profile:
        command = [executable, *_FLAGS, f"--user-data-dir={profile}", *action, url]
        # Its own session, so a timeout ends Chromium's helper processes too.
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        ) as process:
            try:
                stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise HarnessError(
                    f"Chromium did not finish with {url} within {TIMEOUT_SECONDS} s. "
                    f"Hint: run it by hand to see where it hangs: {' '.join(command)}"
                ) from None
    if process.returncode != 0:
        raise HarnessError(
            f"Chromium exited with {process.returncode} on {url}; expected 0. "
            "Its stderr ends:\n" + "\n".join(stderr.splitlines()[-20:])
        )
    return stdout
