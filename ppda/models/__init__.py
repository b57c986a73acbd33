from .audit import AccessLog
from .directory import Command, Department, District, StaffMember, Team
from .users import User

__all__ = ["AccessLog", "Command", "Department", "District", "StaffMember", "Team", "User"]
