"""Plain values of messaging that the pages may name without reaching into its models."""

# The longest message body, in characters (the service checks it; the form says so early).
BODY_MAX_LENGTH = 4000
