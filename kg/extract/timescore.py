"""Score dates and observations (issue 16) against a time gold file: publication dates, fact
times and park observations, as docs/extraction-format.md "Scoring" says.

- An observation is right when its park resolves to the gold one (name or alias, through the
  entity gold), indicator, unit and period agree (the same span, however written: 2025-Q1/
  2025-Q3 is 2025-01/2025-09) and the value agrees within 1% (both null agree); precision,
  recall and F1, micro-averaged.
- A publication date is right when value and precision agree; articles are matched by title
  (spaces and punctuation aside, one title holding the other), else in order.
- A fact time is scored only where the system found the gold time's relation: right when value
  and precision agree; the share of gold times whose relation was found is reported beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kg.corpus import simplify_name
from kg.extract.records import Article, DocRecord, FactTime, Observation

SCORED = ("hosts", "built", "invests", "investor", "partOf")


@dataclass
class Accuracy:
    """Right answers over the items scored, and how many items there were in all."""

    right: int = 0
    scored: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.scored if self.scored else 0.0

    @property
    def coverage(self) -> float:
        return self.scored / self.total if self.total else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"accuracy": round(self.accuracy, 4), "right": self.right,
                "scored": self.scored, "total": self.total, "found": round(self.coverage, 4)}


@dataclass
class TimeReport:
    """Observation P/R/F1, publication-date and fact-time accuracy, and the error list."""

    obs_tp: int = 0
    obs_fp: int = 0
    obs_fn: int = 0
    published: Accuracy = field(default_factory=Accuracy)
    published_dated: Accuracy = field(default_factory=Accuracy)
    facts: Accuracy = field(default_factory=Accuracy)
    by_indicator: dict[str, list[int]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.obs_tp / (self.obs_tp + self.obs_fp) if self.obs_tp + self.obs_fp else 0.0

    @property
    def recall(self) -> float:
        return self.obs_tp / (self.obs_tp + self.obs_fn) if self.obs_tp + self.obs_fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "observations": {"precision": round(self.precision, 4),
                             "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                             "tp": self.obs_tp, "fp": self.obs_fp, "fn": self.obs_fn},
            "observations_by_indicator": {k: dict(zip(("tp", "fp", "fn"), v, strict=True))
                                          for k, v in sorted(self.by_indicator.items())},
            "publication_dates": self.published.to_json(),
            "publication_dates_dated": self.published_dated.to_json(),
            "fact_times": self.facts.to_json(),
        }


def format_times(report: TimeReport) -> str:
    """The time report as lines for people, beside `format_report`'s table."""
    o = report
    p, d, f = o.published, o.published_dated, o.facts
    return "\n".join([
        f"{'':14}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}",
        f"{'observations':14}{o.precision:7.3f}{o.recall:7.3f}{o.f1:7.3f}"
        f"{o.obs_tp:6}{o.obs_fp:6}{o.obs_fn:6}",
        f"publication dates: accuracy {p.accuracy:.3f} ({p.right}/{p.scored} articles; "
        f"dated in gold: {d.right}/{d.scored})",
        f"fact times: accuracy {f.accuracy:.3f} ({f.right}/{f.scored}; relations found for "
        f"{f.scored}/{f.total} gold times, {f.coverage:.3f})",
    ])


_NOT_TITLE = re.compile(r"[\s\W_]+")


def _title_key(title: str | None) -> str:
    return _NOT_TITLE.sub("", simplify_name(title)) if title else ""


