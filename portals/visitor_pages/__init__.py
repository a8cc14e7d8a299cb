"""The visitor screens (seed 003): console (invitations, 流程中心, applications, units/groups/chain),
the visitor's mobile pages on the portal, and the guard's gate page. The domain is ``visitors``."""
