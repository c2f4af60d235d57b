"""Every write of the security app: the security log, sign-in and sign-out, sessions, unlocks,
two-factor enrolment and recovery codes, and the policy."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import current_request_id, log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.security import totp
from baton.security.models import (
    RecoveryCode,
    SecurityEvent,
    SecurityPolicy,
    SignInThrottle,
    TotpDevice,
    UserSession,
)
from baton.security.throttle import client_address

SEEN_KEY = "_baton_seen"  # epoch seconds of the last last-seen write; marks a tracked session
ENROL_KEY = "_baton_2fa_enrol"  # the policy requires a second factor this user has not set up
RECOVERY_CODE_COUNT = 10


def user_agent(request: HttpRequest | None) -> str:
    return (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300]


def record_event(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Write one row of the security log, with the client's address and user agent."""
    address = client_address(request) if request is not None else ""
    request_id = getattr(request, "request_id", "") if request is not None else ""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        address=address or None,
        user_agent=user_agent(request),
        request_id=(request_id or current_request_id())[:64],
        detail=detail[:200],
    )


# --- policy --------------------------------------------------------------------------------------


def get_policy() -> SecurityPolicy:
    policy = SecurityPolicy.objects.order_by("pk").first()
    return policy if policy is not None else SecurityPolicy()


def has_second_factor(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def update_policy(*, actor: User, require_for_all: bool, roles: list[str]) -> SecurityPolicy:
    policy = SecurityPolicy.objects.select_for_update().order_by("pk").first() or SecurityPolicy()
    before = snapshot(policy, ["require_two_factor_for_all", "two_factor_roles"]) if policy.pk else {}
    policy.require_two_factor_for_all = require_for_all
    policy.two_factor_roles = sorted(set(roles))
    policy.save()
    after = snapshot(policy, ["require_two_factor_for_all", "two_factor_roles"])
    log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=policy, before=before, after=after)
    return policy


# --- signing in and out --------------------------------------------------------------------------


@transaction.atomic
def complete_sign_in(
    request: HttpRequest,
    user: User,
    *,
    backend: str,
    detail: str = "",
    second_factor_by_provider: bool = False,
) -> None:
    """Open the session (Django's login rotates its key), track it and log the sign-in.

    When the policy asks this user for a second factor they have not set up, the session is marked so
    every page sends them to the enrolment page first. A single sign-on provider enforces its own
    second factor (``second_factor_by_provider``), so Baton's is not asked for on top of it.
    """
    login(request, user, backend=backend)
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key or "",
        defaults={
            "user": user,
            "address": client_address(request) or None,
            "user_agent": user_agent(request),
            "last_seen_at": now,
        },
    )
    request.session[SEEN_KEY] = int(now.timestamp())
    if (
        not second_factor_by_provider
        and get_policy().requires_two_factor(user)
        and not has_second_factor(user)
    ):
        request.session[ENROL_KEY] = True
    record_event(SecurityEvent.Kind.LOGIN, request=request, user=user, detail=detail)


@transaction.atomic
def sign_out(request: HttpRequest) -> None:
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        key = request.session.session_key
        if key:
            UserSession.objects.filter(session_key=key).delete()
        record_event(SecurityEvent.Kind.LOGOUT, request=request, user=user)  # type: ignore[arg-type]
    logout(request)


def touch_session(request: HttpRequest) -> None:
    """Move a tracked session's "last seen" forward, at most every few minutes (one UPDATE)."""
    now = timezone.now()
    UserSession.objects.filter(session_key=request.session.session_key).update(last_seen_at=now)
    request.session[SEEN_KEY] = int(now.timestamp())


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@transaction.atomic
def revoke_sessions(
    user: User, *, request: HttpRequest | None = None, session_ids: list[int] | None = None
) -> int:
    """Sign the user's tracked sessions out (all of them, or the ones given); returns how many."""
    rows = UserSession.objects.select_for_update().filter(user=user)
    if session_ids is not None:
        rows = rows.filter(pk__in=session_ids)
    store = _session_store()
    revoked = list(rows)
    for row in revoked:
        store(session_key=row.session_key).delete()
    UserSession.objects.filter(pk__in=[r.pk for r in revoked]).delete()
    if revoked:
        record_event(
            SecurityEvent.Kind.SESSION_REVOKED,
            request=request,
            user=user,
            detail=f"{len(revoked)} session(s)",
        )
    return len(revoked)


