from django.urls import path

from baton.deals.views import approvals, catalog, offer, opportunities, quotes, team

app_name = "deals"
urlpatterns = [
    path("", opportunities.OpportunityListView.as_view(), name="list"),
    path("new/", opportunities.OpportunityFormView.as_view(), name="create"),
    path("board/", opportunities.board_view, name="board"),
    path("<int:pk>/", opportunities.OpportunityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", opportunities.OpportunityFormView.as_view(), name="edit"),
    path("<int:pk>/move/", opportunities.opportunity_move, name="move"),
    # What the deal sells, its quotes and its team
    path("<int:pk>/offer/", offer.offer, name="offer"),
    path("<int:pk>/offer/lines/", offer.line_add, name="line_add"),
    path("<int:pk>/offer/lines/<int:line_id>/remove/", offer.line_remove, name="line_remove"),
    path("<int:pk>/offer/efforts/", offer.effort_add, name="effort_add"),
    path("<int:pk>/offer/efforts/<int:effort_id>/remove/", offer.effort_remove, name="effort_remove"),
    path("<int:pk>/quotes/new/", offer.quote_create, name="quote_create"),
    path("<int:pk>/team/", team.team_page, name="team"),
    path("<int:pk>/team/members/", team.team_add, name="team_add"),
    path("<int:pk>/team/buyers/", team.buyer_add, name="buyer_add"),
    path("<int:pk>/team/<str:kind>/<int:entry_id>/remove/", team.team_remove, name="team_remove"),
    path("<int:pk>/team/requests/", team.request_add, name="request_add"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote"),
    path("quotes/<int:pk>/pdf/", quotes.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/print/", quotes.quote_print, name="quote_print"),
    path("quotes/<int:pk>/submit/", quotes.quote_submit, name="quote_submit"),
    path("quotes/<int:pk>/recall/", quotes.quote_recall, name="quote_recall"),
    path("quotes/<int:pk>/primary/", quotes.quote_primary, name="quote_primary"),
    path("requests/", team.requests_overview, name="requests"),
    path("approvals/", approvals.approval_queue, name="approvals"),
    path("approvals/<int:step_id>/decide/", approvals.approval_decide, name="approval_decide"),
    path("approval-rules/", approvals.approval_rules, name="approval_rules"),
    path("approval-rules/<int:rule_id>/toggle/", approvals.approval_rule_toggle, name="approval_rule_toggle"),
    path("products/", catalog.products, name="products"),
    # The catalogue: everyone reads, administrators and operations write
    path("products/new/", catalog.product_new, name="product_new"),
    path("products/<int:pk>/edit/", catalog.product_edit, name="product_edit"),
    path("products/<int:pk>/archive/", catalog.product_archive, name="product_archive"),
    path("product-families/", catalog.families, name="families"),
    path("product-families/<int:pk>/edit/", catalog.family_edit, name="family_edit"),
    path("product-families/<int:pk>/archive/", catalog.family_archive, name="family_archive"),
    path("price-lists/", catalog.price_lists, name="price_lists"),
    path("price-lists/<int:pk>/", catalog.price_list_detail, name="price_list"),
    path("price-lists/<int:pk>/edit/", catalog.price_list_edit, name="price_list_edit"),
    path("price-lists/<int:pk>/archive/", catalog.price_list_archive, name="price_list_archive"),
    path("price-lists/<int:pk>/prices/<int:entry_id>/remove/", catalog.price_remove, name="price_remove"),
]
