"""The online linker: Wikidata candidates for a node, checked, scored and explained.

For each node it searches Wikidata (wbsearchentities, language=zh) under its name (and, for a
park, the long form of the name: 西安高新区 → 西安高新技术产业开发区), reads the candidates'
claims (wbgetentities) and checks, each check adding a weight of kg/data/linker.toml and a
reason:

- name: the candidate's label, else one of its aliases, is the node's name in canonical form;
- class: an instance (P31) of a class fit for the node (a park: a development-zone-like
  class; a firm: a business), judged by the class's labels and, when those say nothing, its
  superclasses (P279); a candidate that is itself a class, or whose classes all belong to
  another kind of thing, is vetoed;
- location: located (P131, followed upwards) in a region the node lies in; a candidate
  located elsewhere is vetoed;
- country: P17 is the People's Republic of China (another country vetoes a park or region);
- code (regions): its administrative division code (P442) is the region's code.

A candidate whose QID the shipped table gives another kind of thing (a place for a park) is
vetoed. The best candidate is linked when its score reaches the threshold and no other comes
within the margin; otherwise the node goes to review.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg.derive.links import (
    KINDS,
    REVIEW_FIELDS,
    USER_FIELDS,
    Decision,
    Entry,
    Node,
    china_qid,
    merge_decisions,
    read_decisions,
    shipped_table,
    store_nodes,
    write_csv,
)
from kg.errors import LinkError
from kg.lang.canon import canonical_key
from kg.wikidata.client import Item, WikidataClient

SEARCH_LIMIT = 5  # candidates kept per node
PLACE_DEPTH = 4  # P131 steps followed upwards (district → city → province → country)
CLASS_DEPTH = 2  # P279 steps followed when a class's own labels say nothing
_LONG_FORMS = (("高新区", "高新技术产业开发区"), ("经开区", "经济技术开发区"))


@dataclass(frozen=True)
class Settings:
    """Weights, threshold, margin and class words of kg/data/linker.toml."""

    threshold: float
    margin: float
    weights: dict[str, float]
    good: dict[str, tuple[str, ...]]
    bad: dict[str, tuple[str, ...]]


def load_settings(path: Path | None = None) -> Settings:
    """Read the linker's settings (the shipped kg/data/linker.toml by default)."""
    if path is None:
        text = (resources.files("kg") / "data" / "linker.toml").read_text(encoding="utf-8")
        source = "kg/data/linker.toml"
    else:
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        data = tomllib.loads(text)
        weights = {k: float(v) for k, v in data["weights"].items()}
        missing = {"label", "alias", "class", "location", "country", "code"} - set(weights)
        if missing:
            raise LinkError(f"{source}: [weights] lacks {', '.join(sorted(missing))}")
        classes = data["classes"]
        return Settings(float(data["threshold"]), float(data["margin"]), weights,
                        {t: tuple(w.lower() for w in c["good"]) for t, c in classes.items()},
                        {t: tuple(w.lower() for w in c["bad"]) for t, c in classes.items()})
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LinkError(f"{source}: malformed linker settings ({exc})") from None


@dataclass
class Candidate:
    """A Wikidata item proposed for a node, its score and the reasons for it."""

    qid: str
    label: str = ""
    description: str = ""
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    veto: str = ""

    def explain(self) -> str:
        return "; ".join(([f"vetoed: {self.veto}"] if self.veto else []) + self.reasons)


@dataclass
class Proposal:
    """The candidates for one node, best first, and the verdict.

    `status` is "link" (the best passes the threshold with a clear margin), "review" (some
    candidate is plausible but not sure enough) or "none" (nothing plausible).
    """

    node: Node
    candidates: list[Candidate]
    status: str

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates and self.status != "none" else None


def search_terms(node: Node) -> list[str]:
    """The strings to search Wikidata for: the name, and a park's long form."""
    terms = [node.label]
    if node.type == "Park":
        for short, long in _LONG_FORMS:
            if node.label.endswith(short):
                terms.append(node.label[: -len(short)] + long)
    return terms


