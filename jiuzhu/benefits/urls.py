from django.urls import path

from . import views

urlpatterns = [
    path("households/<int:pk>/", views.household, name="benefits_household"),
]
