"""The national 低保边缘家庭 认定 procedure (rules §4.1), as data.

Applications, materials and members follow the 低保 rules (rules §4.1, Shandong), so the procedure is
the 低保 one (``dibao.py``): the same steps and step codes, hence the same step services, evidence
and conditions — the means check, the home investigation, the community review where the region
holds one, the township's review opinion, the public notice, and the confirmation by the county or,
where delegated, the township (a close relative's case always by the county). Only the program and
the name differ; ``derived_from_dibao`` makes such a procedure, and 刚性支出困难家庭 uses it too.
"""

from __future__ import annotations

from dataclasses import replace

from jiuzhu.core.vocab import AidProgram

from .dibao import DIBAO
from .spec import DefinitionSpec


def derived_from_dibao(program: str, name: str) -> DefinitionSpec:
    """The 低保 procedure for ``program``, named ``name``: the same steps, transitions and limits."""
    return replace(DIBAO, program=program, name=name)


NEAR_DIBAO = derived_from_dibao(AidProgram.NEAR_DIBAO, "低保边缘家庭审核确认")
