"""``heco print poster|leaflet|panel|labels|programme ID --lang LANG --out FILE.pdf``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from heco.printing.documents import KINDS, PrintError, build_document
from heco.printing.render import render_pdf


class Command(BaseCommand):
    help = (
        "Print a PDF: a poster (event), leaflet (organisation or route), panel (asset), "
        "labels (asset or organisation) or programme (organisation or network, one month)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument(
            "id", help="UUID or slug of the event, asset, organisation, route or network"
        )
        parser.add_argument("--lang", required=True, help=", ".join(settings.LANGUAGE_CODES))
        parser.add_argument("--lang2", help="a second language printed beside the first")
        parser.add_argument("--month", help="YYYY-MM (programme; default: this month)")
        parser.add_argument("--size", help="A3 or A4 (poster, panel, programme)")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, **options):
        out = Path(options["out"])
        if out.suffix.lower() != ".pdf":
            raise CommandError("--out must name a .pdf file")
        if not out.parent.exists():
            raise CommandError(f"the folder {out.parent} does not exist")
        if options["month"] and options["kind"] != "programme":
            raise CommandError("--month applies to a programme only")
        try:
            document = build_document(
                options["kind"],
                options["id"],
                lang=options["lang"],
                lang2=options["lang2"],
                size=options["size"],
                month=options["month"],
            )
        except PrintError as error:
            raise CommandError(str(error))
        pdf = render_pdf(document)
        # write next to the target and rename, so a failed run never leaves half a file
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pdf)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{out} ({len(pdf) // 1024} KiB, {document.kind}, {document.size})")
