"""Single sign-on with OpenID Connect (Google Workspace, Microsoft Entra ID, Okta, Keycloak…).

The authorization code flow with PKCE (S256) through Authlib: the provider's discovery document gives
the endpoints, the ID token's RS256/ES256 signature is checked against the provider's JWKS, and its
``iss`` (the discovered issuer), ``aud`` (our client id), ``exp``/``iat`` and ``nonce`` are validated;
the ``state`` kept in the session ties the callback to the browser that started it. Claims from the
userinfo endpoint are merged in (their ``sub`` must match the ID token's).

A person is found by (issuer, ``sub``) in :class:`ExternalIdentity`; on a first sign-in an existing
user with the same *verified* e-mail address is linked, otherwise a user is created (just in time)
with the role and team that ``BATON_OIDC_ROLE_MAP`` / ``BATON_OIDC_TEAM_MAP`` give for the values of
the groups claim. The mapping is applied again at every sign-in, so the provider stays the source of
truth for people it manages. Every refusal is written to the security log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, Role, Team, User
from baton.security.models import ExternalIdentity, SecurityEvent
from baton.security.services import record_event

_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")
_clients: dict[tuple[str, ...], DjangoOAuth2App] = {}


class SsoRefused(Exception):
    """The sign-in is refused; ``reason`` goes to the security log, the user sees a generic message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def enabled() -> bool:
    return bool(settings.BATON_OIDC_ISSUER and settings.BATON_OIDC_CLIENT_ID)


def sso_only() -> bool:
    return enabled() and settings.BATON_OIDC_SSO_ONLY


def discovery_url() -> str:
    return settings.BATON_OIDC_DISCOVERY_URL or (
        settings.BATON_OIDC_ISSUER + "/.well-known/openid-configuration"
    )


def client() -> DjangoOAuth2App:
    """The Authlib client for the configured provider (its discovery document and keys are cached)."""
    if not enabled():
        raise ImproperlyConfigured(
            "Single sign-on is not configured (BATON_OIDC_ISSUER, BATON_OIDC_CLIENT_ID)"
        )
    config = (
        discovery_url(),
        settings.BATON_OIDC_CLIENT_ID,
        settings.BATON_OIDC_CLIENT_SECRET,
        settings.BATON_OIDC_SCOPES,
        str(settings.BATON_OIDC_TIMEOUT),
    )
    app = _clients.get(config)
    if app is None:
        registry = OAuth()
        app = registry.register(
            name="baton_oidc",
            client_id=settings.BATON_OIDC_CLIENT_ID,
            client_secret=settings.BATON_OIDC_CLIENT_SECRET or None,
            server_metadata_url=discovery_url(),
            client_kwargs={
                "scope": settings.BATON_OIDC_SCOPES,
                "code_challenge_method": "S256",
                "default_timeout": settings.BATON_OIDC_TIMEOUT,
            },
        )
        _clients[config] = app
    return app


def parse_map(raw: str, variable: str) -> list[tuple[str, str]]:
    """``group=value,group2=value2`` in order (the first group the person has wins)."""
    pairs = []
    for item in raw.split(","):
        if not item.strip():
            continue
        group, sep, value = item.rpartition("=")
        if not sep or not group.strip() or not value.strip():
            raise ImproperlyConfigured(f"{variable}: each entry must read group=value, not {item!r}")
        pairs.append((group.strip(), value.strip()))
    return pairs


def role_map() -> list[tuple[str, str]]:
    pairs = parse_map(settings.BATON_OIDC_ROLE_MAP, "BATON_OIDC_ROLE_MAP")
    for _group, role in pairs:
        if role not in Role.values:
            raise ImproperlyConfigured(
                f"BATON_OIDC_ROLE_MAP: {role!r} is not a role ({', '.join(Role.values)})"
            )
    return pairs


def default_role() -> str:
    role = settings.BATON_OIDC_DEFAULT_ROLE
    if role not in Role.values:
        raise ImproperlyConfigured(f"BATON_OIDC_DEFAULT_ROLE: {role!r} is not a role")
    return role


def groups_of(claims: dict[str, Any]) -> list[str]:
    value = claims.get(settings.BATON_OIDC_GROUPS_CLAIM) if settings.BATON_OIDC_GROUPS_CLAIM else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


@dataclass
class Mapping:
    role: str | None
    team: Team | None
    team_name: str | None


def mapping_for(claims: dict[str, Any]) -> Mapping:
    groups = set(groups_of(claims))
    role = next((r for g, r in role_map() if g in groups), None)
    team_name = next(
        (t for g, t in parse_map(settings.BATON_OIDC_TEAM_MAP, "BATON_OIDC_TEAM_MAP") if g in groups), None
    )
    team = Team.objects.filter(name=team_name).first() if team_name else None
    return Mapping(role=role, team=team, team_name=team_name)


