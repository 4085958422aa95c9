from django.urls import path

from . import views, views_integrity

urlpatterns = [
    path("households/<int:pk>/", views.household, name="benefits_household"),
    path("recoveries/", views_integrity.recoveries, name="benefits_recoveries"),
    path("recoveries/<int:pk>/", views_integrity.recovery, name="benefits_recovery"),
    path("recoveries/<int:pk>/collect/", views_integrity.recovery_collect, name="benefits_recovery_collect"),
    path("recoveries/<int:pk>/waive/", views_integrity.recovery_waive, name="benefits_recovery_waive"),
    path("dishonesty/<int:pk>/revoke/", views_integrity.dishonesty_revoke, name="benefits_dishonesty_revoke"),
]
