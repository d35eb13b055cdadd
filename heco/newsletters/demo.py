"""Demo newsletters: one list per demo network, a few subscribers (example.invalid addresses,
nobody is mailed) and one sent edition in the public archive.

Called by ``heco demo`` after ``load_demo_comms`` (the edition draws on its news items).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from heco.comms.models import Item
from heco.network.models import Network
from heco.newsletters.models import Edition, SendLog, Subscriber, SubscriberList
from heco.newsletters.sending import edition_assemble

DEMO_SUBSCRIBERS = [("ona", "lt"), ("marco", "it"), ("eva", "en"), ("ana", "sl"),
                    ("joe", "mt"), ("daan", "nl"), ("tomas", "lt")]  # fmt: skip

LIST_NAMES = {
    "en": "{name} newsletter",
    "lt": "{name} naujienlaiškis",
    "it": "Newsletter di {name}",
}
EDITION_TITLES = {"en": "News of the month", "lt": "Mėnesio naujienos", "it": "Notizie del mese"}
EDITION_INTROS = {
    "en": "What happened in our heritage places this month, and what is coming up.",
    "lt": "Kas vyko mūsų paveldo vietose šį mėnesį ir kas laukia.",
}


def load_demo_newsletters(*, stdout=None) -> dict[str, int]:
    counts = {"lists": 0, "subscribers": 0, "editions": 0}
    now = timezone.now()
    month = (now.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for network in Network.objects.filter(is_demo=True).order_by("slug"):
        name = network.name.get("en") or network.slug
        subscriber_list, created = SubscriberList.objects.get_or_create(
            slug=f"{network.slug}-news"[:120],
            defaults={
                "network": network,
                "name": {
                    code: text.format(name=network.name.get(code, name))
                    for code, text in LIST_NAMES.items()
                },  # fmt: skip
                "description": {
                    "en": "Once a month: news, stories and upcoming events of the network.",
                    "lt": "Kartą per mėnesį: tinklo naujienos, istorijos ir renginiai.",
                },
                "default_language": network.default_language or "en",
                "is_demo": True,
            },
        )
        counts["lists"] += created
        for local, language in DEMO_SUBSCRIBERS:
            _subscriber, created = Subscriber.objects.get_or_create(
                list=subscriber_list,
                email=f"{local}@example.invalid",
                defaults={
                    "language": language,
                    "status": Subscriber.Status.CONFIRMED,
                    "consent_purpose": "Receiving the network newsletter by email (demo).",
                    "consent_wording_version": "demo",
                    "consent_at": now,
                    "confirmed_at": now,
                    "is_demo": True,
                },
            )
            counts["subscribers"] += created
        edition, created = Edition.objects.get_or_create(
            list=subscriber_list,
            slug=month.strftime("%Y-%m"),
            defaults={
                "month": month,
                "title": EDITION_TITLES,
                "intro": EDITION_INTROS,
                "is_demo": True,
            },  # fmt: skip
        )
        if created:
            counts["editions"] += 1
            published = Item.objects.filter(
                status=Item.Status.PUBLISHED, organisation__networks=network
            ).order_by("-published_at")
            edition.items.set(list(published[:6]))
            edition_assemble(edition=edition, now=now)
            edition.status = Edition.Status.SENT
            edition.sent_at = now
            edition.save(update_fields=["status", "sent_at"])
            # the demo edition counts as sent to the demo subscribers; no mail goes out
            SendLog.objects.bulk_create(
                SendLog(edition=edition, subscriber=s, email=s.email, language=s.language,
                        status=SendLog.Status.SENT, attempts=1)
                for s in subscriber_list.subscribers.all()
            )  # fmt: skip
    if stdout is not None:
        stdout.write(
            f"Newsletters: {counts['lists']} lists, {counts['subscribers']} subscribers, "
            f"{counts['editions']} sent editions."
        )
    return counts


def remove_demo_newsletters() -> int:
    deleted, _detail = SubscriberList.objects.filter(is_demo=True).delete()
    return deleted
