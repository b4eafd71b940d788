"""The hub's SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .base import Base, utcnow
from .credentials import Credential
from .documents import ActivityDefinition, XapiDocument
from .evidence import Evidence, EvidenceChange, Skill
from .identity import IdentityConflict
from .operations import AuditEntry, ConnectorState, SyncRun
from .people import Employment, Person, PersonIdentifier
from .scim import ScimGroup, ScimGroupMember, ScimUser, ScimUserEmail
from .statements import Statement, StatementActivity, StatementAgent

__all__ = [
    "ActivityDefinition",
    "AuditEntry",
    "Base",
    "ConnectorState",
    "Credential",
    "Employment",
    "Evidence",
    "EvidenceChange",
    "IdentityConflict",
    "Person",
    "PersonIdentifier",
    "ScimGroup",
    "ScimGroupMember",
    "ScimUser",
    "ScimUserEmail",
    "Skill",
    "Statement",
    "StatementActivity",
    "StatementAgent",
    "SyncRun",
    "XapiDocument",
    "utcnow",
]
