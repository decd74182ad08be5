"""ORM models, one table a file; importing this package registers them all on `Base`."""

from loki_dashboard.models.agent import Agent
from loki_dashboard.models.api_token import ApiToken
from loki_dashboard.models.audit_entry import AuditEntry
from loki_dashboard.models.learning import Learning
from loki_dashboard.models.log import Log
from loki_dashboard.models.project import Project
from loki_dashboard.models.removed_project import RemovedProject
from loki_dashboard.models.session import RunSession
from loki_dashboard.models.task import Task

__all__ = [
    "Agent",
    "ApiToken",
    "AuditEntry",
    "Learning",
    "Log",
    "Project",
    "RemovedProject",
    "RunSession",
    "Task",
]
