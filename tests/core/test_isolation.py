"""Jurisdiction isolation: every page and every API operation, called by a caseworker of the
neighbouring township, must refuse (403/404) anything that belongs to 东镇, and list pages must not
leak it. Every write carries a real, valid body (a form or JSON that would succeed inside the
jurisdiction), so that a refusal comes from the jurisdiction check and not from validation. New URL
patterns or API operations fail this test until they are listed here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jiuzhu.accounts.models import ApiToken
from jiuzhu.api import api

from ..conftest import EAST_TOWN, EAST_VILLAGE, WEST_TOWN, WEST_VILLAGE
from ..factories import add_member, new_household, new_import_batch, new_user

pytestmark = pytest.mark.django_db

# Pages without an object in the path: reachable, but must show nothing of 东镇.
UNSCOPED_PAGES = {
    "",
    "households/",
    "households/new/",
    "persons/new/",
    "accounts/login/",
    "accounts/logout/",
    "accounts/responsibilities/",
    "accounts/profile/",
    "audit/",
    "api/docs",
    "verification/",
    "exchange/",
    "exchange/upload/",
    "api/openapi.json",
    "intake/",
    "intake/new/",
    "intake/close-relatives/",
    "intake/cooperation/",
    "apply/",
    "apply/status/",
    "policy/calendar/",
    "policy/calendar/<int:year>/",
    "workflow/docs/flowchart/<str:program>/",
    "workflow/docs/handbook/",
    "workflow/docs/responsibilities/",
    "workflow/",
    "workflow/done/",
    "workflow/overdue/",
    "workflow/temporary/prior-aid/",
    "workflow/temporary/non-residents/",
    "workflow/reviews/",
    "workflow/reviews/open/",
    "benefits/recomputations/",
    "benefits/recomputations/new/",
    "benefits/recoveries/",
    "migration/",
    "migration/upload/",
    "migration/template.csv",
    "monitoring/runs/",
    "monitoring/runs/start/",
    "oversight/",
    "oversight/anomalies/",
    "oversight/bulletin/",
    "monitoring/rules/",
    "payments/bank/",
    "payments/bank/return-template.csv",
}

_PERSON_FORM = {
    "name": "某人",
    "labour_capacity": "full",
    "self_care": "full",
    "health": "healthy",
    "employment": "not_working",
    "education": "none",
}
# A valid form for each page that accepts a POST (markers in braces are filled in by the walk).
WEB_BODIES: dict[str, dict[str, Any]] = {
    "households/new/": {
        "head_id_number": "{member_id_number}",
        "region": WEST_VILLAGE,
        "address": "西一村1组",
    },
    "households/<int:pk>/edit/": {"region": EAST_VILLAGE, "address": "改", "version": "1"},
    "households/<int:pk>/members/add/": {"id_number": "{member_id_number}", "relation": "child"},
    "households/<int:pk>/members/<int:person_id>/leave/": {"reason": "迁出", "on": "2026-01-02"},
    "persons/new/": {
        **_PERSON_FORM,
        "id_number": "{member_id_number}",
        "hukou_region": WEST_VILLAGE,
        "residence_region": WEST_VILLAGE,
    },
    "persons/<int:pk>/edit/": {
        **_PERSON_FORM,
        "id_number": "{member_id_number}",
        "name": "改名",
        "hukou_region": EAST_VILLAGE,
        "residence_region": EAST_VILLAGE,
        "version": "1",
    },
    "persons/<int:pk>/categories/add/": {"category": "dibao", "start_date": "2025-01-01"},
    "accounts/login/": {"username": "nobody", "password": "wrong-password"},
    "accounts/profile/": {"name": "对接"},
    "accounts/tokens/<int:pk>/revoke/": {},
    "verification/": {"id_number": "{head_id_number}"},
    "verification/<int:pk>/authorisations/": {
        "person_id": "{member_pk}",
        "signed_on": "2026-01-01",
        "reference": "授权书1号",
    },
    "verification/<int:pk>/reports/": {"applicant": "{head_pk}", "programs": "dibao"},
    "exchange/upload/": {"feed": "hrss_wage", "file": "{wage_file}"},
    "migration/upload/": {"layout": "", "file": "{migration_file}"},
    "monitoring/runs/start/": {"county": "980101000000", "as_of": "2026-11-15", "kind": "monitor"},
    "intake/new/": {"id_number": "{head_id_number}", "channel": "window"},
    "intake/<int:pk>/verify/": {"version": "1"},
    "intake/<int:pk>/materials/": {"version": "1", "items": "户口簿复印件"},
    "intake/<int:pk>/papers/": {"version": "1", "commitment": "{png_file}"},
    "intake/<int:pk>/relative/": {
        "version": "1",
        "official_name": "某",
        "position": "村主任",
        "relation": "兄弟",
    },
    "intake/<int:pk>/accept/": {"version": "1", "programs": "dibao"},
    "intake/<int:pk>/refuse/": {"version": "1", "reason": "不符合条件"},
    "intake/cooperation/<int:pk>/answer/": {"version": "1", "answer": "已核查"},
    "apply/": {
        "name": "某人",
        "id_number": "{member_id_number}",
        "phone": "13800001234",
        "township_code": WEST_TOWN,
        "village_code": WEST_VILLAGE,
    },
    "apply/status/": {"number": "SQ-980101001-2026-00001", "query_code": "ABCDEFGH", "id_last6": "123456"},
    # The steps of a case (东镇's case, in investigation, with a notice and an undecided objection).
    "workflow/cases/<int:pk>/investigation/": {
        "version": "1",
        "visited_on": "2026-01-05",
        "investigator_ids": "{investigator_pk}",
        "food": "粗粮",
        "clothing": "陈旧",
        "housing": "土坯房",
        "daily_goods": "无",
        "findings": "属实",
        "family_signatory": "户主",
        "family_signature": "{png_file}",
        "investigator_signatures": "{png_file}",
    },
    "workflow/cases/<int:pk>/county-visit/": {
        "version": "1",
        "visited_on": "2026-01-05",
        "investigator_ids": "{investigator_pk}",
        "food": "粗粮",
        "clothing": "陈旧",
        "housing": "土坯房",
        "daily_goods": "无",
        "findings": "属实",
        "family_signatory": "户主",
        "family_signature": "{png_file}",
        "investigator_signatures": "{png_file}",
    },
    "workflow/cases/<int:pk>/community-review/": {
        "version": "1",
        "held_on": "2026-01-05",
        "expected": "9",
        "attended": "6",
        "votes_for": "4",
        "votes_against": "2",
        "abstained": "0",
        "minutes": "评议",
        "signatures": "{png_file}",
    },
    "workflow/cases/<int:pk>/review-opinion/": {"version": "1", "agree": "1", "text": "同意"},
    "workflow/cases/<int:pk>/public-notice/": {"version": "1"},
    "workflow/cases/<int:pk>/public-notice/close/": {"version": "1"},
    "workflow/cases/<int:pk>/objections/": {"version": "1", "received_on": "2026-01-05", "content": "有车"},
    "workflow/cases/<int:pk>/objections/<int:objection_id>/decide/": {
        "version": "1",
        "holds": "1",
        "finding": "成立",
    },
    "workflow/cases/<int:pk>/spot-check/": {"version": "1", "agree": "1", "finding": "属实"},
    "workflow/cases/<int:pk>/confirmation/": {"version": "1", "agree": "1", "text": "同意"},
    "workflow/cases/<int:pk>/act/": {"version": "1", "target": "withdrawn", "reason": "撤回"},
    "workflow/cases/<int:pk>/report/": {"version": "1", "report_id": "{report_pk}"},
    # 临时救助: 先行救助 for 东镇's household member, a non-resident whose number 东镇 holds, 一事一议.
    "workflow/temporary/households/<int:pk>/prior-aid/": {
        "recipient_id": "{member_pk}",
        "amount": "500.00",
        "cause": "fire",
        "reason": "房屋失火",
        "paid_on": "2026-01-05",
    },
    "workflow/temporary/non-residents/": {
        "id_number": "{member_id_number}",
        "name": "某人",
        "village_code": WEST_VILLAGE,
        "address": "西一村临时住所",
    },
    "workflow/temporary/cases/<int:pk>/special-approval/": {"version": "1", "agree": "1", "text": "同意"},
    "workflow/temporary/cases/<int:pk>/amount/": {"version": "1", "amount_asked": "800.00"},
    "workflow/cases/<int:pk>/review-decision/": {"version": "1", "outcome": "maintained", "text": "维持"},
    "workflow/reviews/open/": {},
    "workflow/entitlements/<int:pk>/adjust/": {
        "from_month": "2026-05",
        "reason": "收入增加",
        "per_capita_income": "400",
    },
    "workflow/entitlements/<int:pk>/suspend/": {"from_month": "2026-05", "reason": "不配合复核"},
    "workflow/entitlements/<int:pk>/resume/": {"from_month": "2026-05", "reason": "已配合"},
    "workflow/entitlements/<int:pk>/terminate/": {"end_month": "2026-05", "reasons": "迁出"},
    "workflow/entitlements/<int:pk>/taper/": {
        "person_id": "{head_pk}",
        "found_work_on": "2026-01-05",
        "reason": "就业",
    },
    "benefits/recomputations/new/": {"policy_version_id": "1"},
    "benefits/recomputations/<int:pk>/approve/": {},
    "benefits/recomputations/<int:pk>/apply/": {},
    "workflow/cases/<int:pk>/selfcare/": {
        "version": "1",
        "assessed_on": "2026-01-05",
        "eating": "1",
        "dressing": "1",
        "bed": "0",
        "toileting": "1",
        "walking": "0",
        "bathing": "0",
        "assessor_ids": "{investigator_pk}",
        "note": "县级牵头评估",
    },
    "workflow/cases/<int:pk>/concealment/": {
        "version": "1",
        "kind_1": "hidden_income",
        "item_1": "隐瞒工资收入",
        "amount_1": "3000",
        "evidence": "人社部门工资记录",
        "found_on": "2026-01-05",
    },
    "workflow/entitlements/<int:pk>/concealment/": {
        "version": "1",
        "kind_1": "hidden_income",
        "item_1": "隐瞒工资收入",
        "amount_1": "3000",
        "evidence": "人社部门工资记录",
        "found_on": "2026-01-05",
    },
    "benefits/recoveries/<int:pk>/collect/": {
        "version": "1",
        "amount": "10",
        "collected_on": "2026-01-05",
        "reference": "R1",
    },
    "benefits/recoveries/<int:pk>/waive/": {"version": "1", "reason": "无力偿还"},
    "benefits/dishonesty/<int:pk>/revoke/": {"version": "1", "reason": "复议撤销"},
    "payments/bank/<int:pk>/export/": {"fmt": "csv", "encoding": "utf-8-sig"},
    "payments/bank/<int:pk>/returns/": {"file": "{bank_return_file}"},
}
# Pages that only read: a POST to them must change nothing and answer like a GET.
WEB_READS = {
    "",
    "households/",
    "households/<int:pk>/",
    "persons/<int:pk>/",
    "accounts/logout/",
    "accounts/responsibilities/",
    "audit/",
    "audit/checkpoints/",
    "exchange/",
    "exchange/batches/<int:pk>/",
    "exchange/batches/<int:pk>/quarantine.csv",
    "migration/",
    "migration/template.csv",
    "migration/batches/<int:pk>/",
    "migration/batches/<int:pk>/quarantine.csv",
    "migration/batches/<int:pk>/quarantine.xlsx",
    "migration/batches/<int:pk>/differences/",
    "migration/batches/<int:pk>/differences.csv",
    "verification/<int:pk>/",
    "verification/reports/<int:pk>/",
    "policy/calendar/",
    "policy/calendar/<int:year>/",
    "workflow/docs/flowchart/<str:program>/",
    "workflow/docs/handbook/",
    "workflow/docs/responsibilities/",
    "workflow/notices/<int:pk>/",
    "intake/<int:pk>/",
    "intake/<int:pk>/papers/<str:what>/",
    "intake/",
    "intake/close-relatives/",
    "intake/cooperation/",
    "workflow/",
    "workflow/done/",
    "workflow/overdue/",
    "workflow/cases/<int:pk>/",
    "workflow/board/<str:code>/",
    "workflow/cases/<int:pk>/files/<str:kind>/<int:record_id>/<str:field>/",
    "benefits/households/<int:pk>/",
    "workflow/temporary/prior-aid/",
    "workflow/reviews/",
    "benefits/recomputations/",
    "benefits/recomputations/<int:pk>/",
    "benefits/recoveries/",
    "benefits/recoveries/<int:pk>/",
    "monitoring/runs/",
    "monitoring/runs/<int:pk>/",
    "oversight/",
    "oversight/anomalies/",
    "oversight/bulletin/",
    "oversight/households/<int:pk>/chain/",
    "oversight/persons/<int:person_id>/payments/",
    "monitoring/rules/",
    "payments/bank/",
    "payments/bank/return-template.csv",
    "payments/bank/<int:pk>/",
    "payments/bank/<int:pk>/files/<int:job_id>/",
    "payments/bank/returns/<int:pk>/",
}

# A valid body for each API write, so that refusals come from jurisdiction, not from validation.
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/registry/households"): {
        "head_person_id": "{person}",
        "region": EAST_VILLAGE,
        "address": "x",
    },
    ("patch", "/api/registry/households/{household_id}"): {"version": 1, "address": "改"},
    ("post", "/api/registry/households/{household_id}/members"): {
        "person_id": "{person}",
        "relation": "child",
    },
    ("post", "/api/registry/households/{household_id}/members/{person_id}/leave"): {
        "reason": "迁出",
        "on": "2026-01-02",
    },
    ("post", "/api/registry/persons"): {
        "id_number": "{member_id_number}",
        "name": "某人",
        "hukou_region": EAST_VILLAGE,
        "residence_region": EAST_VILLAGE,
    },
    ("patch", "/api/registry/persons/{person_id}"): {"version": 1, "name": "改名"},
    ("post", "/api/registry/persons/{person_id}/categories"): {
        "category": "dibao",
        "start_date": "2025-01-01",
    },
    ("post", "/api/verification/authorisations"): {
        "person_id": "{person}",
        "signed_on": "2026-01-01",
        "reference": "x",
    },
    ("post", "/api/verification/reports"): {"id_number": "{head_id_number}", "programs": ["dibao"]},
    ("post", "/api/intake/applications"): {"id_number": "{head_id_number}", "channel": "window"},
    ("post", "/api/intake/applications/{application_id}/verify"): {"version": 1},
    ("post", "/api/intake/applications/{application_id}/materials"): {
        "version": 1,
        "items": ["户口簿复印件"],
    },
    ("post", "/api/intake/applications/{application_id}/papers"): {
        "version": 1,
        "commitment": "iVBORw0KGgoAAAAA",
    },
    ("post", "/api/intake/applications/{application_id}/relative"): {
        "version": 1,
        "official_name": "某",
        "position": "村主任",
        "relation": "兄弟",
    },
    ("post", "/api/intake/applications/{application_id}/accept"): {"version": 1, "programs": ["dibao"]},
    ("post", "/api/intake/applications/{application_id}/refuse"): {"version": 1, "reason": "不符合条件"},
    ("post", "/api/intake/cooperation/{request_id}/answer"): {"version": 1, "answer": "已核查"},
    ("post", "/api/intake/public/applications"): {
        "name": "某人",
        "id_number": "{member_id_number}",
        "phone": "13800001234",
        "township_code": WEST_TOWN,
        "village_code": WEST_VILLAGE,
    },
    ("post", "/api/intake/public/status"): {
        "number": "SQ-980101001-2026-00001",
        "query_code": "ABCDEFGH",
        "id_last6": "123456",
    },
    ("post", "/api/workflow/cases/{case_id}/act"): {
        "version": 1,
        "target": "withdrawn",
        "reason": "申请人撤回",
    },
    ("post", "/api/workflow/cases/{case_id}/extend"): {"version": 1, "reason": "入户调查需补充"},
    ("post", "/api/workflow/cases/{case_id}/claim"): {"minutes": 30},
    ("post", "/api/workflow/cases/{case_id}/report"): {"version": 1, "report_id": "{report}"},
    ("post", "/api/workflow/cases/{case_id}/review-opinion"): {"version": 1, "agree": True, "text": "同意"},
    ("post", "/api/workflow/cases/{case_id}/public-notice"): {"version": 1},
    ("post", "/api/workflow/cases/{case_id}/public-notice/close"): {"version": 1},
    ("post", "/api/workflow/public-notices/{public_notice_id}/objections"): {
        "received_on": "2026-01-05",
        "content": "有车",
    },
    ("post", "/api/workflow/objections/{objection_id}/decide"): {"holds": True, "finding": "成立"},
    ("post", "/api/workflow/cases/{case_id}/spot-check"): {"version": 1, "agree": True, "finding": "属实"},
    ("post", "/api/workflow/cases/{case_id}/confirmation"): {"version": 1, "agree": True, "text": "同意"},
    ("post", "/api/workflow/temporary/households/{household_id}/prior-aid"): {
        "recipient_id": "{person}",
        "amount": "500.00",
        "cause": "fire",
        "reason": "房屋失火",
        "paid_on": "2026-01-05",
    },
    ("post", "/api/workflow/temporary/non-residents"): {
        "id_number": "{member_id_number}",
        "name": "某人",
        "village_code": EAST_VILLAGE,
        "address": "东镇临时住所",
    },
    ("post", "/api/workflow/temporary/cases/{case_id}/special-approval"): {
        "version": 1,
        "agree": True,
        "text": "同意",
    },
    ("post", "/api/workflow/temporary/cases/{case_id}/amount"): {"version": 1, "amount_asked": "800.00"},
    ("post", "/api/workflow/cases/{case_id}/review-decision"): {
        "version": 1,
        "outcome": "maintained",
        "text": "维持",
    },
    ("post", "/api/workflow/entitlements/{entitlement_id}/adjust"): {
        "from_month": "2026-05-01",
        "reason": "收入增加",
        "per_capita_income": "400",
    },
    ("post", "/api/workflow/entitlements/{entitlement_id}/suspend"): {
        "from_month": "2026-05-01",
        "reason": "x",
    },
    ("post", "/api/workflow/entitlements/{entitlement_id}/resume"): {
        "from_month": "2026-05-01",
        "reason": "x",
    },
    ("post", "/api/workflow/entitlements/{entitlement_id}/terminate"): {
        "end_month": "2026-05-01",
        "reasons": ["迁出"],
    },
    ("post", "/api/workflow/entitlements/{entitlement_id}/taper"): {
        "person_id": "{person}",
        "found_work_on": "2026-01-05",
        "reason": "就业",
    },
    ("post", "/api/benefits/recomputations"): {"policy_version_id": 1},
    ("post", "/api/benefits/recomputations/{recomputation_id}/approve"): {},
    ("post", "/api/benefits/recomputations/{recomputation_id}/apply"): {},
    ("post", "/api/workflow/cases/{case_id}/selfcare"): {
        "version": 1,
        "items": {
            "eating": True,
            "dressing": True,
            "bed": False,
            "toileting": True,
            "walking": False,
            "bathing": False,
        },
        "assessed_on": "2026-01-05",
        "assessor_ids": [1, 2],
    },
    ("post", "/api/workflow/cases/{case_id}/concealment"): {
        "version": 1,
        "items": [{"kind": "hidden_income", "item": "隐瞒工资收入", "amount": "3000"}],
        "evidence": "人社部门工资记录",
        "found_on": "2026-01-05",
    },
    ("post", "/api/workflow/entitlements/{entitlement_id}/concealment"): {
        "version": 1,
        "items": [{"kind": "hidden_income", "item": "隐瞒工资收入", "amount": "3000"}],
        "evidence": "人社部门工资记录",
        "found_on": "2026-01-05",
    },
    ("post", "/api/benefits/recoveries/{recovery_id}/collect"): {
        "version": 1,
        "amount": "10",
        "collected_on": "2026-01-05",
        "reference": "R1",
    },
    ("post", "/api/benefits/recoveries/{recovery_id}/waive"): {"version": 1, "reason": "无力偿还"},
    ("post", "/api/benefits/dishonesty/{record_id}/revoke"): {"version": 1, "reason": "复议撤销"},
    ("post", "/api/payments/bank/payrolls/{payroll_id}/exports"): {"format": "csv", "encoding": "utf-8-sig"},
}
# Multipart API writes (signed records): the form fields; the files are added by the walk.
API_MULTIPART: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/workflow/cases/{case_id}/investigation"): {
        "version": 1,
        "visited_on": "2026-01-05",
        "investigator_ids": "{investigator_pk}",
        "food": "粗粮",
        "clothing": "陈旧",
        "housing": "土坯房",
        "daily_goods": "无",
        "findings": "属实",
        "family_signatory": "户主",
        "family_signature": "{png_file}",
        "investigator_signatures": "{png_file}",
    },
    ("post", "/api/workflow/cases/{case_id}/community-review"): {
        "version": 1,
        "held_on": "2026-01-05",
        "expected": 9,
        "attended": 6,
        "votes_for": 4,
        "votes_against": 2,
        "minutes": "评议",
        "signatures": "{png_file}",
    },
    ("post", "/api/migration/batches"): {"layout": "", "file": "{migration_file}"},
    ("post", "/api/payments/bank/payrolls/{payroll_id}/returns"): {"file": "{bank_return_file}"},
}
# Required query parameters of reads, so that refusals come from jurisdiction.
API_QUERIES: dict[str, dict[str, str]] = {
    "/api/verification/households": {"id_number": "{head_id_number}"},
    "/api/workflow/docs/flowchart/{program}": {"region": EAST_TOWN},
}
# API reads without an object in the path (lists): must not leak.
API_UNSCOPED_READS = {
    "/api/registry/households",
    "/api/workflow/queue",
    "/api/regions/",
    "/api/accounts/me",
    "/api/accounts/responsibilities",
    "/api/policy/calendar/{year}",
    "/api/intake/applications",
    "/api/intake/cooperation",
    "/api/intake/program-facts",
    "/api/workflow/temporary/prior-aid",
    "/api/benefits/recoveries",
    "/api/migration/layouts",
    "/api/monitoring/runs",
    "/api/oversight/anomalies",
    "/api/oversight/totals",
    "/api/oversight/bulletin",
}
# Writes without an object in the path that act only inside the caller's jurisdiction (opening the reviews
# due): answered, never touching 东镇.
API_UNSCOPED_WRITES: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/workflow/reviews/open"): (200,),
}
API_BODIES[("post", "/api/workflow/reviews/open")] = {}
API_BODIES[("post", "/api/monitoring/runs")] = {"county": "980101000000", "as_of": "2026-11-15"}
# Public operations (no login): answered alike for everyone, and never about 东镇's household.
API_PUBLIC: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/intake/public/applications"): (200,),
    ("post", "/api/intake/public/status"): (404,),
}
# 动态监测预警: the queue (unscoped: shows only the caller's), the warning page and its two forms, the API.
UNSCOPED_PAGES |= {"monitoring/warnings/"}
WEB_READS |= {"monitoring/warnings/", "monitoring/warnings/<int:pk>/"}
WEB_BODIES["monitoring/warnings/<int:pk>/verify/"] = {"version": "1", "verification": "入户核实属实"}
WEB_BODIES["monitoring/warnings/<int:pk>/close/"] = {"version": "1", "outcome": "dismiss", "reason": "误报"}
API_UNSCOPED_READS |= {"/api/monitoring/warnings"}
API_BODIES[("post", "/api/monitoring/warnings/{warning_id}/verify")] = {"version": 1, "verification": "属实"}
API_BODIES[("post", "/api/monitoring/warnings/{warning_id}/close")] = {
    "version": 1,
    "outcome": "dismiss",
    "reason": "误报",
}


def _neighbour_run() -> Any:
    """A monitoring run of the neighbouring county (runs belong to a county, read by its townships)."""
    from datetime import date

    from jiuzhu.monitoring.models import MonitoringRun

    return MonitoringRun.objects.get_or_create(as_of=date(2026, 11, 15), region_id="980102000000")[0]


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            out.append((prefix + str(p.pattern), p))
    return out


@pytest.fixture
def east(tree):
    household = new_household(head__name="东镇户主甲")
    member = add_member(household, "child", name="东镇成员乙")
    return household, member


@dataclass
class Moved:
    """A household of 西镇 (the caller's) whose former member moved into 东镇's household."""

    household: Any
    person: Any

    def secrets(self, east_household: Any) -> list[str]:
        """What 西镇 must not read about the mover now: their 东镇 file and household."""
        return [self.person.id_number, "13800001111", EAST_VILLAGE, east_household.number]


@pytest.fixture
def moved(east, tree, make_user) -> Moved:
    from datetime import date

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.registry.models import Person
    from jiuzhu.registry.services import member_join

    east_household, _ = east
    west = new_household(
        region=tree[WEST_VILLAGE], head__residence_region=tree[WEST_VILLAGE], head__name="西镇户主"
    )
    mover = add_member(west, "child", name="迁往东镇者", residence_region=tree[WEST_VILLAGE])
    county = make_user("county_approver", "980101000000")
    member_join(
        ctx=AuditContext(user=county),
        household_id=east_household.pk,
        person_id=mover.pk,
        relation="child_in_law",
        on=date(2024, 3, 1),
    )
    Person.objects.filter(pk=mover.pk).update(phone="13800001111")
    mover.refresh_from_db()
    return Moved(west, mover)


@pytest.fixture
def east_report(east, tree):
    from datetime import date
    from decimal import Decimal

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.policy.services import policy_version_create
    from jiuzhu.verification.models import Authorisation
    from jiuzhu.verification.services import report_create

    household, member = east
    owner = new_user(role="township_caseworker", region=household.region.parent)
    policy_version_create(
        ctx=AuditContext.system(),
        region=tree["980101000000"],
        effective_from=date(2020, 1, 1),
        document_no="x",
        dibao_standard_urban=Decimal("700"),
        dibao_standard_rural=Decimal("520"),
    )
    for p in (household.head, member):
        Authorisation.objects.create(person=p, signed_on=date(2020, 1, 1), reference="r", recorded_by=owner)
    return report_create(ctx=AuditContext(user=owner), id_number=household.head.id_number)


@pytest.fixture
def east_notice(east, tree):
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.notices import notice_issue

    household, _ = east
    return notice_issue(
        ctx=AuditContext.system(),
        kind="acceptance",
        region_code=household.region.parent_id,
        household_id=household.pk,
        facts={"applicant_name": "东镇户主甲", "program": "dibao"},
    )


@pytest.fixture
def east_application(east, east_report):
    """An application of 东镇's household (window), with a cooperation request to the county."""
    from datetime import date

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.intake.models import CooperationRequest
    from jiuzhu.intake.services import application_start

    household, _ = east
    app = application_start(
        ctx=AuditContext(user=household_user(east)), id_number=household.head.id_number, channel="window"
    )
    request = CooperationRequest.objects.create(
        application=app,
        from_region_id=app.township_id,
        to_region_id=household.region_id[:6] + "000000",
        requested_on=date(2026, 1, 5),
        due_on=date(2026, 1, 19),
    )
    return app, request


@pytest.fixture
def east_case(east, east_report):
    """An open 低保 case of 东镇's household, in investigation."""
    from ..factories import new_case

    household, _ = east
    return new_case(household=household, state="investigation", report=east_report)


@pytest.fixture
def east_objection(east_case):
    """A public notice of 东镇's case with an undecided objection."""
    from datetime import date

    from ..factories import add_objection, add_public_notice

    notice = add_public_notice(east_case, starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 7))
    return add_objection(notice, holds=None)


