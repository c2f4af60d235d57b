"""``baton create_api_token USERNAME [--name NAME] [--read-only] [--expires-days N]``: make an API token
and print its secret once."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from baton.core.audit import audit_context
from baton.core.models import ApiToken, User
from baton.core.services import create_api_token


class Command(BaseCommand):
    help = "Create a REST API token for a user and print its secret (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A label to recognise the token by.")
        parser.add_argument("--read-only", action="store_true", help="The token may only read (GET).")
        parser.add_argument("--expires-days", type=int, default=None, help="Days until the token expires.")

    def handle(
        self,
        *args: object,
        username: str,
        name: str,
        read_only: bool = False,
        expires_days: int | None = None,
        **options: object,
    ) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; their tokens would not work.")
        try:
            with audit_context(source="shell"):
                token, secret = create_api_token(
                    user,
                    name=name,
                    actor=user,
                    scope=ApiToken.Scope.READ if read_only else ApiToken.Scope.WRITE,
                    expires_at=timezone.now() + dt.timedelta(days=expires_days)
                    if expires_days is not None
                    else None,
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(secret)
        self.stderr.write(
            f"Token {token.prefix}… ({token.name}) for {user.username}. Store it now: it is not shown again."
        )
