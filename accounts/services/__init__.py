"""Writes for people. Keyword-only, typed, atomic.

Modules: ``people`` (create a staff member or an end customer), ``staff`` (invitations, roles,
deactivation), ``engineers`` (self-registration and its approval), ``provider`` (我的信息 and 设置),
``companies`` (客户公司 and their members); ``_common`` holds who may act, the staff lock and status
switch, seats and the name and password checks. Import from this package:
``from accounts.services import staff_create``.
"""

from __future__ import annotations

from accounts.services._common import (
    _checked,
    _clean_display_name,
    _contact,
    _ensure_free_seat,
    _require_admin,
    _set_password,
    _set_status,
    _squash,
    _staff_locked,
    _staff_locked_in,
)
from accounts.services.companies import (
    _company_fields,
    _company_token,
    _require_company_staff,
    company_create,
    company_delete,
    company_member_add,
    company_member_remove,
    company_member_set_manager,
    company_registration_token_renew,
    company_update,
    customer_register_in_company,
)
from accounts.services.engineers import (
    _join_token_set,
    engineer_approve,
    engineer_join_link_disable,
    engineer_join_link_renew,
    engineer_register,
    engineer_reject,
)
from accounts.services.people import customer_get_or_create, customer_username, staff_create
from accounts.services.provider import SETTINGS_LIMITS, provider_profile_update, provider_settings_update
from accounts.services.staff import (
    _ensure_another_admin_remains,
    staff_change_role,
    staff_deactivate,
    staff_invite,
    staff_invite_accept,
    staff_invite_renew,
    staff_reactivate,
)

__all__ = [
    "SETTINGS_LIMITS",
    "_checked",
    "_clean_display_name",
    "_company_fields",
    "_company_token",
    "_contact",
    "_ensure_another_admin_remains",
    "_ensure_free_seat",
    "_join_token_set",
    "_require_admin",
    "_require_company_staff",
    "_set_password",
    "_set_status",
    "_squash",
    "_staff_locked",
    "_staff_locked_in",
    "company_create",
    "company_delete",
    "company_member_add",
    "company_member_remove",
    "company_member_set_manager",
    "company_registration_token_renew",
    "company_update",
    "customer_get_or_create",
    "customer_register_in_company",
    "customer_username",
    "engineer_approve",
    "engineer_join_link_disable",
    "engineer_join_link_renew",
    "engineer_register",
    "engineer_reject",
    "provider_profile_update",
    "provider_settings_update",
    "staff_change_role",
    "staff_create",
    "staff_deactivate",
    "staff_invite",
    "staff_invite_accept",
    "staff_invite_renew",
    "staff_reactivate",
]
