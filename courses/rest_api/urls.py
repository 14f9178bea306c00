from django.urls import path

from courses.rest_api import views as v

app_name = "courses"

urlpatterns = [
    path("courses/", v.CourseListApi.as_view(), name="courses"),
    path("offerings/", v.OfferingListApi.as_view(), name="offerings"),
    path("offerings/<id:offering_id>/", v.OfferingApi.as_view(), name="offering"),
    path(
        "offerings/<id:offering_id>/enrolment/",
        v.OfferingEnrolmentApi.as_view(),
        name="offering-enrolment",
    ),
    path(
        "offerings/<id:offering_id>/publish/",
        v.OfferingPublishApi.as_view(),
        name="offering-publish",
    ),
    path(
        "offerings/<id:offering_id>/cancel/", v.OfferingCancelApi.as_view(), name="offering-cancel"
    ),
    path("offerings/<id:offering_id>/copy/", v.OfferingCopyApi.as_view(), name="offering-copy"),
    path(
        "offerings/<id:offering_id>/sessions/",
        v.OfferingSessionListApi.as_view(),
        name="offering-sessions",
    ),
    path(
        "offerings/<id:offering_id>/roster/", v.OfferingRosterApi.as_view(), name="offering-roster"
    ),
    path(
        "offerings/<id:offering_id>/feedback/",
        v.OfferingFeedbackApi.as_view(),
        name="offering-feedback",
    ),
    path(
        "offerings/<id:offering_id>/completions/",
        v.OfferingCompletionListApi.as_view(),
        name="offering-completions",
    ),
    path(
        "offerings/<id:offering_id>/survey/", v.OfferingSurveyApi.as_view(), name="offering-survey"
    ),
    path(
        "offerings/<id:offering_id>/calendar.ics",
        v.OfferingCalendarApi.as_view(),
        name="offering-calendar",
    ),
    path("sessions/<id:session_id>/", v.SessionApi.as_view(), name="session"),
    path("sessions/<id:session_id>/cancel/", v.SessionCancelApi.as_view(), name="session-cancel"),
    path(
        "sessions/<id:session_id>/attendance/<id:resident_id>/",
        v.SessionAttendanceApi.as_view(),
        name="session-attendance",
    ),
    path(
        "enrolments/<id:enrolment_id>/decision/",
        v.EnrolmentDecisionApi.as_view(),
        name="enrolment-decision",
    ),
    path(
        "completions/<id:completion_id>/grade/",
        v.CompletionGradeApi.as_view(),
        name="completion-grade",
    ),
    path("me/enrolments/", v.MyEnrolmentListApi.as_view(), name="my-enrolments"),
    path("me/completions/", v.MyCompletionListApi.as_view(), name="my-completions"),
    path("me/course-sessions/", v.MyCourseSessionListApi.as_view(), name="my-course-sessions"),
    path("me/teaching/", v.MyTeachingListApi.as_view(), name="my-teaching"),
    path("me/lecturer/", v.MyLecturerApi.as_view(), name="my-lecturer"),
    path("me/calendar/", v.MyCalendarApi.as_view(), name="my-calendar"),
    path("lecturers/apply/", v.LecturerApplyApi.as_view(), name="lecturer-apply"),
    path("lecturers/<id:lecturer_id>/photo/", v.LecturerPhotoApi.as_view(), name="lecturer-photo"),
    path(
        "staff/lecturers/pending/",
        v.StaffPendingLecturerListApi.as_view(),
        name="staff-lecturers-pending",
    ),
    path(
        "staff/lecturers/<id:lecturer_id>/decision/",
        v.StaffLecturerDecisionApi.as_view(),
        name="staff-lecturer-decision",
    ),
    path(
        "staff/lecturers/<id:lecturer_id>/vetting/",
        v.StaffLecturerVettingApi.as_view(),
        name="staff-lecturer-vetting",
    ),
]
