from django.urls import path

from baton.success import views
from baton.success.billing import views as billing
from baton.success.cases import views as cases
from baton.success.expansion import views as expansion
from baton.success.health import views as health
from baton.success.plans import views as plans

app_name = "success"
urlpatterns = [
    path("", views.contract_list, name="contracts"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/amend/", views.amend, name="amend"),
    path("contracts/<int:pk>/terminate/", views.terminate, name="terminate"),
    path("renewals/<int:pk>/outcome/", views.renewal_outcome, name="renewal_outcome"),
    path("deal/<int:opportunity_pk>/", views.create_from_deal, name="create"),
    path("deal/<int:opportunity_pk>/panel/", views.deal_panel, name="deal_panel"),
    path("revenue/", views.revenue_page, name="revenue"),
    path("renewals/", views.renewals, name="renewals"),
    path("home/", views.csm_home, name="csm_home"),
    path("accounts/<int:account_pk>/installed-base/", views.installed_base_panel, name="installed_base"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/status/", cases.case_status, name="case_status"),
    path("cases/<int:pk>/comment/", cases.case_comment, name="case_comment"),
    path("cases/<int:pk>/assign/", cases.case_assign, name="case_assign"),
    path("accounts/<int:account_pk>/cases/new/", cases.case_new, name="case_new"),
    path("sla/", cases.sla_settings, name="sla_settings"),
    path("health/", health.health_page, name="health"),
    path("health/weights/", health.health_weights, name="health_weights"),
    path("accounts/<int:account_pk>/nps/", health.record_nps, name="record_nps"),
    path("accounts/<int:account_pk>/usage/", health.account_usage, name="account_usage"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/milestones/", plans.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/done/", plans.milestone_done, name="milestone_done"),
    path("accounts/<int:account_pk>/plans/new/", plans.plan_new, name="plan_new"),
    path("invoices/", billing.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", billing.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/issue/", billing.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/payment/", billing.invoice_payment, name="invoice_payment"),
    path("invoices/<int:pk>/credit/", billing.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/void/", billing.invoice_void, name="invoice_void"),
    path("contracts/<int:pk>/invoices/", billing.invoice_schedule, name="invoice_schedule"),
    path("collections/", billing.collections_page, name="collections"),
    path("dunning/", billing.dunning_settings, name="dunning"),
    path("contracts/<int:pk>/billing-contact/", billing.billing_contact, name="billing_contact"),
    path("accounts/<int:account_pk>/expansion/", expansion.open_expansion, name="open_expansion"),
]
