from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("households/", views.household_search, name="household_search"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("households/<int:pk>/members/<int:person_id>/leave/", views.member_leave, name="member_leave"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/categories/add/", views.category_add, name="category_add"),
]
