from typing import Any


def explode(**kwargs: Any) -> None:
    raise RuntimeError("seeding failed on purpose")
