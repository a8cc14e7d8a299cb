"""Creating people: a staff member (with their Django user and the public staff directory entry)
and an end customer (created on first use, SMS-code sign-in)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Customer, CustomerCompany, StaffMember, StaffRole
from accounts.services._common import _set_password
from accounts.validators import normalize_phone
from tenants.services import staff_directory_add


@transaction.atomic
def staff_create(
    *, phone: str, password: str | None, role: str, display_name: str = "", is_owner: bool = False
) -> StaffMember:
    phone = normalize_phone(phone)
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    if StaffMember.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": [_("A staff member with this phone number already exists.")]})
    user_model = get_user_model()
    user = user_model(username=phone, first_name=display_name[:150])
    if password:
        _set_password(user, password)
    else:
        user.set_unusable_password()
    user.save()
    staff = StaffMember.objects.create(
        user=user, phone=phone, role=role, display_name=display_name, is_owner=is_owner
    )
    staff_directory_add(phone=phone)  # the public sign-in finds this provider by phone
    return staff


def customer_username(phone: str) -> str:
    """The login name of an end customer's Django user (staff use the bare phone number)."""
    return f"customer:{phone}"


@transaction.atomic
def customer_get_or_create(*, phone: str, name: str = "", company: CustomerCompany | None = None) -> Customer:
    """The end customer with this phone, created on first use (no password: SMS-code sign-in).

    An existing customer keeps their company unless one is given (registering through a company's
    QR code moves them into it)."""
    phone = normalize_phone(phone)
    customer = Customer.objects.select_for_update().filter(phone=phone).first()
    if customer is None:
        # Never the staff user of the same phone: an SMS code must not open the console.
        user_model = get_user_model()
        username = customer_username(phone)
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, first_name=name[:150])
            user.set_unusable_password()
            user.save()
        return Customer.objects.create(user=user, phone=phone, name=name, company=company)
    changed = []
    if name and not customer.name:
        customer.name = name
        changed.append("name")
    if company is not None and customer.company_id != company.pk:
        customer.company = company
        customer.is_company_manager = False  # managing one company says nothing about the next
        changed.extend(["company", "is_company_manager"])
    if changed:
        customer.save(update_fields=changed)
    return customer
