import pytest

from heco.comms.demo import load_demo_comms, remove_demo_comms
from heco.comms.models import Delivery, Item


@pytest.mark.django_db
def test_demo_has_items_in_every_state_and_several_languages():
    from heco.demo.loader import build_demo

    build_demo(images=False)
    counts = load_demo_comms()
    assert counts["items"] == 5
    assert set(Item.objects.values_list("status", flat=True)) == {
        "draft",
        "review",
        "scheduled",
        "published",
        "failed",
    }
    languages = {code for title in Item.objects.values_list("title", flat=True) for code in title}
    assert {"lt", "it", "sl", "mt", "nl", "en"} <= languages
    sent = Delivery.objects.filter(status="sent").exclude(remote_url="")
    assert sent.exists()
    assert Delivery.objects.filter(status="failed").exclude(last_error="").exists()
    assert load_demo_comms()["items"] == 0  # idempotent
    assert remove_demo_comms() > 0
