"""Challenge descriptions are documents: headings and tables survive, bios stay plain."""

from __future__ import annotations

from openchance.markdown import render_document_markdown, render_markdown


class TestDocumentMarkdown:
    def test_headings_start_below_the_pages_own_title(self) -> None:
        html = render_document_markdown("# Goal\n\n## Data\n\n### Notes\n\n#### Deep")

        assert html.split("\n") == [
            "<h2>Goal</h2>",
            "<h3>Data</h3>",
            "<h4>Notes</h4>",
            "<h4>Deep</h4>",
        ]

    def test_tables_are_kept(self) -> None:
        html = render_document_markdown("| a | b |\n| --- | --- |\n| 1 | 2 |")

        assert "<table>" in html
        assert "<td>1</td>" in html

    def test_raw_html_is_sanitised_as_everywhere(self) -> None:
        html = render_document_markdown(
            '<h1 onclick="x()">Raw</h1><script>alert(1)</script><img src="x">'
            '<style>body{}</style><a href="javascript:alert(1)">a</a>'
        )

        assert "onclick" not in html
        assert "<h1" not in html
        assert "script" not in html
        assert "<img" not in html
        assert "body{}" not in html
        assert "javascript:" not in html

    def test_an_empty_document_is_empty(self) -> None:
        assert render_document_markdown("  \n") == ""

    def test_bios_still_have_no_headings(self) -> None:
        assert render_markdown("# Me") == "<p># Me</p>"
