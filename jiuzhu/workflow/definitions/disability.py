"""The two disability subsidies' national procedure (残疾人两项补贴, rules §6), as data, built from the
低保 definition's steps where they mean the same thing.

The person (or a guardian) applies at the township; 受理 opens the case in ``verification``, where the
certificate is checked against the 残联 feed (number, category, grade, valid on the day: evidence
``disability_certificate``) beside the household's report; the township reviews (乡镇审核) and the
county confirms (县级确认, with the county's spot checks). No home investigation and no public notice:
the subsidies follow from the certificate and the household's 低保 (no means test of their own). A
step may send the case back, or to ``materials`` while the family supplies missing items; withdraw
and terminate lead from every open state to their end states.

``build`` makes such a procedure from the shared pieces for any per-person program (the children's
programs use it with a home investigation).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from jiuzhu.core.vocab import AidProgram, TransitionAction

from .dibao import DIBAO
from .spec import DefinitionSpec, StepSpec, TransitionSpec, exits

F = TransitionAction.FORWARD
BACK = TransitionAction.SEND_BACK
ENDS = ("confirmed", "refused", "withdrawn", "terminated")


def step(code: str, **changes: object) -> StepSpec:
    """The 低保 definition's step ``code``, with ``changes``."""
    return replace(DIBAO.step(code), **changes)  # type: ignore[arg-type]


def build(
    *,
    program: str,
    name: str,
    start: StepSpec,
    middle: tuple[StepSpec, ...],
    review_duties: str,
    confirm_duties: str,
) -> DefinitionSpec:
    """``start`` (the 受理 step) → each step of ``middle`` in turn → 乡镇审核 → 县级确认 → confirmed or
    refused; send-backs to the previous step, 补正材料 from every task step, withdraw and terminate from
    every open state."""
    review = step("review", duties=review_duties)
    confirmation = step(
        "confirmation", evidence=("confirmation_opinion", "spot_check_done"), duties=confirm_duties
    )
    materials = step("materials")
    chain = (start, *middle, review)
    steps = (*chain, materials, confirmation, *(DIBAO.step(code) for code in ENDS))
    transitions: list[TransitionSpec] = []
    for here, there in pairwise(chain):
        transitions.append(TransitionSpec(here.code, there.code, F, f"提交{there.name}"))
    transitions += [
        TransitionSpec("review", "confirmation", F, "报县级确认"),
        TransitionSpec("confirmation", "confirmed", F, "确认给予", "opinion_agree"),
        TransitionSpec("confirmation", "refused", F, "不予确认", "opinion_disagree"),
    ]
    for there, here in pairwise(chain):
        transitions.append(
            TransitionSpec(here.code, there.code, BACK, f"退回{there.name}", reason_required=True)
        )
    transitions.append(TransitionSpec("confirmation", "review", BACK, "退回乡镇审核", reason_required=True))
    for here in chain[1:]:
        transitions += [
            TransitionSpec(here.code, "materials", BACK, "告知补正材料", reason_required=True),
            TransitionSpec("materials", here.code, F, f"材料已补正，返回{here.name}", "came_from"),
        ]
    transitions += exits(steps)
    return DefinitionSpec(program=program, name=name, steps=steps, transitions=tuple(transitions))


CERTIFICATE_CHECK = step(
    "verification",
    name="受理及残疾人证核验",
    evidence=("verification_report", "disability_certificate"),
    duties="核对申请人残疾人证与残联数据（证号、类别、等级、有效期）一致，附家庭经济状况核对报告，提交乡镇审核",
)

DISABILITY_LIVING = build(
    program=AidProgram.DISABILITY_LIVING,
    name="困难残疾人生活补贴审核确认",
    start=CERTIFICATE_CHECK,
    middle=(),
    review_duties="核实申请人所在家庭享受最低生活保障（或本地扩大范围的低保边缘家庭）且无不予发放的情形，提出审核意见",
    confirm_duties="审查残疾人证核验结果和审核意见，按比例抽查，作出确认或不予确认的决定",
)

DISABILITY_CARE = build(
    program=AidProgram.DISABILITY_CARE,
    name="重度残疾人护理补贴审核确认",
    start=CERTIFICATE_CHECK,
    middle=(),
    review_duties="核实残疾等级（一、二级，或本地扩大范围的三、四级智力、精神残疾）和长期照护情况，提出审核意见",
    confirm_duties="审查残疾人证核验结果、照护情况和审核意见，按比例抽查，作出确认或不予确认的决定",
)
