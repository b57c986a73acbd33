from .audit import AccessLog
from .directory import Command, Department, District, StaffMember, Team
from .notifications import Notification
from .users import User

__all__ = ["AccessLog", "Command", "Department", "District", "Notification", "StaffMember", "Team", "User"]
