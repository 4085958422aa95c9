"""The flowchart of a workflow definition, as Mermaid text (``flowchart TD``), with each step's role and
its time limit read from the policy version in force.

The chart is drawn from the same rows the engine runs (``Step`` / ``Transition``, or a definition
spec with the same attributes), so it cannot disagree with what the system enforces. The Chinese
wording of the engine's condition and evidence codes is the engine's own (``definitions.spec``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist

from jiuzhu.accounts.roles import Role
from jiuzhu.core.vocab import DeadlineKind, StepKind, TransitionAction
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.codes import Level

from .definitions.spec import CONDITIONS, EVIDENCE, condition_terms

# Moves every open step has (withdraw, terminate): drawn once, from one "any step" node.
_FROM_ANY = (TransitionAction.WITHDRAW, TransitionAction.TERMINATE)
_ANY_NODE = "any_open_step"
_ANY_LABEL = "任一办理中环节"


@dataclass(frozen=True)
class StepInfo:
    """A step as the chart and the handbook read it (from a ``Step`` row or a spec)."""

    code: str
    name: str
    kind: str
    position: int
    role: str
    level: int | None
    evidence: tuple[str, ...]
    limit_setting: str
    limit_days: int | None
    limit_kind: str
    pauses_clock: bool
    outcome: str
    duties: str

    @property
    def is_end(self) -> bool:
        return self.kind == StepKind.END


@dataclass(frozen=True)
class TransitionInfo:
    source: str
    target: str
    action: str
    name: str
    condition: str
    reason_required: bool
    position: int


@dataclass(frozen=True)
class Flow:
    """A definition's steps and transitions, in order."""

    steps: tuple[StepInfo, ...]
    transitions: tuple[TransitionInfo, ...]


def _items(container: Any) -> list[Any]:
    """A related manager (``definition.steps``) or a plain sequence of specs."""
    return list(container.all()) if hasattr(container, "all") else list(container)


def flow_of(spec_or_definition: Any) -> Flow:
    """The steps and transitions of a ``Definition`` (its rows; prefetch ``steps`` and
    ``transitions`` to read them in two queries) or of a spec with the same attributes."""
    steps = [
        StepInfo(
            code=s.code,
            name=s.name,
            kind=str(s.kind),
            position=getattr(s, "position", i),
            role=getattr(s, "role", "") or "",
            level=int(s.level) if getattr(s, "level", None) else None,
            evidence=tuple(getattr(s, "evidence", ()) or ()),
            limit_setting=getattr(s, "limit_setting", "") or "",
            limit_days=getattr(s, "limit_days", None),
            limit_kind=str(getattr(s, "limit_kind", "") or DeadlineKind.WORKING),
            pauses_clock=bool(getattr(s, "pauses_clock", False)),
            outcome=getattr(s, "outcome", "") or "",
            duties=getattr(s, "duties", "") or "",
        )
        for i, s in enumerate(_items(spec_or_definition.steps))
    ]
    transitions = [
        TransitionInfo(
            source=t.source,
            target=t.target,
            action=str(t.action),
            name=t.name,
            condition=getattr(t, "condition", "") or "",
            reason_required=bool(getattr(t, "reason_required", False)),
            position=getattr(t, "position", i),
        )
        for i, t in enumerate(_items(spec_or_definition.transitions))
    ]
    steps.sort(key=lambda s: s.position)
    transitions.sort(key=lambda t: t.position)
    return Flow(tuple(steps), tuple(transitions))


# --- labels ------------------------------------------------------------------------------------------


def role_label(code: str) -> str:
    return Role(code).label if code in Role.values else code


def level_label(level: int | None) -> str:
    return Level(level).label if level in set(Level) else ""


def condition_label(code: str) -> str:
    """A condition expression (terms joined by ``&``, each maybe negated by ``!``) in Chinese."""
    return "且".join(
        CONDITIONS.get(term, term) if positive else f"非「{CONDITIONS.get(term, term)}」"
        for positive, term in condition_terms(code)
    )


def evidence_label(code: str) -> str:
    return EVIDENCE.get(code, code)


def limit_days(step: StepInfo, policy: PolicyVersion | None) -> int | None:
    """The step's time limit in days: the policy setting it names, or its own number of days."""
    if step.limit_setting:
        if policy is None:
            return None
        value = getattr(policy, step.limit_setting, None)
        return int(value) if isinstance(value, int) else None
    return step.limit_days


def limit_label(step: StepInfo, policy: PolicyVersion | None) -> str:
    """The limit as the pages say it: 5个工作日, 7日（自然日）, or, without a policy, the name of the
    setting that holds it."""
    days = limit_days(step, policy)
    if days is None:
        if step.limit_setting and policy is None:
            return f"按政策参数「{_setting_name(step.limit_setting)}」"
        return ""
    if step.limit_kind == DeadlineKind.NATURAL:
        return f"{days}日（自然日）"
    return f"{days}个工作日"


