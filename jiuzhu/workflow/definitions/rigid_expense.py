"""The national 刚性支出困难家庭 认定 procedure (rules §4.2, 民政部《刚性支出困难家庭认定办法》), as data.

The county bureau decides, and may delegate the decision to the township: exactly the choice the 低保
procedure already makes on the policy's ``confirm_level`` (县级确认 or 乡镇确认（委托）, a close
relative's case always at the county). Applications follow the 低保 rules, so the procedure is the
低保 one with its own program and name (``near_dibao.derived_from_dibao``).
"""

from __future__ import annotations

from jiuzhu.core.vocab import AidProgram

from .near_dibao import derived_from_dibao

RIGID_EXPENSE = derived_from_dibao(AidProgram.RIGID_EXPENSE, "刚性支出困难家庭审核确认")
