"""Helpers shared by the public views."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language, gettext

from heco.core.models import Status


def lang() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def paginate(items, page_number: int, per_page: int):
    """A page of ``items`` (a queryset: one count and one slice query); 404 past the end."""
    paginator = Paginator(items, per_page, allow_empty_first_page=True)
    try:
        return paginator.page(page_number)
    except (EmptyPage, PageNotAnInteger):
        raise Http404(gettext("There is no page %(page)s of this list.") % {"page": page_number})


def bad_request(request, template: str, context: dict, errors: list[str]):
    """Re-render the page with an error summary and status 400."""
    context = {**context, "errors": errors}
    return render(request, template, context, status=400)


def gone(request, message: str):
    """410 Gone for a tombstone: the record existed and was removed on purpose."""
    return render(request, "site/gone.html", {"message": message}, status=410)


class Gone(Exception):
    pass


def public_record(queryset, slug: str):
    """The published record with ``slug``; Gone for a tombstone; 404 for anything else.

    Slugs are unique in every model served this way, so the query needs no ORDER BY (as
    ``first()`` adds one; on these wide selects it doubled Django's SQL compilation)."""
    found = list(queryset.filter(slug=slug).order_by()[:1])
    record = found[0] if found else None
    if record is None:
        raise Http404(gettext("No such page."))
    if record.status == Status.DELETED:
        raise Gone()
    if record.status != Status.PUBLISHED:
        raise Http404(gettext("No such page."))
    return record


def page_number(request) -> int | None:
    """The ``page`` GET parameter as a positive integer, or None when it is malformed."""
    raw = request.GET.get("page", "1") or "1"
    if not (raw.isascii() and raw.isdigit()):  # "²" is a digit to isdigit(), not to int()
        return None
    number = int(raw)
    return number if 1 <= number <= 100_000 else None


def country_name(code: str, lang_code: str) -> str:
    """ "Lietuva" for LT in Lithuanian (CLDR via Babel; Maltese included)."""
    from babel import Locale

    try:
        return Locale.parse(lang_code).territories.get(code, code)
    except Exception:
        return code


def language_name(code: str, lang_code: str) -> str:
    from babel import Locale

    try:
        return Locale.parse(lang_code).languages.get(code, code)
    except Exception:
        return code


def choice_labels(choices, values) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(v, v)) for v in values or []]
