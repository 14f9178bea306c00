from django.urls import path

from frontend import (
    circle_activity_views,
    circle_views,
    course_views,
    messaging_views,
    notification_views,
    staff_views,
    views,
)

app_name = "frontend"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("language/", views.language, name="language"),
    path("text-size/", views.text_size, name="text-size"),
    path("me/", views.my_page, name="my-page"),
    path("me/sessions/<id:session_id>/end/", views.session_end, name="session-end"),
    path("me/notifications/", notification_views.notification_list, name="notifications"),
    path(
        "me/notifications/read-all/",
        notification_views.notification_read_all,
        name="notifications-read-all",
    ),
    path(
        "me/notifications/<id:notification_id>/read/",
        notification_views.notification_read,
        name="notification-read",
    ),
    path(
        "me/notifications/settings/",
        notification_views.notification_settings,
        name="notification-settings",
    ),
    path("me/messages/", messaging_views.room_list, name="messages"),
    path(
        "me/messages/moderation/",
        messaging_views.moderation_queue,
        name="message-moderation",
    ),
    path(
        "me/messages/moderation/<id:room_id>/<id:seq>/",
        messaging_views.message_moderate,
        name="message-moderate",
    ),
    path("me/messages/<id:room_id>/", messaging_views.room_detail, name="message-room"),
    path("me/messages/<id:room_id>/read/", messaging_views.room_read, name="message-room-read"),
    path(
        "me/messages/<id:room_id>/report/",
        messaging_views.message_report,
        name="message-report",
    ),
    # Courses: the catalogue and offering pages are public; the rest needs a signed-in resident.
    path("courses/", course_views.catalogue, name="course-catalogue"),
    path("courses/offerings/<id:offering_id>/", course_views.offering_detail, name="offering"),
    path(
        "courses/offerings/<id:offering_id>/enrol/",
        course_views.offering_enrol,
        name="offering-enrol",
    ),
    path(
        "courses/offerings/<id:offering_id>/leave/",
        course_views.offering_leave,
        name="offering-leave",
    ),
    path(
        "courses/offerings/<id:offering_id>/survey/",
        course_views.offering_survey,
        name="offering-survey",
    ),
    path("me/courses/", course_views.my_courses, name="my-courses"),
    path("me/courses/calendar/", course_views.calendar_feed_renew, name="calendar-feed-renew"),
    path(
        "me/courses/calendar/revoke/",
        course_views.calendar_feed_revoke,
        name="calendar-feed-revoke",
    ),
    path("teach/", course_views.teach, name="teach"),
    path("teach/apply/", course_views.teach_apply, name="teach-apply"),
    path("teach/courses/new/", course_views.course_new, name="teach-course-new"),
    path("teach/offerings/new/", course_views.offering_new, name="teach-offering-new"),
    path("teach/offerings/<id:offering_id>/", course_views.teach_offering, name="teach-offering"),
    path(
        "teach/offerings/<id:offering_id>/sessions/",
        course_views.session_add,
        name="teach-session-add",
    ),
    path(
        "teach/offerings/<id:offering_id>/sessions/<id:session_id>/move/",
        course_views.session_move,
        name="teach-session-move",
    ),
    path(
        "teach/offerings/<id:offering_id>/sessions/<id:session_id>/cancel/",
        course_views.session_cancel,
        name="teach-session-cancel",
    ),
    path(
        "teach/offerings/<id:offering_id>/publish/",
        course_views.offering_publish,
        name="teach-offering-publish",
    ),
    path(
        "teach/offerings/<id:offering_id>/cancel/",
        course_views.offering_cancel,
        name="teach-offering-cancel",
    ),
    path(
        "teach/offerings/<id:offering_id>/copy/",
        course_views.offering_copy,
        name="teach-offering-copy",
    ),
    path("teach/offerings/<id:offering_id>/roster/", course_views.roster, name="teach-roster"),
    path(
        "teach/offerings/<id:offering_id>/roster/attendance/",
        course_views.attendance_save,
        name="teach-attendance",
    ),
    path(
        "teach/offerings/<id:offering_id>/roster/enrolments/<id:enrolment_id>/decide/",
        course_views.enrolment_decide,
        name="teach-enrolment-decide",
    ),
    path(
        "teach/offerings/<id:offering_id>/completions/",
        course_views.completions_record,
        name="teach-completions",
    ),
    # Learner circles: the directory, a circle's page, joining and leaving, its members, and the
    # staff's figure of course circles that live on.  (Their discussions, events and resources
    # are routed in the block at the end of this file.)
    path("circles/", circle_views.directory, name="circles"),
    path("circles/new/", circle_views.circle_new, name="circle-new"),
    path("circles/mine/", circle_views.my_circles, name="my-circles"),
    path("circles/<id:circle_id>/", circle_views.circle_detail, name="circle"),
    path("circles/<id:circle_id>/picture", circle_views.circle_picture, name="circle-picture"),
    path("circles/<id:circle_id>/join/", circle_views.circle_join, name="circle-join"),
    path("circles/<id:circle_id>/leave/", circle_views.circle_leave, name="circle-leave"),
    path("circles/<id:circle_id>/edit/", circle_views.circle_edit, name="circle-edit"),
    path(
        "circles/<id:circle_id>/edit/picture/",
        circle_views.circle_picture_set,
        name="circle-picture-set",
    ),
    path(
        "circles/<id:circle_id>/edit/picture/remove/",
        circle_views.circle_picture_remove,
        name="circle-picture-remove",
    ),
    path("circles/<id:circle_id>/close/", circle_views.circle_close, name="circle-close"),
    path("circles/<id:circle_id>/members/", circle_views.circle_members, name="circle-members"),
    path(
        "circles/<id:circle_id>/members/invite/",
        circle_views.member_invite,
        name="circle-invite",
    ),
    path(
        "circles/<id:circle_id>/members/hand-on/",
        circle_views.organiser_hand_on,
        name="circle-hand-on",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/decide/",
        circle_views.request_decide,
        name="circle-request-decide",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/remove/",
        circle_views.member_remove,
        name="circle-member-remove",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/unban/",
        circle_views.member_unban,
        name="circle-unban",
    ),
    path(
        "circles/<id:circle_id>/members/<id:resident_id>/role/",
        circle_views.member_role_set,
        name="circle-role-set",
    ),
    path("staff/circles/", circle_views.staff_circles, name="staff-circles"),
    path("staff/", staff_views.staff_home, name="staff-home"),
    path("staff/residents/new/", staff_views.resident_new, name="staff-resident-new"),
    path("staff/residents/<id:resident_id>/", staff_views.resident_detail, name="staff-resident"),
    path(
        "staff/residents/<id:resident_id>/card/",
        staff_views.card_replace,
        name="staff-card-replace",
    ),
    path(
        "staff/residents/<id:resident_id>/active/",
        staff_views.resident_active,
        name="staff-resident-active",
    ),
    path("staff/cards/<id:card_id>/unlock/", staff_views.card_unlock, name="staff-card-unlock"),
    path("staff/devices/", staff_views.devices, name="staff-devices"),
    path(
        "staff/devices/<id:device_id>/deactivate/",
        staff_views.device_deactivate,
        name="staff-device-deactivate",
    ),
    path("staff/audit/", staff_views.audit_log, name="staff-audit"),
    path("staff/lecturers/", course_views.lecturer_queue, name="staff-lecturers"),
    path(
        "staff/lecturers/<id:lecturer_id>/decide/",
        course_views.lecturer_decide,
        name="staff-lecturer-decide",
    ),
    path(
        "staff/lecturers/<id:lecturer_id>/vetting/",
        course_views.lecturer_vetting,
        name="staff-lecturer-vetting",
    ),
]

