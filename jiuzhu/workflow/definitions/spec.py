"""Workflow definitions as plain data: the states (steps) of a program's procedure, who acts in each,
what each needs before the case moves on, its time limit, and the transitions between them.

Pure: the standard library and ``jiuzhu.core.vocab`` only. The national definitions are written in
this form (``definitions/dibao.py``); the database holds them as rows (``services.definitions``), and a
region's variant is the national one with a *patch* applied (``apply_patch``), materialised whole.

Conditions. ``TransitionSpec.condition`` is a small expression over the engine's condition codes
(``CONDITIONS``): terms joined by ``&`` (all must hold), each optionally negated by a leading ``!``;
blank means always. E.g. ``no_objection_held&confirm_county``, ``!community_review_always``.

Patch format (JSON, stored on the region's definition for display; every key optional)::

    {
      "name": "低保审核确认（某省）",               # the variant's name
      "drop_steps": ["community_review"],           # each dropped step's incoming transitions are
                                                    # reconnected to its forward targets (conditions
                                                    # joined with "&"); its own transitions go
      "steps": {"review": {"limit_days": 3,         # change fields of a step: name, role, level,
                           "limit_setting": ""}},   # evidence, limit_setting, limit_days, limit_kind,
                                                    # pauses_clock, duties
      "drop_transitions": [{"source": "review", "target": "public_notice"}],  # all matching ones
                                                    # (add "condition" to drop only that one)
      "add_transitions": [{"source": "review", "target": "confirmation", "action": "forward",
                           "name": "报县级确认", "condition": "confirm_county",
                           "reason_required": false}]
    }

Operations apply in the order above: drop steps, change steps, drop transitions, add transitions.
``soundness`` then tells what is wrong with the result, if anything.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from jiuzhu.core.vocab import CasePurpose, DeadlineKind, StepKind, TransitionAction

# Levels of the region tree (``jiuzhu.regions.codes.Level``), here as plain numbers.
COUNTY = 3
TOWNSHIP = 4
LEVELS = frozenset({1, 2, COUNTY, TOWNSHIP, 5})

# The evidence a step may require, by code: what the engine checks (``workflow.checks``), in the words
# shown to the person at the counter when it is missing.
EVIDENCE: dict[str, str] = {
    "verification_report": "家庭经济状况核对报告",
    "home_investigation": "入户调查记录（调查人员不少于规定人数）",
    "community_review": "民主评议记录",
    "review_opinion": "乡镇审核意见",
    "confirmation_opinion": "确认意见",
    "public_notice_ended": "公示期满且无待核实的异议",
    "spot_check_done": "县级抽查结论（本案被抽中）",
    "county_home_visit": "县级入户核查记录（近亲属备案案件）",
    "disability_certificate": "残疾人证与残联数据一致且在有效期内",
    "temporary_means_checked": "家庭经济状况核对报告（支出型临时救助）",
    "special_approval": "县级一事一议意见",
    "selfcare_assessment": "生活自理能力评估（六项）及“三无”条件认定",
}

# The conditions a transition may name, by code, in words.
CONDITIONS: dict[str, str] = {
    "community_review_always": "本地每案开展民主评议",
    "community_review_on_objection_or_always": "本地在公示有异议时（或每案）开展民主评议",
    "community_review_never": "本地不开展民主评议",
    "notice_needed": "本案须公示",
    "notice_skipped": "本案不公示（未成年人案件）",
    "objection_held": "公示异议成立",
    "no_objection_held": "公示无成立的异议",
    "confirm_county": "由县级确认",
    "confirm_township": "委托乡镇确认",
    "opinion_agree": "本环节意见为同意",
    "opinion_disagree": "本环节意见为不同意",
    "came_from": "返回补正前所在环节",
    "close_relative": "近亲属备案案件（须县级确认）",
    "temporary_simplified": "急难型临时救助（简易程序，不公示）",
    "temporary_notice": "支出型临时救助（须公示）",
    "temporary_approve_township": "救助金额不超过乡镇审批限额",
    "temporary_approve_county": "救助金额超过乡镇审批限额、不超过一般上限",
    "temporary_approve_special": "救助金额超过一般上限（须县级一事一议）",
}

# PolicyVersion fields that hold a number of days a step may take (``StepSpec.limit_setting``).
LIMIT_SETTINGS = frozenset(
    {
        "investigation_start_days",
        "investigation_days",
        "community_review_days",
        "review_days",
        "public_notice_days",
        "reinvestigation_days",
        "confirmation_days",
        "refusal_notice_days",
        "materials_days",
        "cooperation_days",
        "temporary_investigation_days",
        "temporary_notice_days",
        "temporary_approval_days",
        "tekun_investigation_days",
    }
)

_STEP_FIELDS = (
    "name",
    "role",
    "level",
    "evidence",
    "limit_setting",
    "limit_days",
    "limit_kind",
    "pauses_clock",
    "duties",
)


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    kind: str = StepKind.TASK
    role: str = ""  # accounts Role code; blank for end steps
    level: int | None = None  # regions Level; None for end steps
    evidence: tuple[str, ...] = ()
    limit_setting: str = ""  # a PolicyVersion field holding the days …
    limit_days: int | None = None  # … or the days themselves
    limit_kind: str = DeadlineKind.WORKING
    pauses_clock: bool = False  # the whole-case clock stops while the case is here
    outcome: str = ""  # CaseOutcome of an end step
    duties: str = ""

    @property
    def is_end(self) -> bool:
        return self.kind == StepKind.END


@dataclass(frozen=True)
class TransitionSpec:
    source: str
    target: str
    action: str
    name: str
    condition: str = ""
    reason_required: bool = False


def exits(steps: Collection[StepSpec], *, withdraw: bool = True) -> tuple[TransitionSpec, ...]:
    """Withdraw (the applicant, to ``withdrawn``) and terminate (to ``terminated``) from every open
    step, each with its reason: the exits every procedure has."""
    open_codes = [s.code for s in steps if s.kind != StepKind.END]
    out = [
        TransitionSpec(code, "withdrawn", TransitionAction.WITHDRAW, "申请人撤回", reason_required=True)
        for code in (open_codes if withdraw else ())
    ]
    out += [
        TransitionSpec(code, "terminated", TransitionAction.TERMINATE, "终止办理", reason_required=True)
        for code in open_codes
    ]
    return tuple(out)


@dataclass(frozen=True)
class DefinitionSpec:
    program: str
    name: str
    steps: tuple[StepSpec, ...]
    transitions: tuple[TransitionSpec, ...] = field(default=())
    purpose: str = CasePurpose.APPLICATION  # an application's procedure, or a review's

    def step(self, code: str) -> StepSpec:
        for s in self.steps:
            if s.code == code:
                return s
        raise KeyError(code)

    def has_step(self, code: str) -> bool:
        return any(s.code == code for s in self.steps)

    @property
    def start(self) -> StepSpec | None:
        return next((s for s in self.steps if s.kind == StepKind.START), None)

    @property
    def ends(self) -> tuple[StepSpec, ...]:
        return tuple(s for s in self.steps if s.is_end)

    def outgoing(self, code: str) -> tuple[TransitionSpec, ...]:
        return tuple(t for t in self.transitions if t.source == code)


def condition_terms(condition: str) -> list[tuple[bool, str]]:
    """``"a&!b"`` → ``[(True, "a"), (False, "b")]`` (whether the term must hold, its code)."""
    out = []
    for raw in condition.split("&"):
        term = raw.strip()
        if not term:
            continue
        out.append((False, term[1:].strip()) if term.startswith("!") else (True, term))
    return out


def _join(*conditions: str) -> str:
    terms: list[str] = []
    for c in conditions:
        for positive, code in condition_terms(c):
            text = code if positive else f"!{code}"
            if text not in terms:
                terms.append(text)
    return "&".join(terms)


class PatchError(ValueError):
    """A patch that cannot be applied (names a step that does not exist, an unknown field …)."""


def _drop_step(spec: DefinitionSpec, code: str) -> DefinitionSpec:
    if not spec.has_step(code):
        raise PatchError(f"要删除的环节不存在：{code}")
    if spec.step(code).kind in (StepKind.START, StepKind.END):
        raise PatchError(f"不能删除开始或结束环节：{code}")
    forward = [t for t in spec.outgoing(code) if t.action == TransitionAction.FORWARD]
    kept: list[TransitionSpec] = []
    for t in spec.transitions:
        if t.source == code:
            continue
        if t.target != code:
            kept.append(t)
            continue
        for f in forward:
            if f.target == t.source:
                continue  # a send-back into the dropped step would loop to itself
            new = replace(t, target=f.target, condition=_join(t.condition, f.condition))
            if t.action == TransitionAction.FORWARD:
                new = replace(new, name=f.name)
            kept.append(new)
    unique: list[TransitionSpec] = []
    for t in kept:
        if t not in unique:
            unique.append(t)
    unique = _merge_complements(unique)
    return replace(spec, steps=tuple(s for s in spec.steps if s.code != code), transitions=tuple(unique))


def _merge_complements(transitions: list[TransitionSpec]) -> list[TransitionSpec]:
    """Two transitions alike but for conditions ``X`` and ``!X`` (what dropping a step leaves where
    the base chose between the step and its successor) become one without a condition."""
    out = list(transitions)
    for t in transitions:
        terms = condition_terms(t.condition)
        if len(terms) != 1 or not terms[0][0]:
            continue
        twin = replace(t, condition=f"!{terms[0][1]}")
        partner = next((u for u in out if replace(u, name=t.name) == twin), None)
        if t in out and partner is not None:
            i = out.index(t)
            out[i] = replace(t, condition="")
            out.remove(partner)
    return out


def _change_step(spec: DefinitionSpec, code: str, changes: dict[str, Any]) -> DefinitionSpec:
    if not spec.has_step(code):
        raise PatchError(f"要调整的环节不存在：{code}")
    unknown = sorted(set(changes) - set(_STEP_FIELDS))
    if unknown:
        raise PatchError(f"环节 {code} 不能调整这些项目：{'、'.join(unknown)}")
    values = dict(changes)
    if "evidence" in values:
        values["evidence"] = tuple(values["evidence"] or ())
    if "limit_days" in values and values["limit_days"] is not None and "limit_setting" not in values:
        values["limit_setting"] = ""  # a number of days given replaces the policy setting
    if values.get("limit_setting") and "limit_days" not in values:
        values["limit_days"] = None
    steps = tuple(replace(s, **values) if s.code == code else s for s in spec.steps)
    return replace(spec, steps=steps)


def _matches(t: TransitionSpec, pattern: dict[str, Any]) -> bool:
    return all(getattr(t, k) == v for k, v in pattern.items())


def apply_patch(base: DefinitionSpec, patch: dict[str, Any]) -> DefinitionSpec:
    """``base`` with a region's ``patch`` applied (format in the module's docstring)."""
    unknown = sorted(set(patch) - {"name", "drop_steps", "steps", "drop_transitions", "add_transitions"})
    if unknown:
        raise PatchError(f"无法识别的调整项：{'、'.join(unknown)}")
    spec = base
    if patch.get("name"):
        spec = replace(spec, name=str(patch["name"]))
    for code in patch.get("drop_steps", []):
        spec = _drop_step(spec, code)
    for code, changes in (patch.get("steps") or {}).items():
        spec = _change_step(spec, code, changes)
    for pattern in patch.get("drop_transitions", []):
        bad = set(pattern) - {"source", "target", "action", "condition"}
        if bad or not pattern:
            raise PatchError(f"删除流转须给出 source、target（可加 action、condition）：{pattern}")
        matched = [t for t in spec.transitions if _matches(t, pattern)]
        if not matched:
            raise PatchError(f"要删除的流转不存在：{pattern}")
        spec = replace(spec, transitions=tuple(t for t in spec.transitions if t not in matched))
    added = []
    for raw in patch.get("add_transitions", []):
        try:
            added.append(TransitionSpec(**raw))
        except TypeError as exc:
            raise PatchError(f"新增流转的内容有误：{raw}") from exc
    return replace(spec, transitions=spec.transitions + tuple(added))


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def soundness(
    spec: DefinitionSpec,
    *,
    limit_settings: Collection[str] = LIMIT_SETTINGS,
    roles: Collection[str] | None = None,
) -> list[str]:
    """What is wrong with a definition, in Chinese; empty when it is sound: one start step; every
    state reachable from it; every end state reachable; every open state can reach an end; every
    non-end step has a role, a level and a time limit (a known policy setting or a number of days);
    transitions name existing steps, known actions and known conditions; evidence codes are known."""
    problems: list[str] = []
    codes = [s.code for s in spec.steps]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"环节代码重复：{code}")
    starts = [s for s in spec.steps if s.kind == StepKind.START]
    if len(starts) != 1:
        problems.append(f"应有且只有一个开始环节，现有 {len(starts)} 个")
    if not spec.ends:
        problems.append("没有结束环节")
    known = set(codes)
    for s in spec.steps:
        if s.kind not in StepKind.codes():
            problems.append(f"环节 {s.code} 的类型未知：{s.kind}")
        for ev in s.evidence:
            if ev not in EVIDENCE:
                problems.append(f"环节 {s.code} 要求的材料代码未知：{ev}")
        if s.is_end:
            if not s.outcome:
                problems.append(f"结束环节 {s.code} 没有办理结果")
            continue
        if not s.role:
            problems.append(f"环节 {s.code} 没有办理角色")
        elif roles is not None and s.role not in roles:
            problems.append(f"环节 {s.code} 的办理角色未知：{s.role}")
        if s.level not in LEVELS:
            problems.append(f"环节 {s.code} 没有办理层级")
        if s.limit_setting:
            if s.limit_setting not in limit_settings:
                problems.append(f"环节 {s.code} 的时限参数不是政策表中的时限项目：{s.limit_setting}")
        elif not s.limit_days:
            problems.append(f"环节 {s.code} 没有时限")
        if s.limit_kind not in DeadlineKind.codes():
            problems.append(f"环节 {s.code} 的时限计法未知：{s.limit_kind}")
    edges: dict[str, set[str]] = {}
    back: dict[str, set[str]] = {}
    for t in spec.transitions:
        label = f"{t.source} → {t.target}"
        for end in (t.source, t.target):
            if end not in known:
                problems.append(f"流转 {label} 引用了不存在的环节：{end}")
        if t.source in known and spec.step(t.source).is_end:
            problems.append(f"流转 {label} 从结束环节出发")
        if t.action not in TransitionAction.codes():
            problems.append(f"流转 {label} 的动作未知：{t.action}")
        for _, code in condition_terms(t.condition):
            if code not in CONDITIONS:
                problems.append(f"流转 {label} 的条件代码未知：{code}")
        edges.setdefault(t.source, set()).add(t.target)
        back.setdefault(t.target, set()).add(t.source)
    if len(starts) == 1:
        reachable = _reach(starts[0].code, edges)
        for s in spec.steps:
            if s.code not in reachable:
                kind = "结束环节" if s.is_end else "环节"
                problems.append(f"{kind} {s.code} 从开始环节无法到达")
    end_codes = [s.code for s in spec.ends]
    can_end: set[str] = set()
    for code in end_codes:
        can_end |= _reach(code, back)
    for s in spec.steps:
        if not s.is_end and s.code not in can_end:
            problems.append(f"环节 {s.code} 无法到达任何结束环节")
    return problems


def spec_to_json(spec: DefinitionSpec) -> dict[str, Any]:
    """A JSON-able form (for fingerprints and display)."""
    return {
        "program": spec.program,
        "name": spec.name,
        "steps": [
            {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(s).items()} for s in spec.steps
        ],
        "transitions": [dict(vars(t)) for t in spec.transitions],
    }
