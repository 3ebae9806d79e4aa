"""WiWebb's domain: pure Python, no framework. Other services may import it as a library.

The public names below are stable; everything else is an implementation detail.
"""

from .authentication import Authenticator, Session
from .errors import (
    AuthenticationFailed,
    DomainError,
    InvalidOperation,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from .identity import IdentityPolicy, IdentityService
from .model import AuditEntry, AuthToken, IssuedToken, Role, Tenant, User
from .rbac import Decision, Permission, Target, authorize, decide

__all__ = [
    "AuditEntry",
    "AuthToken",
    "AuthenticationFailed",
    "Authenticator",
    "Decision",
    "DomainError",
    "IdentityPolicy",
    "IdentityService",
    "InvalidOperation",
    "IssuedToken",
    "NotAuthenticated",
    "NotFound",
    "Permission",
    "PermissionDenied",
    "Role",
    "Session",
    "Target",
    "Tenant",
    "User",
    "ValidationFailed",
    "authorize",
    "decide",
]
