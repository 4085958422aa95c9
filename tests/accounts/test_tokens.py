"""Revoking API tokens: only one's own, and the audit says only what happened."""

from __future__ import annotations

import pytest

from jiuzhu.accounts.models import ApiToken
from jiuzhu.accounts.services import token_create, token_revoke
from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _token_lines() -> int:
    return AuditEvent.objects.filter(object_type="api_token", action="update").count()


def test_revoking_someone_elses_token_is_404_and_writes_no_audit_line(
    caseworker, other_caseworker, client_for
) -> None:
    token, _ = token_create(ctx=AuditContext.system(), user=caseworker, name="对接")
    before = _token_lines()
    response = client_for(other_caseworker).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert "令牌已作废" not in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _token_lines() == before


def test_revoke_service_refuses_a_token_of_another_user(caseworker, other_caseworker) -> None:
    token, _ = token_create(ctx=AuditContext.system(), user=caseworker, name="对接")
    with pytest.raises(NotFound) as exc:
        token_revoke(ctx=AuditContext(user=other_caseworker), token_id=token.pk, user=other_caseworker)
    assert exc.value.message == "未找到该令牌，或它不属于您"
    with pytest.raises(NotFound):
        token_revoke(ctx=AuditContext(user=other_caseworker), token_id=999999, user=other_caseworker)
    assert _token_lines() == 0


def test_revoking_ones_own_token_revokes_it_once(caseworker, client_for) -> None:
    token, _ = token_create(ctx=AuditContext.system(), user=caseworker, name="对接")
    client = client_for(caseworker)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "令牌已作废" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _token_lines() == 1
    # A second revoke of an already revoked token changes nothing and is not audited again.
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert _token_lines() == 1
    assert ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).count() == 0


def test_an_over_long_token_name_is_refused_not_cut(caseworker, client_for) -> None:
    response = client_for(caseworker).post("/accounts/profile/", {"name": "对" * 101})
    assert "令牌用途不能超过100个字（现为101个）" in response.content.decode()
    assert not ApiToken.objects.filter(user=caseworker).exists()
    with pytest.raises(ValidationFailed) as exc:
        token_create(ctx=AuditContext.system(), user=caseworker, name="对\u202e接")
    refused = "令牌用途含有不可见的控制字符、方向控制符或无效字符，请删除后重新输入"
    assert exc.value.errors == {"name": refused}
    token, _ = token_create(ctx=AuditContext.system(), user=caseworker, name="对" * 100)
    assert token.name == "对" * 100


def test_a_token_name_is_cleaned_like_every_other_free_text(caseworker) -> None:
    # Invisible characters are removed (as in registry text), so they neither count nor hide in the name.
    token, _ = token_create(ctx=AuditContext.system(), user=caseworker, name=" 对\u200b接\ufeff ")
    assert token.name == "对接"
    token, _ = token_create(ctx=AuditContext.system(), user=caseworker, name="对" * 100 + "\u200b")
    assert token.name == "对" * 100
    with pytest.raises(ValidationFailed) as exc:
        token_create(ctx=AuditContext.system(), user=caseworker, name="\u200b ")
    assert exc.value.errors == {"name": "令牌用途不能为空"}
