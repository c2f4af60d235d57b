"""Each trigger and each action, through the real services and the real worker path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baton.accounts.services import update_account, update_contact
from baton.activities.models import Activity, EmailMessage, EmailTemplate, Follow, Notification
from baton.activities.services import create_activity
from baton.automation import engine, services
from baton.automation.models import Rule, RuleVersion, Run
from baton.core.testing import assert_audited
from baton.deals.models import Opportunity, Stage
from baton.deals.services import move_opportunity, update_opportunity
from baton.leads.services import create_lead, update_lead
from baton.scoring.models import RepCapacity, RoutingRule

from .helpers import drain, make_rule

TASK = {"type": "create_task", "subject": "후속 연락", "assignee": "manager", "due_in_days": 1}


def test_record_created_queues_one_run_and_the_worker_makes_the_task(
    personas, root, alice, django_capture_on_commit_callbacks
):
    rule = make_rule(root, object_kind="lead", trigger="created", actions=[TASK])
    with django_capture_on_commit_callbacks(execute=True):
        lead = create_lead(actor=alice, name="박하늘", company="누리소프트", email="sky@nuri.kr")
    run = Run.objects.get(rule=rule)
    assert (run.status, run.record_id, run.version.number) == (Run.Status.QUEUED, lead.pk, 1)
    # The same trigger looked at again (a second event of the write, a second worker) adds nothing.
    assert engine.enqueue_for("lead", lead.pk) == []
    assert drain(django_capture_on_commit_callbacks) == 1
    run.refresh_from_db()
    assert run.status == Run.Status.DONE
    task = Activity.objects.get(pk=run.actions_done[0]["result"]["activity"])
    assert (task.subject, task.lead_id, task.owner) == ("후속 연락", lead.pk, personas["dana"])
    assert run.actions_done[0]["plan"]["assignee"] == personas["dana"].pk


def test_a_rule_save_is_versioned_and_audited_and_only_admins_may(personas, root, alice):
    rule = make_rule(root, object_kind="lead", trigger="created", actions=[TASK])
    assert_audited(rule, action="create", actor=root)
    services.save_rule(rule, actor=root, values={**_definition(rule), "condition": "has_email"})
    assert list(rule.versions.values_list("number", flat=True)) == [2, 1]
    assert RuleVersion.objects.get(rule=rule, number=1).definition["condition"] == ""
    with pytest.raises(PermissionDenied):
        services.save_rule(rule, actor=alice, values=_definition(rule))
    with pytest.raises(ValidationError) as bad:
        services.save_rule(rule, actor=root, values={**_definition(rule), "condition": "budget >"})
    assert "condition" in bad.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.save_rule(rule, actor=root, values={**_definition(rule), "condition": "nonsense == 1"})
    assert "Unknown fact" in unknown.value.message_dict["condition"][0]
    rule.refresh_from_db()
    assert rule.version == 2


def _definition(rule: Rule) -> dict:
    return {k: getattr(rule, k) for k in services.DEFINITION_FIELDS}


def test_field_changed_sets_a_field_and_runs_keep_their_version(
    personas, root, world, django_capture_on_commit_callbacks
):
    deal = world["opportunity"]
    rule = make_rule(
        root,
        object_kind="opportunity",
        trigger="field_changed",
        trigger_field="next_step",
        condition="amount >= 100000000.0",
        actions=[{"type": "set_field", "field": "description", "value": "큰 건: 임원 동행"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        deal = update_opportunity(
            deal, actor=personas["alice"], changes={"next_step": "데모"}, expected_version=None
        )
    services.save_rule(rule, actor=root, values={**_definition(rule), "name": "바뀐 이름"})
    drain(django_capture_on_commit_callbacks)
    run = Run.objects.get(rule=rule)
    assert (run.status, run.version.number) == (Run.Status.DONE, 1)
    assert run.inputs["trigger"]["field"] == "next_step"
    assert run.inputs["facts"] == {"amount": 120000000.0}
    deal.refresh_from_db()
    assert deal.description == "큰 건: 임원 동행"
    assert_audited(deal, action="update", actor=root)


def test_stage_entered_notifies_the_owner(personas, root, world, django_capture_on_commit_callbacks):
    deal = world["opportunity"]
    make_rule(
        root,
        object_kind="opportunity",
        trigger="stage_entered",
        trigger_value="deciding",
        actions=[{"type": "notify", "user": "owner", "text": "결정 단계"}],
    )
    other = Stage.objects.get(pipeline=deal.pipeline, key="evaluating")
    target = Stage.objects.get(pipeline=deal.pipeline, key="deciding")
    with django_capture_on_commit_callbacks(execute=True):
        deal = move_opportunity(deal, actor=root, stage=other, expected_version=None)
    assert not Run.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        move_opportunity(deal, actor=root, stage=target, expected_version=None)
    assert drain(django_capture_on_commit_callbacks) == 1
    note = Notification.objects.get(recipient=personas["alice"])
    assert "결정 단계" in note.text


def test_time_based_rule_three_days_before_close_asks_a_colleague(
    personas, root, world, django_capture_on_commit_callbacks
):
    deal = world["opportunity"]
    today = timezone.localdate()
    Opportunity.objects.filter(pk=deal.pk).update(expected_close_date=today + dt.timedelta(days=3))
    later = engine_deal = Opportunity.objects.get(pk=deal.pk)
    assert later.pk == engine_deal.pk
    rule = make_rule(
        root,
        object_kind="opportunity",
        trigger="date_relative",
        trigger_field="expected_close_date",
        offset_days=-3,
        actions=[{"type": "create_request", "subject": "계약서 검토", "assignee": str(personas["bob"].pk)}],
    )
    assert len(engine.sweep_time_rules(today - dt.timedelta(days=1))) == 0  # not yet its day
    assert len(engine.sweep_time_rules(today)) == 1
    assert len(engine.sweep_time_rules(today)) == 0  # the same day again: nothing new
    drain(django_capture_on_commit_callbacks)
    run = Run.objects.get(rule=rule)
    assert (
        run.status == Run.Status.DONE
        and run.occurrence == f"date:{(today + dt.timedelta(days=3)).isoformat()}"
    )
    request = Activity.objects.get(pk=run.actions_done[0]["result"]["activity"])
    assert (request.requested_by, list(request.assignees.all())) == (root, [personas["bob"]])


def test_inbound_email_logged_makes_the_owner_follow(
    personas, root, world, django_capture_on_commit_callbacks
):
    make_rule(
        root,
        object_kind="activity",
        trigger="inbound_email",
        actions=[{"type": "follow", "user": "manager"}],
    )
    alice = personas["alice"]
    with django_capture_on_commit_callbacks(execute=True):
        create_activity(
            actor=alice, record=world["opportunity"], kind="email", direction="in", subject="견적 문의"
        )
        create_activity(
            actor=alice, record=world["opportunity"], kind="email", direction="out", subject="답장"
        )
    assert Run.objects.count() == 1
    drain(django_capture_on_commit_callbacks)
    assert Follow.objects.filter(
        user=personas["dana"], opportunity=world["opportunity"], active=True
    ).exists()


def test_web_lead_with_a_score_is_assigned_by_routing(
    personas, root, alice, django_capture_on_commit_callbacks
):
    bob = personas["bob"]
    routing = RoutingRule.objects.create(name="전체", sequence=1)
    routing.members.set([bob])
    RepCapacity.objects.create(user=bob, weekly_capacity=10)
    make_rule(
        root,
        object_kind="lead",
        trigger="form_submission",
        condition="has_email && score >= 0",
        actions=[{"type": "assign_owner"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        lead = create_lead(actor=None, name="웹 리드", company="누리", email="web@nuri.kr", source="web_form")
        create_lead(
            actor=alice, name="전화 리드", company="누리", email="call@nuri.kr", source="inbound_call"
        )
    assert Run.objects.count() == 1
    drain(django_capture_on_commit_callbacks)
    lead.refresh_from_db()
    assert lead.owner == bob


def test_send_email_template_and_create_related_deal(
    personas, root, world, django_capture_on_commit_callbacks
):
    template = EmailTemplate.objects.create(
        name="안내", subject="{{ contact_name }}님 안내", body="안녕하세요"
    )
    make_rule(
        root,
        object_kind="contact",
        trigger="field_changed",
        trigger_field="title",
        actions=[
            {"type": "send_email", "template": template.pk},
            {"type": "create_related", "name": "후속 건"},
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        update_contact(
            world["contact"], actor=personas["alice"], changes={"title": "CIO"}, expected_version=None
        )
    drain(django_capture_on_commit_callbacks)
    run = Run.objects.get()
    assert run.status == Run.Status.DONE, run.error
    mail = EmailMessage.objects.get(pk=run.actions_done[0]["result"]["email"])
    assert (mail.to_addrs, mail.subject) == ("minjun@hanbit.co.kr", "김민준님 안내")
    deal = Opportunity.objects.get(pk=run.actions_done[1]["result"]["opportunity"])
    assert (deal.name, deal.account) == ("후속 건", world["account"])


def test_a_failing_action_retries_with_backoff_then_parks_and_an_admin_retries(
    personas, root, world, django_capture_on_commit_callbacks
):
    # No draft quote: "start an approval" fails every time.
    make_rule(
        root,
        object_kind="account",
        trigger="field_changed",
        trigger_field="region",
        actions=[{"type": "notify", "user": "owner", "text": "x"}, {"type": "create_related"}],
    )
    rule = Rule.objects.get()
    services.save_rule(
        rule,
        actor=root,
        values={
            **_definition(rule),
            "object_kind": "opportunity",
            "trigger_field": "next_step",
            "actions": [{"type": "notify", "text": "먼저"}, {"type": "start_approval"}],
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        update_opportunity(
            world["opportunity"],
            actor=personas["alice"],
            changes={"next_step": "견적"},
            expected_version=None,
        )
    run = Run.objects.get()
    start = timezone.now()
    engine.process_due(now=start)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Run.Status.RETRY, 1)
    assert "Action 2 (start_approval) failed" in run.error and "no draft quote" in run.error
    assert run.next_attempt_at >= start + dt.timedelta(minutes=1)
    assert not Notification.objects.exists()  # the first action was undone with the failed one
    assert engine.process_due(now=start) == 0  # not before its backoff
    engine.process_due(now=start + dt.timedelta(minutes=2))
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Run.Status.RETRY, 2)
    engine.process_due(now=start + dt.timedelta(hours=1))
    run.refresh_from_db()
    assert (run.status, run.attempts, run.next_attempt_at) == (Run.Status.PARKED, 3, None)
    with pytest.raises(PermissionDenied):
        services.retry_run(run, actor=personas["alice"])
    with django_capture_on_commit_callbacks(execute=False):
        services.retry_run(run, actor=root)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Run.Status.QUEUED, 0)
    assert_audited(run, action="update", actor=root)


def test_a_rule_that_sets_off_itself_is_stopped_with_a_message(
    personas, root, world, django_capture_on_commit_callbacks
):
    account = world["account"]
    for there, back in (("seoul", "busan"), ("busan", "seoul")):
        make_rule(
            root,
            name=f"{there}→{back}",
            object_kind="account",
            trigger="field_changed",
            trigger_field="region",
            condition=f'region == "{there}"',
            actions=[{"type": "set_field", "field": "region", "value": back}],
        )
    with django_capture_on_commit_callbacks(execute=True):
        update_account(account, actor=personas["alice"], changes={"region": "seoul"}, expected_version=None)
    drain(django_capture_on_commit_callbacks, rounds=20)
    # Each change sets off both rules (the one whose condition does not hold is skipped); the ping-pong
    # goes on until "seoul→busan" meets itself a third time in one chain, which is stopped and logged.
    stopped = Run.objects.filter(status=Run.Status.LOOP_STOPPED)
    assert stopped.exists()
    assert all(r.chain.count(r.rule_id) == 3 for r in stopped)
    assert "Loop stopped: “seoul→busan” was triggered by its own actions 2 times" in stopped[0].error
    assert Run.objects.filter(status=Run.Status.DONE).count() <= 6
    assert not Run.objects.filter(status__in=["queued", "retry"]).exists()


def test_set_field_refuses_a_field_rules_may_not_set(root):
    with pytest.raises(ValidationError) as bad:
        make_rule(
            root, object_kind="lead", trigger="created", actions=[{"type": "set_field", "field": "owner_id"}]
        )
    assert "actions" in bad.value.message_dict
    with pytest.raises(ValidationError):
        make_rule(root, object_kind="account", trigger="created", actions=[{"type": "assign_owner"}])


def test_a_lead_status_change_is_a_stage_entered(personas, root, world, django_capture_on_commit_callbacks):
    make_rule(root, object_kind="lead", trigger="stage_entered", trigger_value="working", actions=[TASK])
    with django_capture_on_commit_callbacks(execute=True):
        update_lead(
            world["lead"], actor=personas["alice"], changes={"status": "working"}, expected_version=None
        )
    assert Run.objects.count() == 1


def test_a_write_no_rule_watches_costs_no_query_after_its_commit(
    personas, root, alice, django_capture_on_commit_callbacks, django_assert_num_queries
):
    engine.forget_active_kinds()
    engine.active_kinds()  # cached: no rule at all
    with django_capture_on_commit_callbacks(execute=False) as pending:
        lead = create_lead(actor=alice, name="박하늘", company="누리소프트")
    with django_assert_num_queries(0):
        for callback in pending:
            if callback.__qualname__.startswith("on_record_event"):
                callback()
    # A rule on leads is seen at once by the next write.
    rule = make_rule(root, object_kind="lead", trigger="field_changed", trigger_field="title", actions=[TASK])
    with django_capture_on_commit_callbacks(execute=True):
        update_lead(lead, actor=alice, changes={"title": "팀장"}, expected_version=None)
    assert Run.objects.filter(rule=rule, record_id=lead.pk).count() == 1
