"""User-written Markdown to safe HTML: rendered with markdown-it-py, sanitised with nh3.

The source is kept as written; the HTML is made when it is read. Raw HTML in the source is
passed to the sanitiser, which keeps only a small set of tags and attributes: scripts and
styles disappear with their content, event handlers (``onclick``…) and ``javascript:``
links are dropped, and every link gets ``rel="nofollow noopener noreferrer"``. Headings and
images are not part of it: a profile is not a page, and an image would be a tracking pixel.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"a", "blockquote", "br", "code", "del", "em", "hr", "li", "ol", "p", "pre", "strong", "ul"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "typographer": False})
    parser.disable(["heading", "lheading", "image"])
    return parser


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Sanitised HTML for ``source`` (empty source, empty HTML)."""
    if not source.strip():
        return ""
    return _cleaner().clean(_parser().render(source)).strip()
