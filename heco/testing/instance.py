"""``heco`` run as a separate instance in tests: a subprocess with its own ``HECO_DATA_DIR``
(so its own SQLite database file) and none of this process's other ``HECO_*`` settings (so
never the PostgreSQL database of a PostgreSQL test run)."""

from __future__ import annotations

import os
import subprocess
import sys

TIMEOUT = 300  # seconds per command, generous for a loaded machine


def instance_env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HECO_")}
    env.update(HECO_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="heco.settings")
    return env


def heco(data_dir, *args) -> subprocess.CompletedProcess:
    """Run ``heco ARGS`` in the instance at ``data_dir``; fail with its output if it fails."""
    done = subprocess.run(  # noqa: S603 - our own command line, fixed arguments
        [sys.executable, "-m", "heco.cli", *args],
        env=instance_env(data_dir),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (
        f"heco {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done
