"""The engine's predicates by code: the evidence a step requires before a case moves forward, and the
conditions a transition may name (codes and wordings in ``definitions.spec``).

Evidence counts only what was recorded since the case entered its current state (a case sent back to
the home investigation needs a new one), except the county's home visit of a close-relative case,
which counts whenever it was made, and the verification report attached at acceptance, which counts
until the case is sent back to be verified again. One ``Checker`` per case and request: each kind
of row is read once whatever the number of transitions asked about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import Count

from jiuzhu.core.vocab import CommunityReviewMode, ConfirmLevel, SpotCheck
from jiuzhu.verification.models import VerificationReport

from .definitions.spec import CONDITIONS, EVIDENCE, condition_terms
from .models import (
    Case,
    CaseEvent,
    CommunityReview,
    HomeInvestigation,
    Objection,
    Opinion,
    PublicNotice,
    SelfCareAssessment,
)


@dataclass
class Checker:
    case: Case
    policy: Any  # PolicyVersion the case applies now (selectors.case_policy)
    today: date

    # --- rows, read once ---

    @cached_property
    def _since(self) -> Any:
        return self.case.state_entered_at

    @cached_property
    def investigators_counts(self) -> list[tuple[int, bool, Any]]:
        """(investigators, by_county, recorded_at) of every home investigation of the case."""
        rows = (
            HomeInvestigation.objects.filter(case=self.case)
            .annotate(n=Count("investigators"))
            .values_list("n", "by_county", "recorded_at")
        )
        return list(rows)

    @cached_property
    def latest_opinion(self) -> Opinion | None:
        return (
            Opinion.objects.filter(case=self.case, step=self.case.state, recorded_at__gte=self._since)
            .order_by("-recorded_at", "-id")
            .first()
        )

    @cached_property
    def latest_notice(self) -> PublicNotice | None:
        return PublicNotice.objects.filter(case=self.case).order_by("-round", "-id").first()

    @cached_property
    def notice_objections(self) -> list[bool | None]:
        if self.latest_notice is None:
            return []
        return list(Objection.objects.filter(notice=self.latest_notice).values_list("holds", flat=True))

    @cached_property
    def report_made_since(self) -> bool:
        report_id = self.case.report_id
        if report_id is None:
            return False
        return VerificationReport.objects.filter(pk=report_id, created_at__gte=self._since).exists()

    @cached_property
    def came_from(self) -> str:
        """The state the case was in before it entered the current one."""
        event = (
            CaseEvent.objects.filter(case=self.case, to_state=self.case.state)
            .exclude(from_state=self.case.state)
            .order_by("-seq")
            .values_list("from_state", flat=True)
            .first()
        )
        return event or ""

    # --- evidence ---

    def evidence_ok(self, code: str) -> bool:
        if code == "verification_report":
            # At opening the report attached at acceptance counts; a case sent back to be verified
            # again needs a report made since it came back.
            if self.case.report_id is None:
                return False
            return not self.came_from or self.report_made_since

        if code == "home_investigation":
            return any(
                n >= self.policy.investigators_min and at >= self._since
                for n, _county, at in self.investigators_counts
            )
        if code == "community_review":
            return CommunityReview.objects.filter(case=self.case, recorded_at__gte=self._since).exists()
        if code in ("review_opinion", "confirmation_opinion"):
            return self.latest_opinion is not None
        if code == "public_notice_ended":
            notice = self.latest_notice
            # Closed (its period passed with every objection decided, or an objection held and ended
            # it early: the case then goes back to re-investigation), or past its end with nothing pending.
            return (
                notice is not None
                and notice.recorded_at >= self._since
                and (
                    notice.closed_on is not None
                    or (notice.ends_on < self.today and None not in self.notice_objections)
                )
            )
        if code == "spot_check_done":
            return self.case.spot_check != SpotCheck.SELECTED
        if code == "county_home_visit":
            return not self.case.close_relative or any(
                county for _n, county, _at in self.investigators_counts
            )
        if code == "selfcare_assessment":
            # 特困: counts whenever it was made (the county's assessment is not repeated on a send-back).
            return SelfCareAssessment.objects.filter(case=self.case).exists()
        raise KeyError(code)

    def missing(self, evidence: list[str]) -> list[str]:
        """The Chinese labels of what is missing among ``evidence``."""
        return [EVIDENCE[code] for code in evidence if not self.evidence_ok(code)]

    # --- conditions ---

    def condition_ok(self, code: str, target: str = "") -> bool:
        mode = self.policy.community_review_mode
        if code == "community_review_always":
            return bool(mode == CommunityReviewMode.ALWAYS)
        if code == "community_review_on_objection_or_always":
            return mode in (CommunityReviewMode.ON_OBJECTION, CommunityReviewMode.ALWAYS)
        if code == "community_review_never":
            return bool(mode == CommunityReviewMode.NEVER)
        if code == "notice_needed":
            return not (self.case.minor_case and not self.policy.public_notice_minors)
        if code == "notice_skipped":
            return not self.condition_ok("notice_needed")
        if code == "objection_held":
            return True in self.notice_objections
        if code == "no_objection_held":
            return True not in self.notice_objections
        if code == "confirm_county":
            return bool(self.policy.confirm_level == ConfirmLevel.COUNTY)
        if code == "confirm_township":
            return bool(self.policy.confirm_level == ConfirmLevel.TOWNSHIP)
        if code == "opinion_agree":
            return self.latest_opinion is not None and self.latest_opinion.agree
        if code == "opinion_disagree":
            return self.latest_opinion is not None and not self.latest_opinion.agree
        if code == "came_from":
            return target == self.came_from
        if code == "close_relative":
            return bool(self.case.close_relative)
        raise KeyError(code)

    def unmet(self, condition: str, target: str = "") -> list[str]:
        """The wordings of the terms of ``condition`` that do not hold."""
        out = []
        for positive, code in condition_terms(condition):
            if self.condition_ok(code, target) != positive:
                text = CONDITIONS[code]
                out.append(text if positive else f"非“{text}”")
        return out
