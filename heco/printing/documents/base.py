"""The one base class every printed document kind follows.

A kind is a module in this package with a ``Document`` subclass: the target models it
accepts, the paper sizes it allows, its template, and one method, ``build_context()``.
Add a kind by copying one (e.g. ``panel.py``), changing it, and listing it in ``KINDS``
in ``__init__.py``; a kind that prints several sorts of record lists one class per sort
(``"leaflet": (OrganisationLeaflet, RouteLeaflet)``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from heco.core.models import Status
from heco.heritage.models import Media
from heco.printing.fonts import FAMILY, font_face_css
from heco.printing.formatting import first_text, texts
from heco.printing.qr import qr_svg_data_uri
from heco.printing.selectors import short_url, short_url_text
from heco.printing.services import shortlink_for
from heco.printing.ui import UiText


class PrintError(ValueError):
    """Bad print request (unknown record, wrong kind, language, size or month)."""


class Document:
    kind = ""
    template = ""
    target_models: tuple = ()
    target_description = ""  # e.g. "an event", for error messages
    sizes = ("A4",)
    default_size = "A4"
    bleed = False  # 3 mm bleed and crop marks for prints that go edge to edge
    uses_month = False

    def __init__(self, target, *, lang, lang2=None, size=None, month=None, now=None):
        codes = settings.LANGUAGE_CODES
        if lang not in codes:
            raise PrintError(
                _("Unknown language “%(lang)s”; choose one of %(codes)s.")
                % {"lang": lang, "codes": ", ".join(codes)}
            )
        if lang2 and lang2 not in codes:
            raise PrintError(
                _("Unknown second language “%(lang)s”; choose one of %(codes)s.")
                % {"lang": lang2, "codes": ", ".join(codes)}
            )
        size = (size or self.default_size).upper()
        if size not in self.sizes:
            raise PrintError(
                _("A %(kind)s can be printed on %(sizes)s, not %(size)s.")
                % {"kind": self.kind, "sizes": " or ".join(self.sizes), "size": size}
            )
        self.target = target
        self.lang = lang
        self.lang2 = lang2 if lang2 and lang2 != lang else None
        self.langs = [self.lang] + ([self.lang2] if self.lang2 else [])
        self.size = size
        self.now = now or timezone.now()
        self.month = self._parse_month(month) if self.uses_month else None

    # --- what subclasses provide ---------------------------------------------------------

    def build_context(self) -> dict:
        raise NotImplementedError

    def organisation_ids(self) -> set:
        """Organisations whose records this print shows (for the staff permission check)."""
        return {getattr(self.target, "organisation_id", None) or self.target.pk}

    # --- shared helpers ------------------------------------------------------------------

    def _parse_month(self, month):
        if not month:
            today = timezone.localdate(self.now)
            return today.year, today.month
        try:
            parsed = dt.datetime.strptime(str(month), "%Y-%m")
        except ValueError:
            raise PrintError(_("The month must look like 2025-06 (YYYY-MM).")) from None
        return parsed.year, parsed.month

    def default_language(self) -> str | None:
        org = getattr(self.target, "organisation", None) or self.target
        community = getattr(org, "community", None)
        return getattr(community, "default_language", None)

    def texts(self, value):
        return texts(value, self.langs, self.default_language())

    def text(self, value):
        return first_text(value, self.lang, self.default_language())

    def qr(self, target, medium: str) -> dict:
        link = shortlink_for(target=target, medium=medium)
        url = short_url(link.code)
        return {"svg": qr_svg_data_uri(url), "url": url, "text": short_url_text(link.code)}

    def image_for(self, asset) -> dict | None:
        """The asset's first image file as a file:// URL, with credit and alt text."""
        if asset is None:
            return None
        media = (
            Media.objects.filter(asset=asset, kind=Media.Kind.IMAGE)
            .exclude(file="")
            .order_by("position", "created_at")
            .first()
        )
        if media is None:
            return None
        try:
            path = Path(media.file.path)
        except (NotImplementedError, ValueError):
            return None
        rendition = media.renditions.get("1600") or media.renditions.get("800")
        if rendition:
            candidate = Path(settings.MEDIA_ROOT) / rendition
            if candidate.exists():
                path = candidate
        if not path.exists():
            return None
        return {
            "src": path.resolve().as_uri(),
            "alt": self.text(media.alt_text).text,
            "credit": media.credit,
            "rights": media.get_rights_display(),
        }

    def context(self) -> dict:
        context = {
            "document": self,
            "kind": self.kind,
            "lang": self.lang,
            "lang2": self.lang2,
            "langs": self.langs,
            "ui": UiText(self.lang, self.lang2),
            "size": self.size,
            "bleed": self.bleed,
            "font_face_css": font_face_css(),
            "font_family": FAMILY,
            "printed_on": timezone.localdate(self.now),
            "status_published": Status.PUBLISHED,
            "draft": getattr(self.target, "status", Status.PUBLISHED) != Status.PUBLISHED,
        }
        context.update(self.build_context())
        return context

    def filename(self) -> str:
        suffix = f"{self.lang}-{self.lang2}" if self.lang2 else self.lang
        extra = f"-{self.month[0]}-{self.month[1]:02d}" if self.month else ""
        return f"{self.kind}-{self.target.slug}{extra}-{suffix}.pdf"
