"""``heco bench <subcommand> …``: benchmarks, one module per subcommand.

Each module has ``add_arguments(parser)`` and ``run(options, stdout)``. To add one, put the
module path in BENCHMARKS.
"""

import importlib

from django.core.management.base import BaseCommand

BENCHMARKS = {
    "harvest": "heco.harvest.bench",
    "search": "heco.search.bench",
    "pages": "heco.site.bench",
    "publish": "heco.publish.bench",
    "oai": "heco.aggregation.bench",
}


class Command(BaseCommand):
    help = "Run a benchmark: " + ", ".join(sorted(BENCHMARKS))

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="benchmark", required=True)
        for name, module_path in BENCHMARKS.items():
            module = importlib.import_module(module_path)
            module.add_arguments(sub.add_parser(name, help=module.__doc__.splitlines()[0]))

    def handle(self, *args, **options):
        module = importlib.import_module(BENCHMARKS[options["benchmark"]])
        module.run(options, self.stdout)
