"""State diagrams (Mermaid) generated from the django-fsm transitions of the workflow models.

``manage.py workflow_diagrams`` writes one Markdown file per workflow into ``docs/workflows/``;
a test regenerates them and compares, so the diagrams never drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django_fsm import FSMFieldMixin


@dataclass(frozen=True)
class Workflow:
    slug: str
    title: str
    model: str  # "app_label.ModelName"
    field: str = "state"


WORKFLOWS = (
    Workflow("individual-plan", "Individual plan (individuell plan)", "plans.IndividualPlan"),
    Workflow("meeting", "Responsibility-group meeting (ansvarsgruppemøte)", "responsibility_groups.Meeting"),
    Workflow("case", "Case (sak) with its decision (vedtak)", "cases.Case"),
    Workflow("home-visit", "Home visit before the decision (hjemmebesøk)", "cases.HomeVisit"),
    Workflow(
        "quality-conversation",
        "Annual quality conversation (kvalitetssamtale)",
        "quality_conversations.QualityConversation",
    ),
)


def _edges(workflow: Workflow) -> list[tuple[str, str, str]]:
    model = apps.get_model(workflow.model)
    field = model._meta.get_field(workflow.field)
    if not isinstance(field, FSMFieldMixin):
        raise TypeError(f"{workflow.model}.{workflow.field} is not a django-fsm state field")
    edges = set()
    for transition in field.get_all_transitions(model):
        edges.add((str(transition.source), str(transition.target), transition.name))
    return sorted(edges)


def mermaid(workflow: Workflow) -> str:
    model = apps.get_model(workflow.model)
    field = model._meta.get_field(workflow.field)
    lines = [
        f"# {workflow.title}",
        "",
        f"Generated from `{workflow.model}.{workflow.field}` by `manage.py workflow_diagrams`; do not edit.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        f"    [*] --> {field.default}",
    ]
    lines += [f"    {source} --> {target}: {name}" for source, target, name in _edges(workflow)]
    targets = {target for _s, target, _n in _edges(workflow)}
    sources = {source for source, _t, _n in _edges(workflow)}
    lines += [f"    {state} --> [*]" for state in sorted(targets - sources)]
    lines += ["```", ""]
    return "\n".join(lines)


def diagram_path(workflow: Workflow) -> Path:
    return Path(settings.BASE_DIR) / "docs" / "workflows" / f"{workflow.slug}.md"
