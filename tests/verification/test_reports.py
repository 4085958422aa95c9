"""Reports end to end on the database: authorisation gate, figures, immutability, audit, need degree."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.services import policy_version_create, policy_version_update
from jiuzhu.verification.assembly import household_assemble
from jiuzhu.verification.models import NeedModel, VerificationReport
from jiuzhu.verification.services import _context, need_model_refit, report_create

from ..conftest import COUNTY
from ..factories import add_member, make_id_number, new_household
from .conftest import AS_OF

pytestmark = pytest.mark.django_db
MONTHS = [date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 11)]


@pytest.fixture
def couple(tree, feed, county_policy):
    h = new_household(head__name="郑夫", head__id_number=make_id_number(11, birth=date(1970, 1, 1)))
    wife = add_member(
        h, "spouse", name="王妻", id_number=make_id_number(12, birth=date(1972, 1, 1), male=False)
    )
    for m in MONTHS:
        feed("hrss_wage", h.head.id_number, m, "1000", employer="甲")
    feed("bank", wife.id_number, date(2026, 10, 1), "3000", institution="农信社")
    return h, wife


def _report(user, h, **kw):
    return report_create(ctx=AuditContext(user=user), id_number=h.head.id_number, as_of=AS_OF, **kw)


def test_no_report_without_every_adults_authorisation(couple, caseworker, authorise) -> None:
    h, _wife = couple
    authorise(h.head)
    with pytest.raises(ValidationFailed) as exc:
        _report(caseworker, h)
    assert "王妻" in exc.value.errors["authorisation"]
    assert VerificationReport.objects.count() == 0


def test_expired_or_revoked_authorisation_does_not_count(couple, caseworker, authorise) -> None:
    from django.utils import timezone

    from jiuzhu.verification.models import Authorisation

    h, wife = couple
    authorise(h.head, wife)
    Authorisation.objects.filter(person=wife).update(valid_until=date(2026, 6, 30))
    with pytest.raises(ValidationFailed):
        _report(caseworker, h)
    Authorisation.objects.filter(person=wife).update(valid_until=None, revoked_at=timezone.now())
    with pytest.raises(ValidationFailed):
        _report(caseworker, h)


def test_report_figures_and_verdicts(couple, caseworker, authorise) -> None:
    h, wife = couple
    authorise(h.head, wife)
    report = _report(caseworker, h, declared=[{"person_id": wife.pk, "item": "deposits", "amount": "100"}])
    r = report.results
    # 12,000 wages − 1,200 employment cost = 10,800 / 12 / 2 = 450.00 < rural 520
    assert r["per_capita_monthly_income"] == "450.00"
    assert r["financial_assets"] == "3000.00"
    deposits = [ln for ln in r["lines"] if ln["category"] == "deposits"]
    assert [(ln["source"], ln["used"]) for ln in deposits] == [("bank", True), ("declared", False)]
    verdicts = {v["program"]: v["outcome"] for v in r["verdicts"]}
    assert verdicts == {"dibao": "yes", "near_dibao": "no", "rigid_expense": "no", "tekun": "no"}
    assert report.policy_snapshot["dibao_standard_rural"] == "520.00"
    assert report.insights["trend"]["years"][-1] == 2026
    assert report.insights["trend"]["income"][-1] == "10000.00"  # 2026-01 … 2026-10
    assert AuditEvent.objects.filter(object_type="verification_report", object_id=str(report.pk)).exists()


def test_report_lists_member_changes_in_its_window_and_applications(couple, caseworker, authorise) -> None:
    from django.utils import timezone

    from jiuzhu.registry.models import RegistryChange

    h, wife = couple
    authorise(h.head, wife)
    _report(caseworker, h, programs=["dibao"])
    local = timezone.get_current_timezone()
    # the window opens on 2023-11-01, local time (three years before the month of AS_OF)
    for kind, at, reason in [
        ("leave", datetime(2023, 10, 31, 23, 30, tzinfo=local), "迁出"),  # 15:30 UTC: outside
        ("join", datetime(2023, 11, 1, 0, 30, tzinfo=local), "婚入"),  # still 10-31 in UTC: inside
        ("update", datetime(2024, 5, 1, tzinfo=local), "改电话"),  # not a membership change
    ]:
        RegistryChange.objects.create(
            household=h, person=wife, kind=kind, entity="membership", reason=reason, actor_name="t", at=at
        )
    # The read itself keeps only membership changes from the window's first local minute.
    assembly = household_assemble(user=caseworker, id_number=h.head.id_number, as_of=AS_OF)
    assert [(c["at"], c["kind"]) for c in _context(assembly, AS_OF).changes] == [(date(2023, 11, 1), "join")]
    report = _report(caseworker, h)
    members = [a for a in report.insights["anomalies"] if a["kind"] == "member"]
    assert members == [{"kind": "member", "text": "王妻 加入本户：婚入", "date": "2023-11-01", "veto": False}]
    factors = report.insights["factors"]
    assert (factors["applications"], factors["application_types"]) == (1, {"dibao": 1})
    assert factors["applications_per_year"] == 0.33


def test_report_is_immutable_after_the_policy_changes(couple, caseworker, authorise, tree) -> None:
    h, wife = couple
    authorise(h.head, wife)
    report = _report(caseworker, h)
    policy_version_create(
        ctx=AuditContext.system(),
        region=tree[COUNTY],
        effective_from=date(2026, 11, 1),
        document_no="新标准",
        dibao_standard_urban=Decimal("800"),
        dibao_standard_rural=Decimal("400"),
    )
    used = PolicyVersion.objects.get(pk=report.policy_version_id)
    with pytest.raises(Conflict):
        policy_version_update(ctx=AuditContext.system(), version=used, dibao_standard_rural=Decimal("900"))
    assert PolicyVersion.objects.get(pk=used.pk).dibao_standard_rural == Decimal("520")
    stored = VerificationReport.objects.get(pk=report.pk)
    assert stored.results == report.results
    assert stored.policy_snapshot["dibao_standard_rural"] == "520.00"
    assert stored.policy_snapshot["document_no"] == "测试〔2026〕1号"
    with pytest.raises(PermissionError):
        stored.save()
    # a new report uses the new version: 450 ≥ 400 → no longer dibao
    newer = _report(caseworker, h)
    assert newer.policy_snapshot["dibao_standard_rural"] == "400.00"
    assert {v["program"]: v["outcome"] for v in newer.results["verdicts"]}["dibao"] == "no"


def test_bank_balance_of_an_authorised_elder_counts_as_financial_assets(
    tree, feed, county_policy, caseworker, authorise
):
    elder = new_household(head__name="独居老人", head__id_number=make_id_number(21, birth=date(1945, 1, 1)))
    authorise(elder.head)
    feed("bank", elder.head.id_number, date(2026, 10, 1), "500", institution="邮储")
    report = report_create(ctx=AuditContext(user=caseworker), id_number=elder.head.id_number, as_of=AS_OF)
    verdicts = {v["program"]: v["outcome"] for v in report.results["verdicts"]}
    assert verdicts["tekun"] == "yes"
    assert report.results["financial_assets"] == "500.00"


def test_other_township_cannot_create_or_read(couple, caseworker, other_caseworker, authorise) -> None:
    from jiuzhu.verification.selectors import report_get

    h, wife = couple
    authorise(h.head, wife)
    report = _report(caseworker, h)
    with pytest.raises(NotFound):
        _report(other_caseworker, h)
    with pytest.raises(NotFound):
        report_get(user=other_caseworker, report_id=report.pk)


def test_report_query_count_is_fixed(tree, feed, county_policy, caseworker, authorise) -> None:
    counts: list[int] = []
    # the first call warms per-user caches (permissions); then the count must not depend on size
    for size in (1, 1, 5):
        h = new_household(
            head__id_number=make_id_number(100 + len(counts) * 7 + size, birth=date(1960, 1, 1))
        )
        members = [
            add_member(
                h, "child", id_number=make_id_number(200 + len(counts) * 10 + i, birth=date(2012, 1, 1))
            )
            for i in range(size - 1)
        ]
        authorise(h.head)
        for p in [h.head, *members]:
            feed("hrss_pension", p.id_number, date(2026, 1, 1), "100", kind="employee")
            feed("police_hukou", p.id_number, date(2020, 1, 1), kind=f"H{h.pk}")
        with CaptureQueriesContext(connection) as ctx:
            report_create(ctx=AuditContext(user=caseworker), id_number=h.head.id_number, as_of=AS_OF)
        counts.append(len(ctx))
    # Ten statements: memberships with their authorisations, facts, others in the same 户口簿, policy,
    # need model, past reports, registry changes, the report, the audit chain's lock and last line, the
    # audit line; plus the savepoint pair of the test's own transaction. PostgreSQL receives them in six
    # round trips (memberships and facts together; policy, need model, past reports and changes together).
    assert counts[1] == counts[2] == (8 if connection.vendor == "postgresql" else 12)


def test_need_degree_needs_a_fitted_model(tree, feed, county_policy, caseworker, authorise) -> None:
    first = None
    for i in range(32):
        h = new_household(head__id_number=make_id_number(300 + i, birth=date(1950 + i, 1, 1)))
        authorise(h.head)
        for m in MONTHS:
            feed("hrss_pension", h.head.id_number, m, str(100 * (i + 1)), kind="employee")
        report = report_create(
            ctx=AuditContext(user=caseworker), id_number=h.head.id_number, as_of=AS_OF, programs=["dibao"]
        )
        first = first or report
        assert report.need_degree is None
        assert "尚未拟合" in report.insights["need"]["explanation"][0]
    model = need_model_refit(ctx=AuditContext.system())
    assert (model.version, model.n_samples, model.active) == (1, 32, True)
    poorest = report_create(
        ctx=AuditContext(user=caseworker),
        id_number=first.applicant.id_number,
        as_of=AS_OF,
        programs=["dibao"],
    )
    assert poorest.need_model == model
    assert -2 <= float(poorest.need_degree) <= 2
    assert float(poorest.need_degree) > 0  # lowest pension of all: above-average need
    assert poorest.insights["need"]["explanation"][0].startswith("需求度")
    again = need_model_refit(ctx=AuditContext.system())
    assert again.version == 2 and NeedModel.objects.filter(active=True).get() == again


def test_refit_refuses_with_too_few_reports(db) -> None:
    with pytest.raises(ValidationFailed) as exc:
        need_model_refit(ctx=AuditContext.system())
    assert "样本不足" in exc.value.errors["reports"]


def test_trend_counts_every_members_deposits_at_one_bank(couple, caseworker, authorise, feed) -> None:
    h, wife = couple
    authorise(h.head, wife)
    # The wife already holds 3,000 at 农信社 (2026-10-01); the husband 1,000 there in 2025 and 2,000 in 2026.
    feed("bank", h.head.id_number, date(2025, 6, 30), "1000", institution="农信社")
    feed("bank", h.head.id_number, date(2026, 6, 30), "2000", institution="农信社")
    report = _report(caseworker, h)
    assert report.results["financial_assets"] == "5000.00"  # 2,000 + 3,000
    trend = dict(zip(report.insights["trend"]["years"], report.insights["trend"]["assets"], strict=True))
    assert trend[2026] == "5000.00"  # the same as the means test
    assert trend[2025] == "1000.00"  # the wife's account was first reported in 2026
    assert trend[2024] == "0"