class _Resolver:
    """Names of one document resolved to gold entities (name or alias, simplified)."""

    def __init__(self, gold: DocRecord | None, pred: DocRecord) -> None:
        self.forms: dict[str, set[int]] = {}
        self.gold = gold
        if gold is not None:
            for i, e in enumerate(gold.entities):
                for form in [e.name, *e.aliases]:
                    self.forms.setdefault(simplify_name(form), set()).add(i)
        self.pred_aliases: dict[str, list[str]] = {
            simplify_name(e.name): [simplify_name(a) for a in e.aliases
                                    if not a.startswith(("该", "这", "此"))]
            for e in pred.entities}

    def gold_ids(self, name: str | None) -> set[int]:
        """Gold entities a gold name names (its name first)."""
        if name is None:
            return set()
        key = simplify_name(name)
        if self.gold is not None:
            exact = {i for i, e in enumerate(self.gold.entities)
                     if simplify_name(e.name) == key}
            if exact:
                return exact
        return self.forms.get(key, set()) or {-hash(key)}

    def pred_ids(self, name: str | None) -> set[int]:
        """Gold entities a system name reaches by its name (or, failing that, its aliases)."""
        if name is None:
            return set()
        key = simplify_name(name)
        got = set(self.forms.get(key, set()))
        if not got:
            for alias in self.pred_aliases.get(key, []):
                got |= self.forms.get(alias, set())
        return got or {-hash(key)}


