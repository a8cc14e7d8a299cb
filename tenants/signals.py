"""Drop cached host → provider entries whenever a Provider or Domain changes.

Entries are dropped at once and again after commit: a request that re-reads between the write and
the commit would otherwise cache the old row until the TTL ends.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from tenants.domains import forget_hosts
from tenants.models import Domain, Provider


def _forget(hosts: list[str]) -> None:
    forget_hosts(hosts)
    transaction.on_commit(lambda: forget_hosts(hosts))


@receiver(pre_save, sender=Domain)
def remember_old_hostname(sender: type[Domain], instance: Domain, **kwargs: Any) -> None:
    if instance.pk:
        instance._old_hostname = (  # type: ignore[attr-defined]
            Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        )


@receiver([post_save, post_delete], sender=Domain)
def domain_changed(sender: type[Domain], instance: Domain, **kwargs: Any) -> None:
    _forget([instance.domain, getattr(instance, "_old_hostname", None) or ""])


@receiver([post_save, post_delete], sender=Provider)
def provider_changed(sender: type[Provider], instance: Provider, **kwargs: Any) -> None:
    _forget(list(Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True)))
