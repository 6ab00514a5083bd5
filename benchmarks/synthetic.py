"""A synthetic corpus shaped like ours: DocRecords → kg.rdf.mapping, at any size (for
bench_store.py).

Names repeat across documents the way real news does: a few parks appear everywhere, most
enterprises once or twice. The RDF comes from `kg.rdf.mapping.to_nquads`, so it has exactly the
shape of
a real build (mentions, reified statements, evidence, one named graph per document).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from kg.extract.records import DocRecord, Entity, Evidence, Relation

CITIES = ("西安", "内江", "新余", "佛山", "阜新", "成都", "武汉", "合肥", "苏州", "无锡", "长沙",
          "青岛", "厦门", "南宁", "昆明", "贵阳", "兰州", "银川", "太原", "石家庄", "郑州", "洛阳")
PARK_ENDS = ("高新区", "经开区", "科学城", "产业园", "示范区")
FIRM_WORDS = ("华", "科", "智", "联", "信", "达", "新", "能", "泰", "恒", "创", "元", "博", "瑞",
              "航", "天", "海", "云", "芯", "光", "电", "材", "医", "药", "汽", "车")
FIRM_ENDS = ("科技有限公司", "股份有限公司", "集团有限公司", "新材料有限公司", "电子有限公司")
PLATFORM_ENDS = ("重点实验室", "技术创新中心", "孵化器", "研究院", "院士工作站", "中试基地")
PROJECT_ENDS = ("产业园项目", "研发制造基地项目", "生产线项目", "总部基地项目")
TRIGGERS = {"hosts": "落户", "built": "建成", "investor": "投资建设", "partOf": "隶属"}


def _name(rng: random.Random, n: int, ends: tuple[str, ...], *, city: bool = True) -> str:
    """A deterministic unique name for the n-th entity of a pool."""
    stem = "".join(FIRM_WORDS[(n // len(FIRM_WORDS) ** k) % len(FIRM_WORDS)] for k in range(3))
    head = CITIES[n % len(CITIES)] if city else ""
    return f"{head}{stem}{n}{ends[n % len(ends)]}"


def _pick(rng: random.Random, size: int, skew: float) -> int:
    """An index in range(size), small indices much more likely (a Zipf-like draw)."""
    return min(size - 1, int(size * rng.random() ** skew))


def records(n_docs: int, *, seed: int = 7) -> Iterator[DocRecord]:
    """`n_docs` synthetic extraction records with about 1,300 quads of RDF each."""
    rng = random.Random(seed)
    pools = {"Park": max(50, n_docs), "Enterprise": max(200, n_docs * 15),
             "Platform": max(100, n_docs * 10), "Project": max(50, n_docs * 5)}
    ends = {"Park": PARK_ENDS, "Enterprise": FIRM_ENDS, "Platform": PLATFORM_ENDS,
            "Project": PROJECT_ENDS}
    skews = {"Park": 3.0, "Enterprise": 1.5, "Platform": 1.5, "Project": 1.2}
    for d in range(n_docs):
        picked: dict[str, list[str]] = {t: [] for t in pools}
        for type_, count in (("Park", 8), ("Enterprise", 16), ("Platform", 12), ("Project", 5)):
            seen: set[int] = set()
            while len(seen) < count:
                seen.add(_pick(rng, pools[type_], skews[type_]))
            picked[type_] = [_name(rng, i, ends[type_]) for i in sorted(seen)]
        text: list[str] = []
        pos = 0
        mentions: dict[str, list[tuple[int, int]]] = {}
        relations: list[Relation] = []

        def sentence(head: str, rel: str, tail: str, text: list[str] = text,
                     mentions: dict[str, list[tuple[int, int]]] = mentions) -> Evidence:
            nonlocal pos
            start = pos
            for part, is_name in ((head, True), (TRIGGERS.get(rel, "计划投资"), False),
                                  (tail, rel != "invests"), ("。", False)):
                if is_name:
                    mentions.setdefault(part, []).append((pos, pos + len(part)))
                text.append(part)
                pos += len(part)
            return Evidence("".join(text)[start:pos], start, pos, f"{rel}.synthetic")

        parks = picked["Park"]
        for i, e in enumerate(picked["Enterprise"]):
            relations.append(Relation(parks[i % len(parks)], "hosts", e,
                                      evidence=[sentence(e, "hosts", parks[i % len(parks)])]))
        for i, p in enumerate(picked["Platform"]):
            relations.append(Relation(parks[i % len(parks)], "built", p,
                                      evidence=[sentence(parks[i % len(parks)], "built", p)]))
        for i, p in enumerate(picked["Project"]):
            park = parks[i % len(parks)]
            relations.append(Relation(park, "hosts", p, evidence=[sentence(p, "hosts", park)]))
            yuan = rng.randrange(1, 500) * 10_000_000
            amount = f"{yuan / 100_000_000:g}亿元"
            relations.append(Relation(p, "invests", amount_cny=yuan, amount_text=amount,
                                      qualifier="approx" if i % 3 == 0 else None,
                                      evidence=[sentence(p, "invests", amount)]))
            firm = picked["Enterprise"][i]
            relations.append(Relation(p, "investor", firm,
                                      evidence=[sentence(firm, "investor", p)]))
        relations.append(Relation(parks[1], "partOf", parks[0],
                                  evidence=[sentence(parks[1], "partOf", parks[0])]))
        entities = [Entity(name, type_, mentions=mentions.get(name, []))
                    for type_, names in picked.items() for name in names]
        body = "".join(text)
        yield DocRecord(doc_id=f"syn_{d:06d}", entities=entities, relations=relations,
                        title=f"合成新闻{d}", path=f"syn_{d:06d}.txt",
                        sha256=f"{d:064x}", text=body)


def nquads(n_docs: int, *, seed: int = 7, chunk: int = 50) -> Iterator[bytes]:
    """The N-Quads of `records(n_docs)`, written by kg.rdf.mapping.to_nquads `chunk` documents
    at a time.

    Names are unique per entity, so labels chosen per chunk equal labels chosen over the
    whole corpus and the chunks add up to exactly the graph of one full build.
    """
    from kg.rdf.mapping import to_nquads

    batch: list[DocRecord] = []
    for rec in records(n_docs, seed=seed):
        batch.append(rec)
        if len(batch) == chunk:
            yield to_nquads(batch).encode("utf-8")
            batch = []
    if batch:
        yield to_nquads(batch).encode("utf-8")
