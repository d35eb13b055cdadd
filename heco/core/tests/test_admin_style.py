"""The back office stylesheet (WCAG 2.2 AA fixes for the admin's own breadcrumbs and filter
links, the language-map widget) is on every admin page, not only on those with a widget."""

from pathlib import Path

import lxml.html
import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",  # the index
        "/admin/login/",  # signed out
        "/admin/newsletters/subscriberlist/",  # a changelist with filters, no language maps
        "/admin/heritage/asset/",
        "/staff/comms/",  # the comms workspace (its own base template)
    ],
)
def test_every_admin_page_loads_the_back_office_stylesheet_once(client, coordinator, url):
    if url != "/admin/login/":
        client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200, url
    doc = lxml.html.fromstring(response.content)
    sheets = [h for h in doc.xpath("//link[@rel='stylesheet']/@href") if "core/admin" in h]
    assert len(sheets) == 1, sheets


def test_the_stylesheet_carries_the_accessibility_rules():
    css = Path(finders.find("core/admin.css")).read_text(encoding="utf-8")
    assert ".breadcrumbs a { text-decoration: underline; }" in css
    assert "min-height: 24px" in css
