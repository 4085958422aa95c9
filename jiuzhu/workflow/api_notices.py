"""REST endpoint of notices (文书)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import NoticeKind

from .models import Notice
from .notices import notice_get

router = Router(tags=["文书"])


class NoticeOut(Schema):
    id: int
    kind: NoticeKind
    kind_label: str
    document_no: str
    region: str
    region_name: str
    issuer: str
    title: str
    body: str
    issued_on: date
    case_id: int | None
    application_no: str


def notice_out(n: Notice) -> NoticeOut:
    return NoticeOut(
        id=n.pk,
        kind=NoticeKind(n.kind),
        kind_label=NoticeKind.label_of(n.kind),
        document_no=n.document_no,
        region=n.region_id,
        region_name=n.region.name,
        issuer=n.issuer,
        title=n.title,
        body=n.body,
        issued_on=n.issued_on,
        case_id=n.case_id,
        application_no=n.application_no,
    )


@router.get("/{notice_id}", response=NoticeOut, summary="文书：正文（已按发文时的模板生成）、文号、发文机关")
def notice_read(request: HttpRequest, notice_id: int) -> NoticeOut:
    require_perm(request.user, "workflow.view_notice")
    return notice_out(notice_get(user=request.user, notice_id=notice_id))
