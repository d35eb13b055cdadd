"""Month paging at the ends of the range the calendars accept (1900-01 to 2200-12): no link
leads outside it (it would be a 400). Both calendars: the events calendar and the network's
shared calendar."""

import re

import pytest

CALENDARS = [("/en/events/calendar/", {}), ("/en/calendar/", {"community": "plunge"})]


def month_links(html: str) -> dict[str, str]:
    """The month navigation's links by their rel (prev, next)."""
    nav = re.search(r'<nav class="month-nav".*?</nav>', html, re.S).group(0)
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'<a href="([^"]*)" rel="(prev|next)"', nav)
    }


@pytest.mark.parametrize(("path", "params"), CALENDARS)
@pytest.mark.parametrize(
    ("month", "expected"),
    [("2200-12", {"prev"}), ("1900-01", {"next"}), ("2200-11", {"prev", "next"})],
)
def test_calendar_offers_no_month_outside_the_range_it_accepts(
    client, world, path, params, month, expected
):
    response = client.get(path, {**params, "month": month})
    assert response.status_code == 200
    links = month_links(response.content.decode())
    assert set(links) == expected
    for href in links.values():  # every link offered leads to a page, none to a 400
        assert all(f"{key}={value}" in href for key, value in params.items())  # filters kept
        assert client.get(path + href).status_code == 200
