"""The sealing primitive moved to ``accounts.crypto`` so that apps below ``integrations`` (visitors'
encrypted ID numbers) use the same keys and code; this path keeps every existing import working."""

from accounts.crypto import SecretUnreadable, masked, reveal, seal

__all__ = ["SecretUnreadable", "masked", "reveal", "seal"]
