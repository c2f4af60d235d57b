"""Sign-in protection: throttles, the security log, tracked sessions, second factors and the policy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.models import User
from baton.security.fields import EncryptedCharField


class SignInThrottle(models.Model):
    """Failed attempts counted for one key (a username, a client address, a mail sender) in a window.

    After ``BATON_LOGIN_MAX_FAILURES`` failures inside the window the key is locked; each further
    failure doubles the lock. An administrator can unlock it; a successful sign-in resets it.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ADDRESS = "address", _("Client address")
        TOKEN = "token", _("API token address")
        MAIL = "mail", _("Mail sender")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("window started"))
    last_failure_at = models.DateTimeField(_("last failure"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        ordering = ["-last_failure_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="signin_throttle_kind_key")]
        indexes = [models.Index(fields=["locked_until"], name="signin_throttle_locked_idx")]
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class SecurityEvent(models.Model):
    """One row per sign-in, failed sign-in, sign-out, lockout, password change, token use (first a day)…

    The username is kept as typed (a failed attempt may name nobody); no password is ever stored.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")
        LOCKOUT = "lockout", _("Locked out")
        UNLOCK = "unlock", _("Unlocked")
        PASSWORD_CHANGE = "password_change", _("Password changed")
        PASSWORD_RESET_REQUEST = "password_reset_request", _("Password reset requested")
        PASSWORD_RESET = "password_reset", _("Password reset")
        TOKEN_USE = "token_use", _("API token used")
        TOKEN_FAILED = "token_failed", _("API token refused")
        TWO_FACTOR_ENABLED = "2fa_enabled", _("Two-factor sign-in turned on")
        TWO_FACTOR_DISABLED = "2fa_disabled", _("Two-factor sign-in turned off")
        TWO_FACTOR_FAILED = "2fa_failed", _("Wrong two-factor code")
        RECOVERY_CODE_USED = "recovery_used", _("Recovery code used")
        SESSION_REVOKED = "session_revoked", _("Session signed out remotely")
        SSO_FAILED = "sso_failed", _("Single sign-on refused")
        SSO_USER_CREATED = "sso_user_created", _("User created by single sign-on")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["user", "-time"], name="security_event_user_idx")]
        verbose_name = _("security event")
        verbose_name_plural = _("security log")

    def __str__(self) -> str:
        return f"{self.kind} {self.username}"


class UserSession(models.Model):
    """A browser session opened by signing in: which device, from where, last seen when."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tracked_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.user_agent[:40]}"


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238, 30-second steps, 6 digits) bound to one user.

    ``last_step`` is the newest time step accepted, so a code cannot be replayed.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    # Encrypted at rest (baton/security/fields.py): the column never holds the key itself.
    secret = EncryptedCharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class RecoveryCode(models.Model):
    """A single-use code that stands in for the authenticator; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_user_hash")]
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class SecurityPolicy(models.Model):
    """The organisation's sign-in policy (one row): who must use two-factor sign-in."""

    require_two_factor_for_all = models.BooleanField(
        _("require two-factor sign-in for everyone"), default=False
    )
    two_factor_roles = models.JSONField(_("roles that must use two-factor sign-in"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return "security policy"

    def requires_two_factor(self, user: User) -> bool:
        return self.require_two_factor_for_all or user.role in (self.two_factor_roles or [])


class ExternalIdentity(models.Model):
    """The link between a Baton user and an OpenID Connect subject (issuer + ``sub``).

    The subject, not the e-mail address, identifies the person on later sign-ins: addresses change and
    may be reused, ``sub`` does not.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_issuer_subject")
        ]
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
