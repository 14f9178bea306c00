"""Readings proposed where a resident leaves a kana reading empty (a course's title, a
lecturer's name, a circle's or a program's): search finds a title typed in hiragana through its
reading, so an empty one is never saved silently.  A page re-shows its form with the proposal
filled in, asking to check it; a service refuses the empty reading with the proposal in its
message (the API keeps a required reading required: nothing is saved with a guess unseen), and
where a reading is optional (a resident's name) the service keeps the proposal.  The proposal is SudachiPy's reading (``services.reading_proposed``):
good for words, a guess for names, hence always shown before it is kept."""

from typing import Any

from django.utils.translation import gettext as _

from campus_social.search.services import reading_proposed


def reading_for(text: str) -> str:
    """The proposed hiragana reading of ``text``, a word group at a time so that a name keeps
    its space (``中村 恵子`` → ``なかむら けいこ``); empty when nothing in it has a reading."""
    parts = (reading_proposed(part) for part in text.split())
    return " ".join(part for part in parts if part)


def reading_missing(errors: dict[str, list[str]], field: str, given: Any, *, reads: Any) -> None:
    """For a service checking its input: when the reading ``field`` was left empty and the text
    it reads is there, its refusal proposes a reading (replacing "Please fill this in.")."""
    if (isinstance(given, str) and given.strip()) or not isinstance(reads, str):
        return
    proposal = reading_for(reads)
    if proposal:
        errors[field] = [
            _("Please give the reading in kana, for example “%(reading)s” (check it first).")
            % {"reading": proposal}
        ]
