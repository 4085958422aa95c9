from django.urls import path

from . import views

urlpatterns = [
    path("", views.payrolls, name="payroll_list"),
    path("new/", views.payroll_generate, name="payroll_generate"),
    path("<int:pk>/", views.payroll_detail, name="payroll_detail"),
    path("<int:pk>/check/", views.payroll_check, name="payroll_check"),
    path("<int:pk>/retry/", views.payroll_retry, name="payroll_retry"),
    path("<int:pk>/submit/", views.payroll_submit, name="payroll_submit"),
    path("<int:pk>/approve/", views.payroll_approve, name="payroll_approve"),
    path("holds/<int:pk>/clear/", views.hold_clear, name="payroll_hold_clear"),
    path("holds/<int:pk>/confirm/", views.hold_confirm, name="payroll_hold_confirm"),
]
