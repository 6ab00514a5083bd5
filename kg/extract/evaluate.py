"""Score extraction records against gold annotations: P/R/F1 per type, per relation, per rule.

Scoring follows docs/extraction-format.md: a prediction is right when its type (or
relation) matches a gold item and its name is that item's name or one of its aliases; several
predictions of one gold item count once; `invests` amounts must agree within 1%.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.corpus import Document, iter_files, read_document, simplify_name
from kg.errors import InputError
from kg.extract.records import DocRecord, Entity, Relation, read_jsonl
from kg.lang.rules import rule_confidence

SCORED_RELATIONS = ("hosts", "built", "invests", "investor", "partOf")
UNSCORED_SHOWN = 5  # gold document ids a warning or error names


@dataclass
class Score:
    """True positives, false positives and misses of one kind of item."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Report:
    """Scores per entity type, per relation, micro totals, rule firings and the error list."""

    entities: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    relations: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    rules: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    errors: list[dict[str, Any]] = field(default_factory=list)
    times: Any = None  # a kg.extract.timescore.TimeReport when a time gold file was given

    def total(self, table: dict[str, Score], keys: Iterable[str] | None = None) -> Score:
        out = Score()
        for k, s in table.items():
            if keys is None or k in keys:
                out.tp += s.tp
                out.fp += s.fp
                out.fn += s.fn
        return out

    def to_json(self) -> dict[str, Any]:
        out = self._to_json()
        if self.times is not None:
            out["times"] = self.times.to_json()
        return out

    def _to_json(self) -> dict[str, Any]:
        return {
            "entities": {k: v.to_json() for k, v in sorted(self.entities.items())},
            "entities_micro": self.total(self.entities).to_json(),
            "relations": {k: v.to_json() for k, v in sorted(self.relations.items())},
            "relations_micro": self.total(self.relations).to_json(),
            "core_relations_micro": self.total(
                self.relations, ("hosts", "built", "invests")).to_json(),
            "rules": {k: {"precision": round(v.precision, 4), "fired": v.tp + v.fp}
                      for k, v in sorted(self.rules.items())},
        }


def _index(entities: list[Entity]) -> dict[tuple[str, str], int]:
    """(type, surface form) → gold entity number; a form may only name one entity per type."""
    idx: dict[tuple[str, str], int] = {}
    for i, e in enumerate(entities):
        for form in [e.name, *e.aliases]:
            idx.setdefault((e.type, form), i)
    return idx


