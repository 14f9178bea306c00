"""Turning a service error into the text of a ``CommandError`` (shared by the commands here)."""

from campus_social.common.errors import ServiceError


def service_error_text(error: ServiceError, option_for_field: dict[str, str]) -> str:
    """The error's message, then one line per field problem, naming the option to fix."""
    lines = [error.message]
    for field, messages in error.fields.items():
        option = option_for_field.get(field, field)
        lines.extend(f"  {option}: {message}" for message in messages)
    return "\n".join(lines)
