"""The public notice board of a village or community (included under /workflow/board/)."""

from django.urls import path

from . import views_board

urlpatterns = [
    path("<str:code>/", views_board.board, name="workflow_board"),
]
