"""Writes for people. Keyword-only, typed, atomic."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import (
    Customer,
    CustomerCompany,
    ProviderProfile,
    ProviderSettings,
    StaffMember,
    StaffRole,
    StaffStatus,
)
from accounts.validators import (
    normalize_embed_origins,
    normalize_phone,
    normalize_rating_tags,
    normalize_star_descriptions,
    validate_contact_phone,
)
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
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
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


# --- Staff: invitations, roles, deactivation -----------------------------------------------------
#
# What must stay true: the owner is never demoted or deactivated; at least one active admin always
# remains; a member who may not sign in (invited, pending, rejected, deactivated) has an inactive
# Django user, so any session they had ends at once.


def _staff_locked(staff: StaffMember) -> StaffMember:
    return StaffMember.objects.select_related("user").select_for_update().get(pk=staff.pk)


def _set_status(staff: StaffMember, status: str, *, extra_fields: tuple[str, ...] = ()) -> None:
    staff.status = status
    staff.is_active = status == StaffStatus.ACTIVE
    staff.save(update_fields=["status", "is_active", *extra_fields])
    user = staff.user
    if user.is_active != staff.is_active:
        user.is_active = staff.is_active
        user.save(update_fields=["is_active"])


def _require_admin(actor: StaffMember) -> None:
    if not (actor.is_active and actor.role == StaffRole.ADMIN):
        raise PermissionDenied


def _ensure_another_admin_remains(staff: StaffMember) -> None:
    """Refuse when ``staff`` is the last active admin. Locks the admins so two admins demoting each
    other at the same moment cannot both succeed."""
    admins = list(
        StaffMember.objects.select_for_update()
        .filter(role=StaffRole.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )
    if staff.pk in admins and len(admins) <= 1:
        raise ValidationError(_("At least one active administrator must remain."), code="last_admin")


def _ensure_free_seat(seats: int | None) -> None:
    """``seats``: how many active or invited staff the provider's plan allows now (None: no limit;
    the caller reads it from billing's entitlements)."""
    if seats is None:
        return
    taken = StaffMember.objects.select_for_update().filter(
        status__in=[StaffStatus.ACTIVE, StaffStatus.INVITED]
    )
    if len(taken.values_list("pk", flat=True)) >= seats:
        if seats <= 0:
            raise ValidationError(
                _("Your account has expired. Renew it under My account to add staff."), code="no_seat"
            )
        raise ValidationError(
            _(
                "All %(seats)d staff seats of your plan are in use. Upgrade under My account, or "
                "deactivate someone first."
            )
            % {"seats": seats},
            code="no_seat",
        )


def _clean_display_name(display_name: str) -> str:
    name = " ".join((display_name or "").split())
    if not name:
        raise ValidationError({"display_name": [_("Enter the person's name.")]})
    if len(name) > 60:
        raise ValidationError({"display_name": [_("A name has at most 60 characters.")]})
    return name


@transaction.atomic
def staff_invite(
    *, actor: StaffMember, phone: str, role: str, display_name: str, seats: int | None = None
) -> StaffMember:
    """A new staff member who cannot sign in until they set a password through the invitation
    link (``accounts.tokens.staff_invite_token``); the caller texts them the link after commit."""
    _require_admin(actor)
    display_name = _clean_display_name(display_name)
    _ensure_free_seat(seats)
    staff = staff_create(phone=phone, password=None, role=role, display_name=display_name)
    _set_status(staff, StaffStatus.INVITED)
    return staff


@transaction.atomic
def staff_invite_renew(*, actor: StaffMember, staff: StaffMember) -> StaffMember:
    """Before re-sending an invitation: rotates the unusable password so older links stop working."""
    _require_admin(actor)
    staff = _staff_locked(staff)
    if staff.status != StaffStatus.INVITED:
        raise ValidationError(_("Only an invitation that has not been accepted can be sent again."))
    staff.user.set_unusable_password()
    staff.user.save(update_fields=["password"])
    return staff


