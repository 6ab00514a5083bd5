"""Scoring of observations: a period agrees when it is the same span of time, however the
gold and the system write it (kg.extract.timescore.same_period)."""

from __future__ import annotations

import pytest

from kg.extract.records import DocRecord, Entity, Observation, TimeValue
from kg.extract.timescore import same_period, score_times


@pytest.mark.parametrize(("gold", "predicted", "same"), [
    ("2025-01/2025-09", "2025-Q1/2025-Q3", True),  # 前三季度 in months or in quarters
    ("2024-H1", "2024-01/2024-06", True),
    ("2020/2023", "2020-01/2023-12", True),
    ("2024-Q1", "2024-01", False),  # a month is not its quarter
    ("2023", "2024", False),
    (None, "2024", False),
    (None, None, True),
])
def test_same_period(gold: str | None, predicted: str | None, same: bool) -> None:
    assert same_period(gold, predicted) is same


def test_an_observation_with_the_period_written_otherwise_is_right() -> None:
    def record(period: str) -> DocRecord:
        obs = Observation("南湖高新区", "gdp", 229_220_000_000, "CNY",
                          TimeValue(period, "range", "前三季度"), 6.7, "GDP总量达2292.2亿元")
        return DocRecord("d", [Entity("南湖高新区", "Park")], [], observations=[obs])

    report = score_times([record("2025-Q1/2025-Q3")], [record("2025-01/2025-09")],
                         [record("2025-01/2025-09")])
    assert (report.obs_tp, report.obs_fp, report.obs_fn) == (1, 0, 0)