def _canon(name: str, type_: str) -> str:

    return canonical_key(name, type_)


def _code6(value: str) -> str:
    """A P442 value ("61 01", "610100000000") as six digits (610100)."""
    digits = "".join(c for c in value if c.isdigit())
    return (digits + "000000")[:6]


class Linker:
    """Proposes Wikidata items for nodes through a WikidataClient."""

    def __init__(self, client: WikidataClient, *, table: Iterable[Entry] | None = None,
                 settings: Settings | None = None, threshold: float | None = None,
                 progress: Callable[[Node], None] | None = None) -> None:
        self.client = client
        self.table = list(shipped_table() if table is None else table)
        self.settings = settings or load_settings()
        self.threshold = self.settings.threshold if threshold is None else threshold
        self.kinds = {e.qid: e for e in self.table}
        self.china = china_qid(self.table)
        self.progress = progress
        self._items: dict[str, Item | None] = {}

    # --- items, fetched once per run (and cached on disk by the client) -------------------------

    def _fetch(self, ids: Iterable[str]) -> dict[str, Item]:
        todo = [q for q in dict.fromkeys(ids) if q not in self._items]
        if todo:
            got = self.client.entities(todo)
            for q in todo:
                self._items[q] = got.get(q)
        return {q: it for q in ids if (it := self._items.get(q)) is not None}

    def _ancestors(self, item: Item) -> dict[str, str]:
        """QID → label of every place the item lies in (P131, followed upwards)."""
        out: dict[str, str] = {}
        frontier = list(item.claims.get("P131", []))
        for _ in range(PLACE_DEPTH):
            frontier = [q for q in dict.fromkeys(frontier) if q not in out]
            if not frontier:
                break
            got = self._fetch(frontier)
            nxt = []
            for q in frontier:
                out[q] = got[q].label() if q in got else ""
                if q in got:
                    nxt += got[q].claims.get("P131", [])
            frontier = nxt
        return out

    def _class_verdict(self, qid: str, node_type: str) -> tuple[str | None, str]:
        """("good" | "bad" | None, label) for a class item, looking up P279 when needed."""
        entry = self.kinds.get(qid)
        if entry is not None and entry.kind == "park-class":
            return ("good" if node_type == "Park" else "bad"), entry.label
        frontier, seen, first_label = [qid], set(), ""
        for _ in range(CLASS_DEPTH + 1):
            frontier = [q for q in frontier if q not in seen]
            if not frontier:
                break
            seen.update(frontier)
            got = self._fetch(frontier)
            nxt = []
            for q in frontier:
                item = got.get(q)
                if item is None:
                    continue
                first_label = first_label or item.label()
                ent = self.kinds.get(q)
                if ent is not None and ent.kind == "park-class":
                    return ("good" if node_type == "Park" else "bad"), first_label
                words = " ".join(item.names(("zh", "zh-hans", "zh-cn", "en"))).lower()
                if any(w in words for w in self.settings.bad.get(node_type, ())):
                    return "bad", first_label
                if any(w in words for w in self.settings.good.get(node_type, ())):
                    return "good", first_label
                nxt += item.claims.get("P279", [])
            frontier = nxt
        return None, first_label

    # --- scoring --------------------------------------------------------------------------------

    def score(self, node: Node, item: Item, hit_label: str = "") -> Candidate:
        """Check one candidate item against a node: its score, reasons and any veto."""
        w = self.settings.weights
        cand = Candidate(item.id, item.label() or hit_label, item.descriptions.get(
            "zh", item.descriptions.get("en", "")))
        score = 0.0
        entry = self.kinds.get(item.id)
        if entry is not None and node.type not in KINDS[entry.kind]:
            cand.veto = f"{item.id} is {entry.label} ({entry.kind}) in the shipped table"
            return cand
        names = {_canon(n, node.type) for n in (node.label, *node.aliases)}
        label = item.label("zh", "zh-hans", "zh-cn") or hit_label
        if label and _canon(label, node.type) in names:
            score += w["label"]
            cand.reasons.append(f"label {label} = name")
        elif any(_canon(n, node.type) in names for n in item.names()):
            score += w["alias"]
            cand.reasons.append("alias = name")
        else:
            cand.reasons.append(f"name differs ({label or '?'})")
        classes = item.claims.get("P31", [])
        if not classes and item.claims.get("P279"):
            cand.veto = "a class (P279), not an instance"
            return cand
        verdicts = [(q, *self._class_verdict(q, node.type)) for q in classes]
        good = [(q, lab) for q, v, lab in verdicts if v == "good"]
        bad = [(q, lab) for q, v, lab in verdicts if v == "bad"]
        if good:
            score += w["class"]
            cand.reasons.append(f"instance of {good[0][1] or good[0][0]} ({good[0][0]})")
        elif bad:
            cand.veto = f"instance of {bad[0][1] or bad[0][0]} ({bad[0][0]}), not a {node.type}"
            return cand
        else:
            cand.reasons.append("class not recognised" if classes else "no class (P31)")
        expected = {q: lab for lab, q in node.places if q}
        if expected:
            if not item.claims.get("P131"):
                cand.reasons.append("no location (P131)")
            else:
                ancestors = self._ancestors(item)
                hit = [q for q in expected if q in ancestors]
                if hit:
                    score += w["location"]
                    cand.reasons.append(f"in {expected[hit[0]]} ({hit[0]})")
                else:
                    first = item.claims["P131"][0]
                    where = ancestors.get(first) or first
                    cand.veto = (f"located in {where} ({first}), not in "
                                 f"{' / '.join(sorted(expected.values()))}")
                    return cand
        countries = item.claims.get("P17", [])
        if self.china and self.china in countries:
            score += w["country"]
            cand.reasons.append("country China")
        elif countries and self.china and node.type in ("Park", "Region"):
            cand.veto = f"country {countries[0]}, not China ({self.china})"
            return cand
        if node.type == "Region" and node.code:
            codes = [_code6(v) for v in item.claims.get("P442", [])]
            if node.code in codes:
                score += w["code"]
                cand.reasons.append(f"division code {node.code}")
            elif codes:
                cand.veto = f"division code {codes[0]}, not {node.code}"
                return cand
        cand.score = round(min(score, 1.0), 2)
        return cand

    def propose(self, node: Node, *, rejected: Iterable[str] = (),
                terms: Iterable[str] | None = None) -> Proposal:
        """Search, check and score the candidates for one node; decide link, review or none.
        `terms`: the strings to search for (default: `search_terms(node)`)."""
        if self.progress is not None:
            self.progress(node)
        rejected = set(rejected)
        hits: dict[str, str] = {}
        for term in search_terms(node) if terms is None else terms:
            for h in self.client.search(term):
                if h.id not in rejected:
                    hits.setdefault(h.id, h.label)
        ids = list(hits)[:SEARCH_LIMIT]
        items = self._fetch(ids)
        cands = [self.score(node, items[q], hits[q]) for q in ids if q in items]
        cands.sort(key=lambda c: (bool(c.veto), -c.score, int(c.qid[1:])))
        live = [c for c in cands if not c.veto and c.score > 0]
        if not live:
            return Proposal(node, cands, "none")
        best = live[0]
        clear = len(live) == 1 or live[1].score <= best.score - self.settings.margin
        if best.score >= self.threshold and clear:
            return Proposal(node, cands, "link")
        if best.score >= self.threshold:
            best.reasons.append(f"ambiguous: {live[1].qid} scores {live[1].score}")
        return Proposal(node, cands, "review")


