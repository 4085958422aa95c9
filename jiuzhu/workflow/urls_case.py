"""The case page and the forms of its steps (included under /workflow/cases/)."""

from django.urls import path

from . import views_case as v
from . import views_files, views_integrity, views_tekun

urlpatterns = [
    path("<int:pk>/", v.case_page, name="workflow_case"),
    path("<int:pk>/investigation/", v.investigation, name="workflow_case_investigation"),
    path("<int:pk>/county-visit/", v.county_visit, name="workflow_case_county_visit"),
    path("<int:pk>/community-review/", v.community_review, name="workflow_case_community_review"),
    path("<int:pk>/review-opinion/", v.review_opinion, name="workflow_case_review_opinion"),
    path("<int:pk>/public-notice/", v.notice_start, name="workflow_case_notice_start"),
    path("<int:pk>/public-notice/close/", v.notice_close, name="workflow_case_notice_close"),
    path("<int:pk>/objections/", v.objection, name="workflow_case_objection"),
    path(
        "<int:pk>/objections/<int:objection_id>/decide/",
        v.objection_decide,
        name="workflow_case_objection_decide",
    ),
    path("<int:pk>/spot-check/", v.spot_check, name="workflow_case_spot_check"),
    path("<int:pk>/confirmation/", v.confirmation, name="workflow_case_confirmation"),
    path("<int:pk>/act/", v.act, name="workflow_case_act"),
    path(
        "<int:pk>/files/<str:kind>/<int:record_id>/<str:field>/",
        views_files.evidence_file,
        name="workflow_case_file",
    ),
    path("<int:pk>/report/", v.attach_report, name="workflow_case_attach_report"),
    path("<int:pk>/review-decision/", v.review_decision, name="workflow_case_review_decision"),
    path("<int:pk>/selfcare/", views_tekun.selfcare, name="workflow_case_selfcare"),
    path("<int:pk>/concealment/", views_integrity.case_concealment, name="workflow_case_concealment"),
]
