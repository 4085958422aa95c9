from django.urls import path

from . import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("checkpoints/", views.audit_checkpoints, name="audit_checkpoints"),
]
