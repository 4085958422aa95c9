from django.urls import path

from . import views

urlpatterns = [
    path("", views.batch_list, name="migration_batches"),
    path("upload/", views.batch_upload, name="migration_upload"),
    path("template.csv", views.template_csv, name="migration_template"),
    path("batches/<int:pk>/", views.batch_detail, name="migration_batch"),
    path("batches/<int:pk>/quarantine.csv", views.quarantine_csv, name="migration_quarantine_csv"),
    path("batches/<int:pk>/quarantine.xlsx", views.quarantine_xlsx, name="migration_quarantine_xlsx"),
    path("batches/<int:pk>/differences/", views.differences, name="migration_differences"),
    path("batches/<int:pk>/differences.csv", views.differences_csv, name="migration_differences_csv"),
]
