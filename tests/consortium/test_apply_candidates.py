"""What a resident may apply for: each completed credit-bearing offering that a university's
agreement covers over its dates, once per university, except where an application is open —
in two queries however many completions and universities."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consortium import selectors
from tests.consortium.builders import agreement, apply, completed, ended_offering, university
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_covered_completions_are_offered_once_per_university_except_open_applications():
    minato, kita = university(), university(slug="kita-u", name="北大学")
    learner = ResidentFactory()
    covered, uncovered = ended_offering(), ended_offering()
    agreement(minato, covered)
    agreement(kita, covered, subject_code="KIT100")
    completed(covered, learner)
    completed(uncovered, learner)
    completed(ended_offering(bears_credit=False), learner)

    offered = selectors.apply_candidates(resident=learner, exclude=set())
    apply(learner, covered, minato)
    after = selectors.apply_candidates(resident=learner, exclude={(covered.pk, minato.pk)})

    assert sorted((c.offering_id, c.university.slug) for c in offered) == sorted(
        [(covered.pk, "minato-u"), (covered.pk, "kita-u")]
    )
    assert [(c.offering_id, c.university.slug) for c in after] == [(covered.pk, "kita-u")]


def test_candidates_take_two_queries_however_many_completions():
    minato = university()
    learner = ResidentFactory()
    first = ended_offering()
    agreement(minato, first)
    completed(first, learner)
    with CaptureQueriesContext(connection) as one:
        assert len(selectors.apply_candidates(resident=learner, exclude=set())) == 1
    for code in ("A1", "A2", "A3"):
        more = ended_offering()
        agreement(minato, more, subject_code=code)
        completed(more, learner)

    with CaptureQueriesContext(connection) as four:
        assert len(selectors.apply_candidates(resident=learner, exclude=set())) == 4

    assert len(four) == len(one) == 2
