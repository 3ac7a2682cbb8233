"""Extraction against the size of the page: parse + extract on 30 KB, 300 KB and 5 MB pages
and on one 1 MB line, as seconds and as milliseconds per KB: linear when the last is flat.

Every page has the same mix as the 30 KB page of the extraction section (one decision among
filler paragraphs), only more of it; a page whose text is longer than the budget
(``extract.MAX_TEXT`` characters) is read up to it, so its time per KB falls; the 1 MB line is the text of such a page with its line
breaks taken out and a court's list of hearings in front of it (a date every few words, no
full stop), the way a schedule page flattened by a careless template reads.
"""

from __future__ import annotations

import time

from bench.common import Report
from bench.io import EN, FILLER, RU
from monitor.sources.extract import read
from monitor.sources.parse import html_to_text

KB = 1024


def sized_page(language: str, size: int) -> str:
    """An HTML page of about ``size`` bytes: filler paragraphs, one decision a tenth of the way
    in (so that it is read even in a page cut at the budget)."""
    news = EN if language == "en" else RU
    paragraph = f"<p>{FILLER[language] * 4}</p>"
    count = max(1, size // len(paragraph.encode()))
    paragraphs = [paragraph] * count
    paragraphs.insert(count // 10, f"<p>{news}</p>")
    body = "".join(paragraphs)
    return f"<html><head><script>var a = 1;</script></head><body><div class=news>{body}</div></body></html>"


HEARING = {
    "en": "4 August 2016, 10:00, case 1-234/2016, room 5, judge Abenov; ",
    "ru": "4 августа 2016, 10:00, дело 1-234/2016, зал 5, судья Абенов; ",
}


def one_line(language: str, size: int) -> str:
    """A list of hearings and the text of a page, about ``size`` bytes in all, as one line."""
    page = " ".join(html_to_text(sized_page(language, size // 2)).text.split())
    hearings = HEARING[language] * (size // 2 // len(HEARING[language].encode()))
    return hearings + page


def _seconds(work: str, kind: str) -> float:
    started = time.perf_counter()
    text = html_to_text(work).text if kind == "page" else work
    result = read(text)
    assert result.decisions, "the decision in the page was not found"
    return time.perf_counter() - started


def _cut(work: str, kind: str) -> bool:
    page = html_to_text(work) if kind == "page" else None
    return (page is not None and page.truncated) or read(page.text if page else work).truncated


def run(report: Report) -> None:
    sizes = [("30 KB page", 30 * KB, "page"), ("300 KB page", 300 * KB, "page")]
    sizes += [("5 MB page", 5 * KB * KB, "page"), ("100 KB line", 100 * KB, "line")]
    sizes += [("1 MB line", KB * KB, "line")]
    if report.quick:
        sizes = [s for s in sizes if s[1] < KB * KB]
    for language in ("en", "ru"):
        per_kb: dict[str, float] = {}
        for label, size, kind in sizes:
            work = sized_page(language, size) if kind == "page" else one_line(language, size)
            runs = 5 if size <= KB * KB else 3
            cut = " (cut at the budget)" if _cut(work, kind) else ""
            figure = report.measure(
                f"extraction by size: {label}{cut}, {language}",
                len(work.encode()),
                "s",
                lambda work=work, kind=kind: _seconds(work, kind),  # type: ignore[misc]
                runs=runs,
            )
            per_kb[label] = figure.median * 1000 / (len(work.encode()) / KB)
            report.add(
                f"extraction by size: {label}{cut}, {language}, per KB",
                len(work.encode()),
                "ms/KB",
                [per_kb[label]],
            )
        # Linear: the time per KB does not grow with the size, for the same kind of text.
        pages = max(v for k, v in per_kb.items() if "page" in k) / per_kb["30 KB page"]
        report.target(
            f"extraction by size, {language}: worst page ms/KB / 30 KB page ms/KB",
            pages,
            "<= 2 (linear)",
            pages <= 2,
        )
        if "1 MB line" in per_kb:
            lines = per_kb["1 MB line"] / per_kb["100 KB line"]
            report.target(
                f"extraction by size, {language}: 1 MB line ms/KB / 100 KB line ms/KB",
                lines,
                "<= 2 (linear)",
                lines <= 2,
            )
