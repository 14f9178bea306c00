"""The programs pages: a school's intergenerational programs.  The participants' side (the
program page with its room, answering an invitation, a guardian's consent, reflections and
photos, the senior's and the guardian's pages) is ``views``; the coordinators' side (the
dashboard, creating and running a program and its sessions) is ``coordinator_views``.
Included into ``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.programs import coordinator_views as manage
from frontend.programs import views

PROGRAM = "programs/<id:program_id>/"
SESSION = "program-sessions/<id:session_id>/"

urlpatterns = [
    # Everyone who may see a program: residents, volunteers, guardians, children.
    path("programs/", views.program_list, name="programs"),
    path(PROGRAM, views.program_detail, name="program"),
    path(PROGRAM + "answer/", views.program_answer, name="program-answer"),
    path(PROGRAM + "consent/", views.program_consent, name="program-consent"),
    path(
        PROGRAM + "consent/withdraw/",
        views.program_consent_withdraw,
        name="program-consent-withdraw",
    ),
    path(SESSION, views.session_detail, name="program-session"),
    path(SESSION + "reflection/", views.session_reflection, name="program-reflection"),
    path("program-photos/<id:photo_id>/image", views.photo_image, name="program-photo-image"),
    path("me/volunteering/", views.my_volunteering, name="my-volunteering"),
    path(
        "me/volunteering/withdraw/", views.volunteer_offer_withdraw, name="volunteer-offer-withdraw"
    ),
    path("me/children/programs/", views.my_children_programs, name="my-children-programs"),
    # The program's coordinators (and city staff).
    path("programs/coordinating/", manage.dashboard, name="program-dashboard"),
    path("programs/new/", manage.program_new, name="program-new"),
    path(PROGRAM + "manage/", manage.program_manage, name="program-manage"),
    path(PROGRAM + "edit/", manage.program_edit, name="program-edit"),
    path(PROGRAM + "status/", manage.program_status, name="program-status"),
    path(PROGRAM + "sessions/", manage.session_add, name="program-session-add"),
    path(PROGRAM + "invite/", manage.volunteer_invite, name="program-invite"),
    path(
        PROGRAM + "volunteers/<id:resident_id>/remove/",
        manage.volunteer_remove,
        name="program-volunteer-remove",
    ),
    path(PROGRAM + "children/", manage.child_add, name="program-child-add"),
    path(
        PROGRAM + "children/<id:child_id>/remove/",
        manage.child_remove,
        name="program-child-remove",
    ),
    path(SESSION + "manage/", manage.session_manage, name="program-session-manage"),
    path(SESSION + "cancel/", manage.session_cancel, name="program-session-cancel"),
    path(SESSION + "attendance/", manage.attendance_save, name="program-attendance"),
    path(SESSION + "photos/", manage.photo_add, name="program-photo-add"),
    path("program-photos/<id:photo_id>/remove/", manage.photo_remove, name="program-photo-remove"),
]
