"""月通报: a township's month — its payroll lines, what the comparison found by rule, how holds and
warnings were resolved, the overdue ones — as a page, the API and a masked XLSX."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.monitoring.rules import RULES_BY_CODE
from jiuzhu.payments import selectors_oversight
from jiuzhu.payments.selectors_oversight import RuleFinding

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN, WEST_VILLAGE
from ..factories import (
    new_entitlement,
    new_household,
    new_policy,
    oversight_hold,
    oversight_line,
    oversight_warning,
)

pytestmark = pytest.mark.django_db
FEB = date(2026, 2, 1)


def label(code: str) -> str:
    """The rule's name in the rule set (data the bulletin reads, not computed by it)."""
    return RULES_BY_CODE[code].name if code in RULES_BY_CODE else code


def _at(y: int, m: int, d: int) -> datetime:
    return timezone.make_aware(datetime(y, m, d, 15, 0))


@pytest.fixture
def month(tree):
    """东镇 in February 2026 (and a little of January and of 西镇, which the bulletin leaves out)."""
    new_policy()
    a, b, c, d = (new_household(head__name=n) for n in ("甲户主某", "乙户主", "丙户主", "丁户主"))
    line_a = oversight_line(new_entitlement(a, amount="520.00"), month=FEB, status="stopped")
    line_b = oversight_line(new_entitlement(b, amount="300.00"), month=FEB, status="pending")
    line_c = oversight_line(new_entitlement(c, amount="150.00"), month=FEB, status="held")
    ent_d = new_entitlement(d, amount="200.00")
    oversight_line(ent_d, month=FEB, status="paid")
    january = oversight_line(ent_d, month=date(2026, 1, 1), status="held")
    oversight_hold(line_a, rule="death", status="confirmed", reason="核实已死亡", decided_at=_at(2026, 2, 6))
    oversight_hold(
        line_b, rule="vehicle_acquired", status="cleared", reason="车辆已转让", decided_at=_at(2026, 2, 7)
    )
    oversight_hold(line_c, rule="death")
    oversight_hold(january, rule="death")
    w = oversight_warning
    w(
        a.head,
        rule="death",
        raised_on=date(2026, 2, 3),
        due_on=date(2026, 2, 10),
        status="closed",
        outcome="stop",
        closed_at=_at(2026, 2, 9),
    )
    w(
        b.head,
        rule="vehicle_acquired",
        raised_on=date(2026, 2, 5),
        due_on=date(2026, 2, 19),
        escalated_at=_at(2026, 2, 20),
    )
    w(c.head, rule="death", raised_on=date(2026, 2, 20), due_on=date(2026, 3, 6))
    w(
        d.head,
        rule="duplicate_household",
        purpose="lead",
        raised_on=date(2026, 2, 10),
        due_on=date(2026, 2, 24),
        status="closed",
        outcome="dismiss",
        outcome_reason="同名不同人",
        closed_at=_at(2026, 3, 2),
    )
    w(
        d.head,
        rule="vehicle_acquired",
        raised_on=date(2026, 1, 10),
        due_on=date(2026, 1, 20),
        status="closed",
        outcome="adjust",
        closed_at=_at(2026, 2, 15),
    )
    west = new_household(region=tree[WEST_VILLAGE], head__residence_region=tree[WEST_VILLAGE])
    oversight_line(new_entitlement(west, amount="300.00"), month=FEB)
    w(west.head, rule="death", raised_on=date(2026, 2, 3), due_on=date(2026, 2, 10))
    return a, b, c, d


