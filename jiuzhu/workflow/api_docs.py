"""The flowchart as Mermaid text, for a portal or an app that draws it itself."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram, CasePurpose

from .flowchart import mermaid
from .handbook import definition_in_force, docs_region, policy_or_none

router = Router(tags=["流程图与规程手册"])


class FlowchartOut(Schema):
    program: str = Field(description="救助项目代码")
    region: str | None = Field(description="所依区划代码；空为全国流程（未指定区划的全域用户）")
    definition: str = Field(description="流程定义名称")
    version: int = Field(description="流程定义版本")
    national: bool = Field(description="是否为全国流程（而非地方调整后的流程）")
    mermaid: str = Field(description="Mermaid flowchart 文本，时限取自该区划当日生效的政策参数")


@router.get(
    "/flowchart/{program}",
    response=FlowchartOut,
    summary="审核确认流程图（Mermaid 文本，由生效的流程定义与政策参数生成）",
)
def flowchart(
    request: HttpRequest,
    program: str,
    region: str | None = None,
    purpose: CasePurpose = CasePurpose.APPLICATION,
) -> FlowchartOut:
    if program not in AidProgram.codes():
        raise NotFound("没有这个救助项目")
    region_code = docs_region(user=request.user, requested=region)
    definition = definition_in_force(program=program, region_code=region_code, purpose=purpose)
    if definition is None:
        raise NotFound("该区划尚未配置这个救助项目的审核确认流程")
    policy = policy_or_none(region_code=region_code, on=timezone.localdate())
    return FlowchartOut(
        program=program,
        region=region_code,
        definition=definition.name,
        version=definition.version,
        national=definition.region_id is None,
        mermaid=mermaid(definition, policy=policy),
    )
