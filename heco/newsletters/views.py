"""Public newsletter pages: sign-up (double opt-in), confirmation, one-click unsubscribe, and
the web archive of sent editions."""

from __future__ import annotations

import ipaddress
import logging
import smtplib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from heco.core.cache import public_page, read_only
from heco.newsletters import privacy, services
from heco.newsletters.forms import DataRequestForm, SignupForm
from heco.newsletters.models import Edition, SubscriberList
from heco.newsletters.sending import content_for_language
from heco.site.views.common import lang

log = logging.getLogger(__name__)

SIGNUPS_PER_HOUR = 5
RATE_WINDOW = 3600


def _is_local(address: str) -> bool:
    """True for no address (a unix socket), a loopback or a private one: a reverse proxy."""
    try:
        return ipaddress.ip_address(address).is_private
    except ValueError:
        return True


def _client_ip(request) -> str:
    """The visitor's address. Behind the reverse proxy (docs/deployment.md: nginx, then gunicorn
    on a unix socket) REMOTE_ADDR is empty or local and the visitor is the *last*
    X-Forwarded-For entry, the one the proxy added; entries before it come from the client and
    are ignored. A request from a public address is counted by that address."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    if forwarded and _is_local(remote):
        return forwarded
    return remote or "unknown"


def signup_rate_limited(request, action: str = "signup") -> bool:
    """Count this attempt (a sign-up, a data request) for the client's IP; True once it is
    over the limit. Each form has its own count, both the same hourly limit."""
    limit = int(getattr(settings, "HECO_NEWSLETTER_SIGNUPS_PER_HOUR", SIGNUPS_PER_HOUR))
    key = f"heco:newsletter:{action}:{_client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > limit


@require_http_methods(["GET", "POST"])
def signup(request, slug):
    subscriber_list = get_object_or_404(
        SubscriberList.objects.select_related("organisation", "network"), slug=slug, active=True
    )
    wording = services.consent_wording(subscriber_list)
    context = {"subscriber_list": subscriber_list}
    if request.method == "POST":
        form = SignupForm(request.POST, consent_label=wording)
        if signup_rate_limited(request):
            context.update(
                form=form,
                form_errors=[
                    {
                        "id": "",
                        "message": _(
                            "Too many sign-ups from your network in the last "
                            "hour. Please try again later."
                        ),
                    }  # fmt: skip
                ],
            )
            response = render(request, "newsletters/signup.html", context, status=429)
            response["Retry-After"] = str(RATE_WINDOW)
            return response
        if form.is_spam():  # the same page a person sees, and nothing stored or sent
            return render(request, "newsletters/signup_done.html", context)
        status = 400
        if form.is_valid():
            try:
                services.subscriber_signup(
                    subscriber_list=subscriber_list,
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"],
                    consent_text=wording,
                )
            except smtplib.SMTPRecipientsRefused:  # nothing is stored: see subscriber_signup
                form.add_error("email", _("The mail server refused this address. Check it."))
            except (smtplib.SMTPException, OSError):
                log.exception("newsletter confirmation mail not sent")
                form.add_error(None, _("The confirmation email could not be sent just now. "
                                       "Please try again later."))  # fmt: skip
                status = 503
            else:
                context["email"] = form.cleaned_data["email"]
                return render(request, "newsletters/signup_done.html", context)
        context.update(form=form, form_errors=form.error_list())
        return render(request, "newsletters/signup.html", context, status=status)
    form = SignupForm(initial={"language": lang()}, consent_label=wording)
    context["form"] = form
    return render(request, "newsletters/signup.html", context)


def _invalid_link(request, **context):
    return render(request, "newsletters/invalid_link.html", context, status=404)


def _too_many(request, template, context):
    context["form_errors"] = [
        {"id": "", "message": _("Too many requests from your network in the last hour. "
                                "Please try again later.")}
    ]  # fmt: skip
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(RATE_WINDOW)
    return response


def _private(response):
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def data_request(request):
    """Ask for a copy or the erasure of one's data: the link goes to the address only."""
    if request.method == "POST":
        form = DataRequestForm(request.POST)
        if signup_rate_limited(request, "data-request"):
            return _too_many(request, "newsletters/data_request.html", {"form": form})
        if form.is_spam():
            return render(request, "newsletters/data_request_done.html")
        if form.is_valid():
            try:
                privacy.data_request(email=form.cleaned_data["email"], lang=lang())
            except (smtplib.SMTPException, OSError):
                # the same page as for an unknown address: an error would tell who is subscribed
                log.exception("newsletter data link not sent")
            return render(request, "newsletters/data_request_done.html")
        context = {"form": form, "form_errors": form.error_list()}
        return render(request, "newsletters/data_request.html", context, status=400)
    return render(request, "newsletters/data_request.html", {"form": DataRequestForm()})


