"""The working-day calendar's table: seeded from chinese-calendar, imported from a CSV, edited in the
admin, read by ``work_calendar`` and shown on /policy/calendar/. Expected dates are the State Council's
published schedules, written out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.policy.calendar_services import calendar_import, calendar_seed, holiday_day_save
from jiuzhu.policy.models import CalendarYear, HolidayDay
from jiuzhu.policy.selectors import published_through, work_calendar
from jiuzhu.policy.workdays import Deadline

from ..conftest import COUNTY

pytestmark = pytest.mark.django_db

SYSTEM = AuditContext.system()
CSV_2027 = "date,kind,name\n2027-01-01,休,元旦\n2027-01-02,休,元旦\n2027-01-03,休,元旦\n"


def _audit_lines() -> int:
    return AuditEvent.objects.count()


def test_an_empty_table_counts_weekends_only_and_everything_is_provisional(
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(2):
        cal = work_calendar()
    assert cal.published_through == 0
    # 2025-09-26 (Fri) + 3: 09-29, 09-30, 10-01 (a holiday, unknown to the empty table).
    assert cal.add_working_days(date(2025, 9, 26), 3) == Deadline(date(2025, 10, 1), True)


def test_seed_enters_the_official_schedules() -> None:
    outcome = calendar_seed(ctx=SYSTEM, first_year=2025, last_year=2026)
    assert [y.year for y in outcome.years] == [2025, 2026]
    days = {h.date: (h.kind, h.name) for h in HolidayDay.objects.all()}
    assert days[date(2025, 9, 28)] == ("work", "国庆节")
    assert days[date(2025, 10, 11)] == ("work", "国庆节")
    assert days[date(2026, 2, 14)] == ("work", "春节")
    assert days[date(2026, 2, 28)] == ("work", "春节")
    assert days[date(2026, 2, 16)] == ("off", "春节")
    assert days[date(2026, 1, 1)] == ("off", "元旦")
    assert date(2026, 1, 5) not in days
    assert set(CalendarYear.objects.values_list("year", "source")) == {
        (2025, "chinese_calendar"),
        (2026, "chinese_calendar"),
    }
    cal = work_calendar()
    assert cal.published_through == 2026
    # Hand-computed across 国庆 2025 and 春节 2026 (see test_workdays.py for the day-by-day count).
    assert cal.add_working_days(date(2025, 9, 26), 6) == Deadline(date(2025, 10, 11), False)
    assert cal.add_working_days(date(2026, 2, 12), 8) == Deadline(date(2026, 3, 2), False)
    assert cal.add_working_days(date(2026, 2, 10), 15) == Deadline(date(2026, 3, 9), False)
    # 2026 国庆: 10-01 (Thu) to 10-07 off; 10-10 (Sat) worked. From 09-30: 10-08 (1), 10-09 (2), 10-10 (3).
    assert cal.add_working_days(date(2026, 9, 30), 3) == Deadline(date(2026, 10, 10), False)
    # Into 2027, which the package does not know: weekends only, provisional.
    assert cal.add_working_days(date(2026, 12, 24), 10) == Deadline(date(2027, 1, 7), True)


def test_seed_is_idempotent_and_audited_once_per_changed_year() -> None:
    before = _audit_lines()
    calendar_seed(ctx=SYSTEM, first_year=2025, last_year=2026)
    assert _audit_lines() == before + 2
    rows = list(HolidayDay.objects.order_by("date").values_list("pk", "date", "kind", "name"))
    again = calendar_seed(ctx=SYSTEM, first_year=2025, last_year=2026)
    assert not any(y.touched for y in again.years)
    assert _audit_lines() == before + 2
    assert list(HolidayDay.objects.order_by("date").values_list("pk", "date", "kind", "name")) == rows


def test_seed_puts_back_a_day_changed_in_a_seeded_year() -> None:
    calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    HolidayDay.objects.filter(date=date(2026, 2, 14)).delete()
    outcome = calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    assert (outcome.years[0].added, outcome.years[0].changed, outcome.years[0].removed) == (1, 0, 0)
    assert HolidayDay.objects.get(date=date(2026, 2, 14)).kind == "work"


def test_seed_refuses_a_year_the_package_does_not_know() -> None:
    with pytest.raises(ValidationFailed) as exc:
        calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2027)
    assert "2026" in exc.value.errors["last_year"]
    assert not HolidayDay.objects.exists()


def test_seed_leaves_a_year_entered_by_csv_unless_asked() -> None:
    csv = "date,kind,name\n2026-01-01,休,元旦\n"
    calendar_import(ctx=SYSTEM, content=csv.encode())
    outcome = calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    assert outcome.years[0].skipped
    assert HolidayDay.objects.count() == 1
    calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026, overwrite=True)
    assert CalendarYear.objects.get(year=2026).source == "chinese_calendar"
    assert HolidayDay.objects.filter(date__year=2026, kind="work").count() == 6


def test_published_through_is_the_end_of_the_unbroken_run_of_entered_years() -> None:
    assert published_through([]) == 0
    assert published_through([2026]) == 2026
    assert published_through([2024, 2025, 2026]) == 2026
    assert published_through([2024, 2025, 2026, 2028]) == 2026
    assert published_through([2028, 2025, 2026]) == 2026


def test_importing_the_next_year_makes_its_deadlines_final_and_shifts_them() -> None:
    calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    start = date(2026, 12, 24)
    assert work_calendar().add_working_days(start, 10) == Deadline(date(2027, 1, 7), True)
    outcome = calendar_import(ctx=SYSTEM, content=CSV_2027.encode(), year=2027, note="国办发明电〔2026〕X号")
    assert (outcome.years[0].year, outcome.years[0].added) == (2027, 3)
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.note) == ("csv", "国办发明电〔2026〕X号")
    cal = work_calendar()
    assert cal.published_through == 2027
    # 12-25 (1) … 12-31 (5), 2027-01-01..03 off, 01-04 (6) … 01-08 (10)
    assert cal.add_working_days(start, 10) == Deadline(date(2027, 1, 8), False)


def test_reimporting_the_same_file_changes_nothing() -> None:
    calendar_import(ctx=SYSTEM, content=CSV_2027.encode())
    before = (_audit_lines(), list(CalendarYear.objects.values_list("year", "entered_at")))
    outcome = calendar_import(ctx=SYSTEM, content=CSV_2027.encode())
    assert not outcome.years[0].touched
    assert (_audit_lines(), list(CalendarYear.objects.values_list("year", "entered_at"))) == before


def test_import_reads_gb18030_and_english_kinds() -> None:
    text = "日期,类别,节日\n2027-02-06,off,春节\n2027-02-20,work,春节\n"
    calendar_import(ctx=SYSTEM, content=text.encode("gb18030"))
    assert set(HolidayDay.objects.values_list("date", "kind", "name")) == {
        (date(2027, 2, 6), "off", "春节"),
        (date(2027, 2, 20), "work", "春节"),
    }


def test_an_import_replaces_the_year_it_covers() -> None:
    calendar_import(ctx=SYSTEM, content=CSV_2027.encode())
    calendar_import(ctx=SYSTEM, content=b"date,kind,name\n2027-01-01,\xe4\xbc\x91,\xe5\x85\x83\xe6\x97\xa6\n")
    assert list(HolidayDay.objects.values_list("date", flat=True)) == [date(2027, 1, 1)]


def test_a_bad_file_names_every_bad_line_and_writes_nothing() -> None:
    text = (
        "date,kind,name\n"
        "2027-01-01,休,元旦\n"
        "2027-13-01,休,元旦\n"  # line 3: no such month
        "2027-01-04,班,元旦\n"  # line 4: a Monday cannot be an adjusted working day
        "2027-01-02,放,元旦\n"  # line 5: unknown kind
        "2027-01-01,休,元旦\n"  # line 6: repeats line 2
        "2027-01-03,休,\n"  # line 7: no name
        "2027-01-09\n"  # line 8: one column
    )
    before = _audit_lines()
    with pytest.raises(ValidationFailed) as exc:
        calendar_import(ctx=SYSTEM, content=text.encode())
    message = exc.value.errors["file"]
    for line in (3, 4, 5, 6, 7, 8):
        assert f"第 {line} 行" in message, line
    assert "第 2 行" in message  # named by the repeat on line 6
    assert "与第 2 行重复" in message
    assert not HolidayDay.objects.exists() and not CalendarYear.objects.exists()
    assert _audit_lines() == before


@pytest.mark.parametrize(
    ("content", "year", "fragment"),
    [
        (b"2027-01-01,\xe4\xbc\x91,x\n", None, "表头"),
        (b"date,kind,name\n", None, "没有数据行"),
        (b"\xff\xfe\x00d", None, "编码"),
        (CSV_2027.encode(), 2026, "不在所选的 2026 年"),
    ],
)
def test_an_unreadable_file_is_refused(content: bytes, year: int | None, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        calendar_import(ctx=SYSTEM, content=content, year=year)
    assert fragment in exc.value.errors["file"]
    assert not HolidayDay.objects.exists()


def test_a_caseworker_may_not_change_the_calendar(caseworker) -> None:
    with pytest.raises(PermissionDenied):
        calendar_import(ctx=AuditContext(user=caseworker), content=CSV_2027.encode())
    with pytest.raises(PermissionDenied):
        holiday_day_save(ctx=AuditContext(user=caseworker), day=date(2027, 1, 1), kind="off", name="元旦")
    assert not HolidayDay.objects.exists()


def test_an_administrator_may(make_user) -> None:
    admin = make_user("admin", COUNTY)
    calendar_import(ctx=AuditContext(user=admin), content=CSV_2027.encode())
    assert CalendarYear.objects.get(year=2027).entered_by == admin


def test_holiday_day_save_checks_the_day() -> None:
    with pytest.raises(ValidationFailed) as exc:
        holiday_day_save(ctx=SYSTEM, day=date(2027, 1, 4), kind="work", name="元旦")
    assert "周六或周日" in exc.value.errors["kind"]
    holiday_day_save(ctx=SYSTEM, day=date(2027, 1, 1), kind="off", name="元旦")
    with pytest.raises(ValidationFailed) as exc:
        holiday_day_save(ctx=SYSTEM, day=date(2027, 1, 1), kind="off", name="元旦")
    assert "已有安排" in exc.value.errors["date"]


def test_days_of_a_year_not_marked_entered_count_only_once_it_is(make_user, client_for) -> None:
    """An administrator types 2027's days one by one in the admin, then marks the year entered."""
    calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    admin = make_user("admin", COUNTY, is_staff=True)
    client = client_for(admin)
    before = _audit_lines()
    for day in ("2027-01-01", "2027-01-02", "2027-01-03"):
        response = client.post("/admin/policy/holidayday/add/", {"date": day, "kind": "off", "name": "元旦"})
        assert response.status_code == 302, response.content.decode()
    assert _audit_lines() == before + 3
    start = date(2026, 12, 24)
    assert work_calendar().add_working_days(start, 10) == Deadline(date(2027, 1, 7), True)
    response = client.post("/admin/policy/calendaryear/add/", {"year": "2027", "note": "手工录入"})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).source == "manual"
    assert work_calendar().add_working_days(start, 10) == Deadline(date(2027, 1, 8), False)
    # Deleting a day in the admin is audited too.
    pk = HolidayDay.objects.get(date=date(2027, 1, 3)).pk
    assert client.post(f"/admin/policy/holidayday/{pk}/delete/", {"post": "yes"}).status_code == 302
    line = AuditEvent.objects.order_by("-seq").first()
    assert (line.action, line.object_type, line.detail["date"]) == ("delete", "holiday_day", "2027-01-03")


