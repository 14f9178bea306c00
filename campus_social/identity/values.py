"""Constants other apps and the pages may name."""

from django.utils.translation import pgettext_lazy

# One label per school year: English counts the twelve years through ("Grade 7"), Japanese
# restarts at each stage (中1), so each is its own message rather than a formatted number.
GRADE_LABELS = {
    1: pgettext_lazy("school year", "Grade 1"),
    2: pgettext_lazy("school year", "Grade 2"),
    3: pgettext_lazy("school year", "Grade 3"),
    4: pgettext_lazy("school year", "Grade 4"),
    5: pgettext_lazy("school year", "Grade 5"),
    6: pgettext_lazy("school year", "Grade 6"),
    7: pgettext_lazy("school year", "Grade 7"),
    8: pgettext_lazy("school year", "Grade 8"),
    9: pgettext_lazy("school year", "Grade 9"),
    10: pgettext_lazy("school year", "Grade 10"),
    11: pgettext_lazy("school year", "Grade 11"),
    12: pgettext_lazy("school year", "Grade 12"),
}


def grade_label(school_year: int | None) -> str:
    """The school year as people say it: 小1–高3 in Japanese, "Grade 1"–"Grade 12" in English;
    empty for none."""
    if school_year is None or school_year not in GRADE_LABELS:
        return ""
    return str(GRADE_LABELS[school_year])
