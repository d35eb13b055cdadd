"""The closed list of rights statements that Europeana accepts (rightsstatements.org + CC)."""

from django.utils.translation import gettext_lazy as _

RIGHTS_STATEMENTS = [
    ("http://creativecommons.org/publicdomain/mark/1.0/", _("Public Domain Mark")),
    ("http://creativecommons.org/publicdomain/zero/1.0/", _("CC0 1.0 Public Domain Dedication")),
    ("http://creativecommons.org/licenses/by/4.0/", _("CC BY 4.0")),
    ("http://creativecommons.org/licenses/by-sa/4.0/", _("CC BY-SA 4.0")),
    ("http://creativecommons.org/licenses/by-nd/4.0/", _("CC BY-ND 4.0")),
    ("http://creativecommons.org/licenses/by-nc/4.0/", _("CC BY-NC 4.0")),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0/", _("CC BY-NC-SA 4.0")),
    ("http://creativecommons.org/licenses/by-nc-nd/4.0/", _("CC BY-NC-ND 4.0")),
    ("http://rightsstatements.org/vocab/InC/1.0/", _("In Copyright")),
    (
        "http://rightsstatements.org/vocab/InC-EDU/1.0/",
        _("In Copyright – Educational Use Permitted"),
    ),
    ("http://rightsstatements.org/vocab/InC-OW-EU/1.0/", _("In Copyright – EU Orphan Work")),
    (
        "http://rightsstatements.org/vocab/NoC-OKLR/1.0/",
        _("No Copyright – Other Known Legal Restrictions"),
    ),
    ("http://rightsstatements.org/vocab/NoC-NC/1.0/", _("No Copyright – Non-Commercial Use Only")),
    ("http://rightsstatements.org/vocab/CNE/1.0/", _("Copyright Not Evaluated")),
]
RIGHTS_URIS = {uri for uri, _label in RIGHTS_STATEMENTS}
COPYRIGHT_NOT_EVALUATED = "http://rightsstatements.org/vocab/CNE/1.0/"
OPEN_RIGHTS = {
    "http://creativecommons.org/publicdomain/mark/1.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
}


def normalise_rights(uri: str | None) -> str | None:
    """Map common variants (https, missing trailing slash, /deed.xx) onto the closed list."""
    if not uri:
        return None
    value = uri.strip().replace("https://", "http://")
    value = value.split("/deed")[0].split("?")[0]
    if not value.endswith("/"):
        value += "/"
    return value if value in RIGHTS_URIS else None
