"""Typed decoding errors; each names the event (when known) and what is wrong."""


class EventDecodeError(ValueError):
    """An event could not be turned into a known, valid event."""

    def __init__(self, event_id: str | None, problem: str) -> None:
        self.event_id = event_id
        self.problem = problem
        super().__init__(f"event {event_id or '<unknown id>'}: {problem}")


class MalformedEventError(EventDecodeError):
    """The bytes are not JSON, or the envelope or payload fails validation."""


class UnknownEventTypeError(EventDecodeError):
    """The envelope names a type this code does not know."""


class UnsupportedEventVersionError(EventDecodeError):
    """The type is known but not at this version (newer than the code, or never published)."""
