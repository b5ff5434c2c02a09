"""The one error the launcher raises: what went wrong and what to do about it."""


class LauncherError(RuntimeError):
    """A local service could not be started, stopped or reached.

    The message names the service and the cause; ``hint`` says what the user
    can do (install Java, free a port, read a log file).
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n{hint}")
