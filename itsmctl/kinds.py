"""The kinds of document, by name: the one place these strings are written.

The format of each kind is its JSON Schema (itsmctl/schemas/kinds.py); its typed form is
in itsmctl/model/typed.py. See docs/format.md.
"""

from __future__ import annotations

TEAM = "Team"
CALENDAR = "Calendar"
PRIORITY_MATRIX = "PriorityMatrix"
SLA = "SLA"
CATEGORY = "Category"
SERVICE = "Service"
CATALOG_ITEM = "CatalogItem"
WORKFLOW = "Workflow"
MAINTENANCE_WINDOW = "MaintenanceWindow"
CHANGE_FREEZE = "ChangeFreeze"
STANDARD_CHANGE = "StandardChange"
POLICY = "Policy"
APPROVAL_RULE = "ApprovalRule"
WAIVER = "Waiver"
CHANGE_REQUEST = "ChangeRequest"

KIND_NAMES = [
    TEAM, CALENDAR, PRIORITY_MATRIX, SLA, CATEGORY, SERVICE, CATALOG_ITEM, WORKFLOW,
    MAINTENANCE_WINDOW, CHANGE_FREEZE, STANDARD_CHANGE, POLICY, APPROVAL_RULE, WAIVER,
    CHANGE_REQUEST,
]

# What a reference names when it is not a document: a level of the priority matrix, or
# any document written as Kind/name (waivers).
PRIORITY_LEVEL = "PriorityLevel"
ANY_DOCUMENT = "*"

TICKET_TYPES = ["incident", "request", "problem", "change"]


def ref(kind: str, name: str) -> str:
    """'Service/vpn': how documents are named across kinds."""
    return f"{kind}/{name}"


def split_ref(text: str) -> tuple[str, str]:
    kind, _, name = text.partition("/")
    return kind, name