@pytest.fixture
def east_prior_aid(east, east_report):
    """A 先行救助 paid to 东镇's household member (an emergency 临时救助 case opened with it)."""
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.services.temporary import prior_aid_grant

    from ..factories import workflow_definitions

    household, member = east
    workflow_definitions()
    return prior_aid_grant(
        ctx=AuditContext(user=household_user(east)),
        household_id=household.pk,
        recipient_id=member.pk,
        amount="500",
        cause="fire",
        reason="房屋失火",
    )


@pytest.fixture
def east_investigation(east, east_report):
    """A home investigation, with its signature files, of a second (closed) case of 东镇's household."""
    from ..factories import add_investigation, new_case

    household, _ = east
    return add_investigation(new_case(household=household, state="withdrawn", report=east_report))


@pytest.fixture
def east_entitlement(east, east_report):
    """A 特困 entitlement of 东镇's head (a person's: beside the integrity fixtures' household ones), due
    for review."""
    from django.utils import timezone

    from ..factories import new_life_entitlement

    household, _ = east
    return new_life_entitlement(
        household=household,
        program="tekun",
        person=household.head,
        ages=(45,),
        amount="150.00",
        next_review_on=timezone.localdate(),
    )


@pytest.fixture
def east_recomputation(east_entitlement):
    """A recomputation list of the county of 东镇, with 东镇's entitlement on it."""
    from datetime import date
    from decimal import Decimal

    from jiuzhu.benefits.models import StandardRecomputation, StandardRecomputationRow

    rec = StandardRecomputation.objects.create(
        policy_version=east_entitlement.decision.policy_version,
        region_id="980101000000",
        from_month=date(2026, 1, 1),
    )
    StandardRecomputationRow.objects.create(
        recomputation=rec, entitlement=east_entitlement, old_amount=Decimal("150"), new_amount=Decimal("200")
    )
    return rec


