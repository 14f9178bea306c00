from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from campus_social.checkin.registry import checkin_handler_register
        from campus_social.notifications.kinds import register_kind
        from campus_social.search import registry as search_registry
        from campus_social.search.labels import register_labels
        from courses.checkin import CourseCheckIn
        from courses.search import lecturers, offerings
        from courses.services import NOTIFY
        from courses.values import Audience, Category

        register_kind(NOTIFY["lecturer"], _("Decisions on my application to teach"))
        register_kind(NOTIFY["enrolment"], _("My enrolments"), email_default=True)
        register_kind(NOTIFY["promoted"], _("A place freed up for me"), email_default=True)
        register_kind(NOTIFY["session"], _("Changes to sessions I attend"), email_default=True)
        register_kind(NOTIFY["cancelled"], _("Cancelled offerings"), email_default=True)
        register_kind(NOTIFY["reminder"], _("A reminder the day before a session"))
        # What search's facets call the subjects and audiences that offerings are indexed by.
        register_labels("category", Category.choices)
        register_labels("audience", Audience.choices)
        # A card tap at an offering's reader checks an enrolled learner in (the core's route).
        checkin_handler_register(CourseCheckIn())
        # What search finds of courses (campus_social.search; the core names no app).
        search_registry.register(offerings)
        search_registry.register(lecturers)