@transaction.atomic
def staff_invite_accept(*, staff: StaffMember, password: str) -> StaffMember:
    """The invited member chose a password: they are active from now on."""
    staff = _staff_locked(staff)
    if staff.status != StaffStatus.INVITED:
        raise ValidationError(_("This invitation has already been used or was cancelled."))
    try:
        validate_password(password, staff.user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    staff.user.set_password(password)
    staff.user.save(update_fields=["password"])
    _set_status(staff, StaffStatus.ACTIVE)
    return staff


@transaction.atomic
def staff_change_role(*, actor: StaffMember, staff: StaffMember, role: str) -> StaffMember:
    _require_admin(actor)
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    staff = _staff_locked(staff)
    if staff.role == role:
        return staff
    if staff.role == StaffRole.ADMIN:
        if staff.is_owner:
            raise ValidationError(_("The owner is always an administrator."), code="owner")
        _ensure_another_admin_remains(staff)
    staff.role = role
    staff.save(update_fields=["role"])
    return staff


@transaction.atomic
def staff_deactivate(*, actor: StaffMember, staff: StaffMember) -> StaffMember:
    """Ends the member's access (and their sessions). Nothing is deleted: their history stays."""
    _require_admin(actor)
    staff = _staff_locked(staff)
    if staff.is_owner:
        raise ValidationError(_("The owner cannot be deactivated."), code="owner")
    if staff.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."), code="self")
    if staff.status not in {StaffStatus.ACTIVE, StaffStatus.INVITED}:
        raise ValidationError(_("Only active or invited staff can be deactivated."))
    _ensure_another_admin_remains(staff)
    _set_status(staff, StaffStatus.DEACTIVATED)
    return staff


@transaction.atomic
def staff_reactivate(*, actor: StaffMember, staff: StaffMember, seats: int | None = None) -> StaffMember:
    """Back to active, or back to invited for someone who never chose a password."""
    _require_admin(actor)
    staff = _staff_locked(staff)
    if staff.status != StaffStatus.DEACTIVATED:
        raise ValidationError(_("Only deactivated staff can be reactivated."))
    _ensure_free_seat(seats)
    _set_status(staff, StaffStatus.ACTIVE if staff.user.has_usable_password() else StaffStatus.INVITED)
    return staff


# --- Engineer self-registration (MangoIT: engineers register, an admin approves) -----------------


@transaction.atomic
def engineer_join_link_renew(*, actor: StaffMember) -> ProviderSettings:
    """Switches the registration link on, or replaces it (old links and printed QR codes die)."""
    _require_admin(actor)
    settings_row = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    settings_row.engineer_join_token = secrets.token_urlsafe(18)
    settings_row.save(update_fields=["engineer_join_token", "updated_at"])
    return settings_row


@transaction.atomic
def engineer_join_link_disable(*, actor: StaffMember) -> ProviderSettings:
    _require_admin(actor)
    settings_row = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    settings_row.engineer_join_token = ""
    settings_row.save(update_fields=["engineer_join_token", "updated_at"])
    return settings_row


@transaction.atomic
def engineer_register(
    *, join_token: str, phone: str, display_name: str, password: str, skills: str = "", region: str = ""
) -> StaffMember:
    """A pending engineer from the registration link. The caller has verified the SMS code.

    Someone whose earlier registration was rejected may register again; any other existing staff
    member with this phone is refused."""
    settings_row = ProviderSettings.objects.filter(pk=1).first()
    if not join_token or settings_row is None or settings_row.engineer_join_token != join_token:
        raise ValidationError(
            _("This registration link is no longer valid. Ask the administrator for a new one."),
            code="token",
        )
    name = _clean_display_name(display_name)
    skills = " ".join((skills or "").split())
    region = " ".join((region or "").split())
    if len(skills) > 200:
        raise ValidationError({"skills": [_("Skills have at most 200 characters.")]})
    if len(region) > 100:
        raise ValidationError({"region": [_("The service region has at most 100 characters.")]})
    phone = normalize_phone(phone)
    staff = StaffMember.objects.select_related("user").select_for_update().filter(phone=phone).first()
    if staff is None:
        staff = staff_create(phone=phone, password=password, role=StaffRole.ENGINEER, display_name=name)
    elif staff.status == StaffStatus.REJECTED:
        try:
            validate_password(password, staff.user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        staff.user.set_password(password)
        staff.user.first_name = name[:150]
        staff.user.save(update_fields=["password", "first_name"])
        staff.role = StaffRole.ENGINEER
        staff.display_name = name
    else:
        raise ValidationError({"phone": [_("This phone number is already registered with this provider.")]})
    staff.skills, staff.region, staff.rejection_reason = skills, region, ""
    staff.save(update_fields=["role", "display_name", "skills", "region", "rejection_reason"])
    _set_status(staff, StaffStatus.PENDING)
    return staff


@transaction.atomic
def engineer_approve(*, actor: StaffMember, staff: StaffMember, seats: int | None = None) -> StaffMember:
    _require_admin(actor)
    staff = _staff_locked(staff)
    if staff.status != StaffStatus.PENDING:
        raise ValidationError(_("Only a registration awaiting approval can be approved."))
    _ensure_free_seat(seats)
    _set_status(staff, StaffStatus.ACTIVE)
    return staff


@transaction.atomic
def engineer_reject(*, actor: StaffMember, staff: StaffMember, reason: str) -> StaffMember:
    _require_admin(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Give a reason: the engineer receives it by text message.")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("The reason has at most 200 characters.")]})
    staff = _staff_locked(staff)
    if staff.status != StaffStatus.PENDING:
        raise ValidationError(_("Only a registration awaiting approval can be rejected."))
    staff.rejection_reason = reason
    _set_status(staff, StaffStatus.REJECTED, extra_fields=("rejection_reason",))
    return staff


# --- 我的信息 and 设置 -----------------------------------------------------------------------------


@transaction.atomic
def provider_profile_update(
    *, actor: StaffMember, contact_person: str, contact_phone: str, address: str, about: str
) -> ProviderProfile:
    """What the customer portal shows about the provider (its name lives on tenants.Provider)."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    contact_person = " ".join((contact_person or "").split())
    address = " ".join((address or "").split())
    about = (about or "").strip()
    if len(contact_person) > 60:
        errors["contact_person"] = [_("At most 60 characters.")]
    if len(address) > 200:
        errors["address"] = [_("At most 200 characters.")]
    if len(about) > 2000:
        errors["about"] = [_("At most 2000 characters.")]
    try:
        contact_phone = validate_contact_phone(contact_phone)
    except ValidationError as exc:
        errors["contact_phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    profile = ProviderProfile.objects.select_for_update().get_or_create(pk=1)[0]
    profile.contact_person, profile.contact_phone = contact_person, contact_phone
    profile.address, profile.about = address, about
    profile.save()
    return profile


SETTINGS_LIMITS: dict[str, tuple[int, int]] = {
    "waiting_sla_hours": (1, 720),
    "repair_sla_hours": (1, 2160),
    "urge_after_hours": (1, 168),
    "auto_confirm_days": (1, 30),
}


@transaction.atomic
def provider_settings_update(
    *,
    actor: StaffMember,
    ratings_enabled: bool,
    free_form_reporting_enabled: bool,
    star_descriptions: dict[str, str],
    rating_tags: list[str],
    waiting_sla_hours: int,
    repair_sla_hours: int,
    urge_after_hours: int,
    auto_confirm_days: int,
    embed_allowed_origins: list[str],
) -> ProviderSettings:
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    numbers: dict[str, int] = {
        "waiting_sla_hours": waiting_sla_hours,
        "repair_sla_hours": repair_sla_hours,
        "urge_after_hours": urge_after_hours,
        "auto_confirm_days": auto_confirm_days,
    }
    for field, value in numbers.items():
        low, high = SETTINGS_LIMITS[field]
        if not low <= value <= high:
            errors[field] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
    stars: dict[str, str] = {}
    tags: list[str] = []
    origins: list[str] = []
    try:
        stars = normalize_star_descriptions(star_descriptions)
    except ValidationError as exc:
        errors["star_descriptions"] = exc.messages
    try:
        tags = normalize_rating_tags(rating_tags)
    except ValidationError as exc:
        errors["rating_tags"] = exc.messages
    else:
        if ratings_enabled and not tags:
            errors["rating_tags"] = [_("Add at least one rating tag, or switch ratings off.")]
    try:
        origins = normalize_embed_origins(embed_allowed_origins)
    except ValidationError as exc:
        errors["embed_allowed_origins"] = exc.messages
    if errors:
        raise ValidationError(errors)
    row = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    row.ratings_enabled = ratings_enabled
    row.free_form_reporting_enabled = free_form_reporting_enabled
    row.star_descriptions, row.rating_tags, row.embed_allowed_origins = stars, tags, origins
    row.waiting_sla_hours, row.repair_sla_hours = waiting_sla_hours, repair_sla_hours
    row.urge_after_hours, row.auto_confirm_days = urge_after_hours, auto_confirm_days
    row.save()
    return row


# --- 客户公司 customer companies ---------------------------------------------------------------------


def _company_token() -> str:
    return secrets.token_urlsafe(18)


def _company_fields(
    *, name: str, contact_person: str, contact_phone: str, address: str, exclude_pk: int | None = None
) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    contact_person = " ".join((contact_person or "").split())
    address = " ".join((address or "").split())
    if not name:
        errors["name"] = [_("Enter the company's name.")]
    elif len(name) > 120:
        errors["name"] = [_("At most 120 characters.")]
    elif CustomerCompany.objects.filter(name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = [_("A customer company with this name already exists.")]
    if len(contact_person) > 60:
        errors["contact_person"] = [_("At most 60 characters.")]
    if len(address) > 200:
        errors["address"] = [_("At most 200 characters.")]
    try:
        contact_phone = validate_contact_phone(contact_phone)
    except ValidationError as exc:
        errors["contact_phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "contact_person": contact_person,
        "contact_phone": contact_phone,
        "address": address,
    }


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
    name = " ".join((name or "").split())
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
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Enter your name.")]})
    if len(name) > 60:
        raise ValidationError({"name": [_("A name has at most 60 characters.")]})
    return customer_get_or_create(phone=phone, name=name, company=company)
