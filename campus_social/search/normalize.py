"""The one text normalisation of search, used on both sides: what is indexed and what is asked.

Every backend indexes what ``index_terms`` gives and matches what ``parse_query`` gives, so the
database and Elasticsearch cannot disagree on what "the same text" means:

- **folding** (``fold``): NFKC (full-width ``ＳＣＲＡＴＣＨ`` and half-width ``ｽﾏﾎ`` become
  ``scratch`` and ``スマホ``), case folding, and katakana to hiragana (``リョウリ`` → ``りょうり``);
- **Japanese text** (kana and kanji runs) is matched by its characters: a run is indexed as its
  single characters and its overlapping pairs (bigrams), so a one-character query looks for the
  character and a longer one for its pairs as a phrase, in order, next to each other.  No word
  dictionary decides where a word starts: "学習" is found inside "生涯学習講座";
- **other words** (Latin letters, digits) are matched as words by their English stem
  (snowball): "cooking" finds "cook", and a query word of three characters or more also finds
  the words that start with it ("scra" finds "Scratch") — but "AI" never finds "Email";
- **readings**: a title's kana reading is indexed beside it, with the Hepburn romaji of each of
  its words, long vowels folded (``しょどう`` → ``shodo``, so "shodou" and "shodo" both find 書道);
  a query with kanji in it also looks for its own reading among the readings (散歩 → さんぽ
  finds 東山さんぽの会).  Readings come from SudachiPy with its core dictionary.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import snowballstemmer

if TYPE_CHECKING:
    from sudachipy import Tokenizer

# A query longer than this is cut: nobody types more, and it keeps every query cheap.
QUERY_MAX_CHARS = 100
# Query words of at least this many characters also match words that start with them.
PREFIX_MIN_CHARS = 3

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {
    0x30FD: 0x309D,  # ヽ → ゝ
    0x30FE: 0x309E,  # ヾ → ゞ
}


def fold(text: str) -> str:
    """``text`` as search compares it: NFKC, case-folded, katakana as hiragana, runs of
    whitespace as one space.  (``highlight`` folds the same way character by character —
    ``clusters``, ``fold_char`` — to trace each match back to the original text.)"""
    return " ".join(fold_chars(text).split())


# Half-width katakana write voicing as a separate character (ﾄﾞ = ﾄ + ﾞ): NFKC composes the pair
# into ド only when it sees both, so the mark stays with the character before it.
HALF_WIDTH_VOICING = frozenset("\uff9e\uff9f")


def clusters(text: str) -> Iterator[tuple[int, str]]:
    """Each character of ``text`` with the combining or half-width voicing marks after it, and
    the offset where it starts."""
    start = 0
    for index in range(1, len(text) + 1):
        if index < len(text) and (
            text[index] in HALF_WIDTH_VOICING or unicodedata.combining(text[index])
        ):
            continue
        yield start, text[start:index]
        start = index


def fold_chars(text: str) -> str:
    """NFKC, case folding and katakana as hiragana over the whole of ``text`` — what ``fold``
    does, but keeping every space."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA_TO_HIRAGANA)


@functools.lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character (or a cluster from ``clusters``), folded; NFKC may make it several
    (``㍿`` → ``株式会社``) or one of two (``ﾄﾞ`` → ``ど``)."""
    return fold_chars(char)


def is_japanese(char: str) -> bool:
    """Kana, kanji and the marks written inside Japanese words (ー, 々, 〆, ヶ)."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana (ー is U+30FC)
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3134F  # extensions B–H
        or char in "々〆〇ヶ"
    )


def is_kanji(char: str) -> bool:
    return is_japanese(char) and not 0x3040 <= ord(char) <= 0x30FF


def _is_word_char(char: str) -> bool:
    return char.isalnum() and not is_japanese(char)


@dataclass(frozen=True)
class Run:
    """A stretch of folded text that is matched as one: Japanese characters (``japanese``) or a
    word of letters and digits."""

    text: str
    japanese: bool


def runs(folded: str) -> Iterator[Run]:
    """The runs of already folded text, in order; anything else (spaces, punctuation, emoji,
    symbols) only separates them."""
    current: list[str] = []
    current_japanese = False
    for char in folded:
        japanese = is_japanese(char)
        if japanese or _is_word_char(char):
            if current and japanese != current_japanese:
                yield Run("".join(current), current_japanese)
                current = []
            current.append(char)
            current_japanese = japanese
        elif current:
            yield Run("".join(current), current_japanese)
            current = []
    if current:
        yield Run("".join(current), current_japanese)


