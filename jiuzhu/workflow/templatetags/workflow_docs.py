"""``{% case_flowchart case as chart %}``: the Mermaid text of a case's pinned definition, with the time
limits of its pinned policy version and its current step highlighted."""

from __future__ import annotations

from typing import Any

from django.template import Library

from ..flowchart import mermaid

register = Library()


@register.simple_tag
def case_flowchart(case: Any) -> str:
    return mermaid(case.definition, policy=case.policy_version, current=case.state)
