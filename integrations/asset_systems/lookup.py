"""快捷报修 lookup that falls through to the external asset system.

``asset_lookup_anywhere(query)`` is what the portal's serial lookup (and the report form) calls:
1. the local lookup (``repair_forms.selectors.asset_lookup``: machine number or any serial);
2. when nothing matches, the provider has an enabled binding and its plan includes asset sync,
   the external system; a hit there is saved here as an ``Asset`` with ``source=external`` and the
   external id (updated, not duplicated, on the next hit), so later lookups are local.

It never raises because of the external system: a timeout, an error answer or a machine that
cannot be saved here is logged (log line + sync-log row) and the answer is ``None`` — the customer
can still report (free-form, if the provider allows it).
"""

from __future__ import annotations

import logging

from repair_forms.models import Asset
from repair_forms.selectors import asset_lookup, normalize_lookup_key

logger = logging.getLogger(__name__)

MAX_QUERY = 80


def asset_lookup_anywhere(query: str) -> Asset | None:
    """The asset whose machine number or serial number is ``query``, here or in the bound system."""
    asset = asset_lookup(query)
    if asset is not None:
        return asset
    text = str(query or "").strip()
    if not normalize_lookup_key(text) or len(text) > MAX_QUERY:
        return None
    from integrations.asset_systems.selectors import active_binding
    from integrations.asset_systems.services import external_asset_lookup

    binding = active_binding()
    if binding is None:
        return None
    try:
        return external_asset_lookup(binding=binding, query=text)
    except Exception:  # a bug here must not stop a customer from reporting
        logger.exception("external asset lookup failed for binding %s", binding.pk)
        return None
