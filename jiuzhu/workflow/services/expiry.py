"""The end of entitlements whose validity has passed (``benefits.services_margins.entitlements_expire``)
with the 终止救助告知书 of the monthly-cash programs (the end of a 渐退期 is a termination of 低保, and the
household is told it and why: rules §1.11). The no-cash programs (低保边缘, 刚性支出困难) end silently, as
their validity was stated on the decision. The scan (command and worker) runs this one."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement
from jiuzhu.benefits.services_margins import entitlements_expire
from jiuzhu.core.masking import id_number_masked
from jiuzhu.core.vocab import AidProgram, NoticeKind, PaymentKind

from ..notices import notice_issue
from .steps import township_of


def entitlements_expire_notify(*, ctx: AuditContext, today: date | None = None) -> int:
    """End the entitlements past their validity; a 终止救助告知书 for each monthly-cash one ended."""
    on = today or timezone.localdate()

    def notify(e: Entitlement) -> None:
        if e.payment != PaymentKind.MONTHLY or e.end_month is None:
            return
        applicant = e.decision.applicant
        last = e.end_month
        label = AidProgram.label_of(e.program)
        notice_issue(
            ctx=ctx,
            kind=NoticeKind.TERMINATION,
            region_code=township_of(e.region_id),
            household_id=e.household_id,
            facts={
                "program_label": label,
                "applicant_name": applicant.name,
                "id_number_masked": id_number_masked(applicant.id_number),
                "decided_on": on,
                "household_size": e.members,
                "end_month": f"{last.year}年{last.month}月",
                "reasons": [f"{label}认定有效期至{last.year}年{last.month}月届满"],
            },
            on=on,
        )

    return entitlements_expire(ctx=ctx, today=today, ended=notify)
