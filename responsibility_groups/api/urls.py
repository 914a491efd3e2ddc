from django.urls import path
from rest_framework.routers import SimpleRouter

from responsibility_groups.api import views

router = SimpleRouter()
router.register("responsibility-groups", views.GroupViewSet, basename="responsibility-group")
router.register("meetings", views.MeetingViewSet, basename="meeting")

urlpatterns = [
    *router.urls,
    path("meetings/<id:pk>/ics", views.meeting_ics_view, name="meeting-ics"),
    path("meetings/<id:pk>/minutes/pdf", views.minutes_pdf_view, name="meeting-minutes-pdf"),
    path("calendar-feed/", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("calendar-feed/<str:token>.ics", views.calendar_feed_ics, name="calendar-feed-ics"),
]