def setting_label(field: str) -> str:
    """The wording of a policy setting (its field's verbose name), or its code if the model lacks it."""
    try:
        return str(getattr(PolicyVersion._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field


def _setting_name(field: str) -> str:
    return setting_label(field).split("（", 1)[0]


# --- Mermaid -----------------------------------------------------------------------------------------

_ENTITIES = {
    "#": "#35;",
    "&": "#amp;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
}
_ENTITY_RE = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: characters with a meaning in Mermaid (quotes, brackets of
    tags, the entity mark ``#``, markdown's backtick) as Mermaid entity codes; no line breaks."""
    one_line = " ".join(str(text).split())
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], one_line)


def node_ids(codes: Iterable[str]) -> dict[str, str]:
    """A Mermaid node id per step code: ASCII letters, digits and ``_`` only, prefixed so that no id
    is a Mermaid keyword (``end``, ``graph`` …), unique even where two codes sanitise alike."""
    out: dict[str, str] = {}
    taken = {_ANY_NODE}
    for code in codes:
        base = "s_" + (re.sub(r"[^A-Za-z0-9_]", "_", code) or "_")
        node, n = base, 1
        while node in taken:
            n += 1
            node = f"{base}_{n}"
        taken.add(node)
        out[code] = node
    return out


def step_caption(step: StepInfo, policy: PolicyVersion | None) -> list[str]:
    """The lines of a step's box: its name, then who acts and within what time."""
    if step.is_end:
        return [step.name]
    who = role_label(step.role) if step.role else ""
    limit = limit_label(step, policy)
    if step.pauses_clock and limit:
        limit += "，暂停计时"
    detail = " · ".join(x for x in (who, limit) if x)
    return [step.name, detail] if detail else [step.name]


def edge_caption(t: TransitionInfo) -> list[str]:
    """The lines of an edge's label: the move's name, then its condition if it has one."""
    return [t.name, condition_label(t.condition)] if t.condition else [t.name]


def _edge_text(t: TransitionInfo) -> str:
    return "<br>".join(mermaid_text(x) for x in edge_caption(t))


def mermaid(spec_or_definition: Any, *, policy: PolicyVersion | None, current: str | None = None) -> str:
    """The Mermaid ``flowchart TD`` text of a definition: one node per step (name, role, time limit
    from ``policy``), one edge per transition (name and condition; send-backs dashed), end states as
    stadiums, ``current`` highlighted. Withdraw and terminate, which every open step has, are drawn
    once from a node standing for any open step."""
    flow = flow_of(spec_or_definition)
    ids = node_ids(s.code for s in flow.steps)
    lines = [
        "flowchart TD",
        "  classDef current fill:#ffe08a,stroke:#b45309,stroke-width:3px,color:#111",
        "  classDef ending fill:#eef2f6,stroke:#64748b,color:#1f2937",
        "  classDef anystep fill:#fff,stroke:#94a3b8,stroke-dasharray:4 3,color:#475569",
    ]
    for step in flow.steps:
        label = "<br>".join(mermaid_text(x) for x in step_caption(step, policy))
        shape = f'(["{label}"])' if step.is_end else f'["{label}"]'
        lines.append(f"  {ids[step.code]}{shape}")
    wildcard: list[TransitionInfo] = []
    drawn_any: set[tuple[str, str]] = set()
    for t in _ordered(flow.transitions):
        if t.action in _FROM_ANY and (t.source in ("*", "") or t.source in ids):
            wildcard.append(t)
            continue
        if t.source not in ids or t.target not in ids:
            continue  # an unsound row: the soundness check reports it; the chart skips it
        arrow = "-.->" if t.action == TransitionAction.SEND_BACK else "-->"
        lines.append(f'  {ids[t.source]} {arrow}|"{_edge_text(t)}"| {ids[t.target]}')
    if wildcard:
        lines.append(f'  {_ANY_NODE}(["{mermaid_text(_ANY_LABEL)}"])')
        for t in wildcard:
            key = (t.action, t.target)
            if key in drawn_any or t.target not in ids:
                continue
            drawn_any.add(key)
            lines.append(f'  {_ANY_NODE} -.->|"{_edge_text(t)}"| {ids[t.target]}')
        lines.append(f"  class {_ANY_NODE} anystep")
    ends = [ids[s.code] for s in flow.steps if s.is_end]
    if ends:
        lines.append(f"  class {','.join(ends)} ending")
    if current and current in ids:
        lines.append(f"  class {ids[current]} current")
    return "\n".join(lines) + "\n"


def _ordered(transitions: Sequence[TransitionInfo]) -> list[TransitionInfo]:
    """Forward moves first (they lay out the main path), then send-backs, then the rest."""
    rank = {TransitionAction.FORWARD.value: 0, TransitionAction.SEND_BACK.value: 1}
    return sorted(transitions, key=lambda t: rank.get(t.action, 2))
