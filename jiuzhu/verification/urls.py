from django.urls import path

from . import views

urlpatterns = [
    path("", views.start, name="verification_start"),
    path("<int:pk>/", views.household, name="verification_household"),
    path("<int:pk>/authorisations/", views.authorisation_add, name="verification_authorisation"),
    path("<int:pk>/reports/", views.report_new, name="verification_report_new"),
    path("reports/<int:pk>/", views.report, name="verification_report"),
]
