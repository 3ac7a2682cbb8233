"""Parsing: HTML, feeds and JSON into readable text and entries. Pure: bytes/str in, values out.

Libraries, and why:
- HTML: selectolax (the Lexbor engine): a full HTML5 parser, so broken court-site markup parses
  the way a browser would, with CSS selectors built in, and several times faster than
  BeautifulSoup, which matters when hundreds of pages are read per poll.
- Feeds: feedparser: RSS 0.9x/1.0/2.0 and Atom, with the dozens of date formats and broken
  feeds seen in the wild; not something to write by hand.
- JSON: the standard library, with a small dotted path (``data.items``) to the list of items.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

# Never part of the readable text of a page.
_NOISE = "script, style, noscript, template, svg, iframe, nav, header, footer, aside, form, button, select, [hidden], [aria-hidden=true]"
_BLOCKS = "p, div, br, li, h1, h2, h3, h4, h5, h6, tr, article, section, blockquote, pre, dd, dt, table, ul, ol, td, th"


class SelectorError(ValueError):
    """A CSS selector the parser cannot read."""


def _select(node: Any, selector: str) -> list[Any]:
    try:
        return list(node.css(selector))
    except SelectolaxError as exc:
        raise SelectorError(
            f"{selector!r} is not a CSS selector the parser can read: {exc}"
        ) from exc


def check_selector(selector: str) -> str:
    """``selector`` if the parser can read it; SelectorError otherwise."""
    _select(LexborHTMLParser("<p></p>"), selector)
    return selector


@dataclass(frozen=True)
class Entry:
    """One item of a feed or a JSON source, or one page."""

    title: str
    link: str | None
    published: datetime | None
    text: str


@dataclass(frozen=True)
class ParsedPage:
    text: str
    matched: bool  # False when a selector was given and matched nothing: the page changed shape
    title: str
    truncated: bool = False  # the readable text was longer than MAX_TEXT and was cut there


# Bounds that keep parsing linear in the size of the page. An HTML5 parser looks through the
# elements still open for every new tag, so a page nesting 100,000 elements costs the square
# of that; elements deeper than MAX_DEPTH are flattened before parsing (their tags become line
# breaks, their text stays). The readable text is cut at MAX_TEXT characters.
MAX_DEPTH = 256
MAX_TEXT = 2_000_000

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]{0,30})\b[^<>]{0,2000}?(/?)>|<!--|<!\[CDATA\[")
_COMMENT_END = {"<!--": "-->", "<![CDATA[": "]]>"}
# Elements with no end tag, or closed by the next of their kind: they never pile up.
_NOT_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup",
    "tbody", "thead", "tfoot", "rb", "rt", "rp", "colgroup", "caption",
    "a",  # a link closes the one before it, and its address must survive the flattening
}  # fmt: skip
# Raw text: what follows the start tag up to its end tag is not markup.
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "noembed", "noframes", "plaintext"}
# Where a start tag of an element that can nest may begin: "<", a letter, and a name that is
# not one of those above. It finds every start tag the scan below counts, and more (those in
# comments and raw text), so a page with no more of them than the bound cannot nest deeper:
# one search in C tells, instead of a loop in Python over every tag. The commonest names come
# first, as each "<" tries them in turn.
_COMMON = ("p", "a", "li", "br", "td", "tr", "img", "input", "meta", "link", "option", "th", "dd")
_NESTING_START = re.compile(
    r"<(?=[a-z])(?!(?:"
    + "|".join([*_COMMON, *sorted(_NOT_NESTING - set(_COMMON))])
    + r")(?![a-z0-9-]))",
    re.IGNORECASE | re.ASCII,
)


def flatten_deep(html: str, max_depth: int = MAX_DEPTH) -> str:
    """``html`` with the tags of elements nested deeper than ``max_depth`` replaced by ``<br>``.

    One pass over the tags, counting start and end tags (an estimate of the parser's stack,
    good enough for a bound); a page that never nests that deep comes back unchanged.
    """
    if len(_NESTING_START.findall(html)) <= max_depth:
        return html  # fewer elements that can nest than the bound: none is nested that deep
    return _flatten(html, max_depth)


def _flatten(html: str, max_depth: int) -> str:
    depth = 0
    dropped: dict[str, int] = {}
    cuts: list[tuple[int, int]] = []
    position = 0
    while True:
        match = _TAG.search(html, position)
        if match is None:
            break
        position = match.end()
        token = match.group(0)
        if token in _COMMENT_END:
            end = html.find(_COMMENT_END[token], position)
            position = len(html) if end < 0 else end + len(_COMMENT_END[token])
            continue
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _NOT_NESTING or self_closing:
            continue
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
                cuts.append((match.start(), match.end()))
            else:
                depth = max(0, depth - 1)
            continue
        if name in _RAW_TEXT:
            end = _raw_text_end(html, name, position)
            position = len(html) if end < 0 else end
        if depth >= max_depth and name not in _RAW_TEXT:
            dropped[name] = dropped.get(name, 0) + 1
            cuts.append((match.start(), match.end()))
        else:
            depth += 1
    if not cuts:
        return html
    parts: list[str] = []
    last = 0
    for start, end in cuts:
        parts.append(html[last:start])
        parts.append("<br>")
        last = end
    parts.append(html[last:])
    return "".join(parts)


def _raw_text_end(html: str, name: str, position: int) -> int:
    match = re.compile(rf"</{name}", re.I).search(html, position)
    return match.start() if match else -1


def normalise(text: str) -> str:
    """Whitespace folded within lines, blank lines collapsed: the form that is hashed."""
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def content_hash(text: str, *, normalised: bool = False) -> str:
    """The hash of a text's normalised form. ``normalised``: the text is already in that form
    (the text of a page or of entries, not cut short), so the pass over it is skipped."""
    return hashlib.sha256((text if normalised else normalise(text)).encode("utf-8")).hexdigest()


def _readable(node: Any) -> str:
    for noise in node.css(_NOISE):
        noise.decompose()
    for block in node.css(_BLOCKS):
        block.insert_after("\n")
    return normalise(node.text(separator=""))


def _page(text: str, matched: bool, title: str, budget: int) -> ParsedPage:
    if len(text) > budget:
        return ParsedPage(text[:budget], matched, title[:1000], truncated=True)
    return ParsedPage(text, matched, title[:1000])


def html_to_text(html: str, selector: str | None = None, budget: int = MAX_TEXT) -> ParsedPage:
    """Readable text of a page, or of the parts a CSS selector picks, cut at ``budget`` characters."""
    tree = LexborHTMLParser(flatten_deep(html))
    title_node = tree.css_first("title")
    title = normalise(title_node.text()) if title_node is not None else ""
    if selector:
        nodes = _select(tree, selector)
        if not nodes:
            return ParsedPage("", False, title)
        texts = [_readable(n) for n in nodes]
        # One part is already normalised (normalise is idempotent): no second pass over it.
        text = texts[0] if len(texts) == 1 else normalise("\n\n".join(texts))
        return _page(text, True, title, budget)
    body = tree.body
    if body is None:
        return ParsedPage("", True, title)
    return _page(_readable(body), True, title, budget)


def links(html: str, base_url: str, pattern: str, selector: str | None = None) -> list[str]:
    """Absolute http(s) links whose URL matches ``pattern`` (a regular expression), in page order."""
    tree = LexborHTMLParser(flatten_deep(html))
    roots = _select(tree, selector) if selector else [tree.root]
    regex = re.compile(pattern)
    found: list[str] = []
    for root in roots:
        if root is None:
            continue
        for anchor in root.css("a[href]"):
            href = anchor.attributes.get("href") or ""
            url = urljoin(base_url, href.strip()).split("#")[0]
            if urlsplit(url).scheme in ("http", "https") and regex.search(url) and url not in found:
                found.append(url)
    return found


def parse_feed(body: bytes | str) -> list[Entry]:
    import feedparser  # only feed sources need it; it costs 45 ms of start-up otherwise

    feed = feedparser.parse(body)
    entries = []
    for item in feed.entries:
        parts = [c.get("value", "") for c in item.get("content", [])] or [item.get("summary", "")]
        text = "\n\n".join(html_to_text(p).text if "<" in p else normalise(p) for p in parts if p)
        published = None
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        if stamp:
            published = datetime(*stamp[:6]).replace(tzinfo=UTC)  # noqa: DTZ001 - feedparser gives UTC
        title = normalise(item.get("title", ""))
        entries.append(
            Entry(
                title=title,
                link=item.get("link"),
                published=published,
                text=normalise(f"{title}\n{text}"),
            )
        )
    return entries


class JsonPathError(ValueError):
    pass


def _walk(data: Any, path: str) -> Any:
    current = data
    for part in [p for p in path.split(".") if p]:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise JsonPathError(f"no {part!r} at this point of the JSON path {path!r}")
    return current


_TEXT_FIELDS = ("title", "headline", "name", "summary", "description", "text", "body", "content")
_LINK_FIELDS = ("url", "link", "href")
_DATE_FIELDS = ("published", "date", "published_at", "created_at", "updated")


def parse_json(body: bytes | str, path: str | None) -> list[Entry]:
    """Items at ``path`` (dotted, e.g. ``data.items``); strings of known fields become text."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JsonPathError(f"not JSON: {exc}") from exc
    items = _walk(data, path) if path else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise JsonPathError(f"the JSON path {path!r} does not lead to a list of items")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            entries.append(Entry("", None, None, normalise(str(item))))
            continue
        texts = [str(item[k]) for k in _TEXT_FIELDS if isinstance(item.get(k), str)]
        texts = [html_to_text(t).text if "<" in t else normalise(t) for t in texts]
        link = next((str(item[k]) for k in _LINK_FIELDS if isinstance(item.get(k), str)), None)
        published = None
        for key in _DATE_FIELDS:
            value = item.get(key)
            if isinstance(value, str):
                try:
                    published = datetime.fromisoformat(value.replace("Z", "+00:00"))
                    published = published if published.tzinfo else published.replace(tzinfo=UTC)
                    break
                except ValueError:
                    continue
        title = texts[0] if texts else ""
        entries.append(
            Entry(title=title, link=link, published=published, text=normalise("\n".join(texts)))
        )
    return entries


def entries_text(entries: list[Entry]) -> str:
    """A feed or JSON source as one text: what is hashed and kept in a snapshot."""
    blocks = []
    for entry in entries:
        head = entry.published.date().isoformat() + " " if entry.published else ""
        blocks.append(f"{head}{entry.link or ''}\n{entry.text}".strip())
    return normalise("\n\n".join(blocks))
