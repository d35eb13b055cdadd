"""Demo communication: channels, news items in several languages, deliveries in every state.

Call ``load_demo_comms()`` after the demo network is loaded (``heco demo``); it is idempotent
(does nothing when demo items exist) and ``remove_demo_comms()`` deletes what it made. The demo
channels point at ``*.invalid`` hosts with dummy credentials, so nothing is ever sent: the
"published" and "failed" posts are recorded deliveries, for trying the screens.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from heco.comms.models import Channel, Delivery, Item
from heco.network.models import Membership, Organisation, Role

NEWS = [
    # (status, title map, summary map)
    (
        Item.Status.PUBLISHED,
        {"lt": "Dvaro parkas vėl atviras lankytojams", "en": "The manor park is open again"},
        {"lt": "Po restauravimo atnaujinti takai ir tiltelis. Laukiame jūsų!",
         "en": "Paths and the footbridge have been restored. Come and visit!"},
    ),
    (
        Item.Status.SCHEDULED,
        {"it": "Giornata del patrimonio: visite guidate gratuite",
         "en": "Heritage day: free guided tours"},
        {"it": "Sabato visite guidate gratuite al centro storico.",
         "en": "Free guided tours of the old town on Saturday."},
    ),
    (
        Item.Status.FAILED,
        {"sl": "Iščemo prostovoljce za obnovo suhozidov",
         "en": "Volunteers wanted to rebuild dry-stone walls"},
        {"sl": "Pridružite se nam v soboto ob 9. uri.", "en": "Join us on Saturday at 9 am."},
    ),
    (
        Item.Status.REVIEW,
        {"mt": "Il-mużew jiftaħ wirja ġdida", "en": "The museum opens a new exhibition"},
        {"mt": "Wirja dwar il-bini tal-ġebel Malti.", "en": "An exhibition on Maltese stonework."},
    ),
    (
        Item.Status.DRAFT,
        {"nl": "Nieuwe wandelroute langs molens", "en": "A new walking route past windmills"},
        {"nl": "Twaalf kilometer langs vijf molens.", "en": "Twelve kilometres past five mills."},
    ),
]  # fmt: skip


def _approver_for(org):
    membership = (
        Membership.objects.filter(role=Role.COORDINATOR, network__organisations=org)
        .select_related("user")
        .first()
        or Membership.objects.filter(organisation=org, role__in=[Role.ADMIN, Role.EDITOR])
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _channels_for(org, lang: str) -> list[Channel]:
    specs = [
        ("mastodon", f"Mastodon ({lang})", "https://mastodon.demo.invalid", lang),
        ("bluesky", "Bluesky (en)", "https://bsky.demo.invalid", "en"),
        ("instagram", f"Instagram ({lang})", "", lang),
    ]
    channels = []
    for kind, name, base_url, language in specs:
        channel = Channel(
            organisation=org, kind=kind, name=name, base_url=base_url, language=language,
            account=f"{org.slug}.demo.invalid", is_demo=True,
        )  # fmt: skip
        if kind == "mastodon":
            channel.set_credentials({"access_token": "demo-token-not-valid"})
        elif kind == "bluesky":
            channel.set_credentials({"identifier": channel.account, "password": "demo"})
        channel.save()
        channels.append(channel)
    return channels


def load_demo_comms(*, stdout=None) -> dict[str, int]:
    if Item.objects.filter(is_demo=True).exists():
        return {"items": 0, "channels": 0, "deliveries": 0}
    orgs = list(
        Organisation.objects.filter(is_demo=True, assets__isnull=False)
        .select_related("community")
        .distinct()
        .order_by("slug")
    )
    if not orgs:
        return {"items": 0, "channels": 0, "deliveries": 0}
    now = timezone.now()
    counts = {"items": 0, "channels": 0, "deliveries": 0}
    with transaction.atomic():
        for index, (status, title, summary) in enumerate(NEWS):
            lang = next(code for code in title if code != "en")
            org = next(
                (o for o in orgs if o.community.default_language == lang), orgs[index % len(orgs)]
            )
            channels = list(Channel.objects.filter(organisation=org, is_demo=True))
            if not channels:
                channels = _channels_for(org, lang)
                counts["channels"] += len(channels)
            approver = _approver_for(org)
            item = Item.objects.create(
                organisation=org, kind=Item.Kind.VOLUNTEERS if status == Item.Status.FAILED
                else Item.Kind.NEWS, slug=f"demo-news-{index + 1}", title=title,
                summary=summary, body=summary, status=Item.Status.DRAFT, is_demo=True,
            )  # fmt: skip
            asset = org.assets.filter(status="published").order_by("slug").first()
            if asset:
                item.assets.add(asset)
                images = asset.media.filter(kind="image")
                item.images.set([m for m in images if m.alt_text.get(lang)][:1])
            counts["items"] += 1
            if status in (Item.Status.DRAFT, Item.Status.REVIEW) or approver is None:
                item.status = status if status == Item.Status.REVIEW else Item.Status.DRAFT
                item.save()
                continue
            item.approved_by, item.approved_at = approver, now - dt.timedelta(days=3)
            item.scheduled_at = now + dt.timedelta(days=4) if status == "scheduled" else (
                now - dt.timedelta(days=2))  # fmt: skip
            item.status = status
            if status in (Item.Status.PUBLISHED, Item.Status.FAILED):
                item.published_at = item.scheduled_at  # its news page went up at its time
            item.save()
            for channel in channels:
                delivery = Delivery(item=item, channel=channel)
                rendition = channel.plugin.render(item, channel.language, channel=channel)
                delivery.text = rendition.text
                if status == Item.Status.PUBLISHED:
                    delivery.attempts, delivery.sent_at = 1, item.published_at
                    if channel.plugin.exports:
                        delivery.status = Delivery.Status.EXPORTED
                    else:
                        delivery.status = Delivery.Status.SENT
                        delivery.remote_id = "109876543210"
                        delivery.remote_url = f"{channel.base_url}/@{org.slug}/109876543210"
                    delivery.log = [
                        {
                            "at": item.published_at.isoformat(),
                            "attempt": 1,
                            "event": delivery.status,
                            "url": delivery.remote_url,
                        }
                    ]
                elif status == Item.Status.FAILED and not channel.plugin.exports:
                    delivery.status, delivery.attempts = Delivery.Status.FAILED, 5
                    delivery.last_error = "Mastodon refused the access token: 401 Unauthorized"
                    delivery.log = [
                        {
                            "at": item.scheduled_at.isoformat(),
                            "attempt": 5,
                            "event": "failed",
                            "error": delivery.last_error,
                        }
                    ]
                elif status == Item.Status.FAILED:
                    delivery.status, delivery.attempts = Delivery.Status.EXPORTED, 1
                delivery.save()
                counts["deliveries"] += 1
    if stdout:
        stdout.write(
            f"Communication demo: {counts['items']} items, {counts['channels']} channels, "
            f"{counts['deliveries']} deliveries."
        )
    return counts


def remove_demo_comms() -> int:
    """Delete the demo items and channels (run before removing demo organisations)."""
    deleted = Item.objects.filter(is_demo=True).delete()[0]
    return deleted + Channel.objects.filter(is_demo=True).delete()[0]
