"""临时救助's own pages (included under /workflow/temporary/)."""

from django.urls import path

from . import views_temporary as v

urlpatterns = [
    path("prior-aid/", v.prior_aid_list, name="workflow_prior_aid_list"),
    path("households/<int:pk>/prior-aid/", v.prior_aid_new, name="workflow_prior_aid_new"),
    path("non-residents/", v.non_resident_new, name="workflow_non_resident_new"),
    path("cases/<int:pk>/special-approval/", v.special_approval, name="workflow_special_approval"),
    path("cases/<int:pk>/amount/", v.amount_propose, name="workflow_temporary_amount"),
]