def _bounds(value: str) -> tuple[date, date] | None:
    """The first and last day of a time value (2025-Q3 → 1 July, 30 September; a range's
    ends); None when the value has no such form."""
    if "/" in value:
        a, _, b = value.partition("/")
        first, last = _bounds(a), _bounds(b)
        return (first[0], last[1]) if first and last else None
    m = re.fullmatch(r"(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])|H([12])))?", value)
    if m is None:
        return None
    year, month, day, quarter, half = m.groups()
    y = int(year)
    if day:
        d = date(y, int(month), int(day))
        return d, d
    lo, hi = 1, 12
    if month:
        lo = hi = int(month)
    elif quarter:
        lo, hi = 3 * int(quarter) - 2, 3 * int(quarter)
    elif half:
        lo, hi = 6 * int(half) - 5, 6 * int(half)
    end = date(y + hi // 12, hi % 12 + 1, 1) - timedelta(days=1)
    return date(y, lo, 1), end


def same_period(gold: str | None, predicted: str | None) -> bool:
    """True when two periods are the same span of time, however written: equal values, or
    a range and another value with the same first and last day (2025-Q1/2025-Q3 and
    2025-01/2025-09, the first three quarters)."""
    if gold == predicted:
        return True
    if gold is None or predicted is None or "/" not in gold + predicted:
        return False
    try:
        a, b = _bounds(gold), _bounds(predicted)
    except ValueError:
        return False
    return a is not None and a == b


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 0.01 * abs(b) if b else a == b


def score_times(predicted: Iterable[DocRecord], time_gold: Iterable[DocRecord],
                entity_gold: Iterable[DocRecord] = ()) -> TimeReport:
    """Compare the articles, fact times and observations of predicted records with a time
    gold file's (matched by doc_id); `entity_gold` resolves names to gold entities."""
    pred = {r.doc_id: r for r in predicted}
    ents = {r.doc_id: r for r in entity_gold}
    report = TimeReport()
    for g in time_gold:
        p = pred.get(g.doc_id, DocRecord(g.doc_id))
        res = _Resolver(ents.get(g.doc_id), p)
        _articles(p.articles, g.articles, g.doc_id, report)
        _facts(p, g.fact_times(), ents.get(g.doc_id), res, report)
        _observations(p.observations, g.observations, g.doc_id, res, report)
    return report


def _articles(pred: list[Article], gold: list[Article], doc_id: str, report: TimeReport
              ) -> None:
    left = list(range(len(pred)))
    pairs: list[tuple[Article, Article | None]] = []
    unmatched: list[Article] = []
    for ga in gold:
        gk = _title_key(ga.title)
        hit = None
        if gk:
            hit = next((i for i in left if _title_key(pred[i].title) == gk), None)
            if hit is None:
                hit = next((i for i in left if _title_key(pred[i].title)
                            and (gk in _title_key(pred[i].title)
                                 or _title_key(pred[i].title) in gk)), None)
        if hit is not None:
            left.remove(hit)
            pairs.append((ga, pred[hit]))
        else:
            unmatched.append(ga)
    for ga in unmatched:  # in order, among the articles no title matched
        hit = left.pop(0) if left else None
        pairs.append((ga, None if hit is None else pred[hit]))
    for ga, pa in pairs:
        for acc in (report.published, report.published_dated):
            if acc is report.published_dated and ga.published is None:
                continue
            acc.total += 1
            acc.scored += 1
            ok = pa is not None and pa.published == ga.published and (
                ga.published is None or pa.precision == ga.precision)
            acc.right += ok
        if pa is None or pa.published != ga.published or (
                ga.published is not None and pa.precision != ga.precision):
            report.errors.append({
                "doc_id": doc_id, "kind": "published", "title": ga.title,
                "gold": [ga.published, ga.precision],
                "predicted": None if pa is None else [pa.published, pa.precision, pa.text]})


def _facts(p: DocRecord, gold: list[FactTime], gent: DocRecord | None, res: _Resolver,
           report: TimeReport) -> None:
    amounts: dict[tuple[str, str], int | None] = {}
    if gent is not None:
        for r in gent.relations:
            if r.relation == "invests" and r.amount_text:
                amounts[(simplify_name(r.head), r.amount_text)] = r.amount_cny
    for gt in gold:
        report.facts.total += 1
        heads = res.gold_ids(gt.head)
        found = None
        for r in p.relations:
            if r.relation != gt.relation or not (res.pred_ids(r.head) & heads):
                continue
            if r.relation == "invests":
                want = amounts.get((simplify_name(gt.head), gt.tail or ""))
                same = r.amount_text == gt.tail or (
                    want is not None and r.amount_cny is not None and _close(r.amount_cny, want))
                if not same:
                    continue
            elif not (res.pred_ids(r.tail) & res.gold_ids(gt.tail)):
                continue
            found = r
            if r.time is not None:
                break
        if found is None:
            continue
        report.facts.scored += 1
        t = found.time
        ok = t is not None and t.value == gt.time.value and t.precision == gt.time.precision
        report.facts.right += ok
        if not ok:
            report.errors.append({
                "doc_id": p.doc_id, "kind": "fact_time", "head": gt.head,
                "relation": gt.relation, "tail": gt.tail,
                "gold": [gt.time.value, gt.time.precision, gt.time.text],
                "predicted": None if t is None else [t.value, t.precision, t.text]})


def _observations(pred: list[Observation], gold: list[Observation], doc_id: str,
                  res: _Resolver, report: TimeReport) -> None:
    used: set[int] = set()
    for po in pred:
        parks = res.pred_ids(po.park)
        hit = None
        for i, go in enumerate(gold):
            if i in used or go.indicator != po.indicator or go.unit != po.unit:
                continue
            if not same_period(go.period.value if go.period else None,
                               po.period.value if po.period else None):
                continue
            if not _close(po.value, go.value) or not (res.gold_ids(go.park) & parks):
                continue
            hit = i
            break
        row = report.by_indicator.setdefault(po.indicator, [0, 0, 0])
        if hit is not None:
            used.add(hit)
            report.obs_tp += 1
            row[0] += 1
        else:
            report.obs_fp += 1
            row[1] += 1
            report.errors.append({"doc_id": doc_id, "kind": "observation",
                                  "error": "false positive", **_obs(po)})
    for i, go in enumerate(gold):
        if i not in used:
            report.obs_fn += 1
            report.by_indicator.setdefault(go.indicator, [0, 0, 0])[2] += 1
            report.errors.append({"doc_id": doc_id, "kind": "observation", "error": "miss",
                                  **_obs(go)})


def _obs(o: Observation) -> dict[str, Any]:
    return {"park": o.park, "indicator": o.indicator, "value": o.value, "unit": o.unit,
            "period": o.period.value if o.period else None, "growth_pct": o.growth_pct,
            "text": o.text}


__all__ = ["Accuracy", "TimeReport", "format_times", "same_period", "score_times"]
