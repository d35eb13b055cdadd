from ninja import NinjaAPI

api = NinjaAPI(
    title="HE.CO Hub read API",
    version="1",
    description="Public read API of the HE.CO Hub heritage network.",
    urls_namespace="api",
)
