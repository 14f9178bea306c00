"""Discussions: threads and their replies, edited by their authors and removed by them or the
circle's organisers and moderators; only members post."""

import pytest

from campus_social.common.errors import Forbidden, Invalid, NotFound
from communities import selectors, services
from communities.models import Circle, Reply, Thread
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle() -> Circle:
    return make_circle()


@pytest.fixture
def member(circle):
    return add_member(circle)


def start(
    circle: Circle, author, title: str = "次回の題材", body: str = "季節の言葉にしませんか。"
):
    return services.thread_create(actor=author, circle_id=circle.pk, title=title, body=body)


def fresh(obj):
    obj.refresh_from_db()
    return obj


# --- Threads and replies ---------------------------------------------------------------------------


def test_a_member_starts_a_discussion_and_the_circle_shows_it_talked(circle, member):
    thread = start(circle, member, title="  次回の題材 ")

    assert thread.title == "次回の題材"
    assert thread.author == member
    assert thread.reply_count == 0
    assert fresh(circle).last_posted_at == thread.created_at == thread.last_post_at
    assert list(selectors.thread_list(circle_id=circle.pk, actor=member)) == [thread]


def test_replies_count_up_and_bring_their_thread_to_the_top(circle, member):
    older = start(circle, member, title="古い話")
    newer = start(circle, member, title="新しい話")
    organiser = organiser_of(circle)

    first = services.reply_create(actor=organiser, thread_id=older.pk, body="賛成です。")
    second = services.reply_create(actor=member, thread_id=older.pk, body="では来週。")

    older = fresh(older)
    assert older.reply_count == 2
    assert older.last_post_at == second.created_at
    assert fresh(circle).last_posted_at == second.created_at
    assert list(selectors.thread_list(circle_id=circle.pk, actor=member)) == [older, newer]
    assert list(selectors.reply_list(thread=older)) == [first, second]


def test_the_author_edits_their_thread_and_reply(circle, member):
    thread = start(circle, member)
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="追記します。")

    services.thread_edit(actor=member, thread_id=thread.pk, body="季節の言葉か、干支の字に。")
    services.reply_edit(actor=member, reply_id=reply.pk, body="追記しました。")

    thread, reply = fresh(thread), fresh(reply)
    assert (thread.title, thread.body) == ("次回の題材", "季節の言葉か、干支の字に。")
    assert thread.edited_at is not None
    assert reply.body == "追記しました。"
    assert reply.edited_at is not None


def test_nobody_edits_another_members_post_not_even_the_organiser(circle, member):
    thread = start(circle, member)
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="私の意見です。")
    organiser, other = organiser_of(circle), add_member(circle)

    for actor in (other, organiser):
        with pytest.raises(Forbidden) as refused:
            services.thread_edit(actor=actor, thread_id=thread.pk, title="書き換え")
        assert refused.value.code == "not_author"
        with pytest.raises(Forbidden) as refused:
            services.reply_edit(actor=actor, reply_id=reply.pk, body="書き換え")
        assert refused.value.code == "not_author"

    thread, reply = fresh(thread), fresh(reply)
    assert thread.title == "次回の題材"
    assert thread.edited_at is None
    assert reply.body == "私の意見です。"
    assert reply.edited_at is None


# --- Removing --------------------------------------------------------------------------------------


def test_the_author_removes_their_reply_and_the_count_follows(circle, member):
    thread = start(circle, member)
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="間違えました。")

    services.reply_remove(actor=member, reply_id=reply.pk)

    assert fresh(thread).reply_count == 0
    assert list(selectors.reply_list(thread=thread)) == []
    with pytest.raises(NotFound):
        services.reply_remove(actor=member, reply_id=reply.pk)
    assert fresh(thread).reply_count == 0


