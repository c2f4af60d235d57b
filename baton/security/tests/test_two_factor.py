"""TOTP enrolment and sign-in, recovery codes (single use), the policy that requires a second factor."""

from __future__ import annotations

from django.test import Client

from baton.core.models import Role
from baton.security import services, totp
from baton.security.models import RecoveryCode, SecurityEvent, SecurityPolicy, TotpDevice
from conftest import PASSWORD


def test_rfc6238_reference_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) -> the last 6 digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp.code_at(secret, at=59) == "287082"
    assert totp.code_at(secret, at=1111111109) == "081804"


def enrol(client: Client, user) -> tuple[str, list[str]]:
    page = client.get("/security/two-factor/setup/")
    assert page.status_code == 200
    secret = TotpDevice.objects.get(user=user).secret
    assert secret in page.content.decode()
    wrong_code = "000000" if totp.code_at(secret) != "000000" else "111111"
    wrong = client.post("/security/two-factor/setup/", {"code": wrong_code})
    assert wrong.status_code == 400
    done = client.post("/security/two-factor/setup/", {"code": totp.code_at(secret)})
    assert done.status_code == 200
    codes = done.context["recovery_codes"]
    assert len(codes) == 10 and codes[0] in done.content.decode()
    return secret, codes


def test_enrol_then_sign_in_needs_the_code(personas):
    alice = personas["alice"]
    client = Client()
    client.force_login(alice)
    secret, _codes = enrol(client, alice)
    assert TotpDevice.objects.get(user=alice).confirmed_at is not None
    assert SecurityEvent.objects.filter(user=alice, kind=SecurityEvent.Kind.TWO_FACTOR_ENABLED).exists()

    browser = Client()
    step_one = browser.post("/login/", {"username": "alice", "password": PASSWORD, "next": "/leads/"})
    assert step_one.status_code == 302 and step_one["Location"].startswith("/security/two-factor/")
    # Not signed in yet: pages still send to the login page.
    assert "_auth_user_id" not in browser.session
    bad = browser.post(step_one["Location"], {"code": "12"})
    assert bad.status_code == 400
    # The code accepted at enrolment cannot be replayed; the next step's code works.
    device = TotpDevice.objects.get(user=alice)
    replay = browser.post(step_one["Location"], {"code": totp.hotp(secret, device.last_step)})
    assert replay.status_code == 400
    ok = browser.post(step_one["Location"], {"code": totp.hotp(secret, device.last_step + 1)})
    assert ok.status_code == 302 and ok["Location"] == "/leads/"
    assert browser.session["_auth_user_id"] == str(alice.pk)
    assert SecurityEvent.objects.filter(user=alice, kind="login", detail="two-factor").exists()
    assert (
        SecurityEvent.objects.filter(username="alice", kind=SecurityEvent.Kind.TWO_FACTOR_FAILED).count() == 2
    )


def test_recovery_code_signs_in_once(personas):
    bob = personas["bob"]
    client = Client()
    client.force_login(bob)
    _secret, codes = enrol(client, bob)

    first = Client()
    first.post("/login/", {"username": "bob", "password": PASSWORD})
    assert first.post("/security/two-factor/", {"code": codes[0].upper()}).status_code == 302
    assert first.session["_auth_user_id"] == str(bob.pk)
    assert RecoveryCode.objects.filter(user=bob, used_at__isnull=False).count() == 1
    assert SecurityEvent.objects.filter(user=bob, kind=SecurityEvent.Kind.RECOVERY_CODE_USED).exists()

    again = Client()
    again.post("/login/", {"username": "bob", "password": PASSWORD})
    assert again.post("/security/two-factor/", {"code": codes[0]}).status_code == 400
    assert "_auth_user_id" not in again.session
    assert again.post("/security/two-factor/", {"code": codes[1]}).status_code == 302


def test_two_factor_step_without_a_password_goes_to_login(personas):
    assert Client().get("/security/two-factor/").status_code == 302


def test_policy_requires_enrolment_after_password_sign_in(personas):
    root, alice = personas["root"], personas["alice"]
    admin = Client()
    admin.force_login(root)
    saved = admin.post("/security/admin/policy/", {"roles": [Role.FIELD_SALES]})
    assert saved.status_code == 302
    assert SecurityPolicy.objects.get().two_factor_roles == [Role.FIELD_SALES]
    assert services.get_policy().requires_two_factor(alice)
    assert not services.get_policy().requires_two_factor(personas["mina"])

    client = Client()
    signed = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert signed["Location"] == "/security/two-factor/setup/"
    # Every page sends her to the setup until she has a second factor.
    assert client.get("/leads/")["Location"] == "/security/two-factor/setup/"
    assert client.get("/activities/notifications/bell/", HTTP_HX_REQUEST="true").status_code == 403
    assert client.get("/security/two-factor/setup/").status_code == 200
    secret = TotpDevice.objects.get(user=alice).secret
    assert client.post("/security/two-factor/setup/", {"code": totp.code_at(secret)}).status_code == 200
    assert client.get("/leads/").status_code == 200
    # Required: it cannot be turned off.
    assert client.post("/security/two-factor/disable/", {"code": "123456"}).status_code == 403

    # Everyone: mina (a manager) must enrol too.
    admin.post("/security/admin/policy/", {"require_for_all": "on"})
    manager = Client()
    assert manager.post("/login/", {"username": "mina", "password": PASSWORD})["Location"].endswith("/setup/")


def test_disable_needs_a_valid_code(personas):
    alice = personas["alice"]
    client = Client()
    client.force_login(alice)
    _secret, codes = enrol(client, alice)
    assert client.post("/security/two-factor/disable/", {"code": "nope"}).status_code == 400
    assert TotpDevice.objects.filter(user=alice).exists()
    assert client.post("/security/two-factor/disable/", {"code": codes[3]}).status_code == 302
    assert not TotpDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
