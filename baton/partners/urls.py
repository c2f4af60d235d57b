from django.urls import path

from baton.partners import (
    views,
    views_manage,
    views_passing,
    views_reports,
    views_resources,
    views_routing,
)

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("new/", views_manage.create, name="create"),
    path("<int:pk>/", views_manage.detail, name="detail"),
    path("<int:pk>/edit/", views_manage.edit, name="edit"),
    path("<int:pk>/agreements/new/", views_manage.agreement_add, name="agreement_add"),
    path("agreements/<int:pk>/", views_manage.agreement_edit, name="agreement_edit"),
    path("leads/", views_passing.passes, name="passes"),
    path("routing/", views_routing.rules, name="routing"),
    path("routing/new/", views_routing.rule_new, name="routing_new"),
    path("routing/<int:pk>/", views_routing.rule_edit, name="routing_edit"),
    path("routing/<int:pk>/move/", views_routing.rule_move, name="routing_move"),
    path("routing/<int:pk>/toggle/", views_routing.rule_toggle, name="routing_toggle"),
    path("reports/", views_reports.channel_reports, name="reports"),
    path("resources/", views_resources.manage, name="resources"),
    path("resources/<int:pk>/withdraw/", views_resources.withdraw, name="resource_withdraw"),
    path("lead/<int:lead_pk>/panel/", views_passing.lead_panel, name="lead_panel"),
    path("lead/<int:lead_pk>/pass/", views_passing.pass_lead, name="pass_lead"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/", views.registration, name="registration"),
    path("registrations/<int:pk>/approve/", views.approve, name="approve"),
    path("registrations/<int:pk>/reject/", views.reject, name="reject"),
    path("deal/<int:opportunity_pk>/panel/", views.deal_panel, name="deal_panel"),
    path("deal/<int:opportunity_pk>/link/", views.link, name="link"),
]
