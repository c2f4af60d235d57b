from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in protection: throttling, the security log, sessions, two-factor sign-in, headers."""

    name = "baton.security"
    label = "security"
    default_auto_field = "django.db.models.BigAutoField"
