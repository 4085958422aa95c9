"""Reads of bank files and return files, scoped to the caller's jurisdiction: a payroll is the county's,
so a township (or another county) gets 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import require_perm
from jiuzhu.regions.scope import get_in_jurisdiction, scoped

from .models import BankReturn, Payroll, PayrollJob
from .services.bank import payroll_for_bank

VIEW_PERM = "payments.view_payroll"
BANK_STATUSES = (Payroll.Status.APPROVED, Payroll.Status.EXPORTED, Payroll.Status.RECONCILED)


@dataclass(frozen=True)
class BankView:
    """A payroll with its bank files (export jobs), its reconciliation jobs and its return files."""

    payroll: Payroll
    exports: list[PayrollJob]
    reconciles: list[PayrollJob]
    returns: list[BankReturn]

    @property
    def running(self) -> bool:
        return any(
            j.status == PayrollJob.Status.RUNNING and not j.stalled for j in self.exports + self.reconciles
        )


def payrolls_for_bank(*, user: Any) -> QuerySet[Payroll]:
    """The payrolls of the jurisdiction that are approved, exported or reconciled, newest month first."""
    require_perm(user, VIEW_PERM)
    return scoped(
        Payroll.objects.filter(status__in=BANK_STATUSES).select_related("region"), user, "region__code"
    ).order_by("-month", "region_id", "program")


def bank_view(*, user: Any, payroll_id: int) -> BankView:
    require_perm(user, VIEW_PERM)
    payroll = payroll_for_bank(user=user, payroll_id=payroll_id)
    jobs = list(
        PayrollJob.objects.filter(
            payroll=payroll, kind__in=[PayrollJob.Kind.EXPORT, PayrollJob.Kind.RECONCILE]
        ).order_by("-id")[:100]
    )
    return BankView(
        payroll=payroll,
        exports=[j for j in jobs if j.kind == PayrollJob.Kind.EXPORT],
        reconciles=[j for j in jobs if j.kind == PayrollJob.Kind.RECONCILE],
        returns=list(payroll.bank_returns.select_related("imported_by").order_by("-id")),
    )


def bank_job_get(*, user: Any, payroll_id: int, job_id: int) -> PayrollJob:
    require_perm(user, VIEW_PERM)
    payroll = payroll_for_bank(user=user, payroll_id=payroll_id)
    job = PayrollJob.objects.filter(
        pk=job_id, payroll=payroll, kind__in=[PayrollJob.Kind.EXPORT, PayrollJob.Kind.RECONCILE]
    ).first()
    if job is None:
        raise NotFound()
    return job


def bank_return_get(*, user: Any, return_id: int) -> BankReturn:
    require_perm(user, VIEW_PERM)
    return get_in_jurisdiction(
        BankReturn.objects.select_related("payroll", "payroll__region", "imported_by"),
        user=user,
        pk=return_id,
        region_field="payroll__region__code",
    )


def bank_return_job(bank_return: BankReturn) -> PayrollJob | None:
    """The reconciliation job that imported a return file (its recovery notes)."""
    return (
        PayrollJob.objects.filter(
            payroll_id=bank_return.payroll_id,
            kind=PayrollJob.Kind.RECONCILE,
            status=PayrollJob.Status.DONE,
            result__bank_return=bank_return.pk,
        )
        .order_by("-id")
        .first()
    )
