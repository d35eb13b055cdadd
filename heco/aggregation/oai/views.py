"""HTTP endpoint of the OAI-PMH data provider: GET and POST at ``/oai``."""

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from . import verbs


@csrf_exempt  # OAI-PMH allows POST (application/x-www-form-urlencoded) from any harvester
def endpoint(request):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    params = request.POST if request.method == "POST" else request.GET
    args = dict(params.lists())
    base_url = request.build_absolute_uri(request.path)
    body = verbs.respond(args, base_url)
    response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
