"""Static-export benchmark: ``python bench/publish.py --assets 10000`` = ``heco bench publish …``.

The work is in heco/publish/bench.py (importable by the ``heco bench`` command).
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heco.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("bench", "publish", *sys.argv[1:])
