"""The demo's 存量对象导入: a file of a few hundred households already in assistance, as the former system
would export it (the template's Chinese headers), with a dozen bad rows, imported into the demo county
by its county approver. Shows the batch, its quarantine (downloadable), the migrated entitlements
(``source=migration``) on the households' pages, and the difference report."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent
from jiuzhu.migration.layouts import COLUMNS
from jiuzhu.migration.models import MigrationBatch
from jiuzhu.migration.services import migration_import
from jiuzhu.registry.idnumber import check_char

from .build import Layout

FILE_NAME = "演示县存量救助对象（原系统导出）.csv"
HOUSEHOLDS = 300
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "明华国建文军平志伟东海红英兰秀芳玉梅丽娟强磊洋勇艳杰涛超"
# An address code of its own, so the demo's migrated persons never meet the synthetic population's.
AREA = "990911"


def _id(seq: int, *, born: date) -> str:
    first17 = f"{AREA}{born:%Y%m%d}{seq % 999:03d}"
    return first17 + check_char(first17)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def migration_file(layout: Layout, *, today: date, seed: int = 11) -> str:
    """The demo file: ``HOUSEHOLDS`` households of the county's villages (a 低保 family of 1–4, now and
    then a 特困 person living alone, a 低保边缘 family, a child in difficulty, a 护理补贴 holder), then the
    bad rows a real export brings."""
    rng = random.Random(seed)
    index = {c.name: i for i, c in enumerate(COLUMNS)}
    lines = [",".join(c.label for c in COLUMNS)]

    def row(**cells: str) -> None:
        out = [""] * len(COLUMNS)
        for name, value in cells.items():
            out[index[name]] = value
        lines.append(",".join(out))

    seq = 0
    year = today.year
    for h in range(HOUSEHOLDS):
        village = layout.village_codes[h % len(layout.village_codes)]
        size = rng.choice((1, 2, 2, 3, 3, 4))
        seq += 1
        head = _id(seq, born=date(1950 + h % 30, 1 + h % 12, 1 + h % 28))
        common = {"household_key": head, "region": village, "address": f"{h % 9 + 1}组{h + 1}号"}
        month = f"{year - (1 if h % 5 == 0 else 0)}-{1 + h % 9:02d}"
        decision = {
            "document_no": f"民救〔{month[:4]}〕{100 + h}号",
            "decided_on": f"{month}-{10 + h % 15:02d}",
        }
        kind = h % 10
        if size == 1 and kind in (0, 1):
            row(
                **common,
                name=_name(rng),
                id_number=head,
                relation="户主",
                program="特困",
                amount=str(rng.choice((1190, 1540, 1850))),
                start_month=month,
                care_tier=rng.choice(("全自理", "半失能", "全失能")),
                support_form="分散供养",
                **decision,
            )
            continue
        program, amount = ("低保边缘", "") if kind == 9 else ("低保", str(size * rng.choice((280, 300, 320))))
        review = rng.choice(("A", "B", "C", ""))
        row(
            **common,
            name=_name(rng),
            id_number=head,
            relation="户主",
            program=program,
            amount=amount,
            start_month=month,
            review_class=review,
            **decision,
        )
        for m in range(1, size):
            seq += 1
            relation = ("配偶", "子女", "子女")[m - 1]
            born = date(1952 + h % 30, 3, 1) if m == 1 else date(2010 + m, 1 + h % 12, 1 + h % 28)
            person = _id(seq, born=born)
            cells = {**common, "name": _name(rng), "id_number": person, "relation": relation}
            if m == 2 and kind == 3:
                cells |= {"program": "困境儿童", "amount": "600", "start_month": month, **decision}
            elif m == 1 and kind == 4:
                cells |= {
                    "disability_category": "肢体残疾",
                    "disability_grade": "1",
                    "program": "护理补贴",
                    "amount": "100",
                    "start_month": month,
                    **decision,
                }
            else:
                cells |= {
                    "program": program,
                    "amount": amount,
                    "start_month": month,
                    "review_class": review,
                    **decision,
                }
            row(**cells)
    # The rows a real export brings: each is quarantined with its reason.
    village = layout.village_codes[0]
    bad = _id(seq + 1, born=date(1970, 5, 5))
    wrong_check = bad[:17] + ("0" if bad[17] != "0" else "1")
    for k, cells in enumerate(
        [
            {
                "id_number": wrong_check,
                "household_key": wrong_check,
                "relation": "户主",
                "program": "低保",
                "amount": "300",
            },
            {"relation": "户主", "program": "低保", "amount": "-20"},
            {"relation": "户主", "program": "临时救助", "amount": "1000"},
            {"relation": "户主", "program": "特困", "amount": "1200"},  # no care tier
            {"relation": "户主", "program": "低保", "amount": "300", "start_month": "2023-13"},
            {"relation": "表亲", "program": "低保", "amount": "300"},
            {"relation": "户主", "program": "低保", "amount": "300", "region": "990911001001"},
            {"relation": "户主", "program": "低保", "amount": "300", "region": layout.township_codes[0]},
            {"relation": "户主", "program": "低保边缘", "amount": "200"},
            {"relation": "户主", "program": "困境儿童", "amount": "600"},  # an adult
            {"relation": "户主", "program": "低保", "amount": "300", "name": "王2"},
        ]
    ):
        number = _id(seq + 2 + k, born=date(1965 + k, 2, 2))
        base = {
            "household_key": number,
            "id_number": number,
            "name": _name(rng),
            "region": village,
            "address": "待核实",
            "start_month": f"{year}-01",
        }
        row(**(base | cells))
    # A member whose head is not in the file.
    orphan_head = _id(seq + 40, born=date(1961, 6, 6))
    row(
        household_key=orphan_head,
        name=_name(rng),
        id_number=_id(seq + 41, born=date(1990, 6, 6)),
        relation="子女",
        region=village,
        address="待核实",
    )
    return "\n".join(lines) + "\n"


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    if MigrationBatch.objects.filter(region_id=layout.county_code, file_name=FILE_NAME).exists():
        return
    approver = User.objects.get(username="approver")
    content = migration_file(layout, today=timezone.localdate())
    outcome = migration_import(
        ctx=AuditContext(user=approver, channel="web"),
        file_name=FILE_NAME,
        fh=io.BytesIO(content.encode("gb18030")),
        region_code=layout.county_code,
    )
    b = outcome.batch
    log(
        f"存量对象导入：{b.rows_total} 行，新建家庭 {b.households_created} 户、人员 {b.persons_created} 人、"
        f"在保记录 {b.entitlements_created} 条，隔离 {b.rows_quarantined} 行（批次 #{b.pk}）"
    )


def delete(bounds: tuple[str, str]) -> None:
    """The migrated entitlements and decisions of the county and its batches (the persons and households
    go with the synthetic county's registry)."""
    with transaction.atomic():
        migrated = Entitlement.objects.filter(region__code__range=bounds, source="migration")
        EntitlementEvent.objects.filter(entitlement__in=migrated).delete()
        decisions = list(migrated.values_list("decision_id", flat=True))
        migrated.delete()
        Decision.objects.filter(pk__in=decisions).delete()
        MigrationBatch.objects.filter(region__code__range=bounds).delete()
