"""HTML pages → plain text: scripts, styles and markup dropped, blocks kept as lines."""

from __future__ import annotations

from html.parser import HTMLParser

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
          "footer", "nav", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
          "figure", "figcaption", "dd", "dt", "hr", "title", "td", "th"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_title = False
        self.title: list[str] = []
        self.h1 = 0  # 1 inside the page's first <h1>, 2 after it
        self.headline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag == "h1" and not self.h1:
            self.h1 = 1
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "h1" and self.h1 == 1:
            self.h1 = 2
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.skip:
            self.parts.append(data)
            if self.h1 == 1:
                self.headline.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """The visible text of a page (one line per block) and its <title>."""
    text, title, _ = page_parts(html)
    return text, title


def page_parts(html: str) -> tuple[str, str, str]:
    """The visible text of a page (one line per block), its <title> and its first <h1>."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = ("".join(parser.parts)).split("\n")
    text = "\n".join(" ".join(line.split()) for line in lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return (text.strip() + "\n", " ".join("".join(parser.title).split()),
            " ".join("".join(parser.headline).split()))
