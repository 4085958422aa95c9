from django.urls import path

from . import views_chain, views_oversight

app_name = "payments"

urlpatterns = [
    path("", views_oversight.totals, name="oversight"),
    path("anomalies/", views_oversight.anomalies, name="oversight_anomalies"),
    path("anomalies.xlsx", views_oversight.anomalies_xlsx, name="oversight_anomalies_xlsx"),
    path("bulletin/", views_oversight.bulletin, name="bulletin"),
    path("bulletin.xlsx", views_oversight.bulletin_xlsx, name="bulletin_xlsx"),
    path("households/<int:pk>/chain/", views_chain.household_chain, name="chain"),
    path("persons/<int:person_id>/payments/", views_chain.person_payments, name="person_payments"),
]
