from django.urls import path

from . import views, views_integrity, views_life

urlpatterns = [
    path("", views.queue_todo, name="workflow_todo"),
    path("done/", views.queue_done, name="workflow_done"),
    path("overdue/", views.queue_overdue, name="workflow_overdue"),
    path("reviews/", views.queue_reviews, name="workflow_reviews"),
    path("reviews/open/", views_life.reviews_open, name="workflow_reviews_open"),
    path("entitlements/<int:pk>/adjust/", views_life.adjust, name="entitlement_adjust"),
    path("entitlements/<int:pk>/suspend/", views_life.suspend, name="entitlement_suspend"),
    path("entitlements/<int:pk>/resume/", views_life.resume, name="entitlement_resume"),
    path("entitlements/<int:pk>/terminate/", views_life.terminate, name="entitlement_terminate"),
    path("entitlements/<int:pk>/taper/", views_life.taper, name="entitlement_taper"),
    path(
        "entitlements/<int:pk>/concealment/",
        views_integrity.entitlement_concealment,
        name="workflow_entitlement_concealment",
    ),
]
