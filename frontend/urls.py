from django.urls import path

from frontend import course_views, messaging_views, notification_views, staff_views, views

app_name = "frontend"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("language/", views.language, name="language"),
    path("text-size/", views.text_size, name="text-size"),
    path("me/", views.my_page, name="my-page"),
    path("me/sessions/<int:session_id>/end/", views.session_end, name="session-end"),
    path("me/notifications/", notification_views.notification_list, name="notifications"),
    path(
        "me/notifications/read-all/",
        notification_views.notification_read_all,
        name="notifications-read-all",
    ),
    path(
        "me/notifications/<int:notification_id>/read/",
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
        "me/messages/moderation/<int:room_id>/<int:seq>/",
        messaging_views.message_moderate,
        name="message-moderate",
    ),
    path("me/messages/<int:room_id>/", messaging_views.room_detail, name="message-room"),
    path("me/messages/<int:room_id>/read/", messaging_views.room_read, name="message-room-read"),
    path(
        "me/messages/<int:room_id>/report/",
        messaging_views.message_report,
        name="message-report",
    ),
    # Courses: the catalogue and offering pages are public; the rest needs a signed-in resident.
    path("courses/", course_views.catalogue, name="course-catalogue"),
    path("courses/offerings/<int:offering_id>/", course_views.offering_detail, name="offering"),
    path(
        "courses/offerings/<int:offering_id>/enrol/",
        course_views.offering_enrol,
        name="offering-enrol",
    ),
    path(
        "courses/offerings/<int:offering_id>/leave/",
        course_views.offering_leave,
        name="offering-leave",
    ),
    path(
        "courses/offerings/<int:offering_id>/survey/",
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
    path("teach/offerings/<int:offering_id>/", course_views.teach_offering, name="teach-offering"),
    path(
        "teach/offerings/<int:offering_id>/sessions/",
        course_views.session_add,
        name="teach-session-add",
    ),
    path(
        "teach/offerings/<int:offering_id>/sessions/<int:session_id>/move/",
        course_views.session_move,
        name="teach-session-move",
    ),
    path(
        "teach/offerings/<int:offering_id>/sessions/<int:session_id>/cancel/",
        course_views.session_cancel,
        name="teach-session-cancel",
    ),
    path(
        "teach/offerings/<int:offering_id>/publish/",
        course_views.offering_publish,
        name="teach-offering-publish",
    ),
    path(
        "teach/offerings/<int:offering_id>/cancel/",
        course_views.offering_cancel,
        name="teach-offering-cancel",
    ),
    path(
        "teach/offerings/<int:offering_id>/copy/",
        course_views.offering_copy,
        name="teach-offering-copy",
    ),
    path("teach/offerings/<int:offering_id>/roster/", course_views.roster, name="teach-roster"),
    path(
        "teach/offerings/<int:offering_id>/roster/attendance/",
        course_views.attendance_save,
        name="teach-attendance",
    ),
    path(
        "teach/offerings/<int:offering_id>/roster/enrolments/<int:enrolment_id>/decide/",
        course_views.enrolment_decide,
        name="teach-enrolment-decide",
    ),
    path(
        "teach/offerings/<int:offering_id>/completions/",
        course_views.completions_record,
        name="teach-completions",
    ),
    path("staff/", staff_views.staff_home, name="staff-home"),
    path("staff/residents/new/", staff_views.resident_new, name="staff-resident-new"),
    path("staff/residents/<int:resident_id>/", staff_views.resident_detail, name="staff-resident"),
    path(
        "staff/residents/<int:resident_id>/card/",
        staff_views.card_replace,
        name="staff-card-replace",
    ),
    path(
        "staff/residents/<int:resident_id>/active/",
        staff_views.resident_active,
        name="staff-resident-active",
    ),
    path("staff/cards/<int:card_id>/unlock/", staff_views.card_unlock, name="staff-card-unlock"),
    path("staff/devices/", staff_views.devices, name="staff-devices"),
    path(
        "staff/devices/<int:device_id>/deactivate/",
        staff_views.device_deactivate,
        name="staff-device-deactivate",
    ),
    path("staff/audit/", staff_views.audit_log, name="staff-audit"),
    path("staff/lecturers/", course_views.lecturer_queue, name="staff-lecturers"),
    path(
        "staff/lecturers/<int:lecturer_id>/decide/",
        course_views.lecturer_decide,
        name="staff-lecturer-decide",
    ),
    path(
        "staff/lecturers/<int:lecturer_id>/vetting/",
        course_views.lecturer_vetting,
        name="staff-lecturer-vetting",
    ),
]
