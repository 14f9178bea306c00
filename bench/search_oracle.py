"""The search bench's fixed queries and their known matches, found without any backend.

``QUERIES`` holds the six classes of the issue.  ``Oracle`` finds every document a query should
match by brute force over the generated documents, implementing the documented semantics (the
``Term`` docstring in ``campus_social/search/normalize.py``) in plain Python:

- a Japanese term matches a document when its folded text is a substring of a Japanese run of
  one of the text fields (title, reading, keywords, body) — one character is that character
  anywhere in such a run, a longer term its characters next to each other in one run; when the
  term of two or more characters has kanji, its reading (``reading_of``) as a substring of a
  run of the reading field matches too;
- a word term matches when the English stem of a word of a text field equals its stem, or
  starts with it when the term is a prefix term (three characters or more), or when a romaji
  word of the title's reading (``romaji_words``) equals its romaji key (or starts with it);
- a document matches a query when it matches every term, and only public documents count
  (the bench searches as a visitor; invite-only circles must never appear).

It uses ``normalize``'s building blocks (``parse_query``, ``fold``, ``runs``, ``stem``,
``romaji_words``) — the one normalisation both sides share by design — but never an index or
a backend.
"""

from collections import defaultdict
from collections.abc import Iterable

from campus_social.search.documents import PUBLIC, SearchDocument
from campus_social.search.normalize import Term, fold, parse_query, romaji_words, runs, stem

# class → queries, as residents type them.
# fmt: off
QUERIES: dict[str, list[str]] = {
    # Very common characters (の is in nearly every description) and rare ones (鰻: none).
    "1 character": [
        "の", "会", "教", "学", "室", "楽", "書", "ア", "鶴", "碁", "篆", "藍", "琴", "鰻",
    ],
    "2 characters": [
        "学習", "書道", "料理", "散歩", "写真", "英語", "囲碁", "手芸", "俳句", "体操",
        "ヨガ", "スマ", "教室", "会話",
    ],
    "3–4 characters": [
        "英会話", "料理教室", "書道教室", "生涯学習", "太極拳", "水彩画", "パソコン", "スマホ",
        "ｽﾏﾎ", "ピアノ", "和菓子", "初心者", "こども", "公民館",
    ],
    "kana reading": [
        "しょどう", "ショドウ", "りょうり", "リョウリ", "さんぽ", "サンポ", "えいかいわ",
        "すいさいが", "たいきょくけん", "いご", "はいく", "しゃしん", "ひがしやま", "きょうしつ",
    ],
    "English words": [
        "cooking", "piano", "yoga", "English", "scratch", "ＳＣＲＡＴＣＨ", "AI", "calligraphy",
        "garden", "photo", "walking", "shodou", "shodo", "sanpo", "beginners", "email",
    ],
    "two words": [
        "こども 書道", "書道　こども", "初心者 英会話", "スマホ 教室", "cooking 教室",
        "中央 ヨガ", "東山 散歩", "piano beginners", "料理 無料", "英会話 駅前",
        "写真 Email", "しょどう 教室",
    ],
}
# fmt: on


class Oracle:
    """Every document's text, taken apart once; ``matches`` answers a query by brute force."""

    def __init__(self, documents: Iterable[SearchDocument]) -> None:
        self.keys: list[str] = []
        self.japanese: list[str] = []  # every Japanese run of every text field, one per line
        self.reading: list[str] = []  # the Japanese runs of the reading field
        words: dict[str, set[int]] = defaultdict(set)
        romaji: dict[str, set[int]] = defaultdict(set)
        # Titles and words repeat: analyse each once (the snowball stemmer is pure Python).
        title_romaji: dict[tuple[str, str], list[str]] = {}
        stems: dict[str, str] = {}
        for document in documents:
            if PUBLIC not in document.access:
                continue
            self.keys.append(document.key)
            japanese_runs: list[str] = []
            for text in (document.title, document.reading, document.keywords, document.body):
                for run in runs(fold(text)):
                    if run.japanese:
                        japanese_runs.append(run.text)
                    else:
                        if run.text not in stems:
                            stems[run.text] = stem(run.text)
                        words[stems[run.text]].add(len(self.keys) - 1)
            self.japanese.append("\n".join(japanese_runs))
            self.reading.append(
                "\n".join(run.text for run in runs(fold(document.reading)) if run.japanese)
            )
            title = (document.title, document.reading)
            if title not in title_romaji:
                title_romaji[title] = romaji_words(*title)
            for key in title_romaji[title]:
                romaji[key].add(len(self.keys) - 1)
        self.words = dict(words)
        self.romaji = dict(romaji)

    def matches(self, query: str) -> set[str]:
        """The keys of the public documents that match every term of ``query``."""
        parsed = parse_query(query)
        found: set[int] | None = None
        for term in parsed.terms:
            these = self._term(term)
            found = these if found is None else found & these
        if found is None:  # no terms: everything
            return set(self.keys)
        return {self.keys[index] for index in found}

    def _term(self, term: Term) -> set[int]:
        if term.japanese:
            found = {i for i, text in enumerate(self.japanese) if term.text in text}
            if term.reading:
                found |= {i for i, text in enumerate(self.reading) if term.reading in text}
            return found
        found = set()
        for word, indexes in self.words.items():
            if word == term.stem or (term.prefix and word.startswith(term.stem)):
                found |= indexes
        if term.romaji:
            for word, indexes in self.romaji.items():
                if word == term.romaji or (term.prefix and word.startswith(term.romaji)):
                    found |= indexes
        return found
