from django.urls import path

from . import views_chain, views_oversight

app_name = "payments"

urlpatterns = [
    path("", views_oversight.totals, name="oversight"),
    path("anomalies/", views_oversight.anomalies, name="oversight_anomalies"),
    path("bulletin/", views_oversight.bulletin, name="bulletin"),
    path("households/<int:pk>/chain/", views_chain.household_chain, name="chain"),
    path("persons/<int:person_id>/payments/", views_chain.person_payments, name="person_payments"),
]
