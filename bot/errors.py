"""Domain errors: each carries a text-catalog key so adapters can tell the user why."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; `key` names the user-facing text."""

    key = "error.generic"

    def __init__(self, message: str = "", *, key: str | None = None, **params: object) -> None:
        super().__init__(message or key or self.key)
        if key is not None:
            self.key = key
        self.params = params


class NotAllowed(DomainError):
    key = "error.not_allowed"


class WrongState(DomainError):
    key = "error.wrong_state"


class NotFound(DomainError):
    key = "error.not_found"


class InvalidInput(DomainError):
    key = "error.invalid_input"


class LimitReached(DomainError):
    key = "error.limit_reached"


def stale_button() -> DomainError:
    """The refusal of a press whose data its kind does not unpack (`bot/callbacks.py`)."""
    return DomainError("malformed callback data", key="error.stale_button")
