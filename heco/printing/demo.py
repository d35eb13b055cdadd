"""Demo print: the tri-fold leaflet of a demo route, ready to print.

Printing keeps no PDF files: a document is rendered when it is asked for (``heco print …``
or ``/print/<kind>/<id>.pdf`` for staff), and the one record a print leaves is its QR short
link (``ShortLink``, target + medium), which counts the scans of the paper copies. So the
demo "prints" the leaflet of the Plungė manor walk once: its short link exists (it appears
in the admin under Short links, with a link to download the PDF again) and every later print
reuses the same code. ``load_demo_printing()`` is idempotent and, since ``heco demo`` builds
its routes afresh, first drops short links whose route is gone.
"""

from __future__ import annotations

from heco.printing.models import ShortLink
from heco.printing.services import shortlink_for
from heco.systems.models import Route

DEMO_ROUTE_SLUG = "plunge-manor-walk"
DEMO_LEAFLET_LANG = "lt"


def remove_orphan_route_links() -> int:
    routes = {str(pk) for pk in Route.objects.values_list("pk", flat=True)}
    orphans = [
        link.pk
        for link in ShortLink.objects.filter(target_type=ShortLink.TargetType.ROUTE)
        if str(link.target_id) not in routes
    ]
    return ShortLink.objects.filter(pk__in=orphans).delete()[0]


def demo_route() -> Route | None:
    demo_routes = Route.objects.filter(is_demo=True)
    return demo_routes.filter(slug=DEMO_ROUTE_SLUG).first() or demo_routes.order_by("slug").first()


def load_demo_printing(*, stdout=None) -> ShortLink | None:
    remove_orphan_route_links()
    route = demo_route()
    if route is None:
        return None
    link = shortlink_for(target=route, medium="leaflet")
    if stdout:
        stdout.write(
            f"Route leaflet: heco print leaflet {route.slug} --lang {DEMO_LEAFLET_LANG} "
            f"--out leaflet.pdf (staff: /print/leaflet/{route.slug}.pdf?lang="
            f"{DEMO_LEAFLET_LANG}; QR /q/{link.code})."
        )
    return link


def remove_demo_printing() -> int:
    """Short links of demo records (run before the demo records are deleted)."""
    from heco.printing.selectors import TARGET_MODELS

    count = 0
    for target_type, model in TARGET_MODELS.items():
        ids = list(model.objects.filter(is_demo=True).values_list("pk", flat=True))
        count += ShortLink.objects.filter(target_type=target_type, target_id__in=ids).delete()[0]
    return count
