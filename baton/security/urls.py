from django.urls import path

from baton.security import field_protection, views, views_password, views_sso

app_name = "security"
urlpatterns = [
    path("", views.security_page, name="page"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/recovery-codes/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("sessions/<int:pk>/revoke/", views.session_revoke, name="session_revoke"),
    path("sessions/revoke-all/", views.sessions_revoke_all, name="sessions_revoke_all"),
    path("password/", views_password.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views_password.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views_password.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views_password.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views_password.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        views_password.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/events/", views.admin_events, name="admin_events"),
    path("admin/lockouts/", views.admin_lockouts, name="admin_lockouts"),
    path("admin/lockouts/<int:pk>/unlock/", views.admin_unlock, name="admin_unlock"),
    path("admin/policy/", views.admin_policy, name="admin_policy"),
    path("admin/fields/", field_protection.admin_fields, name="admin_fields"),
    path("sso/login/", views_sso.sso_login, name="sso_login"),
    path("sso/callback/", views_sso.sso_callback, name="sso_callback"),
]
