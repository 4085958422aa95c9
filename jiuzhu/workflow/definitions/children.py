"""The children's programs' national procedure (困境儿童, 事实无人抚养儿童; rules §8.1, 民发〔2019〕62号),
as data, from the shared pieces (``disability.build``).

The guardian applies for the child at the township; 受理 opens the case in ``verification`` with the
household's report; the township's caseworkers visit the child at home (入户调查: the child's living,
the guardian, the parents' situations), the township reviews and the county confirms. No public
notice (children's cases are not noticed); back, materials, withdraw and terminate as everywhere.
"""

from __future__ import annotations

from jiuzhu.core.vocab import AidProgram

from .disability import build, step

INTAKE = step(
    "verification",
    name="受理",
    duties="核对儿童与监护人身份、父母情况的证明材料，附家庭经济状况核对报告，启动入户调查",
)
VISIT = step(
    "investigation",
    duties="两名以上工作人员入户，核实儿童生活、监护和父母情况，调查人员和监护人签字",
)

DE_FACTO_ORPHAN = build(
    program=AidProgram.DE_FACTO_ORPHAN,
    name="事实无人抚养儿童认定",
    start=INTAKE,
    middle=(VISIT,),
    review_duties="核实父母双方（或一方死亡、失踪，另一方）重残、重病、服刑在押、强制隔离戒毒、被执行其他限制人身自由的措施或失联的情况，提出审核意见",
    confirm_duties="审查调查核实情况和审核意见，按比例抽查，作出认定或不予认定的决定",
)

CHILD_IN_DIFFICULTY = build(
    program=AidProgram.CHILD_IN_DIFFICULTY,
    name="困境儿童认定",
    start=INTAKE,
    middle=(VISIT,),
    review_duties="核实儿童的困境类型（家庭经济困难、自身重病重残、监护缺失）和监护情况，提出审核意见",
    confirm_duties="审查调查核实情况和审核意见，按比例抽查，作出认定或不予认定的决定",
)
