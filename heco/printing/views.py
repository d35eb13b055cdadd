"""Short-link redirects (public) and PDF downloads (staff)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from heco.core.cache import read_only
from heco.network.selectors import organisation_ids_for
from heco.printing.documents import KINDS, PrintError, document_for, find_target
from heco.printing.models import ShortLink
from heco.printing.render import render_pdf
from heco.printing.selectors import TARGET_MODELS, public_path
from heco.printing.services import ALPHABET, normalise_code, shortlink_record_scan
from heco.site.selectors import network_default_language


def language_for(request) -> str:
    """The page language for a scan: the visitor's first language the site has, from
    Accept-Language only (no cookie, no session); when none is, the public site's fallback
    order (``heco.core.langmap.pick``: requested -> the network's default -> English)."""
    header = request.headers.get("Accept-Language", "")
    for tag, _quality in parse_accept_lang_header(header):
        base = tag.split("-")[0].lower()
        if base in settings.LANGUAGE_CODES:
            return base
    for fallback in (network_default_language(), "en"):
        if fallback in settings.LANGUAGE_CODES:
            return fallback
    return settings.LANGUAGE_CODE


@read_only
def short_link(request, code: str):
    """``/q/<code>``: count the scan and send the visitor to the target's current page."""
    code = normalise_code(code)
    if not code or len(code) > 16 or any(c not in ALPHABET for c in code):
        raise Http404("unknown short link")  # never one of ours (PostgreSQL refuses a NUL)
    link = ShortLink.objects.filter(code=code).first()
    if link is None:
        raise Http404("unknown short link")
    model = TARGET_MODELS.get(link.target_type)
    target = model.objects.filter(pk=link.target_id).first() if model else None
    if target is None:
        raise Http404("the record behind this short link is gone")
    if request.method == "GET":  # HEAD requests (link checkers) do not count as scans
        shortlink_record_scan(link=link)
    response = HttpResponseRedirect(public_path(target, language_for(request)))
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Accept-Language"
    return response


@read_only
@staff_member_required
def download(request, kind: str, ident: str):
    """``/print/<kind>/<id>.pdf?lang=lt&lang2=en&size=A3&month=2025-06`` for staff."""
    if kind not in KINDS:
        raise Http404("unknown print kind")
    try:
        target = find_target(kind, ident)
    except PrintError as error:
        raise Http404(str(error))
    try:
        document = document_for(
            kind,
            target,
            lang=request.GET.get("lang") or settings.LANGUAGE_CODE,
            lang2=request.GET.get("lang2") or None,
            size=request.GET.get("size") or None,
            month=request.GET.get("month") or None,
        )
    except PrintError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    allowed = organisation_ids_for(request.user)
    if allowed is not None and not document.organisation_ids() <= allowed:
        raise PermissionDenied(_("You cannot print this organisation’s records."))
    pdf = render_pdf(document)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename()}"'
    response["Cache-Control"] = "private, no-store"
    return response
