"""Staff workspace for communication: items, rendition previews, workflow, calendars.

Server-rendered in the admin's look (``admin/base_site.html``); staff login required;
everything scoped to the user's organisations through heco.network.selectors.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from heco.comms import selectors, services
from heco.comms.forms import ItemForm, ScheduleForm
from heco.comms.models import Item
from heco.core.langmap import pick
from heco.network.models import Network, Organisation
from heco.network.selectors import editable_organisation_ids, visible_organisations


def _context(request, **extra):
    context = admin.site.each_context(request)
    context.update(extra)
    return context


def _editable_organisations(user):
    ids = editable_organisation_ids(user)
    qs = Organisation.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def _visible_item(request, pk) -> Item:
    return get_object_or_404(selectors.items_visible_to(request.user), pk=pk)


@staff_member_required
def item_list(request):
    items = selectors.items_visible_to(request.user).order_by("-updated_at")
    status = request.GET.get("status")
    if status in Item.Status.values:
        items = items.filter(status=status)
    return render(
        request,
        "comms/item_list.html",
        _context(
            request,
            title=_("Communication"),
            items=items[:200],
            statuses=Item.Status.choices,
            current_status=status,
            organisations=visible_organisations(request.user),
            can_add=editable_organisation_ids(request.user) != set(),
        ),
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk=None):
    item = _visible_item(request, pk) if pk else None
    if item is not None and not services.can_edit_items(request.user, item.organisation_id):
        raise PermissionDenied(_("You may not edit this organisation’s communication."))
    organisations = _editable_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("You do not edit any organisation."))
    initial = None
    if item is not None:
        initial = {
            "organisation": item.organisation_id,
            "kind": item.kind,
            "title": item.title,
            "summary": item.summary,
            "body": item.body,
            "link_url": item.link_url,
            "assets": item.assets.all(),
            "events": item.events.all(),
            "images": item.images.all(),
            "channels": item.channels.all(),
        }
    form = ItemForm(request.POST or None, initial=initial, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            if item is None:
                item = services.item_create(user=request.user, organisation=organisation, **data)
            else:
                if organisation.pk != item.organisation_id:
                    raise ValidationError(_("An item cannot move to another organisation."))
                item = services.item_update(item=item, user=request.user, **data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):  # e.g. the summary too long for a channel
                form.add_error(None, error)
            else:
                for message in error.messages:
                    form.add_error(None, message)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("comms:item", pk=item.pk)
    return render(
        request,
        "comms/item_form.html",
        _context(
            request,
            title=_("Edit communication item") if item else _("New communication item"),
            form=form,
            item=item,
        ),
    )


@staff_member_required
def item_detail(request, pk):
    item = _visible_item(request, pk)
    renditions = services.item_renditions(item)
    user = request.user
    return render(
        request,
        "comms/item_detail.html",
        _context(
            request,
            title=pick(item.title).text or item.slug,
            item=item,
            renditions=renditions,
            deliveries=item.deliveries.select_related("channel"),
            can_edit=services.can_edit_items(user, item.organisation_id) and item.is_editable,
            can_approve=services.can_approve_items(user, item.organisation_id),
            schedule_form=ScheduleForm(
                initial={"scheduled_at": timezone.localtime() + dt.timedelta(hours=1)}
            ),
            blocking=[f"{c.name}: {e}" for c, r in renditions for e in r.errors],
        ),
    )


@staff_member_required
@require_POST
def item_action(request, pk):
    item = _visible_item(request, pk)
    action = request.POST.get("action")
    user = request.user
    try:
        if action == "submit":
            services.item_submit(item=item, user=user)
            messages.success(request, _("Submitted for review."))
        elif action == "approve":
            services.item_approve(item=item, user=user)
            messages.success(request, _("Approved."))
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Enter a valid date and time."))
            if item.approved_by_id is None:
                services.item_approve(item=item, user=user)
            services.item_schedule(
                item=item, user=user, scheduled_at=form.cleaned_data["scheduled_at"]
            )
            messages.success(request, _("Scheduled."))
        elif action == "return":
            services.item_return_to_draft(item=item, user=user)
            messages.success(request, _("Returned to draft."))
        elif action == "retry":
            delivery_id = request.POST.get("delivery", "")
            if not delivery_id.isascii() or not delivery_id.isdigit():
                raise Http404("no such delivery")
            delivery = get_object_or_404(item.deliveries, pk=int(delivery_id))
            services.delivery_retry(delivery=delivery, user=user)
            messages.success(
                request, _("Sending again to %(channel)s.") % {"channel": delivery.channel.name}
            )
        else:
            raise Http404("unknown action")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("comms:item", pk=item.pk)


def _month(request) -> tuple[int, int]:
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        if not dt.MINYEAR < year < dt.MAXYEAR:  # the grid shows the months either side
            raise ValueError(value)
        dt.date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        year, month = today.year, today.month
    return year, month


def _calendar(request, queryset, heading, base_url):
    year, month = _month(request)
    items = selectors.calendar_items(queryset, year, month)
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    following = (first + dt.timedelta(days=32)).strftime("%Y-%m")
    return render(
        request,
        "comms/calendar.html",
        _context(
            request,
            title=heading,
            month=first,
            weeks=selectors.calendar_weeks(items, year, month),
            previous_url=f"{base_url}?month={previous}",
            next_url=f"{base_url}?month={following}",
            weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        ),
    )


@staff_member_required
def organisation_calendar(request, slug):
    organisation = get_object_or_404(visible_organisations(request.user), slug=slug)
    queryset = selectors.items_visible_to(request.user).filter(organisation=organisation)
    heading = _("Communication calendar: %(name)s") % {"name": organisation}
    url = reverse("comms:organisation-calendar", kwargs={"slug": slug})
    return _calendar(request, queryset, heading, url)


@staff_member_required
def network_calendar(request, slug):
    network = get_object_or_404(Network, slug=slug)
    org_ids = set(network.organisations.values_list("pk", flat=True))
    visible = set(visible_organisations(request.user).values_list("pk", flat=True))
    if not org_ids & visible:
        raise Http404("not a network of yours")
    queryset = selectors.items_visible_to(request.user).filter(organisation_id__in=org_ids)
    heading = _("Communication calendar: %(name)s") % {"name": network}
    url = reverse("comms:network-calendar", kwargs={"slug": slug})
    return _calendar(request, queryset, heading, url)
