"""The course pages.  Included into ``frontend.urls`` (namespace ``frontend``): the catalogue and
the offering pages are public; the rest needs a signed-in resident."""

from django.urls import path

from frontend.courses import views

urlpatterns = [
    path("courses/", views.catalogue, name="course-catalogue"),
    path("courses/offerings/<id:offering_id>/", views.offering_detail, name="offering"),
    path(
        "courses/offerings/<id:offering_id>/enrol/",
        views.offering_enrol,
        name="offering-enrol",
    ),
    path(
        "courses/offerings/<id:offering_id>/leave/",
        views.offering_leave,
        name="offering-leave",
    ),
    path(
        "courses/offerings/<id:offering_id>/survey/",
        views.offering_survey,
        name="offering-survey",
    ),
    path("me/courses/", views.my_courses, name="my-courses"),
    path("me/courses/calendar/", views.calendar_feed_renew, name="calendar-feed-renew"),
    path(
        "me/courses/calendar/revoke/",
        views.calendar_feed_revoke,
        name="calendar-feed-revoke",
    ),
    path("teach/", views.teach, name="teach"),
    path("teach/apply/", views.teach_apply, name="teach-apply"),
    path("teach/courses/new/", views.course_new, name="teach-course-new"),
    path("teach/offerings/new/", views.offering_new, name="teach-offering-new"),
    path("teach/offerings/<id:offering_id>/", views.teach_offering, name="teach-offering"),
    path(
        "teach/offerings/<id:offering_id>/sessions/",
        views.session_add,
        name="teach-session-add",
    ),
    path(
        "teach/offerings/<id:offering_id>/sessions/<id:session_id>/move/",
        views.session_move,
        name="teach-session-move",
    ),
    path(
        "teach/offerings/<id:offering_id>/sessions/<id:session_id>/cancel/",
        views.session_cancel,
        name="teach-session-cancel",
    ),
    path(
        "teach/offerings/<id:offering_id>/publish/",
        views.offering_publish,
        name="teach-offering-publish",
    ),
    path(
        "teach/offerings/<id:offering_id>/cancel/",
        views.offering_cancel,
        name="teach-offering-cancel",
    ),
    path(
        "teach/offerings/<id:offering_id>/copy/",
        views.offering_copy,
        name="teach-offering-copy",
    ),
    path("teach/offerings/<id:offering_id>/roster/", views.roster, name="teach-roster"),
    path(
        "teach/offerings/<id:offering_id>/roster/attendance/",
        views.attendance_save,
        name="teach-attendance",
    ),
    path(
        "teach/offerings/<id:offering_id>/roster/enrolments/<id:enrolment_id>/decide/",
        views.enrolment_decide,
        name="teach-enrolment-decide",
    ),
    path(
        "teach/offerings/<id:offering_id>/completions/",
        views.completions_record,
        name="teach-completions",
    ),
    path(
        "teach/offerings/<id:offering_id>/completions/<id:completion_id>/grade/",
        views.completion_grade,
        name="teach-completion-grade",
    ),
]
