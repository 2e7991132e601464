"""Make the reference apps importable as the images load them: `apps/` is on the path."""

import sys
from pathlib import Path

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"

if str(APPS_DIR) not in sys.path:
    sys.path.insert(0, str(APPS_DIR))
