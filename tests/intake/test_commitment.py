"""The signed commitment (诚信承诺书) is part of every application: acceptance is refused without it,
whichever program is asked for (rules §1.2, the 诚信承诺 of the application)."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import AidProgram
from jiuzhu.intake import services
from jiuzhu.workflow.models import Case

from .conftest import pdf, png

pytestmark = pytest.mark.django_db


def _verified(user: Any, family: Any) -> Any:
    ctx = AuditContext(user=user)
    app = services.application_start(ctx=ctx, id_number=family.head.id_number, channel="window")
    return services.application_verify(ctx=ctx, application_id=app.pk, version=app.version)


@pytest.mark.parametrize("program", AidProgram.codes())
def test_no_acceptance_without_the_signed_commitment(caseworker, family, dibao, program) -> None:
    ctx = AuditContext(user=caseworker)
    app = _verified(caseworker, family)
    app = services.application_record_papers(
        ctx=ctx, application_id=app.pk, version=app.version, authorisation=pdf()
    )
    with pytest.raises(ValidationFailed) as exc:
        services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=[program])
    assert exc.value.errors["commitment"] == "请先上传申请人签字的诚信承诺书"
    assert not Case.objects.exists()
    # With the commitment, that refusal is gone (whatever else the program still needs).
    app = services.application_record_papers(
        ctx=ctx, application_id=app.pk, version=app.version, commitment=png()
    )
    try:
        services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=[program])
    except ValidationFailed as refused:
        assert "commitment" not in refused.errors
