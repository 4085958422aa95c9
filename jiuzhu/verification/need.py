"""The need degree (需求度) in [-2, 2] (DESIGN §2.4).

1. PCA over four standardised features — per-capita income and per-capita financial assets (both as
   multiples of the local standard), number of past applications and applications per year — gives one
   factor; its sign is fixed so that lower income means higher need, and it is scaled to unit variance.
2. A linear regression of that score on the program, the year, household size, dependency ratio and the
   share of members in work says what is expected of a household of that shape; the report shows both
   and the difference.
Fitting uses scikit-learn on the stored report history; applying the fitted parameters is plain
arithmetic, so a report costs no model loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from jiuzhu.core.vocab import Program

FEATURES = ("income_ratio", "asset_ratio", "applications", "frequency")
FEATURE_LABELS = {
    "income_ratio": "人均收入/低保标准",
    "asset_ratio": "人均金融资产/低保标准",
    "applications": "历史申请次数",
    "frequency": "年均申请频次",
}
PROGRAMS = Program.codes()  # one covariate each, in this order (stored with a fitted model)
COVARIATES = (*(f"program_{p}" for p in PROGRAMS), "year", "size", "dependency_ratio", "employed_share")
MIN_SAMPLES = 30
LIMIT = 2.0


def features_of(
    *,
    per_capita_income: Decimal,
    per_capita_assets: Decimal,
    standard: Decimal,
    applications: int,
    frequency: float,
) -> dict[str, float]:
    std = float(standard) or 1.0
    return {
        "income_ratio": float(per_capita_income) / std,
        "asset_ratio": float(per_capita_assets) / std,
        "applications": float(applications),
        "frequency": float(frequency),
    }


def covariates_of(
    *, program: str, year: int, size: int, dependency_ratio: float | None, employed_share: float
) -> dict[str, float]:
    out = {f"program_{p}": 1.0 if p == program else 0.0 for p in PROGRAMS}
    out.update(
        year=float(year),
        size=float(size),
        dependency_ratio=float(size if dependency_ratio is None else dependency_ratio),
        employed_share=float(employed_share),
    )
    return out


def fit(samples: list[tuple[dict[str, float], dict[str, float]]]) -> dict[str, Any]:
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import StandardScaler

    if len(samples) < MIN_SAMPLES:
        raise ValueError(f"样本不足：至少需要 {MIN_SAMPLES} 份核对报告，现有 {len(samples)} 份")
    x = np.array([[f[k] for k in FEATURES] for f, _ in samples])
    c = np.array([[cv[k] for k in COVARIATES] for _, cv in samples])
    scaler = StandardScaler().fit(x)
    # A feature with no variance (e.g. nobody has applied before) would divide by zero.
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    z = (x - scaler.mean_) / scale
    pca = PCA(n_components=1).fit(z)
    component = pca.components_[0]
    sign = -1.0 if component[0] > 0 else 1.0  # higher income must mean lower need
    scores = sign * (z @ component)
    sd = float(scores.std()) or 1.0
    y = scores / sd
    reg = LinearRegression().fit(c, y)
    return {
        "features": list(FEATURES),
        "covariates": list(COVARIATES),
        "mean": scaler.mean_.tolist(),
        "scale": scale.tolist(),
        "component": component.tolist(),
        "sign": sign,
        "sd": sd,
        "explained_variance_ratio": float(pca.explained_variance_ratio_[0]),
        "coef": reg.coef_.tolist(),
        "intercept": float(reg.intercept_),
        "r2": float(reg.score(c, y)),
    }


@dataclass
class NeedScore:
    degree: float
    expected: float
    contributions: dict[str, float]

    def explain(self) -> list[str]:
        level = (
            "很高"
            if self.degree >= 1
            else "较高"
            if self.degree >= 0.3
            else "一般"
            if self.degree > -0.3
            else "较低"
        )
        lines = [f"需求度 {self.degree:+.2f}（{level}；范围 -2 至 +2，越高越困难）"]
        diff = self.degree - self.expected
        compare = "高于" if diff > 0.05 else "低于" if diff < -0.05 else "接近"
        peers = "同类家庭（项目、年份、人口、抚养比、就业）"
        lines.append(f"{peers}预期 {self.expected:+.2f}，本户{compare}预期 {abs(diff):.2f}")
        ranked = sorted(self.contributions.items(), key=lambda kv: abs(kv[1]), reverse=True)
        for name, value in ranked[:3]:
            if abs(value) >= 0.05:
                effect = "推高" if value > 0 else "拉低"
                lines.append(f"{FEATURE_LABELS[name]}{effect}需求度 {abs(value):.2f}")
        return lines


def score(params: dict[str, Any], features: dict[str, float], covariates: dict[str, float]) -> NeedScore:
    x = np.array([features[k] for k in params["features"]])
    z = (x - np.array(params["mean"])) / np.array(params["scale"])
    parts = params["sign"] * np.array(params["component"]) * z / params["sd"]
    degree = float(np.clip(parts.sum(), -LIMIT, LIMIT))
    c = np.array([covariates[k] for k in params["covariates"]])
    expected = float(np.clip(c @ np.array(params["coef"]) + params["intercept"], -LIMIT, LIMIT))
    return NeedScore(
        round(degree, 2),
        round(expected, 2),
        {k: float(v) for k, v in zip(params["features"], parts, strict=True)},
    )
