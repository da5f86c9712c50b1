"""What the custom objects family refuses, said where it is: an HTTP status (400 for a value
the family's rules refuse, 404 for an id that names nothing, 409 for a conflict) and the JSON
pointer of the member at fault. The domain modules raise it; ``responses.py`` answers it as a
JSON:API error. Refusals are raised before anything is written, so a refused call changes
nothing."""

from __future__ import annotations


class Refused(ValueError):
    """A call the family's rules refuse (see the module docstring)."""

    def __init__(self, status: int, detail: str, pointer: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.pointer = pointer


def invalid(detail: str, pointer: str) -> Refused:
    return Refused(400, detail, pointer)


def missing(detail: str, pointer: str) -> Refused:
    return Refused(404, detail, pointer)
