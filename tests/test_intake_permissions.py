"""Every intake view and POST, per role: anonymous, outsider, proposer, DX推進員, 情報政策課."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from initiatives.models import Attachment, Initiative

from .factories import make_initiative

pytestmark = pytest.mark.django_db
S = Initiative.Status
ROLES = ["anonymous", "outsider", "proposer", "promoter", "reviewer"]


@pytest.fixture
def people(proposer, promoter, outsider, reviewer):
    return {"proposer": proposer, "promoter": promoter, "outsider": outsider, "reviewer": reviewer}


@pytest.fixture
def item_factory(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def build(status):
        initiative = make_initiative(people["proposer"], status=status)
        attachment = Attachment(
            initiative=initiative,
            original_name="a.pdf",
            content_type="application/pdf",
            size=5,
            uploaded_by=people["proposer"],
        )
        attachment.file.save("a.pdf", ContentFile(b"%PDF-"), save=True)
        return initiative, attachment

    return build


def as_role(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])
    return client


def url_for(name, initiative, attachment):
    if name == "attachment":
        return reverse("initiatives:attachment", args=[initiative.pk, attachment.pk])
    if name == "attachment_delete":
        return reverse("initiatives:attachment_delete", args=[initiative.pk, attachment.pk])
    return reverse(f"initiatives:{name}", args=[initiative.pk])


# (view, status of the item) -> expected GET status per role (302 = to the login page)
GET_EXPECTED = {
    ("detail", S.DRAFT): [302, 404, 200, 200, 200],
    ("edit", S.DRAFT): [302, 404, 200, 200, 403],
    ("submit", S.DRAFT): [302, 404, 200, 200, 403],
    ("withdraw", S.DRAFT): [302, 404, 200, 200, 403],
    ("attachment", S.DRAFT): [302, 404, 200, 200, 200],
    ("detail", S.SUBMITTED): [302, 200, 200, 200, 200],
    ("edit", S.SUBMITTED): [302, 403, 403, 403, 403],
    ("submit", S.SUBMITTED): [302, 403, 200, 200, 403],
    ("withdraw", S.SUBMITTED): [302, 403, 200, 200, 403],
    ("attachment", S.SUBMITTED): [302, 200, 200, 200, 200],
    ("detail", S.RETURNED): [302, 200, 200, 200, 200],
    ("edit", S.RETURNED): [302, 403, 200, 200, 403],
    ("withdraw", S.WITHDRAWN): [302, 403, 403, 403, 403],
}


@pytest.mark.parametrize(("view", "status"), list(GET_EXPECTED))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_per_role(client, people, item_factory, view, status, role_index):
    initiative, attachment = item_factory(status)
    response = as_role(client, people, ROLES[role_index]).get(url_for(view, initiative, attachment))
    expected = GET_EXPECTED[(view, status)][role_index]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_submit_post_per_role(client, people, item_factory, role_index):
    initiative, attachment = item_factory(S.DRAFT)
    role = ROLES[role_index]
    response = as_role(client, people, role).post(
        url_for("submit", initiative, attachment), {"expected_status": "draft"}
    )
    assert response.status_code == [302, 404, 302, 302, 403][role_index]
    initiative.refresh_from_db()
    assert (initiative.status == S.SUBMITTED) == (role in ("proposer", "promoter"))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_withdraw_post_per_role(client, people, item_factory, role_index):
    initiative, attachment = item_factory(S.SUBMITTED)
    role = ROLES[role_index]
    response = as_role(client, people, role).post(
        url_for("withdraw", initiative, attachment), {"expected_status": "submitted"}
    )
    assert response.status_code == [302, 403, 302, 302, 403][role_index]
    initiative.refresh_from_db()
    assert (initiative.status == S.WITHDRAWN) == (role in ("proposer", "promoter"))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_edit_post_per_role(client, people, item_factory, role_index):
    initiative, attachment = item_factory(S.DRAFT)
    role = ROLES[role_index]
    data = {
        "title": "書き換え",
        "channel": str(initiative.channel_id),
        "version": "1",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "cases-TOTAL_FORMS": "0",
        "cases-INITIAL_FORMS": "0",
    }
    response = as_role(client, people, role).post(url_for("edit", initiative, attachment), data)
    assert response.status_code == [302, 404, 302, 302, 403][role_index]
    initiative.refresh_from_db()
    assert (initiative.title == "書き換え") == (role in ("proposer", "promoter"))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_attachment_delete_post_per_role(client, people, item_factory, role_index):
    initiative, attachment = item_factory(S.DRAFT)
    role = ROLES[role_index]
    response = as_role(client, people, role).post(
        url_for("attachment_delete", initiative, attachment)
    )
    assert response.status_code == [302, 404, 302, 302, 403][role_index]
    assert Attachment.objects.exists() == (role not in ("proposer", "promoter"))


LIST_URLS = [
    "initiatives:list",
    "initiatives:mine",
    "initiatives:department",
    "initiatives:export_all_xlsx",
    "initiatives:export_all_csv",
    "initiatives:export_mine_csv",
    "initiatives:export_department_xlsx",
]


@pytest.mark.parametrize("name", LIST_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_lists_need_login(client, people, name, role):
    response = as_role(client, people, role).get(reverse(name))
    assert response.status_code == (302 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", ROLES)
def test_create_per_role(client, people, role, council):
    response = as_role(client, people, role).get(reverse("initiatives:create"))
    assert response.status_code == (302 if role == "anonymous" else 200)


def test_an_external_council_member_does_not_propose(client, council):
    client.force_login(council)
    # 各部署の課題 is open to every member of staff; the council's external member has no 所属.
    assert client.get(reverse("initiatives:create")).status_code == 403
    assert client.post(reverse("initiatives:create"), {"title": "x"}).status_code == 403


def test_list_hides_drafts_of_others(client, people, item_factory):
    initiative, _ = item_factory(S.DRAFT)
    for role, visible in [
        ("outsider", False),
        ("proposer", True),
        ("promoter", True),
        ("reviewer", True),
    ]:
        client.force_login(people[role])
        html = client.get(reverse("initiatives:list")).content.decode()
        assert (initiative.get_absolute_url() in html) == visible, role


@pytest.mark.parametrize(
    ("name", "methods"),
    [
        ("initiatives:list", ["post", "put", "delete"]),
        ("initiatives:export_all_csv", ["post", "delete"]),
        ("initiatives:create", ["put", "delete", "patch"]),
    ],
)
def test_wrong_methods_are_405(client, proposer, name, methods):
    client.force_login(proposer)
    for method in methods:
        assert getattr(client, method)(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    ("view", "methods"),
    [
        ("detail", ["post", "put", "delete"]),
        ("edit", ["put", "delete"]),
        ("submit", ["put", "delete"]),
        ("withdraw", ["put", "delete"]),
        ("attachment", ["post", "delete"]),
        ("attachment_delete", ["get", "put"]),
    ],
)
def test_wrong_methods_on_an_item_are_405(client, people, item_factory, view, methods):
    initiative, attachment = item_factory(S.DRAFT)
    client.force_login(people["proposer"])
    for method in methods:
        response = getattr(client, method)(url_for(view, initiative, attachment))
        assert response.status_code == 405, (view, method)
