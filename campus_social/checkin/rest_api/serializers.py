from rest_framework import serializers


class CardTapInput(serializers.Serializer):
    card_id = serializers.CharField(max_length=200, trim_whitespace=False)


class CardTapOutput(serializers.Serializer):
    """All a reader learns: where the tap counted, and whom to greet."""

    session = serializers.IntegerField(source="session_id", help_text="The session's id.")
    kind = serializers.CharField(
        help_text=(
            "Which kind of session the tap counted for: ``offering`` for a course session, "
            "``program`` for a session of a school's intergenerational program."
        )
    )
    offering = serializers.IntegerField(
        required=False,
        help_text="Only for kind ``offering``: the offering the session belongs to.",
    )
    program = serializers.IntegerField(
        required=False,
        help_text="Only for kind ``program``: the program the session belongs to.",
    )
    display_name = serializers.CharField(source="resident.display_name")

    def to_representation(self, instance: object) -> dict[str, object]:
        data = super().to_representation(instance)
        # The ids a kind adds (``offering``, ``program``) come from the check-in itself; kinds
        # without them leave them out rather than answer null.
        extra_ids: dict[str, int] = getattr(instance, "extra_ids", {})
        data.pop("offering", None)
        data.pop("program", None)
        return {**data, **extra_ids}
