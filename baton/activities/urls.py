from django.urls import path

from baton.activities import views
from baton.activities.views import mail as views_mail

app_name = "activities"
urlpatterns = [
    path("", views.my_day, name="my_day"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/complete/", views.activity_complete, name="complete"),
    path("<int:pk>/reschedule/", views.activity_reschedule, name="reschedule"),
    path("<int:pk>/questions/", views.question_add, name="question_add"),
    path("<int:pk>/attach/", views.attachment_add, name="attach"),
    path("questions/<int:pk>/answer/", views.question_answer, name="question_answer"),
    path("record/<str:kind>/<int:pk>/", views.record_page, name="record"),
    path("panel/<str:kind>/<int:pk>/", views.record_panel, name="panel"),
    path("panel/<str:kind>/<int:pk>/feed/", views.record_feed_page, name="feed_page"),
    path("panel/<str:kind>/<int:pk>/comment/", views.comment_post, name="comment"),
    path("panel/<str:kind>/<int:pk>/follow/", views.follow_toggle, name="follow"),
    path("panel/<str:kind>/<int:pk>/request/", views.request_create, name="request"),
    path("feed/", views.my_feed_page, name="my_feed"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="bell"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/rotate/", views.calendar_rotate, name="calendar_rotate"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
    path("team/", views.team_page, name="team"),
    path("attachments/<int:pk>/", views_mail.attachment_download, name="attachment"),
    path("mail/<str:kind>/<int:pk>/compose/", views_mail.compose, name="compose"),
    path("mail/templates/", views_mail.template_list, name="templates"),
    path("mail/templates/new/", views_mail.template_edit, name="template_new"),
    path("mail/templates/<int:pk>/", views_mail.template_edit, name="template_edit"),
    path("mail/review/", views_mail.review_list, name="review"),
    path("mail/review/<int:pk>/", views_mail.review_resolve, name="review_resolve"),
]
