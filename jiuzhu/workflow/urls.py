from django.urls import path

from . import views, views_integrity

urlpatterns = [
    path("", views.queue_todo, name="workflow_todo"),
    path("done/", views.queue_done, name="workflow_done"),
    path("overdue/", views.queue_overdue, name="workflow_overdue"),
    path(
        "entitlements/<int:pk>/concealment/",
        views_integrity.entitlement_concealment,
        name="workflow_entitlement_concealment",
    ),
]
