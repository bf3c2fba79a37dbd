"""OpenChance: an engine for running a challenge marketplace.

from openchance import OpenChance, Settings

async with OpenChance(Settings()) as oc:
    ...
"""

from openchance.actor import Actor, Role
from openchance.config import Mode, Settings, load_settings
from openchance.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    OpenChanceError,
    PaymentFailed,
    PermissionDenied,
    ProviderUnavailable,
    RateLimited,
)
from openchance.platform import OpenChance

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ConfigurationError",
    "Conflict",
    "InvalidInput",
    "Mode",
    "NotAuthenticated",
    "NotFound",
    "OpenChance",
    "OpenChanceError",
    "PaymentFailed",
    "PermissionDenied",
    "ProviderUnavailable",
    "RateLimited",
    "Role",
    "Settings",
    "__version__",
    "load_settings",
]