# What a circle does together: discussions, meetings and shared resources.
activity = circle_activity_views

urlpatterns += [
    path(
        "circles/<id:circle_id>/discussions/",
        activity.circle_discussions,
        name="circle-discussions",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/",
        activity.circle_thread,
        name="circle-thread",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/edit/",
        activity.circle_thread_edit,
        name="circle-thread-edit",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/remove/",
        activity.circle_thread_remove,
        name="circle-thread-remove",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/replies/<id:reply_id>/edit/",
        activity.circle_reply_edit,
        name="circle-reply-edit",
    ),
    path(
        "circles/<id:circle_id>/discussions/<id:thread_id>/replies/<id:reply_id>/remove/",
        activity.circle_reply_remove,
        name="circle-reply-remove",
    ),
    path("circles/<id:circle_id>/events/", activity.circle_events, name="circle-events"),
    path("circles/<id:circle_id>/events.ics", activity.circle_events_ics, name="circle-events-ics"),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/",
        activity.circle_event,
        name="circle-event",
    ),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/event.ics",
        activity.circle_event_ics,
        name="circle-event-ics",
    ),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/edit/",
        activity.circle_event_edit,
        name="circle-event-edit",
    ),
    path(
        "circles/<id:circle_id>/events/<id:event_id>/cancel/",
        activity.circle_event_cancel,
        name="circle-event-cancel",
    ),
    path("circles/<id:circle_id>/resources/", activity.circle_resources, name="circle-resources"),
    path(
        "circles/<id:circle_id>/resources/links/",
        activity.circle_resource_add_link,
        name="circle-resource-add-link",
    ),
    path(
        "circles/<id:circle_id>/resources/files/",
        activity.circle_resource_add_file,
        name="circle-resource-add-file",
    ),
    path(
        "circles/<id:circle_id>/resources/<id:resource_id>/remove/",
        activity.circle_resource_remove,
        name="circle-resource-remove",
    ),
    path(
        "circles/<id:circle_id>/resources/<id:resource_id>/file",
        activity.circle_resource_file,
        name="circle-resource-file",
    ),
]
