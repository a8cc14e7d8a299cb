"""``create_provider --name … --subdomain … --phone … --password …`` for operators and scripts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.domains import portal_url
from tenants.services import OwnerSpec, provider_provision


class Command(BaseCommand):
    help = "Create a provider (tenant) with its subdomain, schema and first admin; prints the portal URL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="Provider name (unique, cannot change later)")
        parser.add_argument("--subdomain", required=True, help="Subdomain under BASE_DOMAIN")
        parser.add_argument("--phone", required=True, help="Owner's phone number (their login)")
        parser.add_argument("--password", required=True, help="Owner's password (at least 8 characters)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            provider = provider_provision(
                name=options["name"],
                subdomain=options["subdomain"],
                owner=OwnerSpec(phone=options["phone"], password=options["password"]),
            )
        except ValidationError as exc:
            details = (
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
                if hasattr(exc, "error_dict")
                else " ".join(exc.messages)
            )
            raise CommandError(f"Provider not created — {details}") from exc
        self.stdout.write(portal_url(provider.primary_host, "/"))