def test_the_admin_import_page(make_user, client_for) -> None:
    admin = make_user("admin", COUNTY, is_staff=True)
    client = client_for(admin)
    assert client.get("/admin/policy/holidayday/import/").status_code == 200
    bad = SimpleUploadedFile("c.csv", b"date,kind,name\n2027-01-04,\xe7\x8f\xad,x\n")
    page = client.post("/admin/policy/holidayday/import/", {"file": bad}).content.decode()
    assert "第 2 行" in page and not HolidayDay.objects.exists()
    good = SimpleUploadedFile("c.csv", CSV_2027.encode())
    response = client.post("/admin/policy/holidayday/import/", {"file": good, "year": "2027"})
    assert response.status_code == 302
    assert HolidayDay.objects.count() == 3
    caseworker = client_for(make_user("township_caseworker"))
    assert caseworker.get("/admin/policy/holidayday/import/").status_code in (302, 403)


def test_the_commands(tmp_path: Path) -> None:
    call_command("calendar_seed", "--from", "2026", "--to", "2026")
    assert CalendarYear.objects.get(year=2026).source == "chinese_calendar"
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    call_command("calendar_import", str(path), "--year", "2027")
    assert work_calendar().published_through == 2027
    path.write_text("date,kind,name\n2027-01-04,班,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("calendar_import", str(path))
    with pytest.raises(CommandError):
        call_command("calendar_seed", "--from", "2027", "--to", "2027")


def test_the_calendar_page(caseworker, client_for) -> None:
    calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    client = client_for(caseworker)
    page = client.get("/policy/calendar/2026/").content.decode()
    assert "2026 年工作日历" in page
    assert 'title="春节"' in page and "调休上班日" in page
    assert "日程未公布" not in page
    later = client.get("/policy/calendar/2027/").content.decode()
    assert "日程未公布：该年度按双休日推算，期限为暂定" in later
    assert client.get("/policy/calendar/").status_code == 200
    assert client.get("/policy/calendar/99999/").status_code == 404


def test_the_calendar_page_needs_a_sign_in(client) -> None:
    assert client.get("/policy/calendar/2026/").status_code == 302


def test_the_calendar_api(caseworker, client_for) -> None:
    calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    client = client_for(caseworker)
    body = client.get("/api/policy/calendar/2026").json()
    assert (body["year"], body["published_through"], body["provisional"], body["source"]) == (
        2026,
        2026,
        False,
        "chinese_calendar",
    )
    assert {"date": "2026-02-14", "kind": "work", "name": "春节"} in body["days"]
    later = client.get("/api/policy/calendar/2027").json()
    assert (later["provisional"], later["source"], later["days"]) == (True, None, [])
    assert client.get("/api/policy/calendar/1800").status_code == 422


def test_the_calendar_page_in_english(caseworker, client_for) -> None:
    calendar_seed(ctx=SYSTEM, first_year=2026, last_year=2026)
    page = client_for(caseworker).get("/policy/calendar/2027/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Working-day calendar 2027" in page
    assert "counted on weekends only" in page and "entered up to 2026" in page
    assert "<th>Mon</th>" in page
