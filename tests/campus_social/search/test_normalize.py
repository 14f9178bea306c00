"""The one normalisation both sides of search share, and the highlighting that follows it."""

import pytest

from campus_social.search.highlight import highlight, snippet
from campus_social.search.normalize import (
    QUERY_MAX_CHARS,
    Run,
    bigrams,
    fold,
    index_terms,
    parse_query,
    reading_of,
    reading_words,
    romaji,
    romaji_key,
    romaji_words,
    runs,
    stem,
)

# --- Folding and runs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ＳＣＲＡＴＣＨ", "scratch"),
        ("ｽﾏﾎ", "すまほ"),
        ("リョウリ", "りょうり"),
        ("Straße", "strasse"),
        ("書道　こども", "書道 こども"),
        ("  a \t\n b  ", "a b"),
        ("㍿", "株式会社"),
        ("ヴァイオリン", "ゔぁいおりん"),
    ],
)
def test_fold_makes_widths_cases_and_kana_alike(text, folded):
    assert fold(text) == folded


def test_runs_split_japanese_from_other_words_and_drop_the_rest():
    assert list(runs(fold("こども書道Scratch2024、英会話!😀"))) == [
        Run("こども書道", japanese=True),
        Run("scratch2024", japanese=False),
        Run("英会話", japanese=True),
    ]


def test_bigrams_are_the_overlapping_pairs_of_a_run():
    assert bigrams("生涯学習") == ["生涯", "涯学", "学習"]
    assert bigrams("書") == []


def test_index_terms_keep_each_run_apart():
    terms = index_terms("生涯学習 講座 Cooking")

    assert terms.unigrams == ["生", "涯", "学", "習", "講", "座"]
    assert terms.bigram_runs == [["生涯", "涯学", "学習"], ["講座"]]
    assert terms.words == ["cook"]


@pytest.mark.parametrize(
    ("word", "stemmed"), [("cooking", "cook"), ("classes", "class"), ("2024", "2024")]
)
def test_english_words_are_stemmed_and_others_left_alone(word, stemmed):
    assert stem(word) == stemmed


# --- Romaji and readings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kana", "hepburn"),
    [
        ("しょどう", "shodou"),
        ("きって", "kitte"),
        ("まっちゃ", "matcha"),
        ("らーめん", "raamen"),
        ("きゃく", "kyaku"),
        ("ちょっと", "chotto"),
        ("しんぶん", "shinbun"),
        ("ふぁいる", "fairu"),
        ("じゅく", "juku"),
    ],
)
def test_romaji_is_hepburn_with_small_tsu_long_marks_and_contracted_sounds(kana, hepburn):
    assert romaji(kana) == hepburn


@pytest.mark.parametrize("written", ["shodou", "shodo", "Shodō", "SHODOU", "ｓｈｏｄｏｕ"])
def test_romaji_keys_fold_long_vowels_and_accents(written):
    assert romaji_key(written) == "shodo"


def test_readings_come_from_the_dictionary():
    assert reading_of("散歩") == "さんぽ"
    assert reading_words("こども書道教室") == ("こども", "しょどう", "きょうしつ")


def test_a_title_reading_gives_one_romaji_word_per_word():
    assert romaji_words("書道教室", "しょどうきょうしつ") == ["shodo", "kyoshitsu"]
    assert romaji_words("東山さんぽの会", "") == ["higashiyama", "sanpo", "no", "kai"]


# --- Queries --------------------------------------------------------------------------------------


def test_a_query_becomes_japanese_terms_with_readings_and_word_terms_with_stems():
    terms = parse_query("散歩 Cooking ai").terms

    assert [(t.text, t.japanese, t.reading) for t in terms] == [
        ("散歩", True, "さんぽ"),
        ("cooking", False, ""),
        ("ai", False, ""),
    ]
    assert (terms[1].stem, terms[1].prefix, terms[1].romaji) == ("cook", True, "coking")
    assert terms[2].prefix is False


def test_a_kana_query_asks_for_no_reading():
    assert parse_query("さんぽ").terms[0].reading == ""


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "*", '"', "' --", "😀", "\x00\x07\x1b", "(%_)"],
    ids=["empty", "spaces", "star", "quote", "sql", "emoji", "control", "like"],
)
def test_a_query_of_no_letters_digits_or_japanese_has_no_terms(typed):
    assert not parse_query(typed)


def test_query_syntax_and_control_characters_never_reach_a_term():
    parsed = parse_query("' OR 1=1 -- \"書道\x00NEAR(a*b)")

    assert [term.text for term in parsed.terms] == ["or", "1", "書道", "near", "a", "b"]


def test_a_long_query_is_cut_and_a_repeated_term_asked_once():
    assert len(parse_query("あ" * 1000).text) == QUERY_MAX_CHARS
    assert len(parse_query("書道 書道　書道").terms) == 1


# --- Highlighting ---------------------------------------------------------------------------------


def test_highlight_escapes_everything_but_its_marks():
    html = highlight("<script>alert('書道')</script>", parse_query("書道"))

    assert html == "&lt;script&gt;alert(&#x27;<mark>書道</mark>&#x27;)&lt;/script&gt;"


def test_highlight_marks_the_original_characters_after_folding():
    assert highlight("ＳＣＲＡＴＣＨ 入門", parse_query("scratch")) == (
        "<mark>ＳＣＲＡＴＣＨ</mark> 入門"
    )
    assert highlight("ショドウ教室", parse_query("しょどう")) == "<mark>ショドウ</mark>教室"
    # ㍿ folds to four characters: the offsets after it still point at the right text.
    assert highlight("㍿の書道", parse_query("書道")) == "㍿の<mark>書道</mark>"


def test_highlight_marks_words_by_their_stem_and_prefix_but_not_inside_other_words():
    assert highlight("Cooking and cooks", parse_query("cook")) == (
        "<mark>Cooking</mark> and <mark>cooks</mark>"
    )
    assert highlight("Email AI", parse_query("ai")) == "Email <mark>AI</mark>"


def test_highlight_marks_a_word_written_next_to_japanese():
    assert highlight("Scratchでプログラミング", parse_query("scratch")) == (
        "<mark>Scratch</mark>でプログラミング"
    )


def test_a_snippet_is_cut_around_the_first_match():
    text = "あ" * 200 + "書道" + "い" * 200

    html = snippet(text, parse_query("書道"))

    assert html.startswith("…")
    assert html.endswith("…")
    assert "<mark>書道</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 122


def test_a_snippet_without_a_match_is_the_start_of_the_text():
    assert snippet("短い説明<b>", parse_query("書道")) == "短い説明&lt;b&gt;"
