from django.urls import path

from baton.core import views
from baton.core.customfields import child_views
from baton.core.customfields import views as cf_views
from baton.core.layouts import views as layout_views

app_name = "core"
urlpatterns = [
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("profile/time-zone/", views.profile_time_zone, name="profile_time_zone"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/custom-fields/", cf_views.field_list, name="custom_fields"),
    path("custom-fields/<str:kind>/<int:pk>/", child_views.child_edit, name="custom_field_values"),
    path("custom-fields/<str:kind>/<int:pk>/panel/", child_views.child_panel, name="custom_field_panel"),
    path("settings/custom-fields/new/", cf_views.field_edit, name="custom_field_create"),
    path("settings/custom-fields/<int:pk>/", cf_views.field_edit, name="custom_field_edit"),
    path("settings/custom-fields/<int:pk>/archive/", cf_views.field_archive, name="custom_field_archive"),
    path("settings/custom-fields/<int:pk>/type/", cf_views.field_type, name="custom_field_type"),
    path("settings/validation-rules/new/", cf_views.rule_edit, name="rule_create"),
    path("settings/validation-rules/<int:pk>/", cf_views.rule_edit, name="rule_edit"),
    path("settings/validation-rules/<int:pk>/test/", cf_views.rule_test, name="rule_test"),
    path("settings/validation-rules/<int:pk>/toggle/", cf_views.rule_toggle, name="rule_toggle"),
    path("settings/page-layouts/", layout_views.layout_list, name="page_layouts"),
    path("settings/page-layouts/<str:kind>/<str:role>/", layout_views.layout_edit, name="page_layout"),
    path(
        "settings/page-layouts/<str:kind>/<str:role>/reset/",
        layout_views.layout_reset,
        name="page_layout_reset",
    ),
]
