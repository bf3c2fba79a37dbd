"""User-written Markdown to safe HTML: rendered with markdown-it-py, sanitised with nh3.

The source is kept as written; the HTML is made when it is read. Raw HTML in the source is
passed to the sanitiser, which keeps only a small set of tags and attributes: scripts and
styles disappear with their content, event handlers (``onclick``…) and ``javascript:``
links are dropped, and every link gets ``rel="nofollow noopener noreferrer"``. Headings and
images are not part of it: a profile is not a page, and an image would be a tracking pixel.

Longer documents (a challenge's description) use :func:`render_document_markdown`, which
also keeps headings and tables. Headings start at ``<h2>`` (``#`` becomes ``<h2>``, and
everything from ``###`` on ``<h4>``): the page around the document owns its ``<h1>``.
"""

from __future__ import annotations

from functools import cache, lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {"a", "blockquote", "br", "code", "del", "em", "hr", "li", "ol", "p", "pre", "strong", "ul"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
DOCUMENT_TAGS = ALLOWED_TAGS | frozenset(
    {"h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td"}
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "typographer": False})
    parser.disable(["heading", "lheading", "image"])
    return parser


@cache
def _document_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "typographer": False})
    parser.enable("table")
    parser.disable(["image"])
    return parser


def _cleaner_for(tags: frozenset[str], attributes: dict[str, set[str]]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in attributes.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@cache
def _cleaner() -> nh3.Cleaner:
    return _cleaner_for(ALLOWED_TAGS, ALLOWED_ATTRIBUTES)


@cache
def _document_cleaner() -> nh3.Cleaner:
    return _cleaner_for(DOCUMENT_TAGS, ALLOWED_ATTRIBUTES)


def _demote_headings(tokens: list[Token]) -> None:
    """``<h1>`` → ``<h2>``, ``<h2>`` → ``<h3>``, anything deeper → ``<h4>``."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 4)
            token.tag = f"h{level}"


# A message is rendered when it is stored (for its announcement) and again when it is read
# back, and chat history is read far more often than written: recent bodies come from here.
@lru_cache(maxsize=1024)  # bodies ≤ 10,000 characters: ≤ ~25 MB even if all were full
def render_markdown(source: str) -> str:
    """Sanitised HTML for ``source`` (empty source, empty HTML)."""
    if not source.strip():
        return ""
    return _cleaner().clean(_parser().render(source)).strip()


def render_document_markdown(source: str) -> str:
    """Sanitised HTML for a longer document: like :func:`render_markdown`, plus headings
    (from ``<h2>``) and tables."""
    if not source.strip():
        return ""
    parser = _document_parser()
    env: dict[str, object] = {}
    tokens = parser.parse(source, env)
    _demote_headings(tokens)
    html = parser.renderer.render(tokens, parser.options, env)
    return _document_cleaner().clean(html).strip()
