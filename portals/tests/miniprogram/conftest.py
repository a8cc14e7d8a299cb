"""Fixtures of the mini-program tests: the order cast (tenant A's schema active), the loopback
WeChat with the mini-program APIs and tenant A's (and B's) bound mini-program."""

from __future__ import annotations

from portals.tests.miniprogram.fixtures import fake_mp, mp_a  # noqa: F401
from portals.tests.orders.conftest import cast, in_a  # noqa: F401
