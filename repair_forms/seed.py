"""Per-tenant seeding for repair_forms: the four built-in form templates (one default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from repair_forms.form_templates import builtin_templates_ensure

if TYPE_CHECKING:
    from tenants.models import Provider
    from tenants.services import OwnerSpec


def create_form_templates(*, provider: Provider, owner: OwnerSpec) -> None:
    builtin_templates_ensure()