def test_organisers_and_moderators_remove_other_members_posts(circle, member):
    organiser = organiser_of(circle)
    moderator = add_member(circle)
    services.circle_role_set(
        actor=organiser, circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )
    thread = start(circle, member, title="宣伝です")
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="宣伝です")
    kept = start(circle, member, title="残る話")

    services.reply_remove(actor=moderator, reply_id=reply.pk)
    services.thread_remove(actor=organiser, thread_id=thread.pk)

    assert fresh(reply).removed_at is not None
    assert fresh(thread).removed_at is not None
    assert list(selectors.thread_list(circle_id=circle.pk, actor=member)) == [kept]
    with pytest.raises(NotFound):
        selectors.thread_detail(circle_id=thread.circle_id, thread_id=thread.pk, actor=member)
    with pytest.raises(NotFound):
        services.reply_create(actor=member, thread_id=thread.pk, body="まだ話したい")


def test_a_plain_member_cannot_remove_another_members_post(circle, member):
    thread = start(circle, member)
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="…")
    other = add_member(circle)

    with pytest.raises(Forbidden) as refused:
        services.thread_remove(actor=other, thread_id=thread.pk)
    assert refused.value.code == "not_author"
    with pytest.raises(Forbidden):
        services.reply_remove(actor=other, reply_id=reply.pk)

    assert fresh(thread).removed_at is None
    assert fresh(reply).removed_at is None
    assert fresh(thread).reply_count == 1


# --- Who may post, and what ---------------------------------------------------------------------


def test_residents_outside_the_circle_cannot_post_or_reply(circle, member):
    thread = start(circle, member)
    outsider = ResidentFactory()
    before = fresh(circle).last_posted_at

    with pytest.raises(Forbidden) as refused:
        start(circle, outsider)
    assert refused.value.code == "not_a_member"
    with pytest.raises(Forbidden) as refused:
        services.reply_create(actor=outsider, thread_id=thread.pk, body="通りすがりです")
    assert refused.value.code == "not_a_member"
    with pytest.raises(Forbidden):
        selectors.thread_list(circle_id=circle.pk, actor=outsider)

    assert Thread.objects.count() == 1
    assert not Reply.objects.exists()
    assert fresh(circle).last_posted_at == before


def test_a_member_who_left_no_longer_posts(circle, member):
    services.circle_leave(actor=member, circle_id=circle.pk)

    with pytest.raises(Forbidden):
        start(circle, member)
    assert not Thread.objects.exists()


def test_an_outsider_posting_to_an_invite_only_circle_finds_nothing():
    circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)

    with pytest.raises(NotFound):
        start(circle, ResidentFactory())
    assert not Thread.objects.exists()


@pytest.mark.parametrize(
    ("title", "body", "fields"),
    [
        ("", "本文", {"title"}),
        ("題", "   ", {"body"}),
        ("題" * 201, "本文", {"title"}),
        ("題", "文" * 10_001, {"body"}),
        (None, None, {"title", "body"}),
        (["題"], 3, {"title", "body"}),
    ],
)
def test_an_empty_or_too_long_thread_is_refused_naming_the_fields(
    circle, member, title, body, fields
):
    with pytest.raises(Invalid) as refused:
        services.thread_create(actor=member, circle_id=circle.pk, title=title, body=body)

    assert set(refused.value.fields) == fields
    assert not Thread.objects.exists()
    assert fresh(circle).last_posted_at is None


@pytest.mark.parametrize("body", ["", "\n\n", "文" * 10_001])
def test_an_empty_or_too_long_reply_or_edit_is_refused_and_nothing_changes(circle, member, body):
    thread = start(circle, member)
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="元の返信")

    with pytest.raises(Invalid) as refused:
        services.reply_create(actor=member, thread_id=thread.pk, body=body)
    assert "body" in refused.value.fields
    with pytest.raises(Invalid):
        services.reply_edit(actor=member, reply_id=reply.pk, body=body)
    with pytest.raises(Invalid):
        services.thread_edit(actor=member, thread_id=thread.pk, body=body)

    assert fresh(thread).reply_count == 1
    assert fresh(thread).body == "季節の言葉にしませんか。"
    assert fresh(reply).body == "元の返信"
