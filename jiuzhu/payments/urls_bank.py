from django.urls import path

from . import views_bank

urlpatterns = [
    path("", views_bank.bank_list, name="payments_bank_list"),
    path("return-template.csv", views_bank.bank_return_template, name="payments_bank_return_template"),
    path("<int:pk>/", views_bank.bank_payroll, name="payments_bank_payroll"),
    path("<int:pk>/export/", views_bank.bank_export, name="payments_bank_export"),
    path("<int:pk>/files/<int:job_id>/", views_bank.bank_download, name="payments_bank_download"),
    path("<int:pk>/returns/", views_bank.bank_return_upload, name="payments_bank_return_upload"),
    path("returns/<int:pk>/", views_bank.bank_return, name="payments_bank_return"),
]
