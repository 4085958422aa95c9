"""Reads for 临时救助: a person's earlier one-off grants, for the once-per-year-per-cause rule
(``benefits.engine.temporary``). Not scoped to the caller: the rule must see grants made anywhere
(another township, another county) so that the same cause is not paid twice; only dates and causes
leave this function."""

from __future__ import annotations

from collections.abc import Collection

from jiuzhu.core.vocab import AidProgram, PaymentKind

from .engine.temporary import PastGrant
from .models import Entitlement


def temporary_past_grants(*, person_id: int, exclude_ids: Collection[int] = ()) -> tuple[PastGrant, ...]:
    """The person's 临时救助 grants (one-off entitlements, whatever their status now), each with the day
    of its decision and its cause; ``exclude_ids`` are entitlements not to count (the 先行救助 that the
    decision being made ratifies)."""
    rows = (
        Entitlement.objects.filter(
            program=AidProgram.TEMPORARY, payment=PaymentKind.ONCE, person_id=person_id
        )
        .exclude(pk__in=[i for i in exclude_ids if i])
        .values_list("decision__decided_on", "details")
    )
    return tuple(
        PastGrant(granted_on=decided_on, cause=str((details or {}).get("cause", "")))
        for decided_on, details in rows
    )
