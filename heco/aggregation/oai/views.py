"""HTTP endpoint of the OAI-PMH data provider: GET and POST at ``/oai``."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, HttpResponseNotAllowed, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from . import verbs


def arguments(request) -> dict[str, list[str]] | None:
    """The request's arguments; None when they cannot be read (too many, too big, a broken
    multipart body), which the protocol answers with badArgument."""
    try:
        if request.method != "POST":
            return dict(request.GET.lists())
        if request.content_type == "application/x-www-form-urlencoded":
            # form data has no charset (RFC 1866): read it as UTF-8 whatever the header says
            # (Django's request.POST refuses a declared charset other than UTF-8)
            return dict(QueryDict(request.body).lists())
        return dict(request.POST.lists())
    except (SuspiciousOperation, MultiPartParserError):
        return None


@csrf_exempt  # OAI-PMH allows POST (application/x-www-form-urlencoded) from any harvester
def endpoint(request):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    base_url = request.build_absolute_uri(request.path)
    body = verbs.respond(arguments(request), base_url)
    response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
