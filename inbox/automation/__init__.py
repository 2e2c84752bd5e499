"""Automation rules of a team (issue #17), pure: conditions and actions as plain values,
checked before a rule is saved, matched against a conversation's facts. Running them in
ingest is inbox/services/automation_ingest.py."""
