"""The hub's SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .base import Base, utcnow
from .credentials import Credential
from .evidence import Evidence, EvidenceChange, Skill
from .operations import AuditEntry, ConnectorState, SyncRun
from .people import Employment, Person, PersonIdentifier
from .statements import Statement, StatementActivity, StatementAgent

__all__ = [
    "AuditEntry",
    "Base",
    "ConnectorState",
    "Credential",
    "Employment",
    "Evidence",
    "EvidenceChange",
    "Person",
    "PersonIdentifier",
    "Skill",
    "Statement",
    "StatementActivity",
    "StatementAgent",
    "SyncRun",
    "utcnow",
]
