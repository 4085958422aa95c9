from django.urls import path

from . import views, views_integrity

urlpatterns = [
    path("households/<int:pk>/", views.household, name="benefits_household"),
    path("recomputations/", views.recomputations, name="benefits_recomputations"),
    path("recomputations/new/", views.recomputation_create, name="benefits_recomputation_create"),
    path("recomputations/<int:pk>/", views.recomputation, name="benefits_recomputation"),
    path(
        "recomputations/<int:pk>/approve/", views.recomputation_approve, name="benefits_recomputation_approve"
    ),
    path("recomputations/<int:pk>/apply/", views.recomputation_apply, name="benefits_recomputation_apply"),
    path("recoveries/", views_integrity.recoveries, name="benefits_recoveries"),
    path("recoveries/<int:pk>/", views_integrity.recovery, name="benefits_recovery"),
    path("recoveries/<int:pk>/collect/", views_integrity.recovery_collect, name="benefits_recovery_collect"),
    path("recoveries/<int:pk>/waive/", views_integrity.recovery_waive, name="benefits_recovery_waive"),
    path("dishonesty/<int:pk>/revoke/", views_integrity.dishonesty_revoke, name="benefits_dishonesty_revoke"),
]
