from django.urls import path

from . import views_docs

urlpatterns = [
    path("flowchart/<str:program>/", views_docs.flowchart, name="workflow_flowchart"),
    path("handbook/", views_docs.handbook, name="workflow_handbook"),
    path("responsibilities/", views_docs.responsibilities, name="workflow_responsibilities"),
]
