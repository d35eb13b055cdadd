"""Public pages under gunicorn beside a minimal view and nginx: ``heco bench pages``.

The benchmark itself is ``bench/pages.py`` in the repository; this module makes it a
``heco bench pages`` subcommand. It needs a source checkout (the ``bench/`` directory is not
part of the installed package).
"""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if (_ROOT / "bench" / "pages.py").exists() and str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.pages import add_arguments, run  # noqa: E402, F401
