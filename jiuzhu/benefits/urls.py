from django.urls import path

from . import views

urlpatterns = [
    path("households/<int:pk>/", views.household, name="benefits_household"),
    path("recomputations/", views.recomputations, name="benefits_recomputations"),
    path("recomputations/new/", views.recomputation_create, name="benefits_recomputation_create"),
    path("recomputations/<int:pk>/", views.recomputation, name="benefits_recomputation"),
    path(
        "recomputations/<int:pk>/approve/", views.recomputation_approve, name="benefits_recomputation_approve"
    ),
    path("recomputations/<int:pk>/apply/", views.recomputation_apply, name="benefits_recomputation_apply"),
]
