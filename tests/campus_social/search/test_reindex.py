"""``manage.py search_reindex``: the whole index rebuilt from the database, again and again."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campus_social.search import services
from courses.models import Offering
from tests.communities.factories import make_circle
from tests.courses.factories import CourseFactory, OfferingFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def reindex() -> str:
    out = StringIO()
    call_command("search_reindex", "--no-progress", stdout=out)
    return out.getvalue()


def titles(text: str, viewer=None) -> set[str]:
    found = services.search(text=text, viewer=viewer, kinds=("offering", "circle"))
    return {hit.title for hit in found.hits}


def test_it_indexes_everything_findable_and_says_how_many():
    # Rows written straight to the database (as a restore or the admin would): not indexed yet.
    OfferingFactory(course=CourseFactory(title="はじめての書道"))
    OfferingFactory(course=CourseFactory(title="こども書道教室"))
    OfferingFactory(course=CourseFactory(title="下書き"), status=Offering.Status.DRAFT)
    make_circle(name="書道の輪")
    member = ResidentFactory()
    assert titles("書道", member) == set()  # no commit in this test: nothing indexed yet

    out = reindex()

    # Two offerings, the three courses' lecturers (approved), one circle.
    assert "Indexed 6 document(s) for search." in out
    assert titles("書道", member) == {"はじめての書道", "こども書道教室", "書道の輪"}


def test_running_it_again_changes_nothing_but_what_the_database_changed():
    offering = OfferingFactory(course=CourseFactory(title="朝の太極拳"))
    first = reindex()
    assert reindex() == first
    assert titles("太極拳") == {"朝の太極拳"}

    # Cancelled behind the services' back: the next run takes it out.
    Offering.objects.filter(pk=offering.pk).update(status=Offering.Status.CANCELLED)
    reindex()
    assert titles("太極拳") == set()


def test_an_unreachable_search_engine_fails_with_a_clear_message(settings, search_down):
    settings.LANGUAGE_CODE = "en"
    OfferingFactory()

    with pytest.raises(CommandError, match=r"The search index was not rebuilt: .*not available"):
        reindex()