def precision_recall(proposals: Iterable[Proposal], expected: dict[str, str | None]
                     ) -> tuple[float, float, list[str]]:
    """Precision and recall of the links made (status "link") against expected QIDs by IRI.

    Returns the two figures and the list of mistakes (wrong links and misses).
    """
    made = {p.node.iri: p.candidates[0].qid for p in proposals if p.status == "link"}
    correct = sum(1 for iri, q in made.items() if expected.get(iri) == q)
    wanted = sum(1 for q in expected.values() if q)
    errors = [f"{iri}: linked {q}, expected {expected.get(iri)}" for iri, q in made.items()
              if expected.get(iri) != q]
    errors += [f"{iri}: missed {q}" for iri, q in expected.items() if q and iri not in made]
    precision = correct / len(made) if made else 1.0
    recall = correct / wanted if wanted else 1.0
    return precision, recall, errors


def review_rows(proposals: Iterable[Proposal], *, per_node: int = 3) -> list[dict[str, Any]]:
    """Rows of a review file: up to `per_node` candidates per node, best first.

    A candidate the linker would link has its decision filled in as "accept"; the others are
    left empty for a person to write accept or reject.
    """
    rows = []
    for p in proposals:
        for i, c in enumerate(p.candidates[:per_node]):
            rows.append({
                "decision": "accept" if p.status == "link" and i == 0 else "",
                "type": p.node.type, "name": p.node.label, "qid": c.qid,
                "wikidata_label": c.label, "wikidata_description": c.description,
                "score": f"{c.score:.2f}", "reasons": c.explain(), "node": p.node.iri,
            })
    return rows


