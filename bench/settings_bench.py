"""Settings for ``heco bench pages``: the project's settings plus one minimal view.

``DJANGO_SETTINGS_MODULE=bench.settings_bench`` (with the repository root on the Python path)
serves everything the project serves, through the same middleware, and ``/bench/minimal``.
"""

from heco.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
