"""The quick look at a page's tags before the scan that flattens deep nesting: it never lets
through a page the scan would change."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from monitor.sources.parse import _flatten, flatten_deep

TOKENS = [
    "<div>",
    "</div>",
    "<DIV class='x'>",
    "<span>",
    "</span>",
    "<p>",
    "</p>",
    "<li>",
    "<a href='/x'>",
    "</a>",
    "<br/>",
    "<div/>",
    "<tbody>",
    "<table>",
    "<a-b>",
    "<p-x>",
    "<!-- <div><div> -->",
    "<script>if (a<b) { x = '<div>' }</script>",
    "<title><div></title>",
    "text ",
    "<",
    ">",
]


@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.integers(min_value=0, max_value=6))
def test_a_page_the_quick_look_lets_through_is_one_the_scan_leaves_unchanged(
    tokens: list[str], max_depth: int
) -> None:
    html = "".join(tokens)
    assert flatten_deep(html, max_depth) == _flatten(html, max_depth)


def test_a_page_of_many_sibling_elements_is_scanned_and_left_as_it_is() -> None:
    html = "<body>" + "<div>one</div>" * 300 + "</body>"
    assert flatten_deep(html, max_depth=256) is html


def test_a_page_of_many_paragraphs_is_not_scanned() -> None:
    html = "<body><div class='news'>" + "<p>The court ruled." * 1_000 + "</div></body>"
    assert flatten_deep(html, max_depth=3) is html
