"""Register zones reconciled with Wikidata: candidates by name, province and type, for review.

`kg link --online --zones` looks the zones of kg/data/zones.csv up through the online linker
(kg.wikidata.linker): a zone is a Park node named by its official name, its former names and the
short forms that keep its places (杭州高新技术产业开发区, 杭州高新区), lying in its province (and
prefecture, where the register gives one), so a candidate located in another province is vetoed.
Its type is one more check: a candidate with a class named like the zone's type
([zone_types] of kg/data/linker.toml) gains the weight `type`; one whose classes name only other
types is vetoed. Every zone's candidates go to a review file; `kg link --accept FILE --zones`
records the decisions in kg/data/zone_wikidata.csv, which builds read (kg.derive.zones).
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from kg.derive.links import REVIEW_FIELDS, Entry, Node, read_table_text, shipped_table, write_csv
from kg.derive.zones import ZONE_LINK_FIELDS, ZoneLink, read_zone_links
from kg.errors import LinkError
from kg.lang.places import gazetteer
from kg.lang.zones import Zone, short_forms, zones
from kg.rdf.mapping import zone_iri
from kg.wikidata.client import Item, WikidataClient
from kg.wikidata.linker import Candidate, Linker, OnlineResult, review_rows

SCOPES = ("named", "national", "all")


def zone_type_words() -> dict[str, tuple[str, ...]]:
    """[zone_types] of kg/data/linker.toml: zone type → words of a class naming it."""
    text = (resources.files("kg") / "data" / "linker.toml").read_text(encoding="utf-8")
    try:
        table = tomllib.loads(text).get("zone_types", {})
        return {t: tuple(w.lower() for w in words) for t, words in table.items()}
    except (tomllib.TOMLDecodeError, AttributeError) as exc:
        raise LinkError(f"kg/data/linker.toml: malformed [zone_types] ({exc})") from None


def zone_node(zone: Zone, places: dict[str, str]) -> Node:
    """A register zone as a node for the linker: its names and the regions it lies in, with
    their QIDs from the shipped table (`places`: region name → QID)."""
    gaz = gazetteer()
    regions = [gaz.by_code[c] for c in (zone.province, zone.division) if c in gaz.by_code]
    names = [n for name in (zone.name, *zone.former)
             for n in sorted(short_forms(name, drop_places=False)) if n != zone.name]
    return Node(str(zone_iri(zone.province, zone.name)), "Park", zone.name,
                tuple(dict.fromkeys(names)),
                places=tuple((d.name, places.get(d.name)) for d in regions))


def search_terms(zone: Zone) -> list[str]:
    """What to search Wikidata for: the official name, former names, and the short form that
    keeps the places and ends in the shortest suffix (杭州高新区)."""
    terms = [zone.name, *zone.former]
    kept = sorted(short_forms(zone.name, drop_places=False) - {zone.name}, key=len)
    return list(dict.fromkeys(terms + kept[:1]))


class ZoneLinker(Linker):
    """The online linker with one more check for register zones: the zone's type."""

    def __init__(self, client: WikidataClient, types: dict[str, str], **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.zone_types = types  # node IRI → zone type
        self.type_words = zone_type_words()

    def score(self, node: Node, item: Item, hit_label: str = "") -> Candidate:
        """The linker's checks, then the zone's type against the candidate's classes."""
        cand = super().score(node, item, hit_label)
        if cand.veto:
            return cand
        if not any(q for _, q in node.places) and item.claims.get("P131"):
            # regions without a QID in the shipped table: compared by their names
            where = {lab for lab in self._ancestors(item).values() if lab}
            names = {n for n, _ in node.places}
            if where and not where & names:
                first = item.claims["P131"][0]
                cand.veto = (f"located in {self._ancestors(item).get(first) or first} "
                             f"({first}), not in {' / '.join(sorted(names))}")
                cand.score = 0.0
                return cand
            if where & names:
                cand.score = round(min(cand.score + self.settings.weights["location"], 1.0), 2)
                cand.reasons.append(f"in {sorted(where & names)[0]}")
        own = self.type_words.get(self.zone_types.get(node.iri, ""), ())
        if not own:
            return cand
        labels = [" ".join(it.names(("zh", "zh-hans", "zh-cn", "en"))).lower()
                  for it in self._fetch(item.claims.get("P31", [])).values()]
        if any(w in text for text in labels for w in own):
            cand.score = round(min(cand.score + self.settings.weights.get("type", 0.0), 1.0), 2)
            cand.reasons.append(f"class names its type {self.zone_types[node.iri]}")
            return cand
        others = {t for t, words in self.type_words.items() if not set(words) & set(own)
                  for text in labels if any(w in text for w in words)}
        if others:
            cand.veto = f"a class names {' / '.join(sorted(others))}, not " \
                        f"{self.zone_types[node.iri]}"
            cand.score = 0.0
        return cand


def link_zones(client: WikidataClient, register: Iterable[Zone], *, review: Path,
               table: Path, threshold: float | None = None,
               progress: Callable[[Node], None] | None = None,
               shipped: Iterable[Entry] | None = None) -> OnlineResult:
    """Look the zones of `register` up on Wikidata and write every candidate to `review`.

    Zones with an accepted item in `table` (the zone link table) are skipped, and an item
    rejected for a zone there is not proposed again. The linker's verdict fills the review's
    decision column only where it would link; a person decides the rest.
    """
    done = read_zone_table(table)
    accepted = {z.name for z in done if z.decision == "accept"}
    rejected: dict[str, set[str]] = {}
    for z in done:
        if z.decision == "reject":
            rejected.setdefault(z.name, set()).add(z.qid)
    entries = list(shipped_table() if shipped is None else shipped)
    places = {n: e.qid for e in entries if e.kind == "place" for n in e.names}
    todo = [z for z in register if z.name not in accepted]
    nodes = [zone_node(z, places) for z in todo]
    linker = ZoneLinker(client, {n.iri: z.type for n, z in zip(nodes, todo, strict=True)},
                        table=entries, threshold=threshold, progress=progress)
    result = OnlineResult()
    for zone, node in zip(todo, nodes, strict=True):
        result.proposals.append(linker.propose(node, rejected=rejected.get(zone.name, ()),
                                               terms=search_terms(zone)))
    result.requests, result.cache_hits = client.requests, client.cache_hits
    write_csv(review, REVIEW_FIELDS, review_rows(result.proposals))
    result.written.append(review)
    return result


def read_zone_table(path: Path) -> list[ZoneLink]:
    """The zone link table at `path` ([] when there is none)."""
    if not path.exists():
        return []
    return read_zone_links(read_table_text(path, "zone link table"), str(path))


def accept_zones(review: Path, table: Path) -> tuple[int, int, int]:
    """Record the decisions of a reviewed zone file in the zone link table: (accepted,
    rejected, undecided rows). A zone's new accepted item replaces its old one; the table is
    validated as a whole before it is written, all or nothing."""
    try:
        text = review.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LinkError(f"{review}: cannot read the review file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise LinkError(f"{review}: the review file is not UTF-8") from None
    rows = csv.DictReader(text.splitlines())
    missing = {"decision", "name", "qid", "score", "reasons"} - set(rows.fieldnames or ())
    if missing:
        raise LinkError(f"{review}: missing column(s) {', '.join(sorted(missing))} "
                        "(a file written by kg link --online --zones --review)")
    names = {z.name for z in zones()}
    new: list[ZoneLink] = []
    undecided = 0
    for n, row in enumerate(rows, start=2):
        decision = (row.get("decision") or "").strip().lower()
        if not decision:
            undecided += 1
            continue
        if decision not in ("accept", "reject"):
            raise LinkError(f"{review}:{n}: decision {decision!r} is not accept, reject or empty")
        name = (row.get("name") or "").strip()
        if name not in names:
            raise LinkError(f"{review}:{n}: {name!r} is no zone of kg/data/zones.csv")
        new.append(ZoneLink(name, (row.get("qid") or "").strip(), decision,
                            (row.get("score") or "").strip(), (row.get("reasons") or "").strip()))
    old = read_zone_table(table)
    renewed = {z.name for z in new if z.decision == "accept"}
    decided = {(z.name, z.qid) for z in new}
    kept = [z for z in old if (z.name, z.qid) not in decided
            and not (z.decision == "accept" and z.name in renewed)]
    merged = sorted(kept + new, key=lambda z: (z.name, z.decision, z.qid))
    rows_out = [z.row() for z in merged]
    read_zone_links(_csv_text(rows_out), str(table))  # (validated as the file it becomes)
    write_csv(table, ZONE_LINK_FIELDS, rows_out)
    return (sum(z.decision == "accept" for z in new), sum(z.decision == "reject" for z in new),
            undecided)


def _csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(ZONE_LINK_FIELDS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def scope_zones(scope: str, named: Iterable[str] = ()) -> list[Zone]:
    """The register zones to look up: those the built graph names ("named", by official
    name), every national zone, or the whole register."""
    if scope not in SCOPES:
        raise LinkError(f"zone scope {scope!r} is not one of {', '.join(SCOPES)}")
    if scope == "all":
        return list(zones())
    if scope == "national":
        return [z for z in zones() if z.level == "national"]
    wanted = set(named)
    return [z for z in zones() if z.name in wanted]
