"""The notice templates in the admin: a broken template is refused, a saved one shows its preview."""

from __future__ import annotations

import pytest

from jiuzhu.policy.models import NoticeTemplate

from ..conftest import COUNTY
from ..factories import new_user

pytestmark = pytest.mark.django_db


def test_notice_template_admin_checks_and_previews(tree, client_for) -> None:
    admin = new_user(role="admin", region=tree[COUNTY], is_staff=True)
    client = client_for(admin)
    form = {
        "region": COUNTY,
        "kind": "acceptance",
        "effective_from": "2026-01-01",
        "issuer": "测试县民政局",
        "document_prefix": "测民受",
        "title": "受理通知书",
        "body": "{% if %}",
    }
    broken = client.post("/admin/policy/noticetemplate/add/", form)
    assert broken.status_code == 200 and "文书模板有语法错误" in broken.content.decode()
    assert not NoticeTemplate.objects.exists()
    saved = client.post(
        "/admin/policy/noticetemplate/add/", {**form, "body": "{{ applicant_name }}：<b>受理</b>"}
    )
    assert saved.status_code == 302
    template = NoticeTemplate.objects.get()
    page = client.get(f"/admin/policy/noticetemplate/{template.pk}/change/").content.decode()
    assert "王某某：<b>受理</b>" in page and "applicant_name（申请人姓名" in page