def _any_type(entities: list[Entity]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = defaultdict(set)
    for i, e in enumerate(entities):
        for form in [e.name, *e.aliases]:
            out[form].add(i)
    return out


def _sentence(r: Relation | None) -> str:
    return r.evidence[0].sentence if r is not None and r.evidence else ""


def _sentence_of(text: str, *forms: str | None) -> str:
    """The first sentence of `text` that holds one of `forms` (empty when none does)."""
    for form in forms:
        if not form:
            continue
        i = text.find(form)
        if i >= 0:
            lo = max(text.rfind(c, 0, i) for c in "。！？；\n") + 1
            ends = [j for j in (text.find(c, i + len(form)) for c in "。！？；\n") if j >= 0]
            return text[lo : (min(ends) + 1 if ends else len(text))].strip()
    return ""


def score(predicted: Iterable[DocRecord], gold: Iterable[DocRecord]) -> Report:
    """Compare predicted records with gold ones (matched by doc_id; missing docs count as empty).

    Names on both sides are compared in simplified characters: extraction reads traditional
    text as simplified (names resolve to one node), gold keeps the characters of the text.
    """
    pred = {r.doc_id: _simplified(r) for r in predicted}
    report = Report()
    for g in gold:
        p = pred.get(g.doc_id, DocRecord(g.doc_id))
        _score_doc(p, _simplified(g), report)
    return report


def read_gold(path: Path) -> list[DocRecord]:
    """The gold records of a JSONL file (extraction-format), for `score`.

    Raises InputError naming the file (and the line, for a bad record) when it cannot be read.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read gold file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read gold file (not UTF-8: {exc.reason})") from None
    try:
        return list(read_jsonl(text.splitlines(), source=str(path)))
    except ValueError as exc:
        raise InputError(str(exc)) from None


def evaluate_files(paths: Iterable[Path], gold_path: Path, *,
                   pkuseg_model: str | Path | None = None,
                   warn: Callable[[str], None] | None = None,
                   times_path: Path | None = None,
                   dates: dict[str, str] | None = None) -> Report:
    """Score the extraction of the files under `paths` against the gold file (what `kg eval` does).

    Only the documents both the gold file and `paths` hold are extracted (in this process) and
    scored: a gold document with no file among `paths` is left out, and `warn` is told how
    many (with up to five ids); no document in common raises InputError. An unreadable file
    goes to `warn` (or raises InputError without it). With `times_path`, a time gold file
    (dates and observations), the report's `times` scores those too (kg.extract.timescore);
    `dates` (a side file read by kg.corpus.articles.read_date_file) dates the documents whose
    text shows no date.
    """
    gold = read_gold(gold_path)
    time_gold = read_gold(times_path) if times_path is not None else None
    wanted = {g.doc_id for g in gold} | {g.doc_id for g in time_gold or []}
    docs = [d for d in _documents(paths, warn) if d.doc_id in wanted]
    given = {d.doc_id for d in docs}
    if not given:
        some = ", ".join(sorted(wanted)[:UNSCORED_SHOWN]) or "none"
        raise InputError(f"{gold_path}: no gold document is among the files given (gold "
                         f"documents: {some}{', …' if len(wanted) > UNSCORED_SHOWN else ''}); "
                         "a document's id is its path under the folder given, without extension")
    missing = sorted(wanted - given)
    if missing and warn is not None:
        shown = ", ".join(missing[:UNSCORED_SHOWN])
        more = ", …" if len(missing) > UNSCORED_SHOWN else ""
        warn(f"{len(missing)} of the {len(wanted)} gold documents are not among the files "
             f"given and are not scored: {shown}{more}")
    gold = [g for g in gold if g.doc_id in given]
    time_gold = None if time_gold is None else [g for g in time_gold if g.doc_id in given]
    if time_gold is None:
        return score(_extract(docs, pkuseg_model, dates), gold)
    from kg.extract.timescore import score_times

    records = list(_extract(docs, pkuseg_model, dates))
    report = score(records, gold)
    report.times = score_times(records, time_gold, gold)
    report.errors += report.times.errors
    return report


def _documents(paths: Iterable[Path], warn: Callable[[str], None] | None
               ) -> Iterator[Document]:
    for path in iter_files(paths, warn):
        try:
            yield read_document(path, warn=warn)
        except InputError as exc:
            if warn is None:
                raise
            warn(str(exc))


def _extract(docs: list[Document], pkuseg_model: str | Path | None,
             dates: dict[str, str] | None = None) -> Iterator[DocRecord]:
    if not docs:  # nothing to extract: the pipeline (and its model) is not even loaded
        return
    # spaCy loads here only: scoring given records (`score`) needs none of it
    from kg.extract.extractor import extract_one
    from kg.nlp.pipeline import build_nlp  # heavy: spaCy loads only when extracting

    nlp = build_nlp(pkuseg_model=None if pkuseg_model is None else str(pkuseg_model))
    from kg.corpus.articles import side_date

    for doc in docs:
        yield extract_one(doc, nlp, published=side_date(dates, doc.path, doc.doc_id))


def _simplified(rec: DocRecord) -> DocRecord:
    """A copy of `rec` whose names, aliases and relation ends are in simplified characters."""
    fold = simplify_name
    return replace(
        rec,
        entities=[replace(e, name=fold(e.name), aliases=[fold(a) for a in e.aliases])
                  for e in rec.entities],
        relations=[replace(r, head=fold(r.head), tail=fold(r.tail) if r.tail else r.tail)
                   for r in rec.relations],
    )


def _score_doc(p: DocRecord, g: DocRecord, report: Report) -> None:
    gidx = _index(g.entities)
    gforms = _any_type(g.entities)
    hit: set[int] = set()
    pred_to_gold: dict[str, set[int]] = defaultdict(set)
    for e in p.entities:
        forms = [e.name]
        gi = gidx.get((e.type, e.name))
        # a predicted entity's names point at gold entities of any type (for relation ends)
        for f in [e.name, *e.aliases]:
            if f in gforms and not f.startswith(("该", "这", "此")):
                pred_to_gold[e.name] |= {i for i in gforms[f] if g.entities[i].name == f
                                         or f == e.name}
        if gi is not None:
            pred_to_gold[e.name].add(gi)
            if gi in hit:
                continue
            hit.add(gi)
            report.entities[e.type].tp += 1
            report.rules[e.rule or f"{e.type}.?"].tp += 1
        else:
            report.entities[e.type].fp += 1
            report.rules[e.rule or f"{e.type}.?"].fp += 1
            report.errors.append({"doc_id": p.doc_id, "kind": "entity", "error": "false positive",
                                  "type": e.type, "name": e.name,
                                  "sentence": _sentence_of(p.text, e.name)})
        del forms
    for i, e in enumerate(g.entities):
        if i not in hit:
            report.entities[e.type].fn += 1
            report.errors.append({"doc_id": g.doc_id, "kind": "entity", "error": "miss",
                                  "type": e.type, "name": e.name,
                                  "sentence": _sentence_of(p.text, e.name, *e.aliases)})
    gold_rels: dict[tuple[Any, ...], Relation] = {}
    for r in g.relations:
        if r.relation == "invests" and r.amount_cny is None:
            continue  # an amount in another currency: scoring leaves it aside (the guidelines)
        gh = gidx_any(g, r.head)
        gt = gidx_any(g, r.tail) if r.relation != "invests" else None
        gold_rels[(r.relation, gh, gt if r.relation != "invests" else r.amount_cny)] = r
    matched: set[tuple[Any, ...]] = set()
    for r in p.relations:
        if r.relation not in SCORED_RELATIONS or (r.relation == "invests" and
                                                  r.amount_cny is None):
            continue
        heads = pred_to_gold.get(r.head, set())
        tails = pred_to_gold.get(r.tail, set()) if r.relation != "invests" else set()
        found = None
        for key, gr in gold_rels.items():
            if key[0] != r.relation or key[1] not in heads:
                continue
            if r.relation == "invests":
                ok = gr.amount_cny is not None and r.amount_cny is not None and \
                    abs(gr.amount_cny - r.amount_cny) <= 0.01 * abs(gr.amount_cny)
            else:
                ok = key[2] in tails
            if ok:
                found = key
                break
        rule = r.evidence[0].rule if r.evidence else f"{r.relation}.?"
        if found is not None:
            if found in matched:
                continue
            matched.add(found)
            report.relations[r.relation].tp += 1
            report.rules[rule].tp += 1
        else:
            report.relations[r.relation].fp += 1
            report.rules[rule].fp += 1
            report.errors.append({"doc_id": p.doc_id, "kind": "relation", "error": "false positive",
                                  "relation": r.relation, "head": r.head,
                                  "tail": r.tail if r.relation != "invests" else r.amount_text,
                                  "rule": rule, "sentence": _sentence(r)})
    for key, gr in gold_rels.items():
        if key not in matched:
            report.relations[gr.relation].fn += 1
            tail = gr.tail if gr.relation != "invests" else gr.amount_text
            report.errors.append({"doc_id": g.doc_id, "kind": "relation", "error": "miss",
                                  "relation": gr.relation, "head": gr.head, "tail": tail,
                                  "sentence": _sentence_of(p.text, tail, gr.head)})


def gidx_any(g: DocRecord, name: str | None) -> int | None:
    """The gold entity whose name is `name` (relations name entities by their name)."""
    for i, e in enumerate(g.entities):
        if e.name == name:
            return i
    for i, e in enumerate(g.entities):
        if name in e.aliases:
            return i
    return None


def format_report(report: Report) -> str:
    """A plain-text table of the report for people."""
    lines = [f"{'':14}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]

    def row(name: str, s: Score) -> None:
        lines.append(f"{name:14}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.tp:6}{s.fp:6}{s.fn:6}")

    for k, s in sorted(report.entities.items()):
        row(k, s)
    row("entities", report.total(report.entities))
    for k, s in sorted(report.relations.items()):
        row(k, s)
    row("relations", report.total(report.relations))
    row("hosts+built+invests", report.total(report.relations, ("hosts", "built", "invests")))
    return "\n".join(lines)


def rule_table(report: Report) -> str:
    """Each rule's precision and how often it fired here, beside the confidence its facts carry
    (its precision on the real-news development set, kg/data/rule-precision.csv; - if none)."""
    counts = Counter({k: v.tp + v.fp for k, v in report.rules.items()})
    shipped = rule_confidence()
    lines = [f"{'rule':34}{'fired':>7}{'P':>7}{'shipped':>9}"]
    for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        conf = shipped.get(k, "-")
        lines.append(f"{k:34}{n:7}{report.rules[k].precision:7.3f}{conf:>9}")
    return "\n".join(lines)
