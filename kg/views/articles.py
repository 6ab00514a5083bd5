"""Which article of a source file each evidence sentence comes from.

The store names the file a fact was read from and its first heading (dcterms:title), but a
file often holds several articles (a newspaper page: the seeds do). Given the folders of the
source texts, `attribute_articles` reads each document's file again, splits it into articles
with the corpus's own heading rules (`kg.corpus.sections`, level-1 headings) and labels every
evidence sentence with the title of the article it sits in, so the page never credits a
sentence to another article's headline.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.corpus import read_document, sections
from kg.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["article_titles", "attribute_articles"]

MIN_TITLE_CHARS = 5  # shorter level-1 "headings" are bylines (熊晖) or column names (园镜头)


def article_titles(text: str, first: str = "") -> tuple[list[int], list[str]]:
    """The start offsets of the articles of `text` and their titles (`first` before any).

    An article starts at a level-1 heading of at least MIN_TITLE_CHARS characters.
    """
    starts, titles = [0], [first]
    for sec in sections(text):
        heading = sec.heading.strip().lstrip("#").strip()
        if sec.level == 1 and len(heading) >= MIN_TITLE_CHARS:
            if sec.start == 0:
                titles[0] = heading
            else:
                starts.append(sec.start)
                titles.append(heading)
    return starts, titles


def _source(file: str, sha256: str, folders: list[Path]) -> Path | None:
    """The file named `file` in the first of `folders` holding it (same bytes when known)."""
    for folder in folders:
        path = folder / file
        if path.is_file():
            if not sha256 or hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
                return path
    return None


def attribute_articles(g: nx.MultiDiGraph, texts: Path | str | Iterable[Path | str]) -> int:
    """Set `article` on the evidence of `g` to the title of the article holding the sentence.

    `texts` is the folder (or folders) of the source files, looked up by each document's file
    name. Documents whose file is missing or changed keep their title. Returns the number of
    evidence records labelled.
    """
    folders = [Path(texts)] if isinstance(texts, str | Path) else [Path(t) for t in texts]
    documents: dict[str, dict[str, str]] = g.graph.get("documents") or {}
    found: dict[str, tuple[str, list[int], list[str]]] = {}
    for doc, meta in documents.items():
        path = _source(meta.get("file", ""), meta.get("sha256", ""), folders) \
            if meta.get("file") else None
        if path is None:
            continue
        try:
            text = read_document(path).text
        except InputError:
            continue
        found[doc] = (text, *article_titles(text, meta.get("title", "")))
    labelled = 0
    records: list[dict[str, Any]] = [ev for _, data in g.nodes(data=True)
                                     for ev in data.get("evidence") or ()]
    records += [ev for _, _, data in g.edges(data=True) for ev in data.get("evidence") or ()]
    for ev in records:
        source = found.get(str(ev.get("doc", "")))
        sentence = str(ev.get("sentence", ""))
        if source is None or not sentence:
            continue
        text, starts, titles = source
        at = text.find(sentence)
        if at >= 0:
            ev["article"] = titles[bisect.bisect_right(starts, at) - 1]
            labelled += 1
    return labelled
