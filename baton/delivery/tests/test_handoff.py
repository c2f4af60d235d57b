"""The gated hand-off: readiness, submit with or without override, the accept / send-back loop,
metrics, the delivery project, and who sees what."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from baton.activities.models import Notification
from baton.activities.services import add_question, create_activity
from baton.core.services import ServiceError
from baton.core.testing import audit_rows
from baton.deals.models import Opportunity, Stage
from baton.deals.services import move_opportunity
from baton.delivery import services
from baton.delivery.models import DeliveryProject, HandoffPackage, HandoffReview
from baton.delivery.queries import get_package_for_user, metrics, packages_for

FILLED = {
    "scope_summary": "ERP 코어 + 사용자 7명",
    "pains_goals": "월말 결산 3일 → 1일",
    "stakeholders": "김민준 IT팀장",
    "commitments": "6월 오픈",
    "risks": "데이터 품질",
    "timeline": "3개월",
}


def _fill(package, alice, dlead, checklist):
    services.update_package(
        package, actor=alice, changes={**FILLED, "delivery_lead": dlead}, expected_version=None
    )
    services.answer_item(package, checklist["general"], actor=alice, state="answered", evidence="최지은 과장")
    services.answer_item(
        package, checklist["erp"], actor=alice, state="answered", evidence="3년치 전표, 회의록 5/2"
    )


def test_readiness_lists_what_is_missing(deal, alice, dlead, checklist):
    package = services.start_package(deal, actor=alice)
    ready = services.readiness(package)
    # 6 texts, lead, lines, estimate, questions, 2 checklist items (general, ERP; the deal sells no cloud)
    assert ready.total == 12
    assert ready.done == 3  # lines, estimate, no open questions
    assert ready.score == 25
    assert "Scope" in ready.missing and "Checklist: Customer PM named?" in ready.missing
    assert not any("Network" in m for m in ready.missing)
    services.answer_item(package, checklist["general"], actor=alice, state="unknown")
    assert "Unknown: Customer PM named?" in services.readiness(package).missing
    with pytest.raises(ValidationError):
        services.answer_item(package, checklist["erp"], actor=alice, state="answered", evidence=" ")
    with pytest.raises(ValidationError):
        services.answer_item(package, checklist["cloud"], actor=alice, state="answered", evidence="x")
    _fill(package, alice, dlead, checklist)
    ready = services.readiness(package)
    assert ready.is_ready and ready.score == 100


def test_open_questions_from_minutes_block_readiness(deal, alice, dlead, checklist):
    package = services.start_package(deal, actor=alice)
    _fill(package, alice, dlead, checklist)
    minutes = create_activity(
        actor=alice,
        record=deal,
        kind="minutes",
        subject="킥오프",
        start_at=timezone.now(),
        end_at=timezone.now() + dt.timedelta(hours=1),
    )
    add_question(minutes, actor=alice, question="SSO 연동 필요?")
    ready = services.readiness(package)
    assert not ready.is_ready and "? SSO 연동 필요?" in ready.missing


def test_submit_needs_lead_and_reason_when_incomplete(deal, alice, dlead, checklist):
    package = services.start_package(deal, actor=alice)
    with pytest.raises(ValidationError) as exc:
        services.submit_package(package, actor=alice)
    assert "delivery_lead" in exc.value.message_dict
    services.update_package(package, actor=alice, changes={"delivery_lead": dlead}, expected_version=None)
    with pytest.raises(ValidationError) as exc:
        services.submit_package(package, actor=alice)
    assert "override_reason" in exc.value.message_dict
    package.refresh_from_db()
    assert package.status == HandoffPackage.Status.DRAFT and package.submissions == 0
    services.submit_package(package, actor=alice, override_reason="고객 요청으로 착수 일정 고정")
    package.refresh_from_db()
    assert package.status == "submitted" and package.override_reason
    assert Notification.objects.filter(recipient=dlead, kind="request").exists()
    with pytest.raises(ServiceError):  # locked while with delivery
        services.update_package(package, actor=alice, changes={"risks": "x"}, expected_version=None)


def test_send_back_then_accept_loop_and_metrics(deal, alice, bob, dlead, checklist, personas):
    won = Stage.objects.get(pipeline=deal.pipeline, key="won")
    deal = move_opportunity(deal, actor=alice, stage=won, expected_version=deal.version)
    package = services.start_package(deal, actor=alice)
    _fill(package, alice, dlead, checklist)
    services.submit_package(package, actor=alice)
    with pytest.raises(PermissionDenied):
        services.accept(package, actor=bob)
    with pytest.raises(ValidationError):
        services.send_back(package, actor=dlead, reasons="")
    services.send_back(package, actor=dlead, reasons="이관 데이터 양 불명확")
    package.refresh_from_db()
    assert package.status == "sent_back" and package.send_backs == 1
    assert Notification.objects.filter(recipient=alice, text__contains="sent back").exists()
    with pytest.raises(ServiceError):
        services.accept(package, actor=dlead)
    services.answer_item(
        package, checklist["erp"], actor=alice, state="answered", evidence="3년치 전표 120만 건"
    )
    services.submit_package(package, actor=alice)
    project = services.accept(package, actor=dlead)
    package.refresh_from_db()
    assert package.status == "accepted" and package.submissions == 2
    assert (project.pm, project.account_id, project.opportunity_id) == (dlead, deal.account_id, deal.pk)
    assert list(HandoffReview.objects.filter(package=package).values_list("decision", flat=True)) == [
        "accepted",
        "sent_back",
    ]
    assert audit_rows(project, "create").filter(object_repr=deal.name).exists()
    m = metrics(packages_for(alice))
    assert (m.accepted, m.first_time_right, m.first_time_right_rate, m.sent_back_total) == (1, 0, 0, 1)
    assert m.avg_days_won_to_accepted is not None and m.avg_days_won_to_accepted >= 0


def test_first_time_right_and_days(deal, alice, dlead, checklist):
    won = Stage.objects.get(pipeline=deal.pipeline, key="won")
    deal = move_opportunity(deal, actor=alice, stage=won, expected_version=deal.version)
    Opportunity.objects.filter(pk=deal.pk).update(closed_at=timezone.now() - dt.timedelta(days=6))
    package = services.start_package(deal, actor=alice)
    _fill(package, alice, dlead, checklist)
    services.submit_package(package, actor=alice)
    services.accept(package, actor=dlead)
    m = metrics(HandoffPackage.objects.all())
    assert m.first_time_right_rate == 100
    assert m.avg_days_won_to_accepted == pytest.approx(6, abs=0.2)


def test_who_sees_packages(deal, alice, bob, charlie, dlead, checklist, personas):
    package = services.start_package(deal, actor=alice)
    assert get_package_for_user(bob, package.pk) == package  # teammate through the deal
    with pytest.raises(Http404):
        get_package_for_user(charlie, package.pk)
    with pytest.raises(Http404):
        get_package_for_user(dlead, package.pk)  # not handed to dave yet
    services.update_package(package, actor=alice, changes={"delivery_lead": dlead}, expected_version=None)
    assert get_package_for_user(dlead, package.pk) == package
    assert not Opportunity.objects.visible_to(dlead).exists()  # but not the pipeline
    with pytest.raises(PermissionDenied):
        services.update_package(package, actor=charlie, changes={"risks": "x"}, expected_version=None)
    assert not DeliveryProject.objects.exists()
