"""一户一条救助链 (/oversight/households/<id>/chain/): everything that happened to a household, from the
application to the money on its account, in time order; and a person's payment history
(/oversight/persons/<id>/payments/). Read-only; each opening is audited like the household file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiuzhu.audit.services import audit_view
from jiuzhu.core.vocab import AuditObject
from jiuzhu.core.web import web_view

from . import selectors_oversight
from .selectors_oversight import CHAIN_PERM
from .views_oversight import shown_lines


@web_view(CHAIN_PERM)
def household_chain(request: HttpRequest, pk: int) -> HttpResponse:
    chain = selectors_oversight.household_chain(user=request.user, household_id=pk)
    audit_view(
        request,
        object_type=AuditObject.HOUSEHOLD,
        object_id=pk,
        region_code=chain.household.region_id,
        chain=True,
    )
    shown_lines(request.user, chain.lines)
    return render(request, "payments/chain.html", {"chain": chain, "h": chain.household})


@web_view(CHAIN_PERM)
def person_payments(request: HttpRequest, person_id: int) -> HttpResponse:
    data = selectors_oversight.person_payments(user=request.user, person_id=person_id)
    audit_view(
        request,
        object_type=AuditObject.PERSON,
        object_id=data.person.pk,
        region_code=data.person.residence_region_id,
        payments=True,
    )
    shown_lines(request.user, data.lines)
    return render(request, "payments/chain_person.html", {"data": data, "p": data.person})
