"""OAI-PMH serving benchmark: ``python bench/oai.py --records 100000`` = ``heco bench oai …``.

The work is in heco/aggregation/bench.py (importable by the ``heco bench`` command).
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heco.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("bench", "oai", *sys.argv[1:])
