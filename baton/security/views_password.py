"""Password change and reset by e-mail: Django's own views, in Baton's layout, writing the security log.

The reset mail goes through Django's mail backend (SMTP when EMAIL_HOST is set). The "sent" page
reads the same whether or not the address belongs to anyone.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy

from baton.security import services
from baton.security.models import SecurityEvent


class StyledFormMixin:
    """Bootstrap's look for Django's own password forms."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)  # type: ignore[misc]
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        return form


class PasswordChangeView(StyledFormMixin, auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("security:password_change_done")

    def form_valid(self, form) -> HttpResponse:
        previous_key = self.request.session.session_key
        response = super().form_valid(form)  # saves, and keeps this session signed in under a new key
        services.keep_only_this_session(self.request, form.user, previous_key=previous_key)
        services.record_event(SecurityEvent.Kind.PASSWORD_CHANGE, request=self.request, user=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class PasswordResetView(StyledFormMixin, auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("security:password_reset_done")

    def form_valid(self, form) -> HttpResponse:
        # No address is logged: a request may name someone who is not a user.
        services.record_event(SecurityEvent.Kind.PASSWORD_RESET_REQUEST, request=self.request)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(StyledFormMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("security:password_reset_complete")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        services.keep_only_this_session(self.request, form.user, previous_key=None)
        services.record_event(SecurityEvent.Kind.PASSWORD_RESET, request=self.request, user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
