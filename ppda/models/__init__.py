from ..notifications.models import Notification
from .audit import AccessLog, GrantEvent
from .directory import Command, Department, District, StaffMember, Team
from .security import BackupCode, EnrolmentPermit, SignInLockout, UserSession
from .users import User

__all__ = [
    "AccessLog",
    "BackupCode",
    "Command",
    "Department",
    "District",
    "EnrolmentPermit",
    "GrantEvent",
    "Notification",
    "SignInLockout",
    "StaffMember",
    "Team",
    "User",
    "UserSession",
]
