from django.urls import path

from . import views_public

urlpatterns = [
    path("", views_public.apply, name="public_apply"),
    path("status/", views_public.status, name="public_status"),
]
