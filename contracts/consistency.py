"""Consistency tokens: what a read must include to reflect a command.

A token names a show and the seq of the last event the command appended to
that show's stream. A read model has caught up with the command once its
watermark for that show is at or past that seq. Commands that touch no show
(creating a venue) return a token that every read already satisfies.
"""

from dataclasses import dataclass
from uuid import UUID

PREFIX = "ct1"


@dataclass(frozen=True, slots=True)
class ConsistencyToken:
    show_id: UUID | None
    seq: int

    def encode(self) -> str:
        if self.show_id is None:
            return f"{PREFIX}.-.0"
        return f"{PREFIX}.{self.show_id}.{self.seq}"

    @classmethod
    def decode(cls, token: str) -> "ConsistencyToken":
        """Parse a token; raises ValueError with a readable message on anything else."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != PREFIX:
            raise ValueError("consistency_token is not a token this service issued")
        _, show, seq = parts
        if not seq.isdigit() or len(seq) > 18:
            raise ValueError("consistency_token has a bad position")
        if show == "-":
            return cls(None, 0)
        try:
            return cls(UUID(show), int(seq))
        except ValueError:
            raise ValueError("consistency_token names no valid show") from None
