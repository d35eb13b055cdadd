"""Search p50/p95 with facets at N records, beside the naive raw full-text query.

The benchmark itself is ``bench/search.py`` in the repository (with the shared helpers of
``bench/common.py``); this module makes it a ``heco bench search`` subcommand. It needs a
source checkout (the ``bench/`` directory is not part of the installed package).
"""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if (_ROOT / "bench" / "search.py").exists() and str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.search import add_arguments, run  # noqa: E402, F401
