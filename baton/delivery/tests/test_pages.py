"""Hand-off pages: who sees what, pinned query counts, bad input → 400 with nothing saved, admin pages."""

import pytest

from baton.delivery import services
from baton.delivery.models import ChecklistItem, DeliveryProject, HandoffPackage

pytestmark = pytest.mark.django_db

VISIBLE = {"alice": 200, "bob": 200, "charlie": 404, "mina": 200, "dana": 200, "root": 200}


@pytest.fixture
def package(deal, alice, dlead, checklist):
    package = services.start_package(deal, actor=alice)
    services.update_package(
        package,
        actor=alice,
        changes={
            "delivery_lead": dlead,
            "scope_summary": "ERP",
            "pains_goals": "결산",
            "stakeholders": "김민준",
            "commitments": "6월",
            "risks": "데이터",
            "timeline": "3개월",
        },
        expected_version=None,
    )
    services.answer_item(package, checklist["general"], actor=alice, state="answered", evidence="최지은")
    services.answer_item(package, checklist["erp"], actor=alice, state="answered", evidence="전표 3년")
    return package


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_package_page_by_persona(client, personas, package, who, status):
    client.force_login(personas[who])
    assert client.get(f"/delivery/packages/{package.pk}/").status_code == status
    assert client.get(f"/delivery/deal/{package.opportunity_id}/").status_code in (
        (302,) if status == 200 else (404,)
    )


def test_delivery_lead_sees_the_package_not_the_pipeline(client, package, dlead, alice):
    client.force_login(dlead)
    assert client.get(f"/deals/{package.opportunity_id}/").status_code == 404
    assert client.get("/delivery/").context["mine"] == []  # a draft is not handed over yet
    services.submit_package(package, actor=alice)
    inbox = client.get("/delivery/")
    assert [p.pk for p in inbox.context["mine"]] == [package.pk]
    page = client.get(f"/delivery/packages/{package.pk}/")
    assert page.status_code == 200 and 'data-testid="review-form"' in page.content.decode()
    assert 'data-testid="package-form"' not in page.content.decode()  # delivery does not edit sales' package


def test_inbox_and_package_query_counts(client, package, alice, dlead, django_assert_num_queries):
    services.submit_package(package, actor=alice)
    client.force_login(dlead)
    # session, user, teams (visibility), mine, others, metrics: accepted counts, sent back, durations
    with django_assert_num_queries(8):
        client.get("/delivery/")
    # session, user, teams, package, checklist, answers, lines, efforts, open questions (readiness),
    # minutes, questions, reviews (with reviewer), delivery people (the review form), history, the
    # people the history names (one query for all of them), whether an edit grant lets the reviewer
    # change the deal (core.records.can_edit: one query for a non-owner)
    with django_assert_num_queries(16):
        response = client.get(f"/delivery/packages/{package.pk}/")
    assert response.context["ready"].score == 100


def test_send_back_needs_reasons_then_accept(client, package, alice, dlead, bob):
    services.submit_package(package, actor=alice)
    client.force_login(bob)
    assert client.post(f"/delivery/packages/{package.pk}/review/", {"decision": "accept"}).status_code == 400
    client.force_login(dlead)
    response = client.post(
        f"/delivery/packages/{package.pk}/review/", {"decision": "send_back", "reasons": ""}
    )
    assert response.status_code == 400
    package.refresh_from_db()
    assert package.status == HandoffPackage.Status.SUBMITTED and package.send_backs == 0
    response = client.post(f"/delivery/packages/{package.pk}/review/", {"decision": "accept", "pm": dlead.pk})
    project = DeliveryProject.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/delivery/projects/{project.pk}/"
    assert client.get(response["Location"]).status_code == 200
    client.force_login(alice)
    account_page = client.get(f"/accounts/{package.opportunity.account_id}/").content.decode()
    assert project.name in account_page and f"/delivery/projects/{project.pk}/" in account_page


def test_submit_incomplete_through_the_page(client, deal, alice, dlead):
    client.force_login(alice)
    response = client.post(f"/delivery/deal/{deal.pk}/")
    package = HandoffPackage.objects.get()
    assert response["Location"] == f"/delivery/packages/{package.pk}/"
    response = client.post(
        f"/delivery/packages/{package.pk}/edit/", {"delivery_lead": dlead.pk, "version": 1}
    )
    assert response.status_code == 302
    response = client.post(f"/delivery/packages/{package.pk}/submit/", {})
    assert response.status_code == 400 and "override_reason" in response.context["submit_form"].errors
    package.refresh_from_db()
    assert package.status == HandoffPackage.Status.DRAFT
    response = client.post(f"/delivery/packages/{package.pk}/submit/", {"override_reason": "착수 일정 고정"})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.status == HandoffPackage.Status.SUBMITTED


def test_checklist_admin(client, alice, root, cat):
    client.force_login(alice)
    assert client.get("/delivery/checklists/").status_code == 403
    client.force_login(root)
    assert client.post("/delivery/checklists/", {"text": "", "sequence": 10}).status_code == 400
    response = client.post(
        "/delivery/checklists/",
        {
            "product_family": cat["families"]["cloud"].pk,
            "text": "보안 점검",
            "text_en": "Security review",
            "sequence": 5,
        },
    )
    assert response.status_code == 302
    assert ChecklistItem.objects.get(text="보안 점검").product_family == cat["families"]["cloud"]
