"""Django admin for the screening app: its registrations live beside their models."""

from .interop import admin as interop_admin  # noqa: F401  (registers the CDS Hooks clients)
