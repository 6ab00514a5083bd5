"""Park mentions resolved to the register end to end: extraction, RDF, the derived zones graph.

    python scripts/zone_end_to_end.py [--texts DIR] [--labels LABELS.tsv]

Extracts the seeds (seeds/) and the real development texts present under tests/real/texts,
maps the records to RDF and derives the graphs a build derives (kg.derive.links.add_links,
with no user link table), then, for every gold Park entity (tests/gold/seeds.jsonl,
tests/real/gold/dev-*.jsonl) finds the Park node of its document that carries one of its names
and reads the zone the graph gives it (pk:registerZone). Compared with the hand-judged zone of
tests/gold/park-zones.tsv. Prints per set: gold Park entities, those that are register zones,
those with a Park node, nodes with a zone, correct zones, precision (correct / with a zone)
and recall (correct / register zones); then every error and the zones given to Park nodes no
gold entity names (not judged).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import SKOS

from kg.corpus import read_document, simplify_name
from kg.derive.links import ZONES_GRAPH, add_links
from kg.extract.extractor import extract
from kg.nlp.pipeline import build_nlp
from kg.rdf.mapping import graph_iri, to_graph
from kg.vocab import PK

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TEXTS = ROOT / "tests" / "real" / "texts"
LABELS = ROOT / "tests" / "gold" / "park-zones.tsv"
sys.path.insert(0, str(ROOT / "scripts"))
from zone_resolution import read_labels  # noqa: E402  (the labels' one reader)


def gold_sets(texts: Path) -> list[tuple[str, list[dict], list[Path]]]:
    """(set name, gold records, text files) of the seeds and of each development file, only
    the documents whose text is present."""
    out = []
    files = [(ROOT / "tests" / "gold" / "seeds.jsonl", SEEDS),
             *((p, texts) for p in sorted((ROOT / "tests" / "real" / "gold").glob("dev-*.jsonl")))]
    for path, folder in files:
        recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        recs = [r for r in recs if (folder / f"{r['doc_id']}.txt").exists()]
        out.append((path.name.removesuffix(".jsonl"), recs,
                    [folder / f"{r['doc_id']}.txt" for r in recs]))
    return out


def main(argv: list[str]) -> int:
    """Extract, build, derive and score; print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=Path, default=TEXTS)
    ap.add_argument("--labels", type=Path, default=LABELS)
    args = ap.parse_args(argv)
    labels = read_labels(args.labels)
    sets = gold_sets(args.texts)
    nlp = build_nlp()
    docs = [read_document(p) for _, _, paths in sets for p in paths]
    print(f"extracting {len(docs)} documents…", file=sys.stderr)
    records = list(extract(docs, nlp))
    ds = to_graph(records)
    add_links(ds, user_table=ROOT / "no-such-link-table.csv")
    names: dict[URIRef, set[str]] = {}
    for pred in (RDFS.label, SKOS.altLabel):
        for s, _, o, _ in ds.quads((None, pred, None, None)):
            names.setdefault(s, set()).add(str(o))
    zones = ds.graph(ZONES_GRAPH)
    zone_of = {s: str(next(zones.objects(o, RDFS.label)))
               for s, o in zones.subject_objects(PK.registerZone)}
    print(f"{'set':<8} {'parks':>5} {'in reg.':>7} {'found':>5} {'zoned':>5} {'correct':>7} "
          f"{'precision':>9} {'recall':>6}")
    errors, unjudged = [], []
    total = [0] * 5
    for name, recs, _ in sets:
        c = [0] * 5
        for rec in recs:
            g = ds.graph(graph_iri(rec["doc_id"]))
            parks = sorted(set(g.subjects(RDF.type, PK.Park)))
            matched = set()
            for ent in (e for e in rec["entities"] if e["type"] == "Park"):
                gold = labels.get((name, rec["doc_id"], ent["name"]))
                if gold is None:
                    raise SystemExit(f"{args.labels}: no label for {rec['doc_id']} {ent['name']}")
                forms = [simplify_name(n) for n in (ent["name"], *ent["aliases"])]
                node = next((p for p in parks if forms[0] in names.get(p, ())), None) or \
                    next((p for p in parks if names.get(p, set()) & set(forms)), None)
                got = zone_of.get(node, "") if node is not None else ""
                if node is not None:
                    matched.add(node)
                c[0] += 1
                c[1] += bool(gold)
                c[2] += node is not None
                c[3] += bool(got)
                c[4] += bool(got) and got == gold
                if got != gold:
                    said = "no node" if node is None else got or "-"
                    errors.append(f"{name} {rec['doc_id']} {ent['name']}: {said}, "
                                  f"gold {gold or '-'}")
            unjudged += [f"{name} {rec['doc_id']} {min(names[p])}: {zone_of[p]}"
                         for p in parks if p in zone_of and p not in matched]
        total = [a + b for a, b in zip(total, c, strict=True)]
        _row(name, c)
    _row("all", total)
    for line in errors:
        print(line)
    for line in unjudged:
        print("not in gold:", line)
    return 0


def _row(name: str, c: list[int]) -> None:
    prec = c[4] / c[3] if c[3] else 1.0
    rec = c[4] / c[1] if c[1] else 1.0
    print(f"{name:<8} {c[0]:>5} {c[1]:>7} {c[2]:>5} {c[3]:>5} {c[4]:>7} {prec:>9.3f} {rec:>6.3f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
