"""Month paging at the ends of the range the calendar accepts (1900-01 to 2200-12): no
link leads outside it (it would be a 400)."""

import pytest


def _month_links(html: str) -> dict[str, str]:
    """The month navigation's links by their rel (prev, next)."""
    import re

    nav = re.search(r'<nav class="month-nav".*?</nav>', html, re.S).group(0)
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'<a href="([^"]*)" rel="(prev|next)"', nav)
    }


@pytest.mark.parametrize(
    "month,expected", [("2200-12", {"prev"}), ("1900-01", {"next"}), ("2200-11", {"prev", "next"})]
)
def test_calendar_offers_no_month_outside_the_range_it_accepts(client, world, month, expected):
    response = client.get("/en/calendar/", {"month": month, "community": "plunge"})
    assert response.status_code == 200
    links = _month_links(response.content.decode())
    assert set(links) == expected
    for href in links.values():  # every link offered leads to a page, none to a 400
        assert "community=plunge" in href
        assert client.get("/en/calendar/" + href).status_code == 200
