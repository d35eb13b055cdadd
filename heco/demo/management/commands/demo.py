"""``heco demo``: load the five-community demo network "HE.CO Heritage Network"."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from heco.comms.demo import load_demo_comms
from heco.demo import loader
from heco.heritage.models import Asset
from heco.newsletters.demo import load_demo_newsletters
from heco.printing.demo import load_demo_printing
from heco.systems.demo import load_demo_systems


class Command(BaseCommand):
    help = (
        "Load the demo network (five communities, organisations, assets with generated "
        "images, services, events and demo logins). Every record is marked is_demo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds any heritage asset.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the existing demo records (only is_demo ones) and load them again.",
        )
        parser.add_argument(
            "--no-images",
            action="store_true",
            help="Skip the generated images (faster; for tests and benchmarks).",
        )

    def handle(self, *args, if_empty=False, reset=False, no_images=False, **options):
        if if_empty and Asset.objects.exists():
            self.stdout.write("Assets already exist; demo not loaded (--if-empty).")
            return
        if reset:
            try:
                removed = loader.remove_demo()
            except ProtectedError as exc:
                raise CommandError(
                    "Some non-demo records point at demo organisations or communities; "
                    f"remove them first ({exc.protected_objects and len(exc.protected_objects)} "
                    "blocking records)."
                )
            self.stdout.write(
                "Removed demo records: " + ", ".join(f"{k} {v}" for k, v in removed.items())
            )
        elif loader.has_demo():
            raise CommandError("The demo network is already loaded; use --reset to reload it.")
        started = time.monotonic()
        self.stdout.write("Loading the HE.CO Heritage Network demo…")
        summary = loader.build_demo(images=not no_images, stdout=self.stdout)
        # the other domains' demo records, built on the network above
        load_demo_systems()
        load_demo_printing(stdout=self.stdout)
        load_demo_comms(stdout=self.stdout)
        load_demo_newsletters(stdout=self.stdout)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {summary.communities} communities, {summary.organisations} "
                f"organisations, {summary.assets} assets, {summary.media} images, "
                f"{summary.services} services, {summary.events} events; "
                f"{summary.indexed} assets indexed in {elapsed:.1f} s."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {loader.DEMO_PASSWORD}):")
        width = max(len(login.username) for login in summary.logins)
        for login in summary.logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role:<11}  {login.scope}")
