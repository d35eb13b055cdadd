"""Template helpers for routes, passes and the service map."""

from django import template
from django.utils.translation import gettext, ngettext

from heco.systems.schematic import route_svg

register = template.Library()


@register.filter
def duration(minutes) -> str:
    """ "2 h 35 min", "45 min" in the visitor's language."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(minutes)d minute", "%(minutes)d minutes", rest) % {"minutes": rest}
    if not rest:
        return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


@register.simple_tag
def schematic(points, label):
    return route_svg(points, label=label)
