from __future__ import annotations

from django.db import models

from .codes import Level, subtree_bounds


class UrbanRural(models.TextChoices):
    URBAN = "urban", "城镇"
    RURAL = "rural", "农村"


class RegionQuerySet(models.QuerySet["Region"]):
    def subtree(self, code: str) -> RegionQuerySet:
        low, high = subtree_bounds(code)
        return self.filter(code__range=(low, high))


class Region(models.Model):
    """One node of the administrative tree. The code is the key: see ``codes`` for why."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=[(lv.value, lv.label) for lv in Level])
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    urban_rural = models.CharField(
        "城乡属性", max_length=5, choices=UrbanRural.choices, default=UrbanRural.RURAL
    )
    # 城乡分类代码 from the statistical code list (111 主城区 … 220 村庄); blank above village level.
    urban_rural_code = models.CharField("城乡分类代码", max_length=3, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"]), models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    def bounds(self) -> tuple[str, str]:
        return subtree_bounds(self.code)

    def contains(self, code: str) -> bool:
        low, high = self.bounds()
        return low <= code <= high
