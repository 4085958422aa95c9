"""Reads of import batches and quarantine, scoped to the importer's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiuzhu.regions.scope import get_in_jurisdiction, scoped

from .models import ImportBatch, QuarantinedRow


def batches_list(*, user: Any) -> QuerySet[ImportBatch]:
    return scoped(ImportBatch.objects.select_related("created_by"), user, "region__code").order_by("-id")


def batch_get(*, user: Any, batch_id: int) -> ImportBatch:
    return get_in_jurisdiction(
        ImportBatch.objects.select_related("created_by"), user=user, pk=batch_id, region_field="region__code"
    )


def quarantine_rows(*, batch: ImportBatch) -> QuerySet[QuarantinedRow]:
    return QuarantinedRow.objects.filter(batch=batch).order_by("row_number")
