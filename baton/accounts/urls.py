from django.urls import path

from baton.accounts import views, views_merge, views_restore

app_name = "accounts"
urlpatterns = [
    path("", views.AccountListView.as_view(), name="list"),
    path("new/", views.AccountFormView.as_view(), name="create"),
    path("lookup/", views.account_lookup, name="lookup"),
    path("<int:pk>/", views.AccountDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.AccountFormView.as_view(), name="edit"),
    path("<int:pk>/merge/", views_merge.account_merge, name="merge"),
    path("merges/<int:merge_id>/", views_merge.merge_detail, name="merge_detail"),
    path("merges/<int:merge_id>/undo/", views_merge.merge_undo, name="merge_undo"),
    path("<int:pk>/restore/", views_restore.account_restore, name="restore"),
]

# Mounted at /contacts/ under the "contacts" namespace by baton/urls.py.
contact_urlpatterns = [
    path("", views.ContactListView.as_view(), name="list"),
    path("new/", views.ContactFormView.as_view(), name="create"),
    path("lookup/", views.contact_lookup, name="lookup"),
    path("<int:pk>/", views.ContactDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ContactFormView.as_view(), name="edit"),
    path("<int:pk>/merge/", views_merge.contact_merge, name="merge"),
    path("<int:pk>/restore/", views_restore.contact_restore, name="restore"),
]