def _east_entitlement_untouched(entitlement: Any, recomputation: Any) -> None:
    """Nothing changed on 东镇's entitlement, no review opened for it, its recomputation as it was."""
    from jiuzhu.workflow.models import Case

    entitlement.refresh_from_db()
    recomputation.refresh_from_db()
    assert (entitlement.status, entitlement.version, str(entitlement.amount)) == ("active", 1, "150.00")
    assert entitlement.events.count() == 1 and entitlement.valid_until is None
    assert not Case.objects.filter(entitlement=entitlement).exists()
    assert recomputation.status == "draft" and not recomputation.rows.filter(applied=True).exists()


def _fill(route: str, ids: dict[str, int | str]) -> str:
    route = route.lstrip("^").rstrip("$")
    for name, value in ids.items():
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value), route)
    return route


def _form(body: dict[str, Any], fill: dict[str, str]) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    out: dict[str, Any] = {}
    for key, value in body.items():
        if value == "{png_file}":
            out[key] = SimpleUploadedFile("sign.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png")
            out[key] = SimpleUploadedFile("sign.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png")
        elif value == "{wage_file}":
            out[key] = SimpleUploadedFile(
                "wage.csv", f"id_number,month,amount\n{fill['{head_id_number}']},2025-01,3000\n".encode()
            )
        elif value == "{migration_file}":
            head = fill["{head_id_number}"]
            out[key] = SimpleUploadedFile(
                "migration.csv",
                (
                    "户主身份证号,姓名,身份证号,与户主关系,所在村(居)区划代码,详细地址,救助项目,月保障金额,起始年月\n"
                    f"{head},某人,{head},户主,{EAST_VILLAGE},东一村,低保,300,2024-01\n"
                ).encode(),
            )
        elif value == "{bank_return_file}":
            out[key] = SimpleUploadedFile(
                "bank-return.csv",
                f"账号,身份证号码,金额,状态,银行流水号,说明\n{EAST_ACCOUNT},,520.00,成功,B1,\n".encode(),
            )
        else:
            out[key] = fill.get(value, value) if isinstance(value, str) else value
    return out