def fetch_claims(request: Any) -> dict[str, Any]:
    """Finish the code flow for this callback request: the validated ID token's claims + userinfo."""
    app = client()
    issuer = app.load_server_metadata().get("issuer")
    if not issuer or str(issuer).rstrip("/") != settings.BATON_OIDC_ISSUER:
        # OpenID Connect Discovery 1.0 section 4.3: the document must name the issuer we configured.
        raise SsoRefused(f"discovery issuer {str(issuer)[:80]!r} is not BATON_OIDC_ISSUER")
    claims_options = {
        "iss": {"essential": True, "values": [issuer]},
        "sub": {"essential": True},
        # Authlib compares aud with our client id only when given the value (azp alone is not enough).
        "aud": {"essential": True, "values": [settings.BATON_OIDC_CLIENT_ID]},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    token = app.authorize_access_token(request, claims_options=claims_options)
    id_claims = token.get("userinfo")
    if not id_claims:
        raise SsoRefused("no ID token in the token response")
    claims: dict[str, Any] = dict(id_claims)
    if app.load_server_metadata().get("userinfo_endpoint"):
        extra = dict(app.userinfo(token=token))
        if extra.get("sub") != claims["sub"]:
            raise SsoRefused("userinfo sub differs from the ID token's")
        claims = {**extra, **claims}
    claims["iss"] = issuer
    return claims


def _username_from(claims: dict[str, Any]) -> str:
    raw = str(claims.get(settings.BATON_OIDC_USERNAME_CLAIM) or claims.get("email") or claims["sub"])
    base = _USERNAME_UNSAFE.sub("", raw)[:140] or "sso-user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _check_domain(email: str) -> None:
    allowed = [d.lower().lstrip("@") for d in settings.BATON_OIDC_ALLOWED_DOMAINS]
    if allowed and email.rpartition("@")[2].lower() not in allowed:
        raise SsoRefused(f"e-mail domain not allowed: {email.rpartition('@')[2][:60]}")


@transaction.atomic
def user_for_claims(claims: dict[str, Any], *, request: Any = None) -> User:
    """Find, link or create the Baton user these validated claims describe, and apply the mapping."""
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    email = str(claims.get("email") or "")[:254]
    verified = claims.get("email_verified") is True
    if settings.BATON_OIDC_ALLOWED_DOMAINS:
        if not email or not verified:
            raise SsoRefused("no verified e-mail address to check the allowed domains against")
        _check_domain(email)
    mapping = mapping_for(claims)
    identity = ExternalIdentity.objects.select_for_update().filter(issuer=issuer, subject=subject).first()
    user: User | None = identity.user if identity is not None else None
    if user is None and email and verified:
        matches = list(User.objects.filter(email__iexact=email)[:2])
        if len(matches) == 1 and not ExternalIdentity.objects.filter(user=matches[0], issuer=issuer).exists():
            user = matches[0]
    created = False
    if user is None:
        if not settings.BATON_OIDC_CREATE_USERS:
            raise SsoRefused("no Baton user for this person and BATON_OIDC_CREATE_USERS is off")
        user = User(
            username=_username_from(claims),
            email=email,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
            display_name=str(claims.get("name") or "")[:150],
            role=mapping.role or default_role(),
            team=mapping.team,
        )
        user.set_unusable_password()
        user.save()
        created = True
        log_change(
            actor=user,
            action=ChangeLog.Action.CREATE,
            instance=user,
            after=snapshot(user, ["username", "email", "role", "team"]),
            note="single sign-on",
        )
        record_event(
            SecurityEvent.Kind.SSO_USER_CREATED,
            request=request,
            user=user,
            detail=f"role {user.role}, team {mapping.team_name or '-'}",
        )
    if not user.is_active:
        raise SsoRefused("the Baton user is deactivated")
    if not created:
        _apply_mapping(user, mapping)
    if identity is None:
        identity = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject, email=email)
    identity.email = email
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["email", "last_login_at"])
    return user


def _apply_mapping(user: User, mapping: Mapping) -> None:
    fields = []
    if mapping.role and user.role != mapping.role:
        fields.append("role")
    if mapping.team is not None and user.team_id != mapping.team.pk:
        fields.append("team")
    if not fields:
        return
    before = snapshot(user, fields)
    if "role" in fields:
        user.role = mapping.role  # type: ignore[assignment]
    if "team" in fields:
        user.team = mapping.team
    user.save(update_fields=fields)
    log_change(
        actor=user,
        action=ChangeLog.Action.UPDATE,
        instance=user,
        before=before,
        after=snapshot(user, fields),
        note="single sign-on claims",
    )
