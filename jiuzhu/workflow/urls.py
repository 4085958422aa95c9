from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue_todo, name="workflow_todo"),
    path("done/", views.queue_done, name="workflow_done"),
    path("overdue/", views.queue_overdue, name="workflow_overdue"),
]
