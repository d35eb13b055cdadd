"""A month's event programme for one organisation or a whole network."""

from __future__ import annotations

import calendar
import datetime as dt
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from heco.network.models import Network, Organisation
from heco.printing.documents.base import Document
from heco.printing.formatting import css_string, day_heading, local, month_title, time_range
from heco.printing.occurrences import candidate_events, event_zone, upcoming


class ProgrammeDocument(Document):
    kind = "programme"
    template = "printing/programme.html"
    target_models = (Organisation, Network)
    target_description = _("an organisation or a network")
    sizes = ("A4", "A3")
    default_size = "A4"
    uses_month = True

    def default_language(self):
        if isinstance(self.target, Network):
            return self.target.default_language
        return self.target.community.default_language

    def organisation_ids(self) -> set:
        if isinstance(self.target, Network):
            return set(self.target.organisations.values_list("id", flat=True))
        return {self.target.pk}

    def window(self):
        year, month = self.month
        zone = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime(year, month, 1, tzinfo=zone)
        last = calendar.monthrange(year, month)[1]
        end = dt.datetime(year, month, last, tzinfo=zone) + dt.timedelta(days=1)
        return start, end

    def events(self):
        start, end = self.window()
        events = candidate_events(start, end).select_related("asset", "venue", "organisation")
        if isinstance(self.target, Network):
            events = events.filter(organisation__networks=self.target)
        else:
            org = self.target
            events = events.filter(Q(organisation=org) | Q(venue=org))
        return events.distinct()

    def build_context(self) -> dict:
        start, end = self.window()
        network_wide = isinstance(self.target, Network)
        rows = []
        for occurrence in upcoming(self.events(), start, end):
            event = occurrence.event
            zone = event_zone(event)
            begin = local(occurrence.start, zone)
            finish = local(occurrence.end, zone) if occurrence.end else None
            place = event.asset.title if event.asset_id else None
            if place is None and event.venue_id:
                place = event.venue.name
            rows.append(
                {
                    "day": max(begin.date(), start.date()),
                    "time": time_range(begin, finish, self.lang, all_day=event.all_day),
                    "title": self.texts(event.title),
                    "place": self.text(place) if place else None,
                    "organiser": self.text(event.organisation.name) if network_wide else None,
                }
            )
        days = [
            {"heading": day_heading(day, self.lang), "date": day, "rows": list(items)}
            for day, items in groupby(rows, key=lambda row: row["day"])
        ]
        year, month = self.month
        name = self.texts(self.target.name)
        title = month_title(year, month, self.lang)
        return {
            "name": name,
            "footer_css": css_string(f"{name[0].text if name else ''} · {title}"),
            "month_title": title,
            "month_title2": month_title(year, month, self.lang2) if self.lang2 else "",
            "days": days,
            "network_wide": network_wide,
            "qr": None if network_wide else self.qr(self.target, "programme"),
        }
