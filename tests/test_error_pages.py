import pytest
from django.test import Client


@pytest.mark.django_db
def test_not_found_and_forbidden_pages_are_in_japanese(client, outsider, master_data):
    assert "ページが見つかりません" in client.get("/no-such-page/").content.decode()
    client.force_login(outsider)
    forbidden = client.get("/reviews/")
    assert forbidden.status_code == 403 and "この操作はできません" in forbidden.content.decode()


@pytest.mark.django_db
def test_csrf_failure_page_is_in_japanese(proposer):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(proposer)
    response = csrf_client.post("/initiatives/new/", {"title": "x"})
    assert response.status_code == 403 and "送信できませんでした" in response.content.decode()
