"""The monitoring rule catalogue: a read-only page for every signed-in user."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.core.web import web_view

from .selectors_rules import rule_catalogue


@web_view()
def rules(request: HttpRequest) -> HttpResponse:
    catalogue = rule_catalogue(user=request.user, on=timezone.localdate())
    return render(request, "monitoring/rules.html", {"catalogue": catalogue})
