"""Reads for 临时救助: a person's earlier one-off grants, for the once-per-year-per-cause rule
(``benefits.engine.temporary``). Not scoped to the caller: the rule must see grants made anywhere
(another township, another county) so that the same cause is not paid twice; only dates and causes
leave this function.

A grant is one case's: a 先行救助 (its decision numbered after the case with ``PRIOR_SUFFIX``) and the
case's own decision that ratifies it and pays the rest are one grant for one event, not two."""

from __future__ import annotations

from collections.abc import Collection

from jiuzhu.core.vocab import AidProgram, PaymentKind

from .engine.temporary import PastGrant
from .models import Entitlement

PRIOR_SUFFIX = "-XZ"  # a 先行救助 decision's number: its case's, with this suffix


def temporary_past_grants(*, person_id: int, exclude_ids: Collection[int] = ()) -> tuple[PastGrant, ...]:
    """The person's 临时救助 grants (one-off entitlements, whatever their status now), each with the day
    of its decision and its cause; ``exclude_ids`` are entitlements not to count (the 先行救助 that the
    decision being made ratifies). One grant per case: a 先行救助 and the top-up of the decision that
    ratified it count once, on the day of the first payment."""
    rows = (
        Entitlement.objects.filter(
            program=AidProgram.TEMPORARY, payment=PaymentKind.ONCE, person_id=person_id
        )
        .exclude(pk__in=[i for i in exclude_ids if i])
        .values_list("decision__case_number", "decision__decided_on", "details")
        .order_by("decision__decided_on", "pk")
    )
    grants: dict[str, PastGrant] = {}
    for number, decided_on, details in rows:
        case = number.removesuffix(PRIOR_SUFFIX)
        grants.setdefault(case, PastGrant(granted_on=decided_on, cause=str((details or {}).get("cause", ""))))
    return tuple(grants.values())