def test_the_bulletin_of_a_township(month, make_user) -> None:
    a, b, c, d = month
    bulletin = selectors_oversight.township_bulletin(
        user=make_user("auditor", COUNTY), township=EAST_TOWN, month=FEB
    )
    assert bulletin.as_of == date(2026, 2, 28)
    assert (bulletin.payroll_lines, bulletin.payroll_amount) == (4, Decimal("1170.00"))
    assert (bulletin.held, bulletin.stopped, bulletin.paid, bulletin.failed) == (1, 1, 1, 0)
    assert bulletin.findings == [
        RuleFinding("death", label("death"), 2, 0, 2, Decimal("670.00"), 0, 1, 1),
        RuleFinding("duplicate_household", label("duplicate_household"), 0, 1, 0, Decimal("0.00"), 0, 0, 0),
        RuleFinding("vehicle_acquired", label("vehicle_acquired"), 1, 0, 1, Decimal("300.00"), 1, 0, 0),
    ]
    # Closed in February: the death (stop) and January's vehicle (adjust); the lead closed in March.
    assert bulletin.outcomes == {"adjust": 1, "stop": 1}
    assert [(w.person_id, w.rule) for w in bulletin.warnings_closed] == [
        (a.head_id, "death"),
        (d.head_id, "vehicle_acquired"),
    ]
    # Past their deadline and not closed on 28 February: the vehicle (due 19th) and the lead (due 24th).
    assert [(w.person_id, w.rule) for w in bulletin.overdue] == [
        (b.head_id, "vehicle_acquired"),
        (d.head_id, "duplicate_household"),
    ]
    assert [h.line.household_id for h in bulletin.holds] == [a.pk, c.pk, b.pk]  # by rule, then household


def test_which_township(month, make_user) -> None:
    caseworker = make_user("township_caseworker", EAST_TOWN)
    assert selectors_oversight.township_bulletin(user=caseworker, month=FEB).township.code == EAST_TOWN
    with pytest.raises(ValidationFailed):  # a village's user: its township is not its jurisdiction
        selectors_oversight.bulletin_township(user=make_user("township_caseworker", "980101001001"))
    with pytest.raises(ValidationFailed):
        selectors_oversight.township_bulletin(user=make_user("auditor", COUNTY), month=FEB)
    with pytest.raises(ValidationFailed):
        selectors_oversight.township_bulletin(
            user=make_user("auditor", COUNTY), township="980101001001", month=FEB
        )
    with pytest.raises(NotFound):
        selectors_oversight.township_bulletin(
            user=make_user("auditor", WEST_TOWN), township=EAST_TOWN, month=FEB
        )


def test_the_bulletin_page_api_and_masked_download(month, make_user, client_for) -> None:
    a, *_ = month
    auditor = make_user("auditor", COUNTY)
    client = client_for(auditor)
    chooser = client.get("/oversight/bulletin/")
    assert chooser.status_code == 200 and "东镇" in chooser.content.decode()
    page = client.get("/oversight/bulletin/", {"township": EAST_TOWN, "month": "2026-02"})
    assert page.status_code == 200
    text = page.content.decode()
    assert label("death") in text and "核实已死亡" in text and a.number in text
    download = client.get(
        "/oversight/bulletin/", {"township": EAST_TOWN, "month": "2026-02", "format": "xlsx"}
    )
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["概况", "比对发现", "暂停发放核实", "预警办结", "超期预警"]
    holds = list(book["暂停发放核实"].iter_rows(values_only=True))
    assert holds[1][:5] == (
        label("death"),
        a.number,
        "甲**某",
        a.head.id_number[:3] + "*" * 11 + a.head.id_number[-4:],
        520,
    )
    assert a.head.id_number not in str([list(ws.iter_rows(values_only=True)) for ws in book])
    assert AuditEvent.objects.filter(action="export", region_code=EAST_TOWN).count() == 1
    api = client.get("/api/oversight/bulletin", {"township_id": EAST_TOWN, "month": "2026-02"})
    assert api.status_code == 200
    data = api.json()
    assert (data["payroll_lines"], data["payroll_amount"], data["outcomes"]) == (
        4,
        "1170.00",
        {"adjust": 1, "stop": 1},
    )
    assert [w["rule"] for w in data["overdue"]] == ["vehicle_acquired", "duplicate_household"]
    assert client.get("/api/oversight/bulletin", {"month": "2026-02"}).status_code == 422
    west = client_for(make_user("township_caseworker", WEST_TOWN))
    for path, query in (
        ("/oversight/bulletin/", {"township": EAST_TOWN}),
        ("/oversight/bulletin/", {"township": EAST_TOWN, "format": "xlsx"}),
        ("/api/oversight/bulletin", {"township_id": EAST_TOWN}),
    ):
        assert west.get(path, {**query, "month": "2026-02"}).status_code == 404, (path, query)
    own = west.get("/api/oversight/bulletin", {"month": "2026-02"}).json()
    assert (own["township_code"], own["payroll_lines"], len(own["overdue"])) == (WEST_TOWN, 1, 1)
