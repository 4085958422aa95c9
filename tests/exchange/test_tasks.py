"""Uploads through the web and the API are queued for the background worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from jiuzhu.audit.models import AuditEvent
from jiuzhu.exchange import services, tasks
from jiuzhu.exchange.models import STALLED_AFTER, FeedRecord, ImportBatch
from jiuzhu.exchange.services import spool_path

from ..conftest import COUNTY
from ..factories import make_id_number

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("queue"),
]


@pytest.fixture
def queue():  # type: ignore[no-untyped-def]
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        yield default_task_backend


def _wages() -> bytes:
    good, bad = make_id_number(1), make_id_number(2)[:17] + "0"
    return f"id_number,month,employer,amount\n{good},2026-01,甲,100\n{bad},2026-01,甲,100\n".encode()


def _run_queued(queue) -> None:  # type: ignore[no-untyped-def]
    for result in list(queue.results):
        tasks.feed_import_queued.call(*result.args, **result.kwargs)


def test_api_upload_is_queued_then_run_by_the_worker(make_user, client_for, queue) -> None:
    officer = make_user("verification_officer", COUNTY)
    client = client_for(officer)
    r = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", _wages())}
    )
    assert r.status_code == 202
    body = r.json()
    assert (body["status"], body["rows_done"], body["rows_total"]) == ("queued", 0, 0)
    batch = ImportBatch.objects.get()
    assert spool_path(batch).read_bytes() == _wages()
    # The same file again while it waits: the same batch, not a second task.
    again = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("x.csv", _wages())}
    )
    assert (again.status_code, again.json()["id"]) == (202, body["id"])
    assert len(queue.results) == 1

    _run_queued(queue)
    done = client.get(f"/api/exchange/batches/{body['id']}").json()
    assert (done["status"], done["rows_done"], done["rows_loaded"], done["rows_quarantined"]) == (
        "done",
        2,
        1,
        1,
    )
    assert FeedRecord.objects.count() == 1
    assert not spool_path(batch).exists()
    event = AuditEvent.objects.get(object_type="import_batch", action="create")
    assert (event.actor_name, event.channel) == (officer.username, "api")


def test_web_page_polls_while_queued_and_reloads_when_done(make_user, client_for, queue) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    r = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", _wages())},
        follow=True,
    )
    page = r.content.decode()
    assert "正在后台导入" in page and "排队中" in page and 'hx-trigger="every 2s"' in page
    batch = ImportBatch.objects.get()
    url = reverse("batch_detail", args=[batch.pk])
    waiting = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in waiting and "排队中" in waiting.content.decode()

    _run_queued(queue)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    assert "every 2s" not in client.get(url).content.decode()


def test_unreadable_file_is_refused_at_upload_without_a_batch(make_user, client_for, queue) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    r = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", "姓名\n张三\n".encode())},
    )
    assert r.status_code == 200 and "缺少必需的列" in r.content.decode()
    assert not ImportBatch.objects.exists() and not queue.results


def test_interrupted_import_is_marked_and_resumes_when_queued_again(
    make_user, client_for, queue, monkeypatch
) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    upload = {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", _wages())}
    client.post("/api/exchange/batches", upload)
    original = tasks.feed_import

    def crash(**kwargs):  # type: ignore[no-untyped-def]
        raise OSError("磁盘已满")

    monkeypatch.setattr(tasks, "feed_import", crash)
    with pytest.raises(OSError):
        _run_queued(queue)
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and "磁盘已满" in batch.error and "重新上传" in batch.error
    assert spool_path(batch).exists()  # kept for the retry

    monkeypatch.setattr(tasks, "feed_import", original)
    queue.clear()
    r = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", _wages())}
    )
    assert (r.status_code, r.json()["status"]) == (202, "queued")
    _run_queued(queue)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_loaded, batch.rows_quarantined) == ("done", 1, 1)


def test_a_batch_whose_process_died_shows_as_interrupted_and_resumes_on_upload(
    make_user, client_for, queue
) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    body = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", _wages())}
    ).json()
    batch = ImportBatch.objects.get()
    # A worker took it, then its process went away: the heartbeat stopped.
    ImportBatch.objects.filter(pk=batch.pk).update(status="running", heartbeat_at=timezone.now())
    assert client.get(f"/api/exchange/batches/{body['id']}").json()["stalled"] is False
    again = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", _wages())}
    )
    assert (again.json()["status"], len(queue.results)) == ("running", 1)  # alive: not queued twice

    silent_since = timezone.now() - STALLED_AFTER - timedelta(seconds=1)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=silent_since)
    assert client.get(f"/api/exchange/batches/{body['id']}").json()["stalled"] is True
    url = reverse("batch_detail", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "已中断" in page and "请重新上传同一文件" in page and "every 2s" not in page
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert "已中断" in client.get(reverse("batch_list")).content.decode()

    queue.clear()
    r = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", _wages())}
    )
    assert (r.status_code, r.json()["status"], r.json()["stalled"]) == (202, "queued", False)
    _run_queued(queue)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_loaded, batch.rows_quarantined) == ("done", 1, 1)


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection: it must see the batch
def test_a_running_import_keeps_its_heartbeat_fresh(monkeypatch) -> None:
    batch = ImportBatch.objects.create(
        feed="hrss_wage", file_name="w.csv", file_format="csv", sha256="0" * 64, status="running"
    )
    old = timezone.now() - timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=old)
    monkeypatch.setattr(services, "HEARTBEAT", timedelta(milliseconds=20))
    with services.beating(batch.pk):
        deadline = time.monotonic() + 5
        while ImportBatch.objects.get(pk=batch.pk).heartbeat_at == old and time.monotonic() < deadline:
            time.sleep(0.02)
    batch.refresh_from_db()
    assert batch.heartbeat_at is not None and batch.heartbeat_at > old and not batch.stalled