def _east_untouched(household: Any, member: Any, token: Any) -> None:
    from jiuzhu.registry.models import Membership, PersonCategory

    household.refresh_from_db()
    member.refresh_from_db()
    token.refresh_from_db()
    assert (household.version, household.address, member.name, member.version) == (
        1,
        "幸福村1组1号",
        "东镇成员乙",
        1,
    )
    assert member.residence_region_id == EAST_VILLAGE
    assert Membership.objects.filter(person=member, end_date__isnull=True, household=household).exists()
    assert not PersonCategory.objects.filter(person__in=[member, household.head]).exists()
    assert token.revoked_at is None


def _east_case_untouched(case: Any, objection: Any) -> None:
    """Nothing recorded on 东镇's case by the steps' pages and endpoints."""
    from jiuzhu.benefits.models import Decision
    from jiuzhu.workflow.models import CommunityReview, HomeInvestigation, Opinion

    case.refresh_from_db()
    objection.refresh_from_db()
    assert (case.state, case.version, case.spot_check) == ("investigation", 1, "none")
    assert objection.holds is None and objection.notice.objections.count() == 1
    assert objection.notice.closed_on is None and case.public_notices.count() == 1
    for model in (HomeInvestigation, CommunityReview, Opinion):
        assert not model.objects.filter(case=case).exists(), model
    assert not Decision.objects.filter(case_number=case.number).exists()


