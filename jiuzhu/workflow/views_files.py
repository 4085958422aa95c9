"""The evidence files of a case (the home investigation's signatures and photo, the community review's
signatures), served within the caller's jurisdiction and recorded in the audit log as viewed."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, HttpRequest

from jiuzhu.audit.services import audit_view
from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AuditObject
from jiuzhu.core.web import web_view

from .models import CommunityReview, HomeInvestigation
from .selectors import case_get

# kind in the URL → (model, the file fields it may serve)
EVIDENCE_FILES: dict[str, tuple[type[HomeInvestigation] | type[CommunityReview], frozenset[str]]] = {
    "investigation": (
        HomeInvestigation,
        frozenset({"family_signature", "investigator_signatures", "photo"}),
    ),
    "review": (CommunityReview, frozenset({"signatures"})),
}
MISSING = "该材料不存在或尚未上传"


@web_view("workflow.view_case")
def evidence_file(request: HttpRequest, pk: int, kind: str, record_id: int, field: str) -> FileResponse:
    """One stored evidence file of the case ``pk`` (404 outside the jurisdiction, for another case's
    record, an unknown field, or a file not uploaded: the same answer)."""
    case = case_get(user=request.user, case_id=pk)
    model, fields = EVIDENCE_FILES.get(kind, (None, frozenset()))
    record = model.objects.filter(pk=record_id, case_id=case.pk).first() if model is not None else None
    stored = getattr(record, field) if record is not None and field in fields else None
    if not stored:
        raise NotFound(MISSING)
    audit_view(
        request,
        object_type=AuditObject.CASE,
        object_id=case.pk,
        region_code=case.region_id,
        evidence=kind,
        record=record_id,
        file=field,
    )
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
