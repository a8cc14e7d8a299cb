"""Every write of the visitor domain, at one import path. The code lives by responsibility:
``organisation`` (units, groups, the chain, settings), ``invitations``, ``applications`` (submit,
approve, reject) and ``passes`` (issue, revoke, the gate)."""

from visitors.applications import ApplicationData, application_decide, application_submit
from visitors.invitations import InvitationData, invitation_create, invitation_revoke, invitation_send
from visitors.organisation import (
    chain_default_ensure,
    chain_step_delete,
    chain_step_move,
    chain_step_save,
    group_save,
    unit_save,
    visitor_settings_update,
)
from visitors.passes import GateResult, gate_check, pass_issue, pass_revoke

__all__ = [
    "ApplicationData",
    "GateResult",
    "InvitationData",
    "application_decide",
    "application_submit",
    "chain_default_ensure",
    "chain_step_delete",
    "chain_step_move",
    "chain_step_save",
    "gate_check",
    "group_save",
    "invitation_create",
    "invitation_revoke",
    "invitation_send",
    "pass_issue",
    "pass_revoke",
    "unit_save",
    "visitor_settings_update",
]
