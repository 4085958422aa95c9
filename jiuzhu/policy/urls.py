from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.calendar, name="policy_calendar"),
    path("calendar/<int:year>/", views.calendar, name="policy_calendar_year"),
]
