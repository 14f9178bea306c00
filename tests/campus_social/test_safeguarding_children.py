"""The core's rules on contact with children, each branch: who acts for a child, who talks
directly with one, what a child does only through a guardian, what others see of a child, and
the rule on adults where children are applied to many residents at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from campus_social.common.errors import Forbidden, NotFound
from campus_social.safeguarding.selectors import (
    ActingRefusals,
    DirectContact,
    Participation,
    acting_for,
    acts_through_guardian,
    child_contact,
    child_contacts,
    children_acted_for,
    direct_contact,
    may_lead,
    require_direct_contact,
    visible_name,
)
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    ResidentFactory,
    VettingRecordFactory,
    years_ago,
)

pytestmark = pytest.mark.django_db

ENROLLING = ActingRefusals(
    child_alone="A guardian enrols children; please ask yours.",
    adult="Adults enrol themselves.",
    adult_code="forbidden",
)


@pytest.fixture(autouse=True)
def _english():
    """The refusals are read in their English source words (the default language is Japanese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def family():
    link = GuardianLinkFactory()
    return link.guardian, link.child


def _grown_up_ward(guardian):
    """A ward of ``guardian`` who turned 18: the link stays, the childhood does not."""
    ward = ResidentFactory(birth_date=years_ago(19))
    GuardianLinkFactory(guardian=guardian, child=ward)
    return ward


# --- Who acts for a child -------------------------------------------------------------------------


def test_an_adult_acts_for_themselves(family):
    guardian, _child = family

    assert acting_for(actor=guardian, child_id=None) == guardian
    assert acting_for(actor=guardian, child_id=guardian.pk, refusals=ENROLLING) == guardian


def test_a_guardian_acts_for_their_own_child(family):
    guardian, child = family

    assert acting_for(actor=guardian, child_id=child.pk, refusals=ENROLLING) == child


def test_a_child_acting_alone_is_refused_in_the_callers_words_where_a_guardian_must_act(family):
    _guardian, child = family

    with pytest.raises(Forbidden) as refused:
        acting_for(actor=child, child_id=None, refusals=ENROLLING)

    assert refused.value.code == "guardian_required"
    assert refused.value.message == "A guardian enrols children; please ask yours."


def test_a_child_acts_alone_where_the_caller_allows_it(family):
    _guardian, child = family

    assert acting_for(actor=child, child_id=None) == child
    assert acting_for(actor=child, child_id=child.pk) == child


@pytest.mark.parametrize("who", ["someone_elses_child", "unknown", "deactivated"])
def test_anyone_but_ones_own_child_answers_as_no_such_resident(family, who):
    guardian, child = family
    if who == "someone_elses_child":
        target_id = ChildFactory().pk
    elif who == "unknown":
        target_id = 987_654
    else:
        child.is_active = False
        child.save(update_fields=["is_active"])
        target_id = child.pk

    with pytest.raises(NotFound) as refused:
        acting_for(actor=guardian, child_id=target_id, refusals=ENROLLING)

    assert refused.value.message == "No such resident."


def test_a_child_acts_for_nobody_else(family):
    guardian, child = family
    sibling = ChildFactory()
    GuardianLinkFactory(guardian=guardian, child=sibling)

    with pytest.raises(NotFound):
        acting_for(actor=child, child_id=sibling.pk)
    with pytest.raises(NotFound):
        acting_for(actor=child, child_id=guardian.pk)


def test_a_ward_who_grew_up_acts_for_themselves_in_the_callers_words(family):
    guardian, _child = family
    ward = _grown_up_ward(guardian)

    with pytest.raises(Forbidden) as worded:
        acting_for(actor=guardian, child_id=ward.pk, refusals=ENROLLING)
    with pytest.raises(Forbidden) as plain:
        acting_for(actor=guardian, child_id=ward.pk)

    assert (worded.value.code, worded.value.message) == ("forbidden", "Adults enrol themselves.")
    assert (plain.value.code, plain.value.message) == ("adult", "Adults act for themselves.")


def test_the_children_one_acts_for_are_ones_own_active_children(family):
    guardian, child = family
    _grown_up_ward(guardian)
    gone = ChildFactory(is_active=False)
    GuardianLinkFactory(guardian=guardian, child=gone)
    ChildFactory()  # someone else's

    assert list(children_acted_for(actor=guardian)) == [child]
    assert list(children_acted_for(actor=child)) == []


def test_a_child_commits_only_through_a_guardian_and_leads_nobody(family):
    guardian, child = family

    assert acts_through_guardian(resident=child)
    assert not acts_through_guardian(resident=guardian)
    assert may_lead(resident=guardian)
    assert not may_lead(resident=child)


# --- Who talks directly with a child -----------------------------------------------------------


def test_two_adults_and_a_child_with_their_own_guardian_talk_directly(family):
    guardian, child = family

    assert direct_contact(resident=guardian, other=ResidentFactory()) == DirectContact.OPEN
    assert direct_contact(resident=guardian, other=child) == DirectContact.OPEN
    assert direct_contact(resident=child, other=guardian) == DirectContact.OPEN
    require_direct_contact(resident=child, other=guardian)


def test_two_children_never_talk_directly(family):
    _guardian, child = family

    assert direct_contact(resident=child, other=ChildFactory()) == DirectContact.CHILDREN
    with pytest.raises(Forbidden) as refused:
        require_direct_contact(resident=child, other=ChildFactory())

    assert refused.value.message == "Children cannot open direct conversations."


def test_a_child_is_told_they_talk_directly_only_with_their_guardian(family):
    _guardian, child = family
    stranger = ResidentFactory()

    assert direct_contact(resident=child, other=stranger) == DirectContact.NOT_THEIR_GUARDIAN
    with pytest.raises(Forbidden) as refused:
        require_direct_contact(resident=child, other=stranger)

    assert refused.value.message == "You can send direct messages only to your guardian."


def test_an_adult_asking_for_someone_elses_child_finds_nobody(family):
    _guardian, child = family
    stranger = ResidentFactory()

    assert direct_contact(resident=stranger, other=child) == DirectContact.SOMEONE_ELSES_CHILD
    with pytest.raises(NotFound) as refused:
        require_direct_contact(resident=stranger, other=child)

    assert refused.value.message == "No such resident."


# --- What others see of a child ----------------------------------------------------------------


def test_others_see_a_child_by_given_name_only_and_an_adult_by_full_name():
    child = ChildFactory(name="田中 ゆき", given_name="ゆき")
    adult = ResidentFactory(name="田中 母", given_name="母")

    assert visible_name(resident=child) == "ゆき"
    assert visible_name(resident=adult) == "田中 母"
    assert (child.display_name, adult.display_name) == ("ゆき", "田中 母")


# --- The rule on adults where children are, for many at once -----------------------------------


def test_the_rule_for_many_gives_each_the_level_it_gives_one(family):
    guardian, child = family
    vetted = VettingRecordFactory().resident
    other_child = ChildFactory()
    stranger = ResidentFactory()
    everyone = [guardian, vetted, other_child, stranger]

    levels = child_contacts(residents=everyone, children=[child])

    assert levels == {
        guardian.pk: Participation.READ,
        vetted.pk: Participation.MODERATE,
        other_child.pk: Participation.POST,
        stranger.pk: Participation.NONE,
    }
    for person in everyone:
        assert child_contact(resident=person, children=[child]) == levels[person.pk]


def test_where_no_child_is_nor_is_meant_to_be_nobody_is_limited():
    stranger = ResidentFactory()

    assert child_contacts(residents=[stranger], children=[ResidentFactory()]) == {
        stranger.pk: Participation.MODERATE
    }
    assert child_contacts(residents=[stranger], children=[], for_children=True) == {
        stranger.pk: Participation.NONE
    }


def test_the_rule_for_many_asks_two_queries_however_many_residents(family):
    _guardian, child = family
    few = ResidentFactory.create_batch(2)
    many = ResidentFactory.create_batch(20)

    with CaptureQueriesContext(connection) as for_few:
        child_contacts(residents=few, children=[child])
    with CaptureQueriesContext(connection) as for_many:
        child_contacts(residents=many, children=[child])

    assert len(for_few) == len(for_many) == 2
