"""客户公司 customer companies: created and kept by admins and dispatchers; their members (one may be
the company's manager); the exclusive registration QR code through which people join."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import Customer, CustomerCompany, StaffMember, StaffRole
from accounts.services._common import Errors, _contact, _squash
from accounts.services.people import customer_get_or_create


def _company_token() -> str:
    return secrets.token_urlsafe(18)


def _company_fields(
    *, name: str, contact_person: str, contact_phone: str, address: str, exclude_pk: int | None = None
) -> dict[str, str]:
    errors: Errors = {}
    name = _squash(name)
    if not name:
        errors["name"] = [_("Enter the company's name.")]
    elif len(name) > 120:
        errors["name"] = [_("At most 120 characters.")]
    elif CustomerCompany.objects.filter(name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = [_("A customer company with this name already exists.")]
    contact = _contact(errors, contact_person=contact_person, contact_phone=contact_phone, address=address)
    if errors:
        raise ValidationError(errors)
    return {"name": name, **contact}


def _require_company_staff(actor: StaffMember) -> None:
    if not (actor.is_active and actor.role in {StaffRole.ADMIN, StaffRole.DISPATCHER}):
        raise PermissionDenied


@transaction.atomic
def company_create(
    *, actor: StaffMember, name: str, contact_person: str = "", contact_phone: str = "", address: str = ""
) -> CustomerCompany:
    _require_company_staff(actor)
    fields = _company_fields(
        name=name, contact_person=contact_person, contact_phone=contact_phone, address=address
    )
    return CustomerCompany.objects.create(registration_token=_company_token(), **fields)


@transaction.atomic
def company_update(
    *,
    actor: StaffMember,
    company: CustomerCompany,
    name: str,
    contact_person: str,
    contact_phone: str,
    address: str,
    is_active: bool,
) -> CustomerCompany:
    """An inactive company keeps its members, but its registration QR code stops working."""
    _require_company_staff(actor)
    fields = _company_fields(
        name=name,
        contact_person=contact_person,
        contact_phone=contact_phone,
        address=address,
        exclude_pk=company.pk,
    )
    company = CustomerCompany.objects.select_for_update().get(pk=company.pk)
    for field, value in fields.items():
        setattr(company, field, value)
    company.is_active = is_active
    company.save()
    return company


@transaction.atomic
def company_registration_token_renew(*, actor: StaffMember, company: CustomerCompany) -> CustomerCompany:
    """A new exclusive QR code; the old one (and any printed copy) stops working."""
    _require_company_staff(actor)
    company = CustomerCompany.objects.select_for_update().get(pk=company.pk)
    company.registration_token = _company_token()
    company.save(update_fields=["registration_token"])
    return company


@transaction.atomic
def company_delete(*, actor: StaffMember, company: CustomerCompany) -> None:
    """Only an empty company can be deleted; one with members is deactivated instead."""
    _require_company_staff(actor)
    company = CustomerCompany.objects.select_for_update().get(pk=company.pk)
    if company.members.exists():
        raise ValidationError(
            _("This company still has members. Remove them first, or deactivate the company instead."),
            code="has_members",
        )
    try:
        with transaction.atomic():
            company.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("This company is referred to by repair orders. Deactivate it instead."), code="protected"
        ) from exc


@transaction.atomic
def company_member_add(
    *, actor: StaffMember, company: CustomerCompany, phone: str, name: str, is_manager: bool
) -> Customer:
    """Adds a person to the company (moving them from any other company), e.g. its manager."""
    _require_company_staff(actor)
    name = _squash(name)
    if len(name) > 60:
        raise ValidationError({"name": [_("A name has at most 60 characters.")]})
    customer = customer_get_or_create(phone=phone, name=name, company=company)
    if customer.is_company_manager != is_manager:
        customer.is_company_manager = is_manager
        customer.save(update_fields=["is_company_manager"])
    return customer


@transaction.atomic
def company_member_set_manager(
    *, actor: StaffMember, company: CustomerCompany, customer: Customer, is_manager: bool
) -> Customer:
    _require_company_staff(actor)
    customer = Customer.objects.select_for_update().get(pk=customer.pk, company=company)
    customer.is_company_manager = is_manager
    customer.save(update_fields=["is_company_manager"])
    return customer


@transaction.atomic
def company_member_remove(*, actor: StaffMember, company: CustomerCompany, customer: Customer) -> Customer:
    """The person stays a customer of the provider, without a company."""
    _require_company_staff(actor)
    customer = Customer.objects.select_for_update().get(pk=customer.pk, company=company)
    customer.company = None
    customer.is_company_manager = False
    customer.save(update_fields=["company", "is_company_manager"])
    return customer


@transaction.atomic
def customer_register_in_company(*, registration_token: str, phone: str, name: str) -> Customer:
    """Scanning a company's exclusive QR code: the person joins that company. The caller has
    verified the SMS code."""
    company = CustomerCompany.objects.filter(registration_token=registration_token, is_active=True).first()
    if company is None or not registration_token:
        raise ValidationError(
            _("This registration code is no longer valid. Ask your company for the new one."), code="token"
        )
    name = _squash(name)
    if not name:
        raise ValidationError({"name": [_("Enter your name.")]})
    if len(name) > 60:
        raise ValidationError({"name": [_("A name has at most 60 characters.")]})
    return customer_get_or_create(phone=phone, name=name, company=company)
