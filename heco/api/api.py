"""The public read API: one NinjaAPI, one router per domain, uniform 422 errors."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from heco.api import export, heritage, network, programme, search
from heco.api.docs import LocalSwagger


class HecoAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        """Name the request parameter, not our Python argument.

        ninja maps ``("filters", "kind")`` back to ``("kind",)`` but not the item location
        ``("filters", "kind", 0)``; we map the longest known prefix, so every error reads
        ``["query", "kind", 0]``.
        """
        errors = []
        for context in error_contexts:
            model = context.model
            reverse = getattr(model, "__ninja_flatten_map_reverse__", {})
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = tuple(error["loc"])
                for size in range(len(loc), 0, -1):
                    if loc[:size] in reverse:
                        loc = tuple(reverse[loc[:size]]) + loc[size:]
                        break
                errors.append(
                    {
                        "loc": [model.__ninja_param_source__, *loc],
                        "msg": error["msg"],
                        "type": error["type"],
                    }
                )
        return ValidationError(errors)


api = HecoAPI(
    title="HE.CO Hub read API",
    version="1",
    description=(
        "Public read API of the HE.CO Hub heritage network. Only published records are "
        "shown.\n\n"
        '**Lists** answer `{"items": [...], "count": N}` with `limit` (1–100, default 20) '
        "and `offset`. Every item has `id` (UUID), `slug` and `url` (its public page).\n\n"
        "**Language maps** (names, titles, descriptions…) come back whole, keyed by BCP 47 "
        'tag: `"title": {"lt": "…", "en": "…"}`. With `lang=<code>` each one is '
        "joined by `title_text` (resolved with the fallback requested language → the "
        "community's or network's default language → English → any) and `title_lang` (the "
        "language the text is actually in, null when the map is empty).\n\n"
        "**Errors**: invalid parameters answer 422 with "
        '`{"detail": [{"loc": ["query", "country", 0], "msg": "…", "type": "…"}]}`; '
        "unknown or unpublished records 404; deleted assets, services and events 410 with "
        '`{"id": …, "status": "deleted"}`.'
    ),
    urls_namespace="api",
    docs=LocalSwagger(),
)


def _plain(value):
    return value if isinstance(value, (str, int)) else str(value)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`` naming the field."""
    detail = [
        {
            "loc": [_plain(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "Invalid value.")),
            "type": str(error.get("type", "value_error")),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/assets", heritage.router)
api.add_router("/search", search.router)
api.add_router("/export", export.router)
api.add_router("/", network.router)
api.add_router("/", programme.router)
