from django.conf import settings


def site(request):
    return {"LANGUAGE_CODES": settings.LANGUAGE_CODES, "SITE_URL": settings.SITE_URL}
