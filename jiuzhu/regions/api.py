from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jiuzhu.core.errors import NotFound
from jiuzhu.regions.scope import get_in_jurisdiction

from . import selectors
from .models import Region

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    urban_rural: str
    parent: str | None

    @classmethod
    def build(cls, r: Region) -> RegionOut:
        return cls(
            code=r.code,
            name=r.name,
            level=r.level,
            level_label=r.level_label,
            urban_rural=r.urban_rural,
            parent=r.parent_id,
        )


@router.get("/", response=list[RegionOut], summary="查找辖区内的区划（按代码前缀或名称）")
def region_search(request: HttpRequest, q: str = "") -> list[RegionOut]:
    region = request.user.region  # type: ignore[union-attr]
    if region is None:
        return []
    return [RegionOut.build(r) for r in selectors.region_search(jurisdiction=region, query=q)]


@router.get("/{code}/children", response=list[RegionOut], summary="下级区划")
def region_children(request: HttpRequest, code: str) -> list[RegionOut]:
    jurisdiction = request.user.region  # type: ignore[union-attr]
    if jurisdiction is None:
        raise NotFound()
    region = get_in_jurisdiction(Region.objects.all(), user=request.user, pk=code, region_field="code")
    return [RegionOut.build(r) for r in selectors.region_children(jurisdiction=jurisdiction, parent=region)]
