"""An A3 or A4 poster for one event, with a QR code to the event's page."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from heco.printing.documents.base import Document
from heco.printing.formatting import local, long_date, short_date, time_range
from heco.printing.occurrences import event_zone, occurrences_of
from heco.programme import dates as programme_dates
from heco.programme.models import Accessibility, Event


def choice_labels(choices, values) -> list:
    known = dict(choices.choices)
    return [known[value] for value in values or [] if value in known]


class PosterDocument(Document):
    kind = "poster"
    template = "printing/poster.html"
    target_models = (Event,)
    target_description = _("an event")
    sizes = ("A3", "A4")
    default_size = "A3"
    bleed = True

    def default_language(self):
        return self.target.organisation.community.default_language

    def build_context(self) -> dict:
        event = self.target
        zone = event_zone(event)
        upcoming = occurrences_of(event, self.now, self.now + dt.timedelta(days=366))[:7]
        if not upcoming:  # a past event can still be printed (an archive copy)
            upcoming = occurrences_of(event, event.start, event.start + dt.timedelta(days=1))[:1]
        dates = []
        for occurrence in upcoming:
            start = local(occurrence.start, zone)
            end = local(occurrence.end, zone) if occurrence.end else None
            last_day = end.date() if end else None
            if event.all_day and end:  # the end is the midnight after the last day
                last_day = programme_dates.days(start, end)[1]
            dates.append(
                {
                    "long": long_date(start.date(), self.lang),
                    "short": short_date(start.date(), self.lang),
                    "time": time_range(start, end, self.lang, all_day=event.all_day),
                    "until": long_date(last_day, self.lang)
                    if last_day and last_day != start.date()
                    else "",
                }
            )
        place = None
        if event.asset_id:
            place = {"name": self.texts(event.asset.title), "address": event.asset.address}
        elif event.venue_id:
            place = {"name": self.texts(event.venue.name), "address": event.venue.address}
        else:
            org = event.organisation
            place = {"name": self.texts(org.name), "address": org.address}
        limit = 420 if self.lang2 else 900
        if self.size == "A4":
            limit = int(limit * 0.7)
        return {
            "event": event,
            "organisation": event.organisation,
            "organiser": self.texts(event.organisation.name),
            "title": self.texts(event.title),
            "description": self.texts(event.description),
            "description_limit": limit,
            "first_date": dates[0] if dates else None,
            "more_dates": dates[1:],
            "place": place,
            "accessibility": choice_labels(Accessibility, event.accessibility),
            "audience": choice_labels(Event.Audience, event.audience),
            "image": self.image_for(event.asset) if event.asset_id else None,
            "qr": self.qr(event, "poster"),
        }
