"""Vectorised GB 11643 identity numbers and per-key running counters.

A number is address code + birth date + 3-digit sequence (odd for men, even for women) + check
character. Numbers are unique because the sequence is a rank within (birth date, sex), carried
across chunks, rotated by a per-key offset so that sequences do not all start at 001.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from jiuzhu.registry.idnumber import CHECK_CHARS, WEIGHTS

_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)
_CHECK = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)
_EPOCH = np.datetime64("1880-01-01", "D")
_N_DAYS = int((np.datetime64("2100-01-01", "D") - _EPOCH).astype(int))
# 499 odd sequences (001 … 997) and 499 even ones (002 … 998) per birth date.
SEQ_SLOTS = 499


def ranks_within(keys: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Rank of each entry among equal keys, counted on from ``used`` (updated in place).

    Ranks follow the order of ``keys``, so results depend only on the input order.
    """
    n = keys.size
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    first = np.empty(n, dtype=bool)
    first[:1] = True
    first[1:] = sk[1:] != sk[:-1]
    starts = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts
    rank += used[keys]
    used += np.bincount(keys, minlength=used.size)
    return rank


class SequenceAllocator:
    def __init__(self, rng: np.random.Generator) -> None:
        self.used = np.zeros(_N_DAYS * 2, dtype=np.int64)
        self.offset = rng.integers(0, SEQ_SLOTS, _N_DAYS * 2)

    def allocate(self, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
        """3-digit sequence numbers for people born on ``birth`` (datetime64[D])."""
        keys = (birth - _EPOCH).astype(np.int64) * 2 + male.astype(np.int64)
        j = ranks_within(keys, self.used)
        if j.size and int(j.max()) >= SEQ_SLOTS:
            raise OverflowError("同一出生日期、同一性别的人数超过身份证顺序码容量（499）")
        seq = (j + self.offset[keys]) % SEQ_SLOTS
        return np.where(male, 2 * seq + 1, 2 * seq + 2)


def date_parts(day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = day.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    dom = (day - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, dom


def id_numbers(address_code: str, birth: np.ndarray, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(id_number, id_reversed) as 'U18' arrays."""
    year, month, dom = date_parts(birth)
    body = int(address_code) * 10**11 + (year * 10_000 + month * 100 + dom) * 1000 + seq
    n = body.size
    digits = np.empty((n, 17), dtype=np.int64)
    rest = body.copy()
    for i in range(16, -1, -1):
        rest, digits[:, i] = np.divmod(rest, 10)
    ascii_ = np.empty((n, 18), dtype=np.uint8)
    ascii_[:, :17] = digits + ord("0")
    ascii_[:, 17] = _CHECK[(digits @ _WEIGHTS) % 11]
    forward = ascii_.view("S18").reshape(n).astype("U18")
    backward = np.ascontiguousarray(ascii_[:, ::-1]).view("S18").reshape(n).astype("U18")
    return forward, backward


def as_day(d: date) -> np.datetime64:
    return np.datetime64(d.isoformat(), "D")
