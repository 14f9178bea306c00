from django.urls import path

from communities.rest_api import program_views as pv
from communities.rest_api import views as v

app_name = "communities"

CIRCLE = "circles/<id:circle_id>/"
THREAD = CIRCLE + "threads/<id:thread_id>/"
EVENT = CIRCLE + "events/<id:event_id>/"
PROGRAM = "programs/<id:program_id>/"
SESSION = "program-sessions/<id:session_id>/"

urlpatterns = [
    path("circles/", v.CircleListApi.as_view(), name="circles"),
    path("circles/mine/", v.MyCircleListApi.as_view(), name="my-circles"),
    path("circles/survival/", v.CircleSurvivalApi.as_view(), name="circle-survival"),
    path(CIRCLE, v.CircleApi.as_view(), name="circle"),
    path(CIRCLE + "close/", v.CircleCloseApi.as_view(), name="circle-close"),
    path(CIRCLE + "picture/", v.CirclePictureApi.as_view(), name="circle-picture"),
    # Membership
    path(CIRCLE + "join/", v.CircleJoinApi.as_view(), name="circle-join"),
    path(CIRCLE + "leave/", v.CircleLeaveApi.as_view(), name="circle-leave"),
    path(CIRCLE + "members/", v.CircleMemberListApi.as_view(), name="circle-members"),
    path(CIRCLE + "members/<id:resident_id>/", v.CircleMemberApi.as_view(), name="circle-member"),
    path(
        CIRCLE + "members/<id:resident_id>/ban/",
        v.CircleMemberBanApi.as_view(),
        name="circle-member-ban",
    ),
    path(CIRCLE + "bans/<id:resident_id>/", v.CircleBanApi.as_view(), name="circle-ban"),
    path(CIRCLE + "pending/", v.CirclePendingApi.as_view(), name="circle-pending"),
    path(CIRCLE + "invitations/", v.CircleInvitationApi.as_view(), name="circle-invitations"),
    path(
        CIRCLE + "requests/<id:resident_id>/", v.CircleRequestApi.as_view(), name="circle-request"
    ),
    path(CIRCLE + "organiser/", v.CircleOrganiserApi.as_view(), name="circle-organiser"),
    # Discussions
    path(CIRCLE + "threads/", v.ThreadListApi.as_view(), name="circle-threads"),
    path(THREAD, v.ThreadApi.as_view(), name="circle-thread"),
    path(THREAD + "replies/", v.ReplyListApi.as_view(), name="circle-replies"),
    path(THREAD + "replies/<id:reply_id>/", v.ReplyApi.as_view(), name="circle-reply"),
    # Events
    path(CIRCLE + "events/", v.EventListApi.as_view(), name="circle-events"),
    path(CIRCLE + "events.ics", v.EventsCalendarApi.as_view(), name="circle-events-calendar"),
    path(EVENT, v.EventApi.as_view(), name="circle-event"),
    path(EVENT + "cancel/", v.EventCancelApi.as_view(), name="circle-event-cancel"),
    path(EVENT + "rsvp/", v.EventRsvpApi.as_view(), name="circle-event-rsvp"),
    path(EVENT + "event.ics", v.EventCalendarApi.as_view(), name="circle-event-calendar"),
    # Shared resources
    path(CIRCLE + "resources/", v.ResourceListApi.as_view(), name="circle-resources"),
    path(CIRCLE + "resources/<id:resource_id>/", v.ResourceApi.as_view(), name="circle-resource"),
    path(
        CIRCLE + "resources/<id:resource_id>/file",
        v.ResourceFileApi.as_view(),
        name="circle-resource-file",
    ),
    # Intergenerational programs
    path("programs/", pv.ProgramListApi.as_view(), name="programs"),
    path("programs/volunteering/", pv.MyVolunteeringApi.as_view(), name="my-volunteering"),
    path("programs/my-children/", pv.MyChildrenProgramsApi.as_view(), name="my-children-programs"),
    path("volunteer-offer/", pv.VolunteerOfferApi.as_view(), name="volunteer-offer"),
    path(PROGRAM, pv.ProgramApi.as_view(), name="program"),
    path(PROGRAM + "status/", pv.ProgramStatusApi.as_view(), name="program-status"),
    path(PROGRAM + "sessions/", pv.ProgramSessionListApi.as_view(), name="program-sessions"),
    path(PROGRAM + "roster/", pv.ProgramRosterApi.as_view(), name="program-roster"),
    path(PROGRAM + "matches/", pv.ProgramMatchListApi.as_view(), name="program-matches"),
    path(PROGRAM + "volunteers/", pv.ProgramVolunteerListApi.as_view(), name="program-volunteers"),
    path(
        PROGRAM + "volunteers/<id:resident_id>/",
        pv.ProgramVolunteerApi.as_view(),
        name="program-volunteer",
    ),
    path(PROGRAM + "answer/", pv.ProgramAnswerApi.as_view(), name="program-answer"),
    path(PROGRAM + "consents/", pv.ProgramConsentListApi.as_view(), name="program-consents"),
    path(
        PROGRAM + "consents/withdraw/",
        pv.ProgramConsentWithdrawApi.as_view(),
        name="program-consent-withdraw",
    ),
    path(PROGRAM + "children/", pv.ProgramChildListApi.as_view(), name="program-children"),
    path(PROGRAM + "children/<id:child_id>/", pv.ProgramChildApi.as_view(), name="program-child"),
    path(SESSION + "cancel/", pv.SessionCancelApi.as_view(), name="program-session-cancel"),
    path(SESSION + "attendance/", pv.SessionAttendanceApi.as_view(), name="program-attendance"),
    path(SESSION + "reflection/", pv.SessionReflectionApi.as_view(), name="program-reflection"),
    path(SESSION + "photos/", pv.SessionPhotoListApi.as_view(), name="program-photos"),
    path("program-photos/<id:photo_id>/", pv.SessionPhotoApi.as_view(), name="program-photo"),
    path(
        SESSION + "reflections/",
        pv.SessionReflectionListApi.as_view(),
        name="program-session-reflections",
    ),
]
