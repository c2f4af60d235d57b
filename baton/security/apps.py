from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in protection: throttling, the security log, sessions, two-factor sign-in, headers."""

    name = "baton.security"
    label = "security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The inbound mail receiver (activities) announces arrivals and refused logging addresses.
        from baton.core import events  # noqa: PLC0415 - app registry
        from baton.security.inbound import (  # noqa: PLC0415 - imports models
            count_refused_address,
            refuse_locked_client,
        )

        events.inbound_mail_arriving.subscribe(refuse_locked_client)
        events.inbound_mail_refused.subscribe(count_refused_address)
