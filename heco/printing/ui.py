"""Interface strings printed on paper, each translated in the print's language(s).

Texts come from the records' language maps; these are the words around them. Templates use
``{{ ui.when }}``: the text in the main language, followed by the second language when one
is asked for (``lang2``).
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

STRINGS = {
    "event": _("Event"),
    "when": _("When"),
    "where": _("Where"),
    "organiser": _("Organiser"),
    "registration": _("Registration"),
    "more_dates": _("Also on"),
    "accessibility": _("Accessibility"),
    "audience": _("For"),
    "scan": _("Scan for more information"),
    "opening_hours": _("Opening hours"),
    "closed": _("Closed"),
    "heritage": _("Heritage to discover"),
    "services": _("Services"),
    "upcoming": _("Upcoming events"),
    "no_upcoming": _("New events are announced on our website."),
    "contact": _("Contact"),
    "programme": _("Event programme"),
    "no_events": _("No events are planned for this month."),
    "cared_for_by": _("Cared for by"),
    "designation": _("Protection"),
    "dating": _("Dating"),
    "photo": _("Photo"),
    "prices": _("Prices"),
    "booking": _("Booking"),
    "time": _("Time"),
    "place": _("Place"),
    "all_day": _("All day"),
    "visit": _("Visit us"),
    "find_us": _("Find us"),
    "partners": _("Partners"),
    "hours_week": _("Opening hours this week"),
    "draft": _("Draft: not yet published"),
    "more_online": _("More online"),
    "the_route": _("The route"),
    "about_route": _("About the route"),
    "stops": _("Stops"),
    "distance": _("Distance"),
    "duration": _("Estimated time"),
    "time_here": _("Time here"),
    "straight_lines": _(
        "Distances are straight lines between the stops; times include the time spent at each stop."
    ),
}


def translated(key: str, lang: str) -> str:
    with override(lang):
        return str(STRINGS[key])


class UiText(dict):
    """``ui[key]``: safe HTML of the interface string in ``lang`` (and ``lang2``)."""

    def __init__(self, lang: str, lang2: str | None = None):
        super().__init__()
        self.lang, self.lang2 = lang, lang2

    def __missing__(self, key):
        if key not in STRINGS:
            raise KeyError(key)
        first = translated(key, self.lang)
        if self.lang2:
            second = translated(key, self.lang2)
            if second != first:
                value = format_html(
                    '<span lang="{}">{}</span><span class="l2" lang="{}"> / {}</span>',
                    self.lang,
                    first,
                    self.lang2,
                    second,
                )
                self[key] = value
                return value
        value = format_html('<span lang="{}">{}</span>', self.lang, first)
        self[key] = value
        return value

    def plain(self, key: str) -> str:
        return translated(key, self.lang)
