"""Harvest benchmark: ``python bench/harvest.py --records 100000`` = ``heco bench harvest …``.

The work is in heco/harvest/bench.py (importable by the ``heco bench`` command).
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heco.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("bench", "harvest", *sys.argv[1:])
