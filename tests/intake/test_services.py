"""一门受理 end to end through the services: the channels, the verification and the programs it
proposes, 一次性告知, the signed papers, the close-relative register, acceptance (one case per program,
each with its notice) and refusal, the no-second-entitlement rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.intake import services
from jiuzhu.intake.models import Application
from jiuzhu.workflow.models import Case, Notice

from ..conftest import EAST_TOWN, EAST_VILLAGE, WEST_TOWN
from ..factories import make_id_number, new_case, new_policy
from .conftest import pdf, png

pytestmark = pytest.mark.django_db


def _start(user: Any, family: Any, **kwargs: Any) -> Application:
    kwargs.setdefault("channel", "window")
    return services.application_start(ctx=AuditContext(user=user), id_number=family.head.id_number, **kwargs)


def _ready(user: Any, family: Any, **kwargs: Any) -> Application:
    """Started, verified, papers recorded: ready to accept."""
    ctx = AuditContext(user=user)
    app = _start(user, family, **kwargs)
    app = services.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
    return services.application_record_papers(
        ctx=ctx, application_id=app.pk, version=app.version, commitment=png(), authorisation=pdf()
    )


def test_a_window_application_from_one_id_number(caseworker, family) -> None:
    app = _start(caseworker, family, statement="因病致贫", programs=[])
    year = timezone.localdate().year
    assert app.number == f"SQ-980101001-{year}-00001"
    assert (app.channel, app.status, app.township_id, app.village_id) == (
        "window",
        "submitted",
        EAST_TOWN,
        EAST_VILLAGE,
    )
    assert app.household == family and app.applicant == family.head and app.name == "王大山"
    assert app.programs == [] and app.identity_confirmed and app.mandated_by is None
    second = _start(caseworker, family)
    assert second.number == f"SQ-980101001-{year}-00002"
    assert AuditEvent.objects.filter(object_type="application", action="create").count() == 2


def test_proxy_needs_the_mandate_and_records_the_assistant(make_user, family) -> None:
    assistant = make_user("village_assistant", EAST_VILLAGE)
    with pytest.raises(ValidationFailed) as exc:
        _start(assistant, family, channel="proxy")
    assert exc.value.errors == {"mandate": "帮办代办须上传申请人签字的委托书"}
    with pytest.raises(ValidationFailed) as exc:
        _start(assistant, family, channel="window")
    assert exc.value.errors == {"channel": "村(居)协理员以帮办代办方式提交申请"}
    bad = SimpleUploadedFile("mandate.pdf", b"not a pdf at all", "application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        _start(assistant, family, channel="proxy", mandate=bad)
    assert "委托书：文件格式不受支持" in exc.value.errors["mandate"]
    assert not Application.objects.exists()
    app = _start(assistant, family, channel="proxy", mandate=pdf())
    assert app.channel == "proxy" and app.mandated_by == assistant
    assert app.mandate.name.endswith(f"{app.number}-mandate.pdf")


def test_another_townships_household_is_not_found(other_caseworker, family) -> None:
    with pytest.raises(NotFound):
        _start(other_caseworker, family)


def test_verification_proposes_every_program_the_household_may_qualify_for(caseworker, family) -> None:
    app = _start(caseworker, family)
    with pytest.raises(Conflict):
        services.application_verify(ctx=AuditContext(user=caseworker), application_id=app.pk, version=99)
    app = services.application_verify(ctx=AuditContext(user=caseworker), application_id=app.pk, version=1)
    assert app.report is not None and app.version == 2
    verdicts = {v["program"]: v["outcome"] for v in app.report.results["verdicts"]}
    # No income, no assets on file: below the 低保 standard.
    assert verdicts["dibao"] == "yes"
    assert [p["program"] for p in app.proposed] == [
        code for code, outcome in verdicts.items() if outcome in ("yes", "review")
    ]
    assert "dibao" in [p["program"] for p in app.proposed]


def test_one_notice_lists_every_missing_item(caseworker, family) -> None:
    app = _start(caseworker, family, programs=["dibao"])
    items = ["户口簿复印件", "残疾证复印件", "  ", "户口簿复印件", "医疗费用票据"]
    app = services.application_request_materials(
        ctx=AuditContext(user=caseworker), application_id=app.pk, version=app.version, items=items
    )
    assert app.status == "awaiting_materials"
    assert app.missing_items == ["户口簿复印件", "残疾证复印件", "医疗费用票据"]
    [notice] = Notice.objects.filter(application_no=app.number)
    assert notice.kind == "missing_items" and notice.title == "一次性告知书"
    assert notice.document_no == f"东镇民救〔{timezone.localdate().year}〕1号"
    assert "1．户口簿复印件\n2．残疾证复印件\n3．医疗费用票据\n" in notice.body
    assert "低保申请" in notice.body and "王大山" in notice.body
    with pytest.raises(ValidationFailed) as exc:
        services.application_request_materials(
            ctx=AuditContext(user=caseworker), application_id=app.pk, version=app.version, items=[" "]
        )
    assert exc.value.errors == {"items": "请列出需要补正的全部材料（至少一项）"}


def test_bad_papers_are_refused_in_chinese_and_nothing_is_saved(caseworker, family) -> None:
    app = _start(caseworker, family)
    gif = SimpleUploadedFile("sign.png", b"GIF89a" + b"\x00" * 30, "image/png")
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"\x00" * (5 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        services.application_record_papers(
            ctx=AuditContext(user=caseworker),
            application_id=app.pk,
            version=1,
            commitment=gif,
            authorisation=big,
        )
    assert exc.value.errors == {
        "commitment": "诚信承诺书：文件格式不受支持，请上传 PNG 图片、JPEG 图片或PDF 文件",
        "authorisation": "核对授权书：文件过大（5.0 MB），不能超过 5 MB，请压缩后重新上传",
    }
    app.refresh_from_db()
    assert not app.commitment and not app.authorisation and app.version == 1


def test_acceptance_opens_one_case_per_program_with_its_notice(caseworker, family, dibao) -> None:
    app = _ready(caseworker, family)
    ctx = AuditContext(user=caseworker)
    with pytest.raises(ValidationFailed) as exc:
        services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=[])
    assert exc.value.errors == {"programs": "请至少选择一个救助项目"}
    app = services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"])
    assert app.status == "accepted" and app.accepted_by == caseworker
    [case] = Case.objects.filter(application_no=app.number)
    assert (case.program, case.household, case.applicant, case.report_id) == (
        "dibao",
        family,
        family.head,
        app.report_id,
    )
    assert case.state == "verification" and case.accepted_on == timezone.localdate()
    assert not case.close_relative and not case.remote
    [notice] = Notice.objects.filter(case=case)
    assert notice.kind == "acceptance" and notice.document_no == f"东镇民救〔{timezone.localdate().year}〕1号"
    assert case.number in notice.body and app.number in notice.body
    assert app.cases == [{"id": case.pk, "number": case.number, "program": "dibao", "notice": notice.pk}]
    with pytest.raises(Conflict):
        services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"])


def test_acceptance_needs_the_papers_and_a_definition(caseworker, family, dibao) -> None:
    ctx = AuditContext(user=caseworker)
    app = _start(caseworker, family)
    app = services.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
    with pytest.raises(ValidationFailed) as exc:
        services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"])
    assert exc.value.errors == {
        "commitment": "请先上传申请人签字的诚信承诺书",
        "authorisation": "请先上传申请人签字的核对授权书",
    }
    app = services.application_record_papers(
        ctx=ctx, application_id=app.pk, version=app.version, commitment=png(), authorisation=png()
    )
    from jiuzhu.workflow.models import Definition

    Definition.objects.filter(program="rigid_expense").update(active=False)  # a program without one
    with pytest.raises(ValidationFailed) as exc:
        services.application_accept(
            ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao", "rigid_expense"]
        )
    assert "办理流程" in exc.value.errors["programs"]
    assert not Case.objects.exists() and not Notice.objects.exists()


def test_no_second_entitlement_or_open_case_in_any_region(caseworker, family, dibao, make_user) -> None:
    ctx = AuditContext(user=caseworker)
    # The son came from a household of 邻县 that still has an open 低保 case there.
    from datetime import date

    from jiuzhu.registry.models import Membership

    from ..factories import new_household

    son = family.memberships.exclude(person=family.head).get().person
    elsewhere = new_household(region_id="980102001001", head__hukou_region_id="980102001001")
    Membership.objects.create(
        household=elsewhere,
        person=son,
        relation="child",
        start_date=date(2010, 1, 1),
        end_date=date(2019, 12, 31),
    )
    new_case(household=elsewhere, policy=new_policy("980102000000"))
    app = _ready(caseworker, family)
    with pytest.raises(ValidationFailed) as exc:
        services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"])
    assert exc.value.errors == {
        "programs": "该户成员所在（或曾在）的其他家庭（含异地）仍在享受或申请低保，须原地区先行调整后方可受理"
    }
    assert services.second_entitlement(household_id=family.pk, program="tekun") is None
    # And a case of its own.
    new_case(household=family)
    assert services.second_entitlement(household_id=family.pk, program="dibao") == (
        "该户已有办理中的低保申请，不能重复受理"
    )


def test_an_active_entitlement_blocks_the_program(caseworker, family, dibao) -> None:
    from jiuzhu.benefits.models import Decision, Entitlement

    case = new_case(household=family, state="confirmed")
    decision = Decision.objects.create(
        case_number=case.number,
        program="dibao",
        household=family,
        applicant=family.head,
        region=family.region,
        outcome="confirmed",
        members=2,
        per_capita_income=0,
        amount=1040,
        policy_version=case.policy_version,
        decided_on=timezone.localdate(),
        decided_by=caseworker,
    )
    Entitlement.objects.create(
        household=family,
        program="dibao",
        region=family.region,
        decision=decision,
        start_month=timezone.localdate().replace(day=1),
        amount=1040,
        members=2,
        review_class="B",
        next_review_on=timezone.localdate(),
    )
    assert services.second_entitlement(household_id=family.pk, program="dibao") == (
        "该户已在享受低保，不能重复申请"
    )
    assert services.second_entitlement(household_id=family.pk, program="tekun") is None


def test_refusal_to_accept_gives_the_reason_in_a_notice(caseworker, family) -> None:
    app = _start(caseworker, family, programs=["dibao"])
    ctx = AuditContext(user=caseworker)
    with pytest.raises(ValidationFailed) as exc:
        services.application_refuse(ctx=ctx, application_id=app.pk, version=app.version, reason=" ")
    assert exc.value.errors == {"reason": "不予受理的理由不能为空"}
    app = services.application_refuse(
        ctx=ctx, application_id=app.pk, version=app.version, reason="申请人已享受特困人员救助供养"
    )
    assert app.status == "refused_to_accept" and app.refusal_reason == "申请人已享受特困人员救助供养"
    [notice] = Notice.objects.filter(application_no=app.number)
    assert notice.kind == "refusal_to_accept" and notice.title == "不予受理通知书"
    assert "1．申请人已享受特困人员救助供养\n" in notice.body and "行政复议" in notice.body


def test_close_relative_is_flagged_listed_and_the_case_needs_the_county(caseworker, family, dibao) -> None:
    from jiuzhu.intake.selectors import applications_list

    ctx = AuditContext(user=caseworker)
    app = _ready(caseworker, family)
    app = services.application_declare_relative(
        ctx=ctx,
        application_id=app.pk,
        version=app.version,
        official_name="王村长",
        position="村委会主任",
        relation="兄弟",
    )
    assert app.close_relative
    assert list(applications_list(user=caseworker, close_relative=True)) == [app]
    app = services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"])
    assert Case.objects.get(application_no=app.number).close_relative is True


def test_online_lands_pending_and_identity_is_confirmed_at_acceptance(caseworker, family, dibao) -> None:
    app = services.application_submit_online(
        ctx=AuditContext(),
        id_number=family.head.id_number,
        name="王大山",
        phone="13800001234",
        township_code=EAST_TOWN,
        village_code=EAST_VILLAGE,
        statement="家中有病人",
        programs=[],
    )
    assert (app.channel, app.status, app.household, app.identity_confirmed) == (
        "online",
        "submitted",
        None,
        False,
    )
    ctx = AuditContext(user=caseworker)
    app = services.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
    assert app.household == family and app.applicant == family.head
    app = services.application_record_papers(
        ctx=ctx, application_id=app.pk, version=app.version, commitment=png(), authorisation=png()
    )
    with pytest.raises(ValidationFailed) as exc:
        services.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"])
    assert exc.value.errors == {"identity_confirmed": "网上申请须先查验申请人身份证件，确认身份后方可受理"}
    app = services.application_accept(
        ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"], identity_confirmed=True
    )
    assert app.status == "accepted" and app.identity_confirmed


def test_online_refused_where_the_region_does_not_offer_it(tree) -> None:
    new_policy(online_application=False)
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit_online(
            ctx=AuditContext(),
            id_number=make_id_number(5),
            name="某人",
            phone="13800001234",
            township_code=EAST_TOWN,
            village_code=EAST_VILLAGE,
        )
    assert exc.value.errors == {
        "township_code": "该乡镇（街道）暂未开放网上申请，请到乡镇（街道）便民服务窗口申请"
    }


def test_online_input_is_checked(policy) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit_online(
            ctx=AuditContext(),
            id_number="123",
            name="",
            phone="abc",
            township_code=EAST_TOWN,
            village_code="980101002001",  # 西一村 is not in 东镇
            programs=["nothing"],
        )
    assert set(exc.value.errors) == {"id_number", "name", "phone", "village_code", "programs"}
    assert exc.value.errors["village_code"] == "所选村(居)不属于所选乡镇（街道）"
    assert not Application.objects.exists()


def test_roles_without_the_permission_are_refused(make_user, family) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    with pytest.raises(PermissionDenied):
        _start(reviewer, family)
    assert WEST_TOWN  # the neighbour is covered by the isolation walk


def test_the_case_keeps_the_day_the_application_was_made(caseworker, family, dibao) -> None:
    from datetime import timedelta

    app = _ready(caseworker, family)
    made = timezone.now() - timedelta(days=5)  # submitted online five days before acceptance
    Application.objects.filter(pk=app.pk).update(submitted_at=made)
    app = services.application_accept(
        ctx=AuditContext(user=caseworker), application_id=app.pk, version=app.version, programs=["dibao"]
    )
    [case] = Case.objects.filter(application_no=app.number)
    assert case.accepted_on == timezone.localdate()
    assert case.applied_on == timezone.localtime(made).date()
    assert case.applied_on == timezone.localdate() - timedelta(days=5)
