"""The auditor's view of the access log: who accessed what, when, and who was refused. Never case content."""
