"""The circle pages: the directory, a circle's page, joining and leaving, its members, and
what it does together (discussions, meetings, shared resources).  Included into
``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.circles import activity_views, views

urlpatterns = [
    path("circles/", views.directory, name="circles"),
    path("circles/new/", views.circle_new, name="circle-new"),
    path("circles/mine/", views.my_circles, name="my-circles"),
    path("circles/<id:circle_id>/", views.circle_detail, name="circle"),
    path("circles/<id:circle_id>/picture", views.circle_picture, name="circle-picture"),
    path("circles/<id:circle_id>/join/", views.circle_join, name="circle-join"),
    path("circles/<id:circle_id>/leave/", views.circle_leave, name="circle-leave"),
    path("circles/<id:circle_id>/edit/", views.circle_edit, name="circle-edit"),
    path(
        "circles/<id:circle_id>/edit/picture/",
        views.circle_picture_set,
        name="circle-picture-set",
    ),
    path(
        "circles/<id:circle_id>/edit/picture/remove/",
        views.circle_picture_remove,
        name="circle-picture-remove",
    ),
    path("circles/<id:circle_id>/close/", views.circle_close, name="circle-close"),
    path("circles/<id:circle_id>/members/", views.circle_members, name="circle-members"),
    path(
        "circles/<id:circle_id>/members/invite/",
        views.member_invite,
        name="circle-invite",
    ),
    path(
        "circles/<id:circle_id>/members/hand-on/",
        views.organiser_hand_on,
        name="circle-hand-on",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/decide/",
        views.request_decide,
        name="circle-request-decide",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/remove/",
        views.member_remove,
        name="circle-member-remove",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/unban/",
        views.member_unban,
        name="circle-unban",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/role/",
        views.member_role_set,
        name="circle-role-set",
    ),
    # What a circle does together: discussions, meetings and shared resources.
    path(
        "circles/<id:circle_id>/discussions/",
        activity_views.circle_discussions,
        name="circle-discussions",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/",
        activity_views.circle_thread,
        name="circle-thread",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/edit/",
        activity_views.circle_thread_edit,
        name="circle-thread-edit",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/remove/",
        activity_views.circle_thread_remove,
        name="circle-thread-remove",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/replies/<id:reply_id>/edit/",
        activity_views.circle_reply_edit,
        name="circle-reply-edit",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/replies/<id:reply_id>/remove/",
        activity_views.circle_reply_remove,
        name="circle-reply-remove",
    ),
    path("circles/<id:circle_id>/events/", activity_views.circle_events, name="circle-events"),
    path(
        "circles/<id:circle_id>/events.ics",
        activity_views.circle_events_ics,
        name="circle-events-ics",
    ),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/",
        activity_views.circle_event,
        name="circle-event",
    ),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/event.ics",
        activity_views.circle_event_ics,
        name="circle-event-ics",
    ),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/edit/",
        activity_views.circle_event_edit,
        name="circle-event-edit",
    ),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/cancel/",
        activity_views.circle_event_cancel,
        name="circle-event-cancel",
    ),
    path(
        "circles/<id:circle_id>/resources/",
        activity_views.circle_resources,
        name="circle-resources",
    ),
    path(
        "circles/<id:circle_id>/resources/links/",
        activity_views.circle_resource_add_link,
        name="circle-resource-add-link",
    ),
    path(
        "circles/<id:circle_id>/resources/files/",
        activity_views.circle_resource_add_file,
        name="circle-resource-add-file",
    ),
    path(
        "circles/<id:circle_id>/resources/<id:resource_id>/remove/",
        activity_views.circle_resource_remove,
        name="circle-resource-remove",
    ),
    path(
        "circles/<id:circle_id>/resources/<id:resource_id>/file",
        activity_views.circle_resource_file,
        name="circle-resource-file",
    ),
]
