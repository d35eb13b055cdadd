"""Search and browse: a GET form, facets with counts, list or map, pagination; htmx swaps the
results region when JavaScript is on, and the same URL works without it."""

from __future__ import annotations

import math

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from heco.core.cache import public_page
from heco.core.langmap import pick
from heco.heritage.models import Asset, Theme
from heco.network.models import Community, Organisation
from heco.programme.models import Accessibility
from heco.search import search as run_search
from heco.search.base import FACETS
from heco.site import selectors
from heco.site.forms import SearchForm
from heco.site.views.common import country_name, lang

FACET_LIMIT = 30  # values shown per facet
CHOICE_LABELS = {
    "kind": dict(Asset.Kind.choices),
    "theme": dict(Theme.choices),
    "accessibility": dict(Accessibility.choices),
}


def _century(value: str) -> tuple[str, str]:
    """A ``period`` facet value is a century's first year ("1500" = 1500-1599): returns the
    URL value ("1500..1599") and the label ("1500–1599")."""
    try:
        first = int(value)
    except ValueError:
        return value, value.replace("..", "–")
    return f"{first}..{first + 99}", f"{first}–{first + 99}"


def _facet_groups(form, result, lang_code: str) -> list[dict]:
    """Facets for the template: label, values with counts, and which are checked."""
    selected = {name: [str(v) for v in form.cleaned_data.get(name) or []] for name in FACETS}
    period = form.data.get("period", "")
    slugs = {"community": set(), "organisation": set()}
    for name in slugs:
        slugs[name] |= {fv.value for fv in result.facets.get(name, [])[:FACET_LIMIT]}
        slugs[name] |= set(selected[name])
    communities = {c.slug: c for c in Community.objects.filter(slug__in=slugs["community"])}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs["organisation"])}
    titles = {
        "country": gettext("Country"),
        "community": gettext("Community"),
        "organisation": gettext("Organisation"),
        "kind": gettext("Kind"),
        "theme": gettext("Theme"),
        "period": gettext("Period"),
        "accessibility": gettext("Accessibility"),
    }
    groups = []
    for name in FACETS:
        values = list(result.facets.get(name, [])[:FACET_LIMIT])
        present = {fv.value for fv in values}
        chosen = [period] if name == "period" and period else selected.get(name, [])
        items = []
        for value in chosen if name != "period" else ():
            if value not in present:
                items.append((value, 0))
        items = [(fv.value, fv.count) for fv in values] + items
        if not items:
            continue
        rows = []
        for value, count in items:
            if name == "country":
                label = country_name(value, lang_code)
            elif name == "community":
                record = communities.get(value)
                label = pick(record.name, lang_code) if record else value
            elif name == "organisation":
                record = organisations.get(value)
                label = pick(record.name, lang_code) if record else value
            elif name == "period":
                value, label = (
                    _century(value) if ".." not in value else (value, value.replace("..", "–"))
                )
            else:
                label = str(CHOICE_LABELS[name].get(value, value))
            rows.append(
                {
                    "value": value,
                    "label": label,
                    "count": count,
                    "checked": value in chosen,
                    "id": f"f-{name}-{value}".replace(" ", "_")[:80],
                }
            )
        groups.append(
            {"name": name, "title": titles[name], "values": rows, "single": name == "period"}
        )
    return groups


@public_page
def search(request):
    code = lang()
    form = SearchForm(request.GET)
    context = {"form": form, "view": "list"}
    template = "site/search.html"
    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        template = "site/includes/search_region.html"
    if not form.is_valid():
        context["errors"] = form.error_list()
        response = render(request, template, context, status=400)
        patch_vary_headers(response, ("HX-Request",))
        return response
    query = form.search_query(code)
    result = run_search(query)
    page = form.cleaned_data["page"]
    per_page = form.per_page
    pages = max(1, math.ceil(result.total / per_page))
    if page > pages:
        context["errors"] = [
            gettext("There is no page %(page)s of these results; they end at page %(last)s.")
            % {"page": page, "last": pages}
        ]
        response = render(request, template, context, status=404)
        patch_vary_headers(response, ("HX-Request",))
        return response
    by_id = {
        a.id: a for a in selectors.asset_cards(Asset.objects.published().filter(id__in=result.ids))
    }
    assets = [by_id[i] for i in result.ids if i in by_id]
    view = form.cleaned_data["view"]
    context.update(
        {
            "view": view,
            "assets": assets,
            "result": result,
            "total": result.total,
            "approximate": not result.total_exact or not result.facets_exact,
            "facet_groups": _facet_groups(form, result, code),
            "page_number": page,
            "pages": pages,
            "has_previous": page > 1,
            "has_next": page < pages,
            "first_index": query.offset + 1,
            "last_index": query.offset + len(assets),
            "map_data": [
                {
                    "lat": a.lat,
                    "lon": a.lon,
                    "title": pick(a.title, code).text,
                    "url": reverse("site:asset", kwargs={"slug": a.slug}),
                }
                for a in assets
                if a.lat is not None and a.lon is not None
            ],
            "has_filters": any(form.cleaned_data.get(name) for name in (*FACETS, "q", "open_now")),
        }
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
