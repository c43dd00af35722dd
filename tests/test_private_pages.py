"""What a signed-in person sees is never stored by a cache (issue 15: Cache-Control)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["home", "initiatives:list", "reviews:inbox", "initiatives:export_all_csv"]
)
def test_signed_in_answers_are_private_and_not_stored(client, reviewer, name):
    client.force_login(reviewer)
    response = client.get(reverse(name))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_public_pages_stay_cacheable_for_citizens(client, master_data):
    response = client.get(reverse("public:index"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
