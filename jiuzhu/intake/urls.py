from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="intake_queue"),
    path("new/", views.start, name="intake_start"),
    path("close-relatives/", views.close_relatives, name="intake_close_relatives"),
    path("cooperation/", views.cooperation, name="intake_cooperation"),
    path("cooperation/<int:pk>/answer/", views.cooperation_answer, name="intake_cooperation_answer"),
    path("<int:pk>/", views.detail, name="intake_detail"),
    path("<int:pk>/verify/", views.verify, name="intake_verify"),
    path("<int:pk>/materials/", views.materials, name="intake_materials"),
    path("<int:pk>/papers/", views.papers, name="intake_papers"),
    path("<int:pk>/papers/<str:what>/", views.paper, name="intake_paper"),
    path("<int:pk>/relative/", views.relative, name="intake_relative"),
    path("<int:pk>/accept/", views.accept, name="intake_accept"),
    path("<int:pk>/refuse/", views.refuse, name="intake_refuse"),
]
