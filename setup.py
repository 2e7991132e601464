"""Ships the checkout's docker/, apps/ and scenarios/ inside the wheel as harness/data/.

They stay at the top of the checkout, where `pytest scenarios/`, the apps' own tests and a
reader expect them; an installed harness reads them through importlib.resources
(harness/paths.py). Everything else about the build is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_FOLDERS = ("docker", "apps", "scenarios")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3", ".pytest_cache")


class BuildWithData(build_py):
    """build_py, then copy the data folders under harness/data/ in the build tree."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout itself
            return
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "harness" / "data"
        for folder in DATA_FOLDERS:
            shutil.rmtree(target / folder, ignore_errors=True)
            shutil.copytree(here / folder, target / folder, ignore=SKIPPED)


setup(cmdclass={"build_py": BuildWithData})