def bigrams(run: str) -> list[str]:
    """The overlapping character pairs of a Japanese run (none for a single character)."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


@functools.cache
def _english() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)  # snowball is slow, and the same words recur in every text
def stem(word: str) -> str:
    """A folded Latin word by its English stem; digits and other scripts as they are."""
    if word.isascii() and word.isalpha():
        return str(_english().stemWord(word))
    return word


# --- What is indexed ----------------------------------------------------------------------------


@dataclass
class IndexTerms:
    """The terms of one text, for one field of the index.

    ``unigrams``: every Japanese character; ``bigram_runs``: the bigrams of each Japanese run
    of two or more characters, one list per run (a phrase may not cross from one run into the
    next); ``words``: the stems of the other words, in order.
    """

    unigrams: list[str] = field(default_factory=list)
    bigram_runs: list[list[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


def index_terms(text: str) -> IndexTerms:
    terms = IndexTerms()
    for run in runs(fold(text)):
        if run.japanese:
            terms.unigrams.extend(run.text)
            if len(run.text) > 1:
                terms.bigram_runs.append(bigrams(run.text))
        else:
            terms.words.append(stem(run.text))
    return terms


# --- What is asked ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing a query asks for; a document must match every term of the query.

    A Japanese term (``japanese``) matches its character (one character) or its bigrams as a
    phrase in any text field, or — when it is two or more characters with kanji among them —
    its ``reading`` (hiragana) in the reading field.  A word term matches a word stem equal to ``stem`` — or starting with it, when
    ``prefix`` — in any text field, or a romaji word equal to (or starting with) ``romaji``.
    ``text`` is the folded term itself, for highlighting.
    """

    text: str
    japanese: bool
    reading: str = ""
    stem: str = ""
    prefix: bool = False
    romaji: str = ""

    @property
    def grams(self) -> list[str]:
        """A Japanese term as the index holds it: its one character, or its bigrams."""
        return [self.text] if len(self.text) == 1 else bigrams(self.text)

    @property
    def reading_grams(self) -> list[str]:
        if not self.reading:
            return []
        return [self.reading] if len(self.reading) == 1 else bigrams(self.reading)


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the folded query, cut to QUERY_MAX_CHARS
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_query(raw: str) -> ParsedQuery:
    """The terms of what a resident typed.  Anything may come in — a thousand characters, SQL,
    quotes, emoji, control characters: only letters, digits and Japanese characters become
    terms, so no backend ever sees query syntax; a query with none of them has no terms."""
    folded = fold(_printable(raw)[: QUERY_MAX_CHARS * 2])[:QUERY_MAX_CHARS]
    terms: list[Term] = []
    for run in runs(folded):
        if run.japanese:
            # A word in kanji also looks for its reading (散歩 → さんぽ); a single kanji does not:
            # its reading (菜 → な) is a syllable found inside any number of other words.
            is_word = len(run.text) > 1 and any(is_kanji(c) for c in run.text)
            reading = reading_of(run.text) if is_word else ""
            terms.append(Term(text=run.text, japanese=True, reading=reading))
        else:
            terms.append(
                Term(
                    text=run.text,
                    japanese=False,
                    stem=stem(run.text),
                    prefix=len(run.text) >= PREFIX_MIN_CHARS,
                    romaji=romaji_key(run.text),
                )
            )
    unique = tuple(dict.fromkeys(terms))  # "書道 書道" asks once
    return ParsedQuery(text=folded, terms=unique)


def _printable(text: str) -> str:
    return "".join(" " if unicodedata.category(c) in {"Cc", "Cs"} else c for c in text)


# --- Readings -----------------------------------------------------------------------------------


@functools.cache
def _tokenizer() -> "Tokenizer":
    # Loaded on first use (about a second, ~70 MB): a process that never searches never pays.
    from sudachipy import Dictionary

    return Dictionary(dict="core").create()


@functools.lru_cache(maxsize=2048)
def reading_words(text: str) -> tuple[str, ...]:
    """The hiragana readings of the words of ``text``, by SudachiPy's core dictionary
    (``こども書道教室`` → ``("こども", "しょどう", "きょうしつ")``).  Words the dictionary does not
    know keep their surface (folded); Latin words are left out."""
    from sudachipy import SplitMode

    text = _printable(text)[:2000]
    words: list[str] = []
    for morpheme in _tokenizer().tokenize(text, SplitMode.C):
        surface = fold(morpheme.surface())
        if not surface or not any(is_japanese(c) for c in surface):
            continue
        reading = fold(morpheme.reading_form())
        # Sudachi answers "キゴウ" for symbols it does not know: keep a kana surface as it is.
        words.append(reading if reading and all(is_japanese(c) for c in reading) else surface)
    return tuple(words)


