"""Searchable custom fields are found by the list search (pages and API) and the global search, only
by readers who may read them; short Korean terms go through the token index; a field made searchable
later is found for the values stored before."""

from __future__ import annotations

from django.core.management import call_command

from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.core.tests.test_api_support import ApiClient
from baton.leads.models import Lead
from baton.leads.services import create_lead
from baton.search.queries import global_search


def _hits(user, term):
    fresh = type(user).objects.get(pk=user.pk)  # as each request loads its user
    return {hit.id for group in global_search(fresh, term, types=("lead",)) for hit in group.hits}


def _page_finds(client, term, lead):
    body = client.get("/leads/", {"search": term}).content.decode()
    return f"/leads/{lead.pk}/" in body


def test_searchable_custom_fields_only_for_readers(client, personas):
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    cf.create_field(
        actor=root, object="lead", key="memo", label_ko="메모", label_en="Memo", type="text", searchable=True
    )
    cf.create_field(
        actor=root,
        object="lead",
        key="secret",
        label_ko="비밀",
        label_en="Secret",
        type="text",
        searchable=True,
        read_roles=[Role.SALES_MANAGER],
    )
    cf.create_field(actor=root, object="lead", key="plain", label_ko="일반", label_en="Plain", type="text")
    lead = create_lead(
        actor=dana,  # a manager may fill in the manager-only field
        owner=alice,
        name="이서연",
        company="새봄물산",
        custom_field_data={"memo": "정밀 가공 Acme 도입", "secret": "백두 프로젝트", "plain": "한라"},
    )
    other = create_lead(actor=alice, name="박지훈", company="가온테크")
    # The tokens carry the searchable values (also the hidden one: tokens only narrow).
    assert {"정밀", "백두"} <= set(Lead.objects.get(pk=lead.pk).search_tokens.split())
    assert "한라" not in Lead.objects.get(pk=lead.pk).search_tokens

    assert _hits(alice, "정밀") == {lead.pk}
    assert _hits(alice, "acme") == {lead.pk}
    assert _hits(alice, "백두") == set()  # a manager-only field never matches for a rep
    assert _hits(alice, "ㅂㄷ") == set()  # nor through its initial consonants
    assert _hits(alice, "한라") == set()  # not searchable
    assert _hits(dana, "백두") == {lead.pk}
    assert other.pk not in _hits(dana, "정밀")

    client.force_login(alice)
    assert _page_finds(client, "정밀", lead)
    assert not _page_finds(client, "백두", lead)
    client.force_login(dana)
    assert _page_finds(client, "백두", lead)

    api = ApiClient(alice)
    assert [item["id"] for item in api.get("/leads", {"search": "정밀"}).json()["items"]] == [lead.pk]
    assert api.get("/leads", {"search": "백두"}).json()["items"] == []


def test_a_field_made_searchable_later_finds_stored_values(personas):
    alice, root = personas["alice"], personas["root"]
    plain = cf.create_field(
        actor=root, object="lead", key="region", label_ko="지역 메모", label_en="Region note", type="text"
    )
    lead = create_lead(actor=alice, name="김하늘", custom_field_data={"region": "제주 지사"})
    assert _hits(alice, "제주") == set()
    cf.update_field(plain, actor=root, changes={"searchable": True})
    assert _hits(alice, "제주") == {lead.pk}
    # The search index rebuild keeps the custom tokens.
    Lead.objects.filter(pk=lead.pk).update(search_tokens="")
    call_command("rebuild_search_index", verbosity=0)
    assert "제주" in Lead.objects.get(pk=lead.pk).search_tokens.split()
    assert _hits(alice, "제주") == {lead.pk}
