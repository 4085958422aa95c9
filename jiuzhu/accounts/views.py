from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.web import web_view

from .models import ApiToken, User
from .selectors import responsibility_list
from .services import token_create
from .services import token_revoke as token_revoke_service


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@web_view()
def responsibilities(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/responsibilities.html", {"rows": responsibility_list()})


@web_view()
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    new_key = ""
    if request.method == "POST":
        try:
            _, new_key = token_create(
                ctx=AuditContext.from_request(request), user=user, name=request.POST.get("name", "")
            )
        except ValidationFailed as exc:
            messages.error(request, exc.errors.get("name", exc.message))
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/profile.html", {"tokens": tokens, "new_key": new_key})


@require_POST
@web_view()
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token_revoke_service(ctx=AuditContext.from_request(request), token_id=pk, user=request.user)
    messages.success(request, "令牌已作废")
    return redirect("profile")
