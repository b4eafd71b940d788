"""The hub's SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .attachments import AttachmentData, StatementRefTarget
from .base import Base, utcnow
from .credentials import Credential
from .documents import ActivityDefinition, XapiDocument
from .evidence import Evidence, EvidenceChange, Skill
from .identity import IdentityConflict
from .operations import AuditEntry, ConnectorState, SyncRun
from .people import Employment, Person, PersonIdentifier
from .scim import ScimGroup, ScimGroupMember, ScimUser, ScimUserEmail
from .statements import PendingMapping, Statement, StatementActivity, StatementAgent

__all__ = [
    "ActivityDefinition",
    "AttachmentData",
    "AuditEntry",
    "Base",
    "ConnectorState",
    "Credential",
    "Employment",
    "Evidence",
    "EvidenceChange",
    "IdentityConflict",
    "PendingMapping",
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
    "StatementRefTarget",
    "SyncRun",
    "XapiDocument",
    "utcnow",
]
