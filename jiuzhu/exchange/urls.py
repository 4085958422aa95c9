from django.urls import path

from . import views

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("upload/", views.batch_upload, name="batch_upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/quarantine.csv", views.quarantine_csv, name="quarantine_csv"),
]