def test_every_web_page_refuses_or_hides_other_townships(
    east,
    east_report,
    east_case,
    east_notice,
    east_application,
    east_objection,
    east_investigation,
    moved,
    other_caseworker,
    client_for,
    east_entitlement,
    east_recomputation,
) -> None:
    from jiuzhu.registry.models import Household, Person

    household, member = east
    batch = new_import_batch(region=household.region.parent)
    token = ApiToken.objects.create(user=household_user(east), name="t", key_hash="h" * 64, prefix="p")
    client = client_for(other_caseworker)
    ids = {"pk": household.pk, "person_id": member.pk, "year": 2026, "program": "dibao"}
    fill = {
        "{head_id_number}": household.head.id_number,
        "{member_id_number}": member.id_number,
        "{member_pk}": str(member.pk),
        "{head_pk}": str(household.head.pk),
        "{investigator_pk}": str(other_caseworker.pk),
        "{report_pk}": str(east_report.pk),
    }
    counts = (Household.objects.count(), Person.objects.count())
    checked = 0
    ids_here: dict[str, int | str]
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")):
            continue
        assert route in WEB_BODIES or route in WEB_READS, f"add a valid form (or mark as read-only): {route}"
        if "token" in route:
            ids_here = {"pk": token.pk}
        elif route.startswith("verification/reports/"):
            ids_here = {"pk": east_report.pk}
        elif route.startswith("workflow/notices/"):
            ids_here = {"pk": east_notice.pk}
        elif route.startswith("intake/cooperation/"):
            ids_here = {"pk": east_application[1].pk}
        elif route.startswith("intake/"):
            ids_here = {"pk": east_application[0].pk, "what": "commitment"}
        elif route.startswith("workflow/cases/<int:pk>/files/"):
            ids_here = {
                "pk": east_investigation.case_id,
                "kind": "investigation",
                "record_id": east_investigation.pk,
                "field": "family_signature",
            }
        elif route.startswith("workflow/cases/"):
            ids_here = {"pk": east_case.pk, "objection_id": east_objection.pk}
        elif route.startswith("workflow/board/"):
            ids_here = {"code": EAST_VILLAGE}
        elif route.startswith("exchange/batches/"):
            ids_here = {"pk": batch.pk}
        elif route.startswith("persons/"):
            ids_here = {"pk": member.pk}
        elif route.startswith("workflow/entitlements/"):
            ids_here = {"pk": east_entitlement.pk}
        elif route.startswith("benefits/recomputations/"):
            ids_here = {"pk": east_recomputation.pk}
        elif route.startswith("monitoring/runs/"):
            ids_here = {"pk": _neighbour_run().pk}  # a township sees its county's runs, not another's
        elif route.startswith("payments/payrolls/"):
            ids_here = {"pk": 987654321}  # walked with 东镇's real payroll by test_payroll_pages_and_…
        elif route.startswith("payments/bank/returns/"):
            ids_here = {"pk": east_bank(household)["return_id"]}
        elif route.startswith("payments/bank/"):
            ids_here = {"pk": east_bank(household)["payroll_id"], "job_id": east_bank(household)["job_id"]}
        elif route.startswith("monitoring/warnings/<int:pk>/"):
            ids_here = {"pk": _east_warning(household).pk}
        else:
            ids_here = ids
        path = "/" + _fill(route, ids_here)
        if "<" in path:
            pytest.fail(f"unfilled parameter in {route}")
        # POSTing to logout would end the session the rest of the walk needs.
        for method in ("get",) if route == "accounts/logout/" else ("get", "post"):
            if method == "post":
                response = client.post(path, _form(WEB_BODIES.get(route, {}), fill))
            else:
                response = client.get(path)
            body = response.content.decode()
            if route in UNSCOPED_PAGES:
                assert response.status_code in (200, 302, 403, 405), (method, path, response.status_code)
                assert "东镇户主甲" not in body and household.number not in body, (method, path)
                assert "东镇成员乙" not in body and "已登记，请直接查找" not in body, (method, path)
            else:
                # 405 to a GET of a POST-only route says nothing about the object; the POST must refuse.
                allowed = (403, 404, 405) if method == "get" else (403, 404)
                assert response.status_code in allowed, (method, path, response.status_code)
            checked += 1
    assert checked >= 20
    _east_untouched(household, member, token)
    _east_case_untouched(east_case, east_objection)
    _east_entitlement_untouched(east_entitlement, east_recomputation)
    assert (Household.objects.count(), Person.objects.count()) == counts
    # The caller's own household, whose former member now lives in 东镇: nothing of 东镇 on its page.
    own = client.get(f"/households/{moved.household.pk}/").content.decode()
    assert moved.person.name in own
    for secret in moved.secrets(household):
        assert secret not in own, secret


def test_pages_naming_a_person_by_id_number_answer_alike_for_elsewhere_and_never(
    east, moved, other_caseworker, client_for
) -> None:
    """Registered in 东镇 and never registered must read the same on every page that takes a number."""
    from ..factories import make_id_number

    _, member = east
    client = client_for(other_caseworker)
    pages = {
        "/households/new/": ("head_id_number", WEB_BODIES["households/new/"]),
        f"/households/{moved.household.pk}/members/add/": (
            "id_number",
            WEB_BODIES["households/<int:pk>/members/add/"],
        ),
        "/verification/": ("id_number", WEB_BODIES["verification/"]),
        "/intake/new/": ("id_number", WEB_BODIES["intake/new/"]),
    }
    for path, (field, body) in pages.items():
        answers = []
        for number in (member.id_number, make_id_number(8888)):
            response = client.post(path, {**body, field: number})
            text = response.content.decode().replace(number, "<number>")
            text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", text)
            answers.append((response.status_code, text))
        assert answers[0] == answers[1], path


def test_a_township_auditor_sees_their_township_in_the_log_and_not_the_platform_chain(
    east, make_user, client_for
) -> None:
    """An auditor of 西镇 holds audit.view_auditevent, but /audit/checkpoints/ shows the whole platform's
    chain (its head and length, alarms, key fingerprints): it is for county level and above."""
    from jiuzhu.audit.services import AuditContext, audit_record

    household, _ = east
    audit_record(
        ctx=AuditContext.system(),
        action="view",
        object_type="household",
        object_id=household.number,
        region_code=EAST_VILLAGE,
    )
    client = client_for(make_user("auditor", WEST_TOWN))
    assert client.get("/audit/checkpoints/").status_code == 403
    log = client.get("/audit/")
    assert log.status_code == 200 and household.number not in log.content.decode()
    assert "/audit/checkpoints/" not in log.content.decode()


