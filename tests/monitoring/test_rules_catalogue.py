"""The rule set as a whole: it compiles on both engines, reads only feeds and settings that exist, and
the payment holds are the ones policy requires."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.batch.rules.compiler import rule_sql, rules_sql
from jiuzhu.batch.rules.model import Rule
from jiuzhu.batch.rules.schema import FEED_FIELDS
from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.monitoring.rules import RULES, RULES_BY_CODE
from jiuzhu.policy.models import PolicyVersion

from .tables import DEFAULTS


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_every_rule_compiles(rule: Rule, engine: str) -> None:
    assert rule_sql(rule, engine, date(2026, 11, 30)).startswith("SELECT")  # type: ignore[arg-type]


def test_the_set_compiles_as_one_statement() -> None:
    sql = rules_sql(RULES, "duckdb", date(2026, 11, 30))
    assert sql.count("UNION ALL") == len(RULES) - 1


def test_codes_are_unique() -> None:
    assert len(RULES_BY_CODE) == len(RULES)


def test_holds_payment_exactly_on_the_rules_that_stop_a_payment() -> None:
    assert {r.code for r in RULES if r.holds_payment} == {
        "death",
        "hukou_cancelled",
        "detained",
        "vehicle_acquired",
        "property_acquired",
        "business_registered",
        "absent",
        "duplicate_household",
        "duplicate_county",
        "duplicate_program",
        "duplicate_account",
    }


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_feeds_and_fields_exist_in_the_catalogue(rule: Rule) -> None:
    for code in filter(None, (rule.feed, *rule.feeds)):
        columns = FEEDS[code].column_map
        for name in FEED_FIELDS.get(code, ()):
            assert name in columns, (code, name)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_settings_are_policy_fields(rule: Rule) -> None:
    names = {f.name for f in PolicyVersion._meta.get_fields()}
    assert set(rule.settings) <= names


def test_dispatch_is_complete() -> None:
    for rule in RULES:
        assert rule.action and rule.sources and rule.name, rule.code
        assert rule.outcome in ("stop", "adjust", "assist"), rule.code
        assert rule.deadline_days > 0
        assert (rule.purpose == "lead") == (rule.role == "village_assistant"), rule.code
        assert rule.population != "outside" or rule.purpose == "lead", rule.code


def test_test_defaults_are_the_policy_defaults() -> None:
    fields = {f.name: f for f in PolicyVersion._meta.get_fields()}
    for name, value in DEFAULTS.items():
        default = fields[name].get_default()  # type: ignore[union-attr]
        if isinstance(default, list):
            assert ",".join(default) == value
        else:
            assert str(default) == str(value) or float(default) == float(value), name


@pytest.mark.parametrize("length", [0, -1, "6", 2.5])
def test_prefix_needs_a_positive_whole_length(length: object) -> None:
    from dataclasses import replace

    from jiuzhu.batch.rules.compiler import RuleError
    from jiuzhu.monitoring.rules import ABSENT

    bad = replace(ABSENT, when=("eq", ("prefix", "f.region", length), ("lit", "440305")))
    with pytest.raises(RuleError, match="prefix"):
        rule_sql(bad, "duckdb", date(2026, 11, 30))


def test_a_field_of_a_further_feed_is_known_and_of_another_feed_is_not() -> None:
    from dataclasses import replace

    from jiuzhu.batch.rules.compiler import RuleError
    from jiuzhu.monitoring.rules import INCOME_UP

    ok = replace(INCOME_UP, when=("eq", "f.income_type", ("lit", "business")))
    assert "income_type" in rule_sql(ok, "duckdb", date(2026, 11, 30))
    with pytest.raises(RuleError, match="plate"):
        rule_sql(replace(INCOME_UP, when=("eq", "f.plate", ("lit", "x"))), "duckdb", date(2026, 11, 30))
