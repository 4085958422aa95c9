"""The evidence files of a case (home investigation signatures and photo, community review signatures):
stored under a random name, served within the jurisdiction only, each opening recorded in the audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow.services import steps

from .steps_world import PDF, PNG, World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    return make_world(tree)


def _named(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _investigate(w: World) -> Any:
    case = w.case("investigation")
    values = w.investigation(
        family_signature=_named("张小三身份证.png", PNG),
        investigator_signatures=_named("调查人员.pdf", PDF),
        photo=_named("张小三家.png", PNG),
    )
    row = steps.investigation_record(
        ctx=AuditContext(user=w.caseworker), case_id=case.pk, version=case.version, **values
    )
    return case, row


def test_evidence_files_are_stored_under_random_names(w: World) -> None:
    _case, row = _investigate(w)
    names = [row.family_signature.name, row.investigator_signatures.name, row.photo.name]
    assert all("张小三" not in n and "调查人员" not in n for n in names), names
    assert re.search(r"/family-[0-9a-f]{24}\.png$", names[0]), names[0]
    assert re.search(r"/investigators-[0-9a-f]{24}\.pdf$", names[1]), names[1]
    assert re.search(r"/photo-[0-9a-f]{24}\.png$", names[2]), names[2]


def test_evidence_files_are_served_in_the_jurisdiction_and_audited(w: World, client_for) -> None:
    case, row = _investigate(w)
    base = f"/workflow/cases/{case.pk}/files/investigation/{row.pk}"
    page = client_for(w.reviewer).get(f"/workflow/cases/{case.pk}/").content.decode()
    for field in ("family_signature", "investigator_signatures", "photo"):
        assert f"{base}/{field}/" in page
    response = client_for(w.reviewer).get(f"{base}/family_signature/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    views = AuditEvent.objects.filter(action="view", object_type="case", object_id=str(case.pk))
    opened = {"evidence": "investigation", "record": row.pk, "file": "family_signature"}
    assert [e.detail for e in views if e.detail and "file" in e.detail] == [opened]
    # Another township, an unknown field, another case's record: the same 404.
    assert client_for(w.other_caseworker).get(f"{base}/family_signature/").status_code == 404
    assert client_for(w.reviewer).get(f"{base}/recorded_by/").status_code == 404
    other = w.case("investigation")
    stray = f"/workflow/cases/{other.pk}/files/investigation/{row.pk}/photo/"
    assert client_for(w.reviewer).get(stray).status_code == 404


def test_community_review_signatures_are_served(w: World, client_for) -> None:
    case = w.case("community_review")
    review = steps.community_review_record(
        ctx=AuditContext(user=w.caseworker),
        case_id=case.pk,
        version=case.version,
        held_on=case.accepted_on,
        expected=9,
        attended=6,
        votes_for=4,
        votes_against=2,
        abstained=0,
        minutes="村民代表评议",
        signatures=_named("王五签字.pdf", PDF),
    )
    assert "王五" not in review.signatures.name
    url = f"/workflow/cases/{case.pk}/files/review/{review.pk}/signatures/"
    assert url in client_for(w.caseworker).get(f"/workflow/cases/{case.pk}/").content.decode()
    response = client_for(w.caseworker).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for(w.other_caseworker).get(url).status_code == 404