@dataclass
class OnlineResult:
    """What `kg link --online` did: nodes looked up, verdicts, requests and files written."""

    proposals: list[Proposal] = field(default_factory=list)
    requests: int = 0
    cache_hits: int = 0
    recorded: int = 0
    written: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for p in self.proposals if p.status == status)


def link_online(store: Any, client: WikidataClient, *, user_table: Path,
                review: Path | None = None, types: Iterable[str] = ("Park", "Enterprise", "Region"),
                threshold: float | None = None,
                progress: Callable[[Node], None] | None = None) -> OnlineResult:
    """Look up the store's unlinked nodes of `types` on Wikidata.

    With `review`, every node's candidates go to that CSV for a person to decide and nothing
    else changes; without it, the links that pass the threshold are recorded in the user table
    as "auto" decisions, which the next build applies. Nodes with a decision in the user table
    are skipped, and a QID rejected for a node is never proposed for it again.
    """

    types = tuple(types)
    decisions = read_decisions(user_table)
    decided = {(d.type, d.node or d.name) for d in decisions if d.decision != "reject"}
    rejected: dict[tuple[str, str], set[str]] = {}
    for d in decisions:
        if d.decision == "reject":
            rejected.setdefault((d.type, d.node or d.name), set()).add(d.qid)
    linker = Linker(client, threshold=threshold, progress=progress)
    result = OnlineResult()
    for node in store_nodes(store):
        keys = [(node.type, node.iri), (node.type, node.label)]
        if node.type not in types or node.qid or any(k in decided for k in keys):
            continue
        gone = set().union(*(rejected.get(k, set()) for k in keys))
        result.proposals.append(linker.propose(node, rejected=gone))
    result.requests, result.cache_hits = client.requests, client.cache_hits
    if review is not None:
        write_csv(review, REVIEW_FIELDS, review_rows(result.proposals))
        result.written.append(review)
        return result
    new = [Decision(p.node.type, p.node.label, p.candidates[0].qid, "auto",
                    f"{p.candidates[0].score:.2f}", p.candidates[0].explain(), p.node.iri)
           for p in result.proposals if p.status == "link"]
    if new:
        merged = merge_decisions(decisions, new)
        write_csv(user_table, USER_FIELDS, (d.row() for d in merged))
        result.written.append(user_table)
    result.recorded = len(new)
    return result
