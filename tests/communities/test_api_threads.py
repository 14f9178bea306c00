"""The circles REST API: discussions (threads with replies) inside a circle."""

import pytest

from communities import services
from communities.models import Circle, Reply, Thread
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.courses.factories import LecturerFactory, VettingRecordFactory
from tests.factories import GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def threads_url(circle) -> str:
    return f"/api/v1/circles/{circle.pk}/threads/"


def thread_url(circle, thread) -> str:
    return f"/api/v1/circles/{circle.pk}/threads/{thread.pk}/"


def start(circle, author, title="今月のお題", body="「春」でどうでしょう。") -> Thread:
    return services.thread_create(actor=author, circle_id=circle.pk, title=title, body=body)


def reply_to(thread, author, body="賛成です。") -> Reply:
    return services.reply_create(actor=author, thread_id=thread.pk, body=body)


def vetted_adult():
    lecturer = LecturerFactory()
    VettingRecordFactory(lecturer=lecturer)
    return lecturer.resident


def test_a_member_starts_a_discussion(signed_in):
    circle = make_circle()
    member = add_member(circle)

    response = signed_in(member).post(
        threads_url(circle),
        {"title": "今月のお題", "body": "「春」でどうでしょう。"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    thread = Thread.objects.get(pk=body["id"])
    assert (thread.circle, thread.author, thread.title) == (circle, member, "今月のお題")
    assert (body["author_name"], body["body"], body["mine"], body["reply_count"]) == (
        member.name,
        "「春」でどうでしょう。",
        True,
        0,
    )
    circle.refresh_from_db()
    assert circle.last_posted_at == thread.created_at


def test_a_non_member_cannot_post_and_nothing_is_stored(signed_in):
    circle = make_circle()

    response = signed_in(ResidentFactory()).post(
        threads_url(circle), {"title": "宣伝", "body": "買ってください"}, format="json"
    )

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "not_a_member"
    assert body["detail"]
    assert not Thread.objects.exists()


def test_an_empty_discussion_answers_400_naming_the_fields(signed_in):
    circle = make_circle()

    response = signed_in(organiser_of(circle)).post(
        threads_url(circle), {"title": " ", "body": ""}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title", "body"}
    assert not Thread.objects.exists()


def test_discussions_are_listed_latest_post_first(signed_in):
    circle = make_circle()
    member = add_member(circle)
    older = start(circle, member, title="古い話題")
    newer = start(circle, member, title="新しい話題")
    reply_to(older, organiser_of(circle))

    response = signed_in(member).get(threads_url(circle))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [t["id"] for t in results] == [older.pk, newer.pk]
    assert results[0]["reply_count"] == 1
    assert set(results[0]) == {
        "id",
        "title",
        "author_name",
        "created_at",
        "last_post_at",
        "reply_count",
        "edited_at",
    }


def test_a_discussion_is_shown_with_its_replies_and_which_are_mine(signed_in):
    circle = make_circle()
    member = add_member(circle)
    organiser = organiser_of(circle)
    thread = start(circle, member)
    first = reply_to(thread, organiser, "いいですね")
    second = reply_to(thread, member, "では決まりで")

    response = signed_in(member).get(thread_url(circle, thread))

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["body"], body["mine"]) == (
        "今月のお題",
        "「春」でどうでしょう。",
        True,
    )
    assert [(r["id"], r["author_name"], r["body"], r["mine"]) for r in body["replies"]] == [
        (first.pk, organiser.name, "いいですね", False),
        (second.pk, member.name, "では決まりで", True),
    ]


def test_a_guardian_reads_their_childs_circle_but_does_not_post(signed_in):
    link = GuardianLinkFactory()
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    thread = start(circle, organiser_of(circle))
    client = signed_in(link.guardian)

    read = client.get(thread_url(circle, thread))
    posted = client.post(threads_url(circle), {"title": "t", "body": "b"}, format="json")

    assert read.status_code == 200
    assert posted.status_code == 403
    assert posted.json()["code"] == "not_a_member"
    assert Thread.objects.count() == 1


def test_the_author_edits_their_discussion(signed_in):
    circle = make_circle()
    member = add_member(circle)
    thread = start(circle, member)

    response = signed_in(member).patch(
        thread_url(circle, thread), {"body": "「夏」に変えます。"}, format="json"
    )

    assert response.status_code == 200
    thread.refresh_from_db()
    assert (thread.title, thread.body) == ("今月のお題", "「夏」に変えます。")
    assert response.json()["edited_at"] is not None


def test_editing_another_members_discussion_answers_403_not_author_and_changes_nothing(signed_in):
    circle = make_circle()
    author, other = add_member(circle), add_member(circle)
    thread = start(circle, author)

    for editor in (other, organiser_of(circle)):
        response = signed_in(editor).patch(
            thread_url(circle, thread), {"body": "書き換え"}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == "not_author"
    thread.refresh_from_db()
    assert (thread.body, thread.edited_at) == ("「春」でどうでしょう。", None)


def test_a_moderator_removes_another_members_discussion_but_a_member_cannot(signed_in):
    circle = make_circle()
    author, other = add_member(circle), add_member(circle)
    thread = start(circle, author)

    by_member = signed_in(other).delete(thread_url(circle, thread))
    by_organiser = signed_in(organiser_of(circle)).delete(thread_url(circle, thread))
    after = signed_in(author).get(thread_url(circle, thread))

    assert by_member.status_code == 403
    assert by_member.json()["code"] == "not_author"
    assert by_organiser.status_code == 204
    thread.refresh_from_db()
    assert thread.removed_at is not None
    assert after.status_code == 404


def test_a_discussion_of_another_circle_is_not_found_under_this_one(signed_in):
    mine = make_circle()
    member = add_member(mine)
    elsewhere = make_circle()
    theirs = start(elsewhere, organiser_of(elsewhere))
    client = signed_in(member)

    responses = [
        client.get(thread_url(mine, theirs)),
        client.patch(thread_url(mine, theirs), {"body": "x"}, format="json"),
        client.delete(thread_url(mine, theirs)),
        client.post(thread_url(mine, theirs) + "replies/", {"body": "x"}, format="json"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert {r.json()["code"] for r in responses} == {"not_found"}
    theirs.refresh_from_db()
    assert (theirs.body, theirs.removed_at, theirs.reply_count) == (
        "「春」でどうでしょう。",
        None,
        0,
    )


def test_a_discussion_of_an_invite_only_circle_is_not_found_under_an_open_one(signed_in):
    mine = make_circle()
    member = add_member(mine)
    hidden = make_circle(visibility=Circle.Visibility.INVITE_ONLY)
    theirs = start(hidden, organiser_of(hidden))

    response = signed_in(member).get(thread_url(mine, theirs))

    assert response.status_code == 404


# --- Replies -------------------------------------------------------------------------------------


def test_a_member_replies_and_the_discussion_moves_up(signed_in):
    circle = make_circle()
    member = add_member(circle)
    thread = start(circle, organiser_of(circle))

    response = signed_in(member).post(
        thread_url(circle, thread) + "replies/", {"body": "参加します"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    reply = Reply.objects.get(pk=body["id"])
    assert (reply.thread, reply.author, reply.body) == (thread, member, "参加します")
    assert (body["author_name"], body["mine"], body["edited_at"]) == (member.name, True, None)
    thread.refresh_from_db()
    assert (thread.reply_count, thread.last_post_at) == (1, reply.created_at)


def test_a_non_member_cannot_reply(signed_in):
    circle = make_circle()
    thread = start(circle, organiser_of(circle))

    response = signed_in(ResidentFactory()).post(
        thread_url(circle, thread) + "replies/", {"body": "横から失礼"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"
    assert not Reply.objects.exists()


def test_the_author_edits_and_removes_their_reply(signed_in):
    circle = make_circle()
    member = add_member(circle)
    thread = start(circle, organiser_of(circle))
    reply = reply_to(thread, member)
    reply_url = thread_url(circle, thread) + f"replies/{reply.pk}/"
    client = signed_in(member)

    edited = client.patch(reply_url, {"body": "やはり反対です。"}, format="json")
    reply.refresh_from_db()
    assert edited.status_code == 200
    assert (reply.body, edited.json()["body"]) == ("やはり反対です。", "やはり反対です。")
    assert reply.edited_at is not None

    removed = client.delete(reply_url)
    assert removed.status_code == 204
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.removed_at is not None
    assert thread.reply_count == 0


def test_editing_another_members_reply_answers_403_not_author_and_changes_nothing(signed_in):
    circle = make_circle()
    author, other = add_member(circle), add_member(circle)
    thread = start(circle, author)
    reply = reply_to(thread, author)

    response = signed_in(other).patch(
        thread_url(circle, thread) + f"replies/{reply.pk}/", {"body": "書き換え"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_author"
    reply.refresh_from_db()
    assert (reply.body, reply.edited_at) == ("賛成です。", None)


def test_a_reply_of_another_discussion_is_not_found_under_this_one(signed_in):
    circle = make_circle()
    member = add_member(circle)
    here = start(circle, member, title="ここ")
    there = start(circle, member, title="あちら")
    reply = reply_to(there, member)
    client = signed_in(member)

    edited = client.patch(
        thread_url(circle, here) + f"replies/{reply.pk}/", {"body": "x"}, format="json"
    )
    removed = client.delete(thread_url(circle, here) + f"replies/{reply.pk}/")

    assert (edited.status_code, removed.status_code) == (404, 404)
    reply.refresh_from_db()
    assert (reply.body, reply.removed_at) == ("賛成です。", None)


# --- Query budgets -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 13])
def test_the_discussion_list_costs_the_same_queries_however_many_discussions(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each discussion's author per row."""
    circle = make_circle()
    for _n in range(rows):
        start(circle, add_member(circle))
    client = signed_in(organiser_of(circle))

    # session, resident, circle, my standing, count, page
    with django_assert_num_queries(6):
        response = client.get(threads_url(circle), {"page_size": 100})

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 13])
def test_a_discussion_costs_the_same_queries_however_many_replies(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each reply's author per row."""
    circle = make_circle()
    thread = start(circle, organiser_of(circle))
    for _n in range(rows):
        reply_to(thread, add_member(circle))
    client = signed_in(organiser_of(circle))

    # session, resident, circle, my standing, the discussion, its replies
    with django_assert_num_queries(6):
        response = client.get(thread_url(circle, thread))

    assert len(response.json()["replies"]) == rows
