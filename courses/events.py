"""Domain events of courses, sent after the commit, for apps above courses to react to.

| signal | sent with | when |
|---|---|---|
| ``offering_published`` | ``offering_id`` | an offering was published (its cohort may get a circle) |
| ``offering_completed`` | ``offering_id``, ``resident_ids`` (who completed) | completions were recorded after the last session |
| ``enrolment_confirmed`` | ``offering_id``, ``resident_id``, ``enrolled_by_id`` (a guardian, or ``None``) | a resident took a seat (enrolled, promoted or approved) |
| ``enrolment_withdrawn`` | ``offering_id``, ``resident_id`` | a resident with a seat cancelled before the end |
"""

from django.dispatch import Signal

offering_published = Signal()
offering_completed = Signal()
enrolment_confirmed = Signal()
enrolment_withdrawn = Signal()
