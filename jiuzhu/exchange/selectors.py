"""Reads of import batches and quarantine, scoped to the importer's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.regions.scope import in_jurisdiction, scoped

from .models import ImportBatch, QuarantinedRow


def batches_list(*, user: Any) -> QuerySet[ImportBatch]:
    return scoped(ImportBatch.objects.select_related("created_by"), user, "region__code").order_by("-id")


def batch_get(*, user: Any, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None or not in_jurisdiction(user, batch.region_id):
        raise NotFound("未找到该导入批次，或不在您的辖区内")
    return batch


def quarantine_rows(*, batch: ImportBatch) -> QuerySet[QuarantinedRow]:
    return QuarantinedRow.objects.filter(batch=batch).order_by("row_number")
