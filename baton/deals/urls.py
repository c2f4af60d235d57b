from django.urls import path

from baton.deals import views, views_catalog, views_quotes, views_sales

app_name = "deals"
urlpatterns = [
    path("", views.OpportunityListView.as_view(), name="list"),
    path("new/", views.OpportunityFormView.as_view(), name="create"),
    path("board/", views.board_view, name="board"),
    path("<int:pk>/", views.OpportunityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OpportunityFormView.as_view(), name="edit"),
    path("<int:pk>/move/", views.opportunity_move, name="move"),
    # What the deal sells, its quotes and its team
    path("<int:pk>/offer/", views_sales.offer, name="offer"),
    path("<int:pk>/offer/lines/", views_sales.line_add, name="line_add"),
    path("<int:pk>/offer/lines/<int:line_id>/remove/", views_sales.line_remove, name="line_remove"),
    path("<int:pk>/offer/efforts/", views_sales.effort_add, name="effort_add"),
    path("<int:pk>/offer/efforts/<int:effort_id>/remove/", views_sales.effort_remove, name="effort_remove"),
    path("<int:pk>/quotes/new/", views_sales.quote_create, name="quote_create"),
    path("<int:pk>/team/", views_sales.team_page, name="team"),
    path("<int:pk>/team/members/", views_sales.team_add, name="team_add"),
    path("<int:pk>/team/buyers/", views_sales.buyer_add, name="buyer_add"),
    path("<int:pk>/team/<str:kind>/<int:entry_id>/remove/", views_sales.team_remove, name="team_remove"),
    path("<int:pk>/team/requests/", views_sales.request_add, name="request_add"),
    path("quotes/<int:pk>/", views_sales.quote_detail, name="quote"),
    path("quotes/<int:pk>/pdf/", views_sales.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/print/", views_quotes.quote_print, name="quote_print"),
    path("quotes/<int:pk>/submit/", views_sales.quote_submit, name="quote_submit"),
    path("quotes/<int:pk>/recall/", views_sales.quote_recall, name="quote_recall"),
    path("quotes/<int:pk>/primary/", views_sales.quote_primary, name="quote_primary"),
    path("requests/", views_sales.requests_overview, name="requests"),
    path("approvals/", views_sales.approval_queue, name="approvals"),
    path("approvals/<int:step_id>/decide/", views_sales.approval_decide, name="approval_decide"),
    path("approval-rules/", views_sales.approval_rules, name="approval_rules"),
    path(
        "approval-rules/<int:rule_id>/toggle/", views_sales.approval_rule_toggle, name="approval_rule_toggle"
    ),
    path("products/", views_sales.products, name="products"),
    # The catalogue: everyone reads, administrators and operations write
    path("products/new/", views_catalog.product_new, name="product_new"),
    path("products/<int:pk>/edit/", views_catalog.product_edit, name="product_edit"),
    path("products/<int:pk>/archive/", views_catalog.product_archive, name="product_archive"),
    path("product-families/", views_catalog.families, name="families"),
    path("product-families/<int:pk>/edit/", views_catalog.family_edit, name="family_edit"),
    path("product-families/<int:pk>/archive/", views_catalog.family_archive, name="family_archive"),
    path("price-lists/", views_catalog.price_lists, name="price_lists"),
    path("price-lists/<int:pk>/", views_catalog.price_list_detail, name="price_list"),
    path("price-lists/<int:pk>/edit/", views_catalog.price_list_edit, name="price_list_edit"),
    path("price-lists/<int:pk>/archive/", views_catalog.price_list_archive, name="price_list_archive"),
    path(
        "price-lists/<int:pk>/prices/<int:entry_id>/remove/", views_catalog.price_remove, name="price_remove"
    ),
]