def reading_of(text: str) -> str:
    """The whole hiragana reading of ``text`` (``散歩`` → ``さんぽ``): proposed to a lecturer who
    leaves a reading empty, and what a kanji query also looks for among readings."""
    return "".join(reading_words(text))


def reading_segments(title: str, reading: str) -> tuple[str, ...]:
    """A stored reading cut into words, for romaji: by the title's own analysis when the
    reading is what the dictionary reads, else by analysing the reading itself."""
    stored = fold(reading).replace(" ", "")
    proposed = reading_words(title)
    if stored and "".join(proposed) != stored:
        return reading_words(stored) or (stored,)
    return proposed or ((stored,) if stored else ())


# --- Romaji (Hepburn) ---------------------------------------------------------------------------

# The kana and their Hepburn romaji, side by side (the table reads better as text).
_KANA = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわゐゑをん"
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉゃゅょゎゔ"
)
_HEPBURN = (
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no "
    "ha hi fu he ho ma mi mu me mo ya yu yo ra ri ru re ro wa i e o n "
    "ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po "
    "a i u e o ya yu yo wa vu"
)
_ROMAJI_SINGLE = dict(zip(_KANA, _HEPBURN.split(), strict=True))
# A consonant kana followed by a small ゃ/ゅ/ょ (or a small vowel, for loanwords) reads as one.
_ROMAJI_PAIRS = {
    "しゃ": "sha", "しゅ": "shu", "しょ": "sho", "しぇ": "she",
    "ちゃ": "cha", "ちゅ": "chu", "ちょ": "cho", "ちぇ": "che",
    "じゃ": "ja", "じゅ": "ju", "じょ": "jo", "じぇ": "je",
    "ぢゃ": "ja", "ぢゅ": "ju", "ぢょ": "jo",
    "ふぁ": "fa", "ふぃ": "fi", "ふぇ": "fe", "ふぉ": "fo",
    "てぃ": "ti", "でぃ": "di", "とぅ": "tu", "どぅ": "du",
    "うぃ": "wi", "うぇ": "we", "うぉ": "wo", "ゔぁ": "va", "ゔぃ": "vi", "ゔぇ": "ve", "ゔぉ": "vo",
}  # fmt: skip
_YOUON = {"ゃ": "a", "ゅ": "u", "ょ": "o"}


def romaji(kana: str) -> str:
    """Hepburn romaji of folded kana (``しょどう`` → ``shodou``; ``っ`` doubles the next consonant,
    ``ー`` repeats the vowel before it).  Characters that are not kana are left out."""
    out: list[str] = []
    double_next = False
    i = 0
    while i < len(kana):
        pair = kana[i : i + 2]
        if pair in _ROMAJI_PAIRS:
            syllable, i = _ROMAJI_PAIRS[pair], i + 2
        elif len(pair) == 2 and pair[1] in _YOUON and pair[0] in _ROMAJI_SINGLE:
            # き + ゃ → kya: the consonant of き, y, the vowel of ゃ.
            syllable, i = _ROMAJI_SINGLE[pair[0]][:-1] + "y" + _YOUON[pair[1]], i + 2
        elif kana[i] == "っ":
            double_next, i = True, i + 1
            continue
        elif kana[i] == "ー":
            syllable, i = (out[-1][-1] if out and out[-1][-1] in "aeiou" else ""), i + 1
        else:
            syllable, i = _ROMAJI_SINGLE.get(kana[i], ""), i + 1
        if double_next and syllable:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double_next = False
        out.append(syllable)
    return "".join(out)


_LONG_VOWELS = re.compile(r"ou|oo|uu")


def romaji_key(word: str) -> str:
    """A romaji word as it is compared: folded, accents off (``ō`` → ``o``), long vowels as one
    letter (``shodou``, ``shodo`` and ``shodō`` are all ``shodo``)."""
    plain = "".join(
        c for c in unicodedata.normalize("NFD", fold(word)) if not unicodedata.combining(c)
    )
    return _LONG_VOWELS.sub(lambda m: m.group(0)[0], plain)


def romaji_words(title: str, reading: str) -> list[str]:
    """The romaji keys of a title's reading, a word each (``書道教室`` → ``["shodo", "kyoshitsu"]``)."""
    keys = (romaji_key(romaji(word)) for word in reading_segments(title, reading))
    return [key for key in keys if key]
