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
    "month,offered,withheld",
    [("2200-12", "prev", "next"), ("1900-01", "next", "prev"), ("2200-11", "next", "prev")],
)
def test_calendar_offers_no_month_outside_the_range_it_accepts(
    client, world, month, offered, withheld
):
    response = client.get("/en/events/calendar/", {"month": month})
    assert response.status_code == 200
    links = _month_links(response.content.decode())
    if month == "2200-11":  # both ends still inside the range
        assert set(links) == {"prev", "next"}
    else:
        assert set(links) == {offered}
    for href in links.values():  # every link offered leads to a page, none to a 400
        assert client.get("/en/events/calendar/" + href).status_code == 200
