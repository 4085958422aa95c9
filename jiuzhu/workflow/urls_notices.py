from django.urls import path

from . import views_notices

urlpatterns = [
    path("<int:pk>/", views_notices.notice, name="workflow_notice"),
]
