"""Option declarations that several ``boxoffice`` commands share in shape."""

from typing import Any

import typer


def optional_count(low: int, high: int, envvar: str, help_text: str) -> Any:
    """An ``int | None`` option of ``low..high``, also read from ``envvar``; ``None`` means "decided later",
    so no default is shown."""
    return typer.Option(min=low, max=high, envvar=envvar, help=help_text, show_default=False)
