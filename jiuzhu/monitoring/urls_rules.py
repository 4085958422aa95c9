from django.urls import path

from . import views_rules

urlpatterns = [
    path("", views_rules.rules, name="monitoring_rules"),
]
