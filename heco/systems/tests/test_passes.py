import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from heco.core.models import Status
from heco.systems.models import PassBenefit
from heco.testing.factories import OrganisationFactory


def test_pass_page_lists_every_benefit_with_a_map(client, world):
    response = client.get("/en/passes/heco-pass/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("HE.CO Heritage Pass", "Samogitian Art Museum", "Comune di Bevagna", "Amber Café"):
        assert text in html
    assert "Free entry" in html and "25% discount" in html and "Stamp" in html
    assert "Valid today." in html
    assert "<caption" in html and 'scope="row"' in html
    data = json.loads(html.split('id="pass-map-data">')[1].split("</script>")[0])
    assert len(data) == 3
    assert data[0]["url"] == "/en/assets/plunge-manor/"
    assert "3 organisations take part" in html and "Italy, Lithuania" in html


def test_expired_pass_says_so(client, world):
    heritage_pass = world["pass"]
    heritage_pass.valid_from = heritage_pass.valid_until = "2021-01-01"
    heritage_pass.save()
    assert "This pass has expired." in client.get("/en/passes/heco-pass/").content.decode()


def test_unknown_or_draft_pass_is_404(client, world):
    assert client.get("/en/passes/nope/").status_code == 404
    world["pass"].status = Status.DRAFT
    world["pass"].save()
    assert client.get("/en/passes/heco-pass/").status_code == 404
    assert "heco-pass" not in client.get("/en/passes/").content.decode()


def test_pass_page_queries_do_not_grow_with_benefits(client, world):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/en/passes/heco-pass/")
        return len(ctx.captured_queries)

    count()  # warm up (first request of the process)
    before = count()
    for n in range(6):
        org = OrganisationFactory(slug=f"extra-org-{n}", community=world["bevagna"])
        PassBenefit.objects.create(heritage_pass=world["pass"], organisation=org, kind="stamp")
    assert count() == before


def test_discount_needs_a_percentage_and_only_a_discount_has_one(world):
    with pytest.raises(ValidationError):
        PassBenefit(
            heritage_pass=world["pass"], organisation=world["cafe"], kind="discount"
        ).full_clean()
    with pytest.raises(ValidationError):
        PassBenefit(
            heritage_pass=world["pass"],
            organisation=world["cafe"],
            kind="stamp",
            discount_percent=5,
        ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        PassBenefit.objects.create(
            heritage_pass=world["pass"], organisation=world["cafe"], kind="discount",
            discount_percent=150,
        )  # fmt: skip


def test_benefit_place_must_belong_to_the_organisation(world):
    benefit = PassBenefit(
        heritage_pass=world["pass"], organisation=world["comune"], asset=world["manor"],
        kind="free-entry",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        benefit.full_clean()
