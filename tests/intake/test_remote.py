"""异地申办: applied at the place of residence where the region allows it, with a proof of residence;
the 户籍 county receives a request for cooperative checks with a deadline and answers it in its queue."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.intake import services
from jiuzhu.intake.models import CooperationRequest
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.workflow import deadlines

from ..conftest import COUNTY
from .conftest import pdf

pytestmark = pytest.mark.django_db
NEIGHBOUR_COUNTY = "980102000000"


@pytest.fixture
def migrant(family):
    """王大山 lives in 东一村 with his 户籍 in 邻村 (another county)."""
    head = family.head
    head.hukou_region_id = "980102001001"
    head.save(update_fields=["hukou_region"])
    return family


def _start(caseworker, family, **kwargs):
    return services.application_start(
        ctx=AuditContext(user=caseworker),
        id_number=family.head.id_number,
        channel="window",
        remote=True,
        **kwargs,
    )


def test_remote_needs_the_regions_consent_and_a_proof(caseworker, migrant) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _start(caseworker, migrant)
    assert exc.value.errors == {"residence_proof": "异地申办须上传居住证或居住证明"}
    with pytest.raises(ValidationFailed) as exc:
        _start(caseworker, migrant, residence_proof=pdf())
    assert exc.value.errors == {"remote": "本地尚未开放异地申办（居住地申请），请到户籍地申请"}
    assert not CooperationRequest.objects.exists()


def test_a_local_hukou_is_not_remote(caseworker, family) -> None:
    PolicyVersion.objects.filter(region_id=COUNTY).update(remote_application=True)
    with pytest.raises(ValidationFailed) as exc:
        _start(caseworker, family, residence_proof=pdf())
    assert exc.value.errors == {"remote": "申请人户籍在本县（市、区），不属于异地申办"}


def test_the_hukou_county_is_asked_and_answers(caseworker, migrant, make_user) -> None:
    PolicyVersion.objects.filter(region_id=COUNTY).update(remote_application=True, cooperation_days=10)
    app = _start(caseworker, migrant, residence_proof=pdf(), residence_permit_no="JZZ-001")
    assert app.remote and app.hukou_region_id == "980102001001" and app.residence_permit_no == "JZZ-001"
    [request] = CooperationRequest.objects.all()
    today = timezone.localdate()
    assert (request.from_region_id, request.to_region_id, request.requested_on) == (
        "980101001000",
        NEIGHBOUR_COUNTY,
        today,
    )
    assert request.due_on == deadlines.work_calendar().add_working_days(today, 10).due
    assert (request.due_on - today).days >= 12  # ten working days span at least two weekends
    assert request.status == "open"

    # Only the 户籍 county answers; the county of residence and others get 404.
    with pytest.raises(NotFound):
        services.cooperation_answer(
            ctx=AuditContext(user=make_user("county_approver", COUNTY)),
            request_id=request.pk,
            version=1,
            answer="x",
        )
    hukou = make_user("county_approver", NEIGHBOUR_COUNTY)
    with pytest.raises(ValidationFailed):
        services.cooperation_answer(
            ctx=AuditContext(user=hukou), request_id=request.pk, version=1, answer=" "
        )
    answered = services.cooperation_answer(
        ctx=AuditContext(user=hukou), request_id=request.pk, version=1, answer="户籍地无在保记录，无车辆房产"
    )
    assert (answered.status, answered.answered_by, answered.answered_on) == ("answered", hukou, today)
    with pytest.raises(Conflict):
        services.cooperation_answer(
            ctx=AuditContext(user=hukou), request_id=request.pk, version=2, answer="再答"
        )


def test_overdue_requests_are_marked(caseworker, migrant) -> None:
    PolicyVersion.objects.filter(region_id=COUNTY).update(remote_application=True)
    _start(caseworker, migrant, residence_proof=pdf())
    request = CooperationRequest.objects.get()
    assert services.cooperation_scan(ctx=AuditContext.system(), today=request.due_on) == 0
    later = request.due_on + timezone.timedelta(days=1)
    assert services.cooperation_scan(ctx=AuditContext.system(), today=later) == 1
    request.refresh_from_db()
    assert request.status == "overdue"


def test_the_queues_show_it_on_both_sides(caseworker, migrant, make_user, client_for) -> None:
    PolicyVersion.objects.filter(region_id=COUNTY).update(remote_application=True)
    app = _start(caseworker, migrant, residence_proof=pdf())
    hukou = client_for(make_user("county_approver", NEIGHBOUR_COUNTY))
    page = hukou.get("/intake/cooperation/").content.decode()
    assert app.number in page and "答复" in page
    assert app.number in client_for(caseworker).get("/intake/cooperation/").content.decode()
    other = client_for(make_user("township_caseworker", "980101002000"))
    assert app.number not in other.get("/intake/cooperation/").content.decode()
    request = CooperationRequest.objects.get()
    response = hukou.post(f"/intake/cooperation/{request.pk}/answer/", {"version": "1", "answer": "已核查"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answer == "已核查"
    api = hukou.get("/api/intake/cooperation")
    assert api.status_code == 200 and api.json()[0]["status"] == "answered"
