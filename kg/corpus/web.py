"""Web pages → the article a reader reads: navigation, related-article lists, sidebars,
share bars, footers, copyright and ICP lines left out.

The main content comes from readability-lxml (offline: it parses the page it is given and
fetches nothing). benchmarks/bench_corpus.py compares it with trafilatura and with the text of
the whole page on pages laid out like Chinese news sites: both extractors keep every article
sentence and no sidebar headline; readability-lxml keeps less furniture on short items and
is four times faster, with fewer dependencies. When the extractor is missing, fails, or
finds less than a line of text, the whole page's text (kg.corpus.html.html_to_text) is the
fallback, as before it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from kg.corpus.html import html_to_text, page_parts

EXTRACTORS = ("readability", "trafilatura", "plain")
DEFAULT = "readability"
_MIN_CHARS = 20  # less main text than this: the extractor missed the article
# Lines no article has, whichever extractor let them through: copyright, ICP and
# public-security filing numbers anywhere; share bars, font-size and print buttons, QR-code
# prompts, editor credits and previous/next links on a short line.
_FOOTER_LINE = re.compile(r"版权所有|Copyright|©|ICP[备证]|公网安备|网站标识码", re.I)
_FURNITURE = re.compile(r"分享到|【字体|打印本页|关闭窗口|扫一扫|^责任编辑|^(?:上一篇|下一篇)[:：]")
_SHORT = 80


def _trafilatura(html: str) -> str | None:
    try:
        import trafilatura  # optional: trafilatura only for web pages
    except ImportError:
        return None
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    return trafilatura.extract(html, output_format="txt", include_comments=False,
                               include_tables=True, include_images=False, include_links=False,
                               favor_precision=True, deduplicate=False, with_metadata=False)


def _readability(html: str) -> str | None:
    try:
        from readability import Document  # optional: readability/lxml only for web pages
    except ImportError:
        return None
    logging.getLogger("readability").setLevel(logging.CRITICAL)
    return html_to_text(Document(html).summary(html_partial=True))[0]


_RUN: dict[str, Callable[[str], str | None]] = {
    "trafilatura": _trafilatura, "readability": _readability, "plain": lambda h: None}


def main_text(html: str, *, extractor: str = DEFAULT) -> str | None:
    """The article of a page by one extractor (see EXTRACTORS), one line per paragraph;
    None when that extractor is not installed, fails or finds almost nothing."""
    try:
        text = _RUN[extractor](html)
    except Exception:  # a third-party parser on any page: its failure means "not found"
        return None
    if not text:
        return None
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line and not _FOOTER_LINE.search(line)
             and not (len(line) < _SHORT and _FURNITURE.search(line))]
    text = "\n".join(lines)
    if len("".join(text.split())) < _MIN_CHARS:
        return None
    return text + "\n"


def page_text(html: str, *, extractor: str = DEFAULT) -> tuple[str, str]:
    """A page's article text (main content, else the whole page's text) and its <title>.

    The headline (the first <h1>) leads the text when the extractor left it out: a reader
    reads it, and it often states the news. Paragraphs are separated by a blank line, as in
    the plain-text corpus, so sections and sentences split the same way.
    """
    whole, title, headline = page_parts(html)
    main = main_text(html, extractor=extractor)
    if main is None:
        return whole, title
    paragraphs = main.strip().split("\n")
    if headline and not any(headline in p for p in paragraphs[:3]):
        paragraphs.insert(0, headline)
    return "\n\n".join(paragraphs) + "\n", title


# <meta> names and properties that carry a page's publication time (Open Graph, Dublin Core,
# the Chinese CMS conventions pubdate/PubDate/publishdate).
_META_DATE_NAMES = ("article:published_time", "og:published_time", "og:release_date",
                    "pubdate", "publishdate", "publish_date", "publishtime", "dc.date.issued",
                    "dc.date", "dcterms.date", "date", "sailthru.date", "weibo:article:create_at")
_META = re.compile(r"<meta\b[^>]*>", re.I)
_META_ATTR = re.compile(r"""(name|property|itemprop|http-equiv|content)\s*=\s*(["'])(.*?)\2""",
                        re.I | re.S)
_META_VALUE = re.compile(r"((?:19|20)\d{2})[-/年.](\d{1,2})[-/月.](\d{1,2})")


def meta_date(html: str) -> str | None:
    """The publication date a page's <meta> tags give (YYYY-MM-DD), or None."""
    import datetime

    for tag in _META.finditer(html[:200_000]):
        attrs = {k.lower(): v for k, _q, v in _META_ATTR.findall(tag.group())}
        key = next((attrs[k].strip().lower() for k in ("name", "property", "itemprop",
                                                        "http-equiv") if k in attrs), "")
        if key not in _META_DATE_NAMES or "content" not in attrs:
            continue
        m = _META_VALUE.search(attrs["content"])
        if m:
            try:
                return datetime.date(*(int(g) for g in m.groups())).isoformat()
            except ValueError:
                continue
    return None
