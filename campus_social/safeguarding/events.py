"""Domain events of safeguarding, for apps above the core to react to (the core names none of
them: they subscribe in their own ``AppConfig.ready``).

| signal | sent with | when |
|---|---|---|
| ``vetting_expired`` | ``resident_id``, ``today`` | a resident's vetting ran out with no current record left; sent once, with the notice, inside its transaction |
"""

from django.dispatch import Signal

vetting_expired = Signal()