@read_only
def my_data(request, token):
    subscriptions = privacy.subscriptions_for_data_token(token)
    if not subscriptions:
        return _private(_invalid_link(request, data_link=True))
    context = {"subscriptions": subscriptions, "token": token}
    return _private(render(request, "newsletters/my_data.html", context))


@require_POST
def my_data_export(request, token):
    subscriptions = privacy.subscriptions_for_data_token(token)
    if not subscriptions:
        return _private(_invalid_link(request, data_link=True))
    data = privacy.subscriber_export(subscriptions)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-newsletter-data.json"'
    return _private(response)


@require_POST
def my_data_erase(request, token):
    subscriptions = privacy.subscriptions_for_data_token(token)
    if not subscriptions:
        return _private(_invalid_link(request, data_link=True))
    privacy.subscriber_erase(subscriptions)
    return _private(render(request, "newsletters/my_data_erased.html"))


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button, POST confirms: link scanners that fetch every URL in a mail must
    not subscribe anyone."""
    subscriber = services.subscriber_for_confirm_token(token)
    if subscriber is None:
        return _invalid_link(request)
    context = {"subscriber": subscriber, "subscriber_list": subscriber.list}
    if request.method == "POST":
        if subscriber.status != subscriber.Status.UNSUBSCRIBED:
            services.subscriber_confirm(subscriber=subscriber)
        return render(request, "newsletters/confirmed.html", context)
    return render(request, "newsletters/confirm.html", context)


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = services.subscriber_for_unsubscribe_token(token)
    if subscriber is None:
        with override(lang()):
            return _invalid_link(request)
    context = {"subscriber": subscriber, "subscriber_list": subscriber.list}
    with override(subscriber.language):
        if request.method == "POST":
            services.subscriber_unsubscribe(subscriber=subscriber)
            response = render(request, "newsletters/unsubscribed.html", context)
        else:
            response = render(request, "newsletters/unsubscribe.html", context)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = subscriber.language
    return response


@public_page
def archive(request, slug):
    subscriber_list = get_object_or_404(SubscriberList, slug=slug)
    editions = list(
        subscriber_list.editions.filter(status=Edition.Status.SENT).order_by("-month", "-sent_at")[
            :200
        ]
    )
    rows = []
    for edition in editions:
        code, content = content_for_language(edition, lang())
        rows.append({"edition": edition, "content": content, "lang": code})
    return render(
        request,
        "newsletters/archive.html",
        {"subscriber_list": subscriber_list, "rows": rows},
    )


@public_page
def edition_page(request, slug, edition):
    edition = (
        Edition.objects.select_related("list")
        .filter(list__slug=slug, slug=edition, status=Edition.Status.SENT)
        .first()
    )
    if edition is None:
        raise Http404(_("No such newsletter edition."))
    code, content = content_for_language(edition, lang())
    return render(
        request,
        "newsletters/edition.html",
        {"edition": edition, "subscriber_list": edition.list, "content": content,
         "content_lang": code, "is_fallback": code != lang()},
    )  # fmt: skip
