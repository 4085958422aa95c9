from django.urls import path

from . import views

urlpatterns = [
    path("warnings/", views.warning_queue, name="monitoring_warnings"),
    path("warnings/<int:pk>/", views.warning_page, name="monitoring_warning"),
    path("warnings/<int:pk>/verify/", views.warning_verify_view, name="monitoring_warning_verify"),
    path("warnings/<int:pk>/close/", views.warning_close_view, name="monitoring_warning_close"),
]
