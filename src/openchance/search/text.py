"""Search text: words, spelling corrections and full-text query strings (pure functions).

The free text of a query is never handed to an engine as query syntax. It is cut into words
(runs of letters and digits; everything else, ``"`` ``*`` ``:`` ``-`` ``(`` included, only
separates words, and ``OR`` or ``NEAR`` are plain words), each word becomes an OR of itself
and its spelling corrections, the words are ANDed, and the last word also matches as a
prefix. The query strings for FTS5 and ``tsquery`` are built here from those words alone,
so no input can make an engine fail with a syntax error.

Typo tolerance follows Meilisearch's rule: words of at least 5 characters may have one
typo, words of at least 9 characters two, shorter words none. A typo is one edit of the
Damerau-Levenshtein distance (insertion, deletion, substitution or transposition).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

MAX_QUERY_WORDS = 10
"""Later words are ignored (as Meilisearch does): a long paste does not make a slow query."""
MAX_CORRECTIONS = 4
"""Alternatives tried per misspelt word, closest first."""
MAX_CANDIDATES = 64
"""Vocabulary words an engine proposes per misspelt word before the distances decide."""
MAX_VOCABULARY_WORD = 64
"""Longer words are indexed but are not offered as corrections."""
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9

_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Lower case without diacritics ("Café" → "cafe"), as FTS5's ``unicode61
    remove_diacritics 2`` tokenizer sees text."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def words(text: str) -> list[str]:
    """The words of ``text``, normalised, in order (repeats kept)."""
    return _WORD.findall(normalise(text))


def query_words(text: str | None) -> list[str]:
    """The words a search uses: at most :data:`MAX_QUERY_WORDS`."""
    return words(text)[:MAX_QUERY_WORDS] if text else []


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """The distinct words of ``texts`` worth keeping as correction targets."""
    return {word for text in texts for word in words(text) if len(word) <= MAX_VOCABULARY_WORD}


def typo_budget(word: str) -> int:
    """How many typos a query word may contain and still match."""
    if len(word) >= TWO_TYPOS_FROM:
        return 2
    if len(word) >= ONE_TYPO_FROM:
        return 1
    return 0


def length_window(word: str) -> tuple[int, int]:
    """The lengths a correction of ``word`` can have (each typo changes it by at most one)."""
    budget = typo_budget(word)
    return len(word) - budget, len(word) + budget


def trigrams(word: str) -> list[str]:
    """The distinct three-character pieces of ``word``, in order."""
    return list(dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2)))


def corrections(word: str, candidates: Iterable[str], limit: int = MAX_CORRECTIONS) -> list[str]:
    """The candidates within ``word``'s typo budget, closest first (ties keep the order the
    engine proposed them in), at most ``limit``.

    >>> corrections("lerning", ["learning", "leaning", "lemming", "earnings"])
    ['learning', 'leaning']
    """
    budget = typo_budget(word)
    if budget == 0:
        return []
    found: list[tuple[int, int, str]] = []
    for position, candidate in enumerate(dict.fromkeys(candidates)):
        if candidate == word:
            continue
        distance = DamerauLevenshtein.distance(word, candidate, score_cutoff=budget)
        if distance <= budget:
            found.append((distance, position, candidate))
    found.sort()
    return [candidate for _, _, candidate in found[:limit]]


def needs_correction(word: str, *, known: bool, prefix_known: bool, is_last: bool) -> bool:
    """Whether to look for corrections of ``word``: it may have typos, and it finds nothing as
    it is (the last word also finds what it is the beginning of)."""
    if typo_budget(word) == 0 or known:
        return False
    return not (is_last and prefix_known)


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One query word: matches any of its spellings (the first is the word as typed)."""

    spellings: tuple[str, ...]
    prefix: bool


def build_terms(
    words_: Sequence[str], corrected: dict[str, list[str]] | None = None
) -> list[QueryTerm]:
    """The terms of a query: each word with its corrections, the last one as a prefix."""
    corrected = corrected or {}
    last = len(words_) - 1
    return [
        QueryTerm(
            spellings=tuple(dict.fromkeys([word, *corrected.get(word, [])])),
            prefix=position == last,
        )
        for position, word in enumerate(words_)
    ]


def fts5_match(terms: Sequence[QueryTerm], column: str | None = None) -> str:
    """An FTS5 MATCH expression: only quoted strings, ``OR``, ``AND`` and parentheses.

    ``column`` restricts it to one column (``title : (…)``).
    """
    groups = []
    for term in terms:
        options = " OR ".join(
            _fts5_string(word) + ("*" if term.prefix else "") for word in term.spellings
        )
        groups.append(f"({options})")
    expression = " AND ".join(groups)
    if column is not None and expression:
        return f"{column} : ({expression})"
    return expression


def _fts5_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def tsquery(terms: Sequence[QueryTerm], weights: str = "") -> str:
    """A ``to_tsquery`` expression: ``(machine) & (lerning:* | learning:*)``.

    ``weights`` restricts each word to those weights (``"A"``: the title only).
    """
    groups = []
    for term in terms:
        label = (":*" if term.prefix else ":") + weights if (term.prefix or weights) else ""
        options = " | ".join(_tsquery_word(word) + label for word in term.spellings)
        groups.append(f"({options})")
    return " & ".join(groups)


def _tsquery_word(word: str) -> str:
    """A quoted lexeme (the words hold only letters and digits; quoting is belt and braces)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix`` (binary order):
    ``word >= prefix AND word < bound`` is a prefix match an index can answer."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"