def household_user(east: Any) -> Any:
    from ..factories import new_user

    return new_user(role="township_caseworker", region=east[0].region.parent)


def test_every_api_operation_refuses_or_hides_other_townships(
    east,
    east_report,
    east_case,
    east_notice,
    east_application,
    east_objection,
    moved,
    other_caseworker,
    client_for,
    east_prior_aid,
    east_entitlement,
    east_recomputation,
    east_integrity,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiuzhu.exchange.models import ImportBatch

    household, member = east
    batch = new_import_batch(region=household.region.parent)
    client = client_for(other_caseworker)
    schema = api.get_openapi_schema()
    ids = {
        "household_id": household.pk,
        "person_id": member.pk,
        "code": EAST_VILLAGE,
        "report_id": east_report.pk,
        "batch_id": batch.pk,
        "year": 2026,
        "program": "dibao",
        "notice_id": east_notice.pk,
        "application_id": east_application[0].pk,
        "request_id": east_application[1].pk,
        "case_id": east_case.pk,
        "public_notice_id": east_objection.notice_id,
        "objection_id": east_objection.pk,
        "prior_aid_id": east_prior_aid.pk,
        "recomputation_id": east_recomputation.pk,
        "recovery_id": east_integrity[0].recovery.pk,
        "record_id": east_integrity[0].dishonesty.pk,
        "entitlement_id": east_integrity[1].pk,
        "run_id": _neighbour_run().pk,
        **east_bank(household),
        # Payrolls and holds: walked with 东镇's real ones by test_payroll_pages_and_operations_refuse_…
        "payroll_id": 987654321,
        "hold_id": 987654321,
        "warning_id": _east_warning(household).pk,
    }
    fill = {
        '"{person}"': str(member.pk),
        '"{report}"': str(east_report.pk),
        "{head_id_number}": household.head.id_number,
        "{member_id_number}": member.id_number,
    }
    token = ApiToken.objects.create(user=household_user(east), name="t", key_hash="h" * 64, prefix="p")
    operations = 0
    for path_template, methods in schema["paths"].items():
        path = path_template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", str(value))
        for method in methods:
            operations += 1
            body = API_BODIES.get((method, path_template))
            if (method, path_template) == ("post", "/api/exchange/batches"):
                rows = f"id_number,month,amount\n{household.head.id_number},2025-01,3000\n"
                upload = SimpleUploadedFile("w.csv", rows.encode(), "text/csv")
                response = client.post(path, {"feed": "hrss_wage", "file": upload})
            elif (method, path_template) in API_MULTIPART:
                investigator = str(other_caseworker.pk)
                form_body = {
                    k: investigator if v == "{investigator_pk}" else v
                    for k, v in API_MULTIPART[(method, path_template)].items()
                }
                response = client.post(path, _form(form_body, fill))
            elif method in ("post", "patch", "put"):
                assert body is not None, f"add a valid body for {method.upper()} {path_template}"
                text_body = json.dumps(body)
                for marker, value in fill.items():
                    text_body = text_body.replace(marker, value)
                response = getattr(client, method)(
                    path, json.loads(text_body), content_type="application/json"
                )
            else:
                query = {k: fill.get(v, v) for k, v in API_QUERIES.get(path_template, {}).items()}
                response = client.get(path, query)
            text = response.content.decode()
            if (method, path_template) in API_PUBLIC:
                assert response.status_code in API_PUBLIC[(method, path_template)], (path, text)
                assert "东镇户主甲" not in text and household.number not in text
            elif (method, path_template) in API_UNSCOPED_WRITES:
                assert response.status_code in API_UNSCOPED_WRITES[(method, path_template)], (path, text)
                assert "东镇户主甲" not in text and household.number not in text
            elif method == "get" and path_template in API_UNSCOPED_READS:
                assert response.status_code == 200, (path, response.status_code)
                assert "东镇户主甲" not in text and household.number not in text
            elif (method, path_template) == ("post", "/api/registry/persons"):
                # Creating is allowed, but never inside someone else's jurisdiction, and the refusal
                # of a number held in 东镇 says nothing about its holder.
                assert response.status_code == 422 and "辖区" in text
                assert "已登记，请直接查找" not in text and "东镇" not in text
            elif (method, path_template) == ("post", "/api/registry/households"):
                assert response.status_code in (403, 404, 422), text
            else:
                assert response.status_code in (403, 404), (method, path, response.status_code, text)
    assert operations >= 10
    assert ImportBatch.objects.count() == 1
    _east_untouched(household, member, token)
    east_case.refresh_from_db()
    assert (east_case.state, east_case.version, east_case.claimed_by_id) == ("investigation", 1, None)
    _east_case_untouched(east_case, east_objection)
    _east_entitlement_untouched(east_entitlement, east_recomputation)
    # The caller's own household, whose former member now lives in 东镇: only the household's history.
    own = client.get(f"/api/registry/households/{moved.household.pk}")
    assert own.status_code == 200
    text = own.content.decode()
    assert moved.person.name in text
    for secret in moved.secrets(household):
        assert secret not in text, secret


def test_admin_is_closed_to_non_staff(other_caseworker, client_for, east) -> None:
    client = client_for(other_caseworker)
    for route, _ in _walk(get_resolver().url_patterns):
        if not route.startswith("admin/") or "<" in route or "(?P" in route or route == "admin/login/":
            continue
        response = client.get("/" + route.lstrip("^").rstrip("$"))
        assert response.status_code in (302, 403, 404), route


def test_county_admin_sees_only_their_county(make_user, client_for, tree) -> None:
    from ..factories import new_user

    neighbour_admin = new_user(role="admin", region=tree["980102000000"], is_staff=True)
    own = make_user("township_caseworker")
    client = client_for(neighbour_admin)
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    assert own.username not in listing.content.decode()
    assert client.get(f"/admin/accounts/user/{own.pk}/change/").status_code in (302, 404)
    regions = client.get("/admin/regions/region/").content.decode()
    assert "980102001001" in regions and "980101001001" not in regions


# --- integrity (诚信): the findings, dishonesty records and recoveries of 东镇, with their own ids ----------


@pytest.fixture
def east_integrity(east, east_report):
    """东镇's entitlement ended by a finding (its dishonesty record and recovery), a second entitlement in
    payment and an open case, for the integrity walk."""
    from datetime import date

    from ..factories import new_case, new_entitlement, new_finding

    household, _ = east
    ended = new_entitlement(household, amount="520.00", start_month=date(2025, 1, 1))
    found = new_finding(ended, found_on=date(2025, 6, 30))
    running = new_entitlement(household, program="near_dibao", amount="0", payment="no_cash")
    case = new_case(household=household, state="investigation", report=east_report)
    return found, running, case


def test_integrity_pages_and_operations_refuse_other_jurisdictions(
    east, east_integrity, make_user, client_for
) -> None:
    """Every integrity page and operation, on 东镇's own records, by 西镇's staff and by the neighbouring
    county's approver: 403/404, and nothing changes."""
    from jiuzhu.benefits.models import ConcealmentFinding, DishonestyRecord, OverpaymentRecovery

    found, running, case = east_integrity
    household, _ = east
    web = {
        f"/workflow/cases/{case.pk}/concealment/": WEB_BODIES["workflow/cases/<int:pk>/concealment/"],
        f"/workflow/entitlements/{running.pk}/concealment/": WEB_BODIES[
            "workflow/entitlements/<int:pk>/concealment/"
        ],
        f"/benefits/recoveries/{found.recovery.pk}/": {},
        f"/benefits/recoveries/{found.recovery.pk}/collect/": WEB_BODIES[
            "benefits/recoveries/<int:pk>/collect/"
        ],
        f"/benefits/recoveries/{found.recovery.pk}/waive/": WEB_BODIES["benefits/recoveries/<int:pk>/waive/"],
        f"/benefits/dishonesty/{found.dishonesty.pk}/revoke/": WEB_BODIES[
            "benefits/dishonesty/<int:pk>/revoke/"
        ],
        f"/benefits/households/{household.pk}/": {},
    }
    api_writes = {
        f"/api/workflow/cases/{case.pk}/concealment": ("post", "/api/workflow/cases/{case_id}/concealment"),
        f"/api/workflow/entitlements/{running.pk}/concealment": (
            "post",
            "/api/workflow/entitlements/{entitlement_id}/concealment",
        ),
        f"/api/benefits/recoveries/{found.recovery.pk}/collect": (
            "post",
            "/api/benefits/recoveries/{recovery_id}/collect",
        ),
        f"/api/benefits/recoveries/{found.recovery.pk}/waive": (
            "post",
            "/api/benefits/recoveries/{recovery_id}/waive",
        ),
        f"/api/benefits/dishonesty/{found.dishonesty.pk}/revoke": (
            "post",
            "/api/benefits/dishonesty/{record_id}/revoke",
        ),
    }
    api_reads = [
        f"/api/benefits/recoveries/{found.recovery.pk}",
        f"/api/benefits/households/{household.pk}/integrity",
        f"/api/benefits/persons/{household.head_id}/dishonesty",
    ]
    for user in (
        make_user("township_caseworker", WEST_TOWN),
        make_user("township_reviewer", WEST_TOWN),
        make_user("county_approver", "980102000000"),
    ):
        client = client_for(user)
        for path, body in web.items():
            assert client.get(path).status_code in (403, 404, 405), (user.role, path)
            assert client.post(path, _form(body, {})).status_code in (403, 404), (user.role, path)
        for path, key in api_writes.items():
            response = client.post(path, API_BODIES[key], content_type="application/json")
            assert response.status_code in (403, 404), (user.role, path, response.content)
        for path in api_reads:
            assert client.get(path).status_code in (403, 404), (user.role, path)
        for path in ("/benefits/recoveries/", "/api/benefits/recoveries"):
            response = client.get(path)
            assert response.status_code in (200, 403), path
            assert household.number not in response.content.decode()
    recovery = OverpaymentRecovery.objects.get()
    assert (recovery.status, recovery.version, recovery.amount_collected) == ("outstanding", 1, 0)
    assert DishonestyRecord.objects.get().status == "in_force"
    assert ConcealmentFinding.objects.count() == 1
    running.refresh_from_db()
    case.refresh_from_db()
    assert (running.status, running.version, case.state, case.version) == ("active", 1, "investigation", 1)


# --- fund supervision (阳光资金监管): 东镇's payroll lines, holds and warnings ---------------------------


def test_oversight_pages_and_operations_refuse_other_jurisdictions(
    east, east_report, make_user, client_for
) -> None:
    """东镇's head died before February and was paid, with a hold and an overdue warning; 西镇's staff and
    auditor and the neighbouring county's approver see none of it on any oversight page, export or
    operation, and 东镇's chain and payments are 404 to them."""
    from datetime import date

    from jiuzhu.registry.models import Person

    from ..factories import new_entitlement, oversight_hold, oversight_line, oversight_warning

    household, member = east
    Person.objects.filter(pk=household.head_id).update(death_date=date(2026, 1, 10))
    line = oversight_line(new_entitlement(household, amount="520.00"), month=date(2026, 2, 1))
    oversight_hold(line, rule="death")
    oversight_warning(household.head, raised_on=date(2026, 2, 1), due_on=date(2026, 2, 6))
    secrets = ("东镇户主甲", household.number, household.head.id_number[-6:], line.bank_account[-6:])
    for user in (
        make_user("township_caseworker", WEST_TOWN),
        make_user("auditor", WEST_TOWN),
        make_user("county_approver", "980102000000"),
    ):
        client = client_for(user)
        for path in (
            f"/oversight/households/{household.pk}/chain/",
            f"/oversight/persons/{member.pk}/payments/",
            f"/oversight/persons/{household.head_id}/payments/",
            f"/api/oversight/households/{household.pk}/chain",
            f"/api/oversight/persons/{household.head_id}/payments",
        ):
            assert client.get(path).status_code == 404, (user.role, path)
        for path, query in (
            ("/oversight/", {"month_from": "2026-01", "month_to": "2026-02"}),
            ("/oversight/anomalies/", {"month": "2026-02"}),
            ("/oversight/bulletin/", {"month": "2026-02"}),
            ("/api/oversight/anomalies", {"month": "2026-02"}),
            ("/api/oversight/totals", {"month_from": "2026-01", "month_to": "2026-02"}),
            ("/api/oversight/bulletin", {"month": "2026-02"}),
        ):
            response = client.get(path, query)
            assert response.status_code in (200, 422), (user.role, path, response.status_code)
            for secret in secrets:
                assert secret not in response.content.decode(), (user.role, path, secret)
        for path, query in (
            ("/oversight/bulletin/", {"township": EAST_TOWN, "month": "2026-02"}),
            ("/oversight/bulletin/", {"township": EAST_TOWN, "month": "2026-02", "format": "xlsx"}),
            ("/api/oversight/bulletin", {"township_id": EAST_TOWN, "month": "2026-02"}),
        ):
            assert client.get(path, query).status_code == 404, (user.role, path, query)
    # The same pages show it to 东镇's own caseworker (so the walk above proves something).
    own = client_for(make_user("township_caseworker", EAST_TOWN))
    assert household.number in own.get("/oversight/anomalies/", {"month": "2026-02"}).content.decode()
    assert household.number in own.get("/oversight/bulletin/", {"month": "2026-02"}).content.decode()


# --- bank files and return files (payments): 测试县's payroll paying 东镇's household ----------------------

EAST_ACCOUNT = "6222029999000001"


def east_bank(household: Any) -> dict[str, int]:
    """The exported 低保 payroll of 东镇's county for October 2025 with a line paying 东镇's household into
    ``EAST_ACCOUNT``, an export job and a bank return (made once, then found): the ids of the walk."""
    from datetime import date

    from jiuzhu.payments.models import BankReturn, Payroll, PayrollJob

    from ..factories import add_bank_line, new_bank_payroll

    payroll = Payroll.objects.filter(
        region_id="980101000000", program="dibao", month=date(2025, 10, 1)
    ).first()
    if payroll is None:
        payroll = new_bank_payroll(status="exported", month=date(2025, 10, 1))
        add_bank_line(payroll, household=household, amount="520.00", bank_account=EAST_ACCOUNT)
        PayrollJob.objects.create(payroll=payroll, kind="export", status="done", params={"format": "csv"})
        BankReturn.objects.create(payroll=payroll, file_name="r.csv", sha256="e" * 64)
    return {
        "payroll_id": payroll.pk,
        "job_id": PayrollJob.objects.get(payroll=payroll).pk,
        "return_id": BankReturn.objects.get(payroll=payroll).pk,
    }


# --- payroll (发放名册, 月比对): the county's payroll is read by its townships, each seeing its own lines
# and holds only; another county sees nothing ----------------------------------------------------------------

UNSCOPED_PAGES |= {"payments/payrolls/", "payments/payrolls/new/"}
WEB_READS |= {"payments/payrolls/", "payments/payrolls/<int:pk>/"}
WEB_BODIES.update(
    {
        "payments/payrolls/new/": {"county": "980101000000", "program": "dibao", "month": "2026-11"},
        "payments/payrolls/<int:pk>/check/": {},
        "payments/payrolls/<int:pk>/retry/": {},
        "payments/payrolls/<int:pk>/submit/": {"version": "1"},
        "payments/payrolls/<int:pk>/approve/": {"version": "1"},
        "payments/payrolls/holds/<int:pk>/clear/": {"version": "1", "reason": "误报"},
        "payments/payrolls/holds/<int:pk>/confirm/": {"version": "1", "reason": "经核实已死亡"},
    }
)
API_UNSCOPED_READS |= {"/api/payroll/payrolls", "/api/payments/bank/payrolls"}
API_BODIES.update(
    {
        ("post", "/api/payroll/payrolls"): {
            "county": "980101000000",
            "program": "dibao",
            "month": "2026-11-01",
        },
        ("post", "/api/payroll/payrolls/{payroll_id}/check"): {},
        ("post", "/api/payroll/payrolls/{payroll_id}/retry"): {},
        ("post", "/api/payroll/payrolls/{payroll_id}/submit"): {"version": 1},
        ("post", "/api/payroll/payrolls/{payroll_id}/approve"): {"version": 1},
        ("post", "/api/payroll/holds/{hold_id}/clear"): {"version": 1, "reason": "误报"},
        ("post", "/api/payroll/holds/{hold_id}/confirm"): {"version": 1, "reason": "经核实已死亡"},
    }
)


@pytest.fixture
def east_payroll(east, tree):
    """The county's November 低保 payroll with 东镇's line held for a death."""
    import json
    from datetime import date

    import pyarrow as pa

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.payments.models import Payroll
    from jiuzhu.payments.services.check import apply_hits
    from jiuzhu.payments.services.generate import payroll_generate

    from ..factories import new_entitlement, new_policy

    household, _ = east
    new_policy()
    new_entitlement(household, amount="520.00", start_month=date(2026, 1, 1))
    approver = new_user(role="county_approver", region=tree["980101000000"])
    payroll = payroll_generate(
        ctx=AuditContext(user=approver), county_code="980101000000", program="dibao", month=date(2026, 11, 1)
    )
    hits = pa.Table.from_pylist(
        [
            {
                "rule": "death",
                "person_id": household.head_id,
                "household_id": household.pk,
                "evidence_key": "east-death",
                "evidence": json.dumps({"死亡日期": "2026-11-03"}),
                "warning_id": None,
            }
        ],
        schema=pa.schema(
            [
                ("rule", pa.string()),
                ("person_id", pa.int64()),
                ("household_id", pa.int64()),
                ("evidence_key", pa.string()),
                ("evidence", pa.string()),
                ("warning_id", pa.int64()),
            ]
        ),
    )
    apply_hits(payroll, hits, rules={"death"})
    Payroll.objects.filter(pk=payroll.pk).update(status="holds")
    payroll.refresh_from_db()
    return payroll


def test_payroll_pages_and_operations_refuse_other_jurisdictions(
    east, east_payroll, other_caseworker, client_for, make_user
) -> None:
    from jiuzhu.payments.models import PayrollHold, PayrollLine

    household, _ = east
    payroll = east_payroll
    hold = PayrollHold.objects.get()
    secrets = ("东镇户主甲", household.number, household.head.id_number)
    # 西镇, in the same county: the payroll page and lists, without 东镇's lines and holds.
    west = client_for(other_caseworker)
    for path in (
        f"/payments/payrolls/{payroll.pk}/",
        f"/payments/payrolls/{payroll.pk}/?hold_status=held",
        f"/api/payroll/payrolls/{payroll.pk}",
        f"/api/payroll/payrolls/{payroll.pk}/lines",
        f"/api/payroll/payrolls/{payroll.pk}/holds",
    ):
        response = west.get(path)
        assert response.status_code == 200, path
        for secret in secrets:
            assert secret not in response.content.decode(), (path, secret)
    assert west.get(f"/api/payroll/payrolls/{payroll.pk}/lines").json() == []
    # Another county: nothing at all.
    far = client_for(make_user("county_approver", "980102000000"))
    for path in (f"/payments/payrolls/{payroll.pk}/", f"/api/payroll/payrolls/{payroll.pk}"):
        assert far.get(path).status_code == 404, path
    assert far.get("/api/payroll/payrolls").json() == []
    for client in (west, far):
        for route, key in (
            ("payments/payrolls/holds/<int:pk>/clear/", ("post", "/api/payroll/holds/{hold_id}/clear")),
            ("payments/payrolls/holds/<int:pk>/confirm/", ("post", "/api/payroll/holds/{hold_id}/confirm")),
        ):
            assert client.post("/" + _fill(route, {"pk": hold.pk}), WEB_BODIES[route]).status_code in (
                403,
                404,
            )
            api_path = key[1].replace("{hold_id}", str(hold.pk))
            response = client.post(api_path, API_BODIES[key], content_type="application/json")
            assert response.status_code in (403, 404), api_path
        for action in ("check", "retry", "submit", "approve"):
            route = f"payments/payrolls/<int:pk>/{action}/"
            assert client.post("/" + _fill(route, {"pk": payroll.pk}), WEB_BODIES[route]).status_code in (
                403,
                404,
            )
            key = ("post", f"/api/payroll/payrolls/{{payroll_id}}/{action}")
            response = client.post(
                key[1].replace("{payroll_id}", str(payroll.pk)),
                API_BODIES[key],
                content_type="application/json",
            )
            assert response.status_code in (403, 404), (action, response.status_code)
    hold.refresh_from_db()
    payroll.refresh_from_db()
    assert (hold.status, hold.version) == ("held", 1)
    assert PayrollLine.objects.get().status == "held"
    assert (payroll.status, payroll.approved_by_id, payroll.check_run_id) == ("holds", None, None)


# --- 动态监测预警: a warning of 东镇 (its page, forms and operations) -----------------------------------


def _east_warning(household: Any) -> Any:
    """The open death warning on 东镇's household head (made once)."""
    from jiuzhu.monitoring.models import Warning

    from ..factories import new_warning

    found = Warning.objects.filter(household=household, rule="death").first()
    return found or new_warning(household)


def test_warning_pages_and_operations_refuse_other_jurisdictions(east, make_user, client_for) -> None:
    """The warning page, its forms and its operations, on 东镇's warning, by 西镇's staff, a 西一村 assistant
    and the neighbouring county's approver: 403/404, their queues show none of it, and nothing changes."""
    household, _ = east
    warning = _east_warning(household)
    web = {
        f"/monitoring/warnings/{warning.pk}/": {},
        f"/monitoring/warnings/{warning.pk}/verify/": WEB_BODIES["monitoring/warnings/<int:pk>/verify/"],
        f"/monitoring/warnings/{warning.pk}/close/": WEB_BODIES["monitoring/warnings/<int:pk>/close/"],
    }
    api_writes = {
        f"/api/monitoring/warnings/{warning.pk}/verify": (
            "post",
            "/api/monitoring/warnings/{warning_id}/verify",
        ),
        f"/api/monitoring/warnings/{warning.pk}/close": (
            "post",
            "/api/monitoring/warnings/{warning_id}/close",
        ),
    }
    for user in (
        make_user("township_caseworker", WEST_TOWN),
        make_user("village_assistant", WEST_VILLAGE),
        make_user("auditor", WEST_TOWN),
        make_user("county_approver", "980102000000"),
    ):
        client = client_for(user)
        for path, body in web.items():
            assert client.get(path).status_code in (403, 404, 405), (user.role, path)
            assert client.post(path, _form(body, {})).status_code in (403, 404), (user.role, path)
        for path, key in api_writes.items():
            response = client.post(path, API_BODIES[key], content_type="application/json")
            assert response.status_code in (403, 404), (user.role, path, response.content)
        assert client.get(f"/api/monitoring/warnings/{warning.pk}").status_code == 404
        for path in ("/monitoring/warnings/?queue=all", "/api/monitoring/warnings?queue=all"):
            response = client.get(path)
            assert response.status_code == 200, (user.role, path)
            text = response.content.decode()
            assert household.number not in text and "东镇户主甲" not in text, (user.role, path)
    warning.refresh_from_db()
    assert (warning.status, warning.version, warning.verification, warning.outcome) == ("open", 1, "", "")