@transaction.atomic
def keep_only_this_session(request: HttpRequest, user: User, *, previous_key: str | None) -> None:
    """After a password change or reset Django ends the other sessions (their auth hash no longer
    matches) and gives this one a new key: follow the key, drop the other rows and their stored data."""
    current = request.session.session_key if request.user.is_authenticated else None
    if previous_key and current and previous_key != current:
        UserSession.objects.filter(session_key=previous_key, user=user).update(session_key=current)
    store = _session_store()
    for row in UserSession.objects.filter(user=user).exclude(session_key=current or ""):
        store(session_key=row.session_key).delete()
        row.delete()


@transaction.atomic
def unlock(throttle: SignInThrottle, *, actor: User, request: HttpRequest | None = None) -> None:
    before = snapshot(throttle, ["failures", "locked_until"])
    throttle.failures = 0
    throttle.locked_until = None
    throttle.save(update_fields=["failures", "locked_until"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=throttle,
        before=before,
        after=snapshot(throttle, ["failures", "locked_until"]),
        note="unlock",
    )
    user = User.objects.filter(username__iexact=throttle.key).first()
    record_event(
        SecurityEvent.Kind.UNLOCK,
        request=request,
        user=user if throttle.kind == SignInThrottle.Kind.ACCOUNT else None,
        username=throttle.key if throttle.kind == SignInThrottle.Kind.ACCOUNT else "",
        detail=f"{throttle.kind} {throttle.key} by {actor.get_username()}",
    )


# --- two-factor sign-in --------------------------------------------------------------------------


def _hash_code(code: str) -> str:
    return hashlib.sha256("".join(code.split()).lower().replace("-", "").encode()).hexdigest()


@transaction.atomic
def start_enrolment(user: User) -> TotpDevice:
    """A new, unconfirmed authenticator secret (replacing an unconfirmed one)."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValidationError(_("Two-factor sign-in is already on."))
    if device is None:
        device = TotpDevice(user=user)
    device.secret = totp.new_secret()
    device.last_step = 0
    device.save()
    return device


@transaction.atomic
def confirm_enrolment(user: User, code: str, *, request: HttpRequest | None = None) -> list[str]:
    """Turn two-factor sign-in on once the app shows a matching code; returns new recovery codes."""
    device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationError(_("Start again: scan a new key first."))
    step = totp.matching_step(device.secret, code)
    if step is None:
        raise ValidationError(_("That code does not match. Check the phone's clock and try the next code."))
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    log_change(actor=user, action=ChangeLog.Action.CREATE, instance=device, after={"confirmed": True})
    record_event(SecurityEvent.Kind.TWO_FACTOR_ENABLED, request=request, user=user)
    if request is not None:
        request.session.pop(ENROL_KEY, None)
    return _new_recovery_codes(user)


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes])
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    if not has_second_factor(user):
        raise ValidationError(_("Turn two-factor sign-in on first."))
    codes = _new_recovery_codes(user)
    log_change(actor=user, action=ChangeLog.Action.UPDATE, instance=user, after={"recovery_codes": "renewed"})
    return codes


@transaction.atomic
def disable_two_factor(user: User, code: str, *, request: HttpRequest | None = None) -> None:
    if not verify_second_factor(user, code, request=request):
        raise ValidationError(_("That code does not match."))
    device = TotpDevice.objects.get(user=user)
    log_change(actor=user, action=ChangeLog.Action.DELETE, instance=device, before={"confirmed": True})
    device.delete()
    RecoveryCode.objects.filter(user=user).delete()
    record_event(SecurityEvent.Kind.TWO_FACTOR_DISABLED, request=request, user=user)


@transaction.atomic
def verify_second_factor(user: User, code: str, *, request: HttpRequest | None = None) -> bool:
    """A current authenticator code (each accepted once) or an unused recovery code (then spent)."""
    device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = totp.matching_step(device.secret, code, after_step=device.last_step)
    if step is not None:
        device.last_step = step
        device.save(update_fields=["last_step"])
        return True
    spent = RecoveryCode.objects.filter(user=user, code_hash=_hash_code(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if spent:
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        record_event(SecurityEvent.Kind.RECOVERY_CODE_USED, request=request, user=user, detail=f"{left} left")
        return True
    return False


def pending_second_factor(session: Any, user: User, *, backend: str) -> None:
    session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "at": int(timezone.now().timestamp()),
    }


PENDING_KEY = "_baton_2fa_pending"
PENDING_MAX_AGE = dt.timedelta(minutes=5)


def pending_user(session: Any) -> tuple[User, str] | None:
    """The user who gave the right password and still owes a second factor (for five minutes)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    started = dt.datetime.fromtimestamp(int(pending.get("at", 0)), tz=dt.UTC)
    if timezone.now() - started > PENDING_MAX_AGE:
        session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    if user is None:
        return None
    return user, str(pending.get("backend", ""))
