"""Per-person attributes that follow from age, sex and place: disability, health, capacity to
work and to look after oneself, schooling and work.

Rates are rounded national figures (about 6 % of people disabled, most of them old; a fifth of the
over-60s with a chronic disease; rural adults mostly farming or in flexible work) — enough for
the rules and screens to meet every case, not statistics to quote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jiuzhu.core.vocab import Employment
from jiuzhu.registry.choices import (
    DisabilityCategory,
    Education,
    Health,
    LabourCapacity,
    SelfCare,
)

DISABILITY: list[str] = [c.value for c in DisabilityCategory if c.value]
_DISABILITY_P = np.array([0.12, 0.18, 0.015, 0.42, 0.08, 0.09, 0.095])  # same order as DISABILITY
_GRADE_P = np.array([0.12, 0.22, 0.30, 0.36])
LABOUR: list[str] = [c.value for c in LabourCapacity]
SELF_CARE: list[str] = [c.value for c in SelfCare]
HEALTH: list[str] = [c.value for c in Health]
EMPLOYMENT: list[str] = [c.value for c in Employment]
EDUCATION: list[str] = [c.value for c in Education]

_L = {v: i for i, v in enumerate(LABOUR)}
_S = {v: i for i, v in enumerate(SELF_CARE)}
_H = {v: i for i, v in enumerate(HEALTH)}
_E = {v: i for i, v in enumerate(EMPLOYMENT)}
_D = {v: i for i, v in enumerate(EDUCATION)}

# Highest schooling of adults by age band; older cohorts had far less schooling.
_ADULT_EDU = [Education.NONE, Education.PRIMARY, Education.JUNIOR, Education.SENIOR]
_ADULT_EDU += [Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE]
_EDU_BANDS = [
    (23, np.array([0.01, 0.05, 0.30, 0.25, 0.17, 0.19, 0.03])),
    (35, np.array([0.02, 0.12, 0.42, 0.22, 0.11, 0.10, 0.01])),
    (50, np.array([0.05, 0.30, 0.40, 0.18, 0.04, 0.03, 0.00])),
    (65, np.array([0.30, 0.42, 0.18, 0.08, 0.01, 0.01, 0.00])),
]


@dataclass
class Attributes:
    disability: np.ndarray  # int8 index into DISABILITY, -1 none
    grade: np.ndarray  # int8 1-4, 0 none
    labour: np.ndarray
    self_care: np.ndarray
    health: np.ndarray
    employment: np.ndarray
    education: np.ndarray
    in_school: np.ndarray  # bool
    phone: np.ndarray  # str, "" for none


def _pick(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(p), rng.random(n) * p.sum()).clip(0, p.size - 1)


def _draw(rng: np.random.Generator, mask: np.ndarray, choices: dict[int, float]) -> np.ndarray:
    """For the rows in ``mask`` pick one of the codes with the given probabilities."""
    codes = np.array(list(choices), dtype=np.int8)
    return codes[_pick(rng, np.array(list(choices.values())), int(mask.sum()))]


def draw(rng: np.random.Generator, age: np.ndarray, male: np.ndarray, urban: np.ndarray) -> Attributes:
    n = age.size

    # Disability rises steeply with age; the factors give about 6 % overall.
    p_dis = np.select([age < 18, age < 45, age < 60, age < 75], [0.014, 0.034, 0.072, 0.12], 0.2)
    disabled = rng.random(n) < p_dis
    disability = np.where(disabled, _pick(rng, _DISABILITY_P, n), -1).astype(np.int8)
    grade = np.where(disabled, _pick(rng, _GRADE_P, n) + 1, 0).astype(np.int8)
    severe = disabled & (grade <= 2)

    health = np.full(n, _H[Health.HEALTHY], dtype=np.int8)
    p_chronic = np.select([age < 18, age < 45, age < 60], [0.02, 0.06, 0.2], 0.42)
    health[rng.random(n) < p_chronic] = _H[Health.CHRONIC]
    p_serious = 0.004 + 0.01 * (age >= 45) + 0.015 * (age >= 65)
    health[rng.random(n) < p_serious] = _H[Health.SERIOUS]
    health[disabled & (rng.random(n) < 0.8)] = _H[Health.DISABLED]
    serious = health == _H[Health.SERIOUS]

    self_care = np.full(n, _S[SelfCare.FULL], dtype=np.int8)
    u = rng.random(n)
    old_partial = np.select([age >= 80, age >= 70], [0.24, 0.09], 0.0)
    old_none = np.select([age >= 80, age >= 70], [0.06, 0.02], 0.0)
    self_care[u < old_partial] = _S[SelfCare.PARTIAL]
    self_care[u < old_none] = _S[SelfCare.NONE]
    u = rng.random(n)
    self_care[(grade == 1) & (u < 0.8)] = _S[SelfCare.PARTIAL]
    self_care[(grade == 1) & (u < 0.4)] = _S[SelfCare.NONE]
    self_care[(grade == 2) & (u < 0.4)] = _S[SelfCare.PARTIAL]
    self_care[serious & (u < 0.3)] = _S[SelfCare.PARTIAL]

    labour = np.full(n, _L[LabourCapacity.FULL], dtype=np.int8)
    u = rng.random(n)
    # 60-69: a quarter still fully able (rural elders farm), 70+: none fully able.
    old = age >= 60
    labour[old & (u < np.where(age >= 70, 1.0, 0.75))] = _L[LabourCapacity.PARTIAL]
    labour[old & (u < np.where(age >= 70, 0.75, 0.15))] = _L[LabourCapacity.NONE]
    labour[disabled & ~severe] = _L[LabourCapacity.PARTIAL]
    labour[severe | serious | (self_care == _S[SelfCare.NONE])] = _L[LabourCapacity.NONE]
    labour[(health == _H[Health.CHRONIC]) & (age < 60) & (u < 0.2)] = _L[LabourCapacity.PARTIAL]
    labour[age < 16] = _L[LabourCapacity.NONE]

    education, in_school = _schooling(rng, age, urban, disability)
    employment = _work(rng, age, male, urban, labour, in_school)

    phone = np.full(n, "", dtype="U11")
    has_phone = (age >= 16) & (rng.random(n) < np.where(age >= 75, 0.5, 0.88))
    k = int(has_phone.sum())
    second = np.array(list("3456789"))[rng.integers(0, 7, k)]
    rest = rng.integers(0, 1_000_000_000, k).astype("U9")
    phone[has_phone] = np.strings.add(np.strings.add("1", second), np.strings.zfill(rest, 9))
    return Attributes(disability, grade, labour, self_care, health, employment, education, in_school, phone)


def _schooling(
    rng: np.random.Generator, age: np.ndarray, urban: np.ndarray, disability: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = age.size
    education = np.full(n, _D[Education.NONE], dtype=np.int8)
    in_school = np.zeros(n, dtype=bool)
    adult = age >= 23
    for low, p in _EDU_BANDS:
        band = age >= low
        education[band] = np.array([_D[e] for e in _ADULT_EDU], dtype=np.int8)[_pick(rng, p, int(band.sum()))]
    # Rural adults of every cohort left school earlier.
    drop = adult & ~urban & (education > _D[Education.JUNIOR]) & (rng.random(n) < 0.3)
    education[drop] -= 1
    education[age < 6] = _D[Education.PRESCHOOL]
    for low, high, level in ((6, 11, Education.PRIMARY), (12, 14, Education.JUNIOR)):
        band = (age >= low) & (age <= high)
        education[band] = _D[level]
        in_school |= band
    teen = (age >= 15) & (age <= 17)
    stays = teen & (rng.random(n) < 0.88)
    education[teen] = np.where(stays[teen], _D[Education.SENIOR], _D[Education.JUNIOR])
    in_school |= stays
    young = (age >= 18) & (age <= 22)
    studying = young & (rng.random(n) < np.where(urban, 0.6, 0.4))
    education[studying] = np.where(
        rng.random(int(studying.sum())) < 0.45, _D[Education.COLLEGE], _D[Education.BACHELOR]
    )
    left = young & ~studying
    education[left] = np.where(rng.random(int(left.sum())) < 0.5, _D[Education.SENIOR], _D[Education.JUNIOR])
    in_school |= studying
    # Severe intellectual disability usually means no schooling at all.
    no_school = (disability == DISABILITY.index(DisabilityCategory.INTELLECTUAL)) & (age >= 6)
    no_school &= rng.random(n) < 0.5
    education[no_school] = _D[Education.NONE]
    in_school[no_school] = False
    return education, in_school


def _work(
    rng: np.random.Generator,
    age: np.ndarray,
    male: np.ndarray,
    urban: np.ndarray,
    labour: np.ndarray,
    in_school: np.ndarray,
) -> np.ndarray:
    n = age.size
    E = _E
    employment = np.full(n, E[Employment.NOT_WORKING], dtype=np.int8)
    working_age = (age >= 16) & (age < 60) & ~in_school & (labour != _L[LabourCapacity.NONE])
    m = working_age & urban
    employment[m] = _draw(
        rng,
        m,
        {
            E[Employment.EMPLOYED]: 0.55,
            E[Employment.FLEXIBLE]: 0.20,
            E[Employment.UNEMPLOYED]: 0.08,
            E[Employment.NOT_WORKING]: 0.12,
            E[Employment.FARMING]: 0.05,
        },
    )
    m = working_age & ~urban
    employment[m] = _draw(
        rng,
        m,
        {
            E[Employment.FARMING]: 0.38,
            E[Employment.FLEXIBLE]: 0.25,
            E[Employment.EMPLOYED]: 0.22,
            E[Employment.UNEMPLOYED]: 0.05,
            E[Employment.NOT_WORKING]: 0.10,
        },
    )
    # Urban women may retire at 50 or 55.
    early = urban & ~male & (age >= 50) & (age < 60) & (rng.random(n) < 0.5)
    employment[early] = E[Employment.RETIRED]
    m = (age >= 60) & urban
    employment[m] = _draw(
        rng, m, {E[Employment.RETIRED]: 0.72, E[Employment.NOT_WORKING]: 0.2, E[Employment.FLEXIBLE]: 0.08}
    )
    m = (age >= 60) & ~urban
    farming_age = (age < 75) & (labour != _L[LabourCapacity.NONE])
    employment[m] = np.where(
        farming_age[m],
        _draw(
            rng, m, {E[Employment.FARMING]: 0.55, E[Employment.RETIRED]: 0.1, E[Employment.NOT_WORKING]: 0.35}
        ),
        _draw(rng, m, {E[Employment.RETIRED]: 0.1, E[Employment.NOT_WORKING]: 0.9}),
    )
    old_no_labour = (age >= 60) & (labour == _L[LabourCapacity.NONE])
    employment[old_no_labour & (employment == E[Employment.FLEXIBLE])] = E[Employment.NOT_WORKING]
    employment[in_school] = E[Employment.STUDENT]
    return employment
