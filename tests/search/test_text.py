"""Search text: words, typo budgets, spelling corrections and the engines' query strings."""

from __future__ import annotations

import pytest

from openchance.search.backend import merge_suggestions
from openchance.search.documents import plain_text
from openchance.search.query import Suggestion
from openchance.search.text import (
    MAX_QUERY_WORDS,
    QueryTerm,
    build_terms,
    corrections,
    fts5_match,
    length_window,
    needs_correction,
    normalise,
    prefix_upper_bound,
    query_words,
    trigrams,
    tsquery,
    typo_budget,
    vocabulary_words,
    words,
)


class TestWords:
    def test_lower_case_without_diacritics(self) -> None:
        assert normalise("Crème Brûlée À ZÜRICH") == "creme brulee a zurich"

    def test_letters_and_digits_only_everything_else_separates(self) -> None:
        assert words('"machine"* OR NEAR(learning, 5) -x:y_z e-mail C++') == [
            "machine",
            "or",
            "near",
            "learning",
            "5",
            "x",
            "y",
            "z",
            "e",
            "mail",
            "c",
        ]

    def test_words_of_other_scripts(self) -> None:
        assert words("Привет мир 東京") == ["привет", "мир", "東京"]

    def test_punctuation_only_has_no_words(self) -> None:
        assert words('" * ( ) : - ^ {}') == []

    def test_a_query_keeps_its_first_words(self) -> None:
        text = " ".join(f"w{n}" for n in range(15))

        assert query_words(text) == [f"w{n}" for n in range(MAX_QUERY_WORDS)]

    def test_no_text_no_words(self) -> None:
        assert query_words(None) == []

    def test_the_vocabulary_leaves_out_very_long_words(self) -> None:
        assert vocabulary_words(["short " + "x" * 65, "Short again"]) == {"short", "again"}


class TestTypoBudget:
    @pytest.mark.parametrize(
        ("word", "budget"),
        [("data", 0), ("pytho", 1), ("learning", 1), ("forecasts", 2), ("forecasting", 2)],
    )
    def test_meilisearch_rule(self, word: str, budget: int) -> None:
        assert typo_budget(word) == budget

    def test_a_correction_differs_in_length_by_the_budget_at_most(self) -> None:
        assert length_window("learning") == (7, 9)
        assert length_window("data") == (4, 4)


class TestCorrections:
    def test_machine_lerning(self) -> None:
        assert corrections("lerning", ["learning", "lemming", "earnings"]) == ["learning"]

    def test_a_transposition_is_one_typo(self) -> None:
        assert corrections("pyhton", ["python"]) == ["python"]

    def test_closest_first_then_in_the_engines_order(self) -> None:
        candidates = ["forecastings", "forecasting", "forecasts"]

        assert corrections("forcasting", candidates) == ["forecasting", "forecastings"]

    def test_short_words_get_no_corrections(self) -> None:
        assert corrections("dta", ["data"]) == []

    def test_the_word_itself_and_repeats_are_not_corrections(self) -> None:
        assert corrections("models", ["models", "model", "model"]) == ["model"]

    def test_at_most_the_limit(self) -> None:
        assert corrections("bakes", ["baked", "baker", "bakery", "takes"], limit=2) == [
            "baked",
            "baker",
        ]


class TestNeedsCorrection:
    def test_a_known_word_is_left_alone(self) -> None:
        assert not needs_correction("learning", known=True, prefix_known=False, is_last=False)

    def test_an_unknown_word_is_corrected(self) -> None:
        assert needs_correction("lerning", known=False, prefix_known=False, is_last=False)

    def test_a_last_word_that_begins_known_words_is_left_alone(self) -> None:
        assert not needs_correction("learni", known=False, prefix_known=True, is_last=True)

    def test_a_short_word_is_never_corrected(self) -> None:
        assert not needs_correction("lern", known=False, prefix_known=False, is_last=False)


class TestQueryStrings:
    def test_terms_are_the_words_with_their_corrections_the_last_as_prefix(self) -> None:
        terms = build_terms(["machine", "lerning"], {"lerning": ["learning"]})

        assert terms == [
            QueryTerm(spellings=("machine",), prefix=False),
            QueryTerm(spellings=("lerning", "learning"), prefix=True),
        ]

    def test_fts5_match_is_quoted_strings_only(self) -> None:
        terms = build_terms(["machine", "lerning"], {"lerning": ["learning"]})

        assert fts5_match(terms) == '("machine") AND ("lerning"* OR "learning"*)'

    def test_fts5_match_in_one_column(self) -> None:
        assert fts5_match(build_terms(["logo"]), column="title") == 'title : (("logo"*))'

    def test_fts5_operators_in_words_stay_inside_quotes(self) -> None:
        terms = [QueryTerm(spellings=('a"b',), prefix=False)]

        assert fts5_match(terms) == '("a""b")'

    def test_tsquery(self) -> None:
        terms = build_terms(["machine", "lerning"], {"lerning": ["learning"]})

        assert tsquery(terms) == "('machine') & ('lerning':* | 'learning':*)"

    def test_tsquery_in_the_title_weight(self) -> None:
        assert tsquery(build_terms(["big", "logo"]), weights="A") == "('big':A) & ('logo':*A)"

    def test_tsquery_quotes_are_doubled(self) -> None:
        assert tsquery([QueryTerm(spellings=("o'k",), prefix=False)]) == "('o''k')"


class TestHelpers:
    def test_trigrams(self) -> None:
        assert trigrams("^data$") == ["^da", "dat", "ata", "ta$"]

    def test_prefix_upper_bound(self) -> None:
        assert prefix_upper_bound("lear") == "leas"
        assert prefix_upper_bound("lear") > "learning"

    def test_suggestions_titles_first_skills_at_least_half(self) -> None:
        titles = [Suggestion(kind="title", text=f"t{n}") for n in range(8)]
        skills = [Suggestion(kind="skill", text=f"s{n}") for n in range(8)]

        merged = merge_suggestions(titles, skills, 8)

        assert [s.text for s in merged] == ["t0", "t1", "t2", "t3", "s0", "s1", "s2", "s3"]

    def test_suggestions_fill_the_places_left(self) -> None:
        titles = [Suggestion(kind="title", text="t0")]
        skills = [Suggestion(kind="skill", text=f"s{n}") for n in range(8)]

        assert len(merge_suggestions(titles, skills, 5)) == 5


class TestPlainText:
    def test_markup_goes_text_stays(self) -> None:
        markdown = "# Title\n\nWe have **sales** and [weather](https://x.org) data.\n\n- one\n- two"

        assert plain_text(markdown) == "Title We have sales and weather data. one two"

    def test_html_tags_go_and_scripts_with_their_content(self) -> None:
        markdown = "Hello <b>bold</b> <script>alert('x')</script> world &amp; more"

        assert plain_text(markdown) == "Hello bold world & more"

    def test_code_is_kept_as_text(self) -> None:
        assert plain_text("Use `pandas`:\n\n```\nimport numpy\n```") == "Use pandas: import numpy"
