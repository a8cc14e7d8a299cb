"""PUBLIC SCHEMA — plans, billing accounts (trial, paid-until, balance, ledger), orders, payment
gateways and their webhooks, entitlements and expiry jobs. Tenant apps read entitlements only."""
