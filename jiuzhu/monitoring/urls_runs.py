from django.urls import path

from . import views_runs

app_name = "monitoring_runs"

urlpatterns = [
    path("", views_runs.run_list, name="list"),
    path("start/", views_runs.run_start, name="start"),
    path("<int:pk>/", views_runs.run_detail, name="detail"),
]
