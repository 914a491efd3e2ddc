"""``manage.py workflow_diagrams``: regenerate docs/workflows/*.md from the state machines."""

from typing import Any

from django.core.management.base import BaseCommand

from casework.workflow_diagrams import WORKFLOWS, diagram_path, mermaid


class Command(BaseCommand):
    help = "Write the workflows' state diagrams (Mermaid) into docs/workflows/."

    def handle(self, *args: Any, **options: Any) -> None:
        for workflow in WORKFLOWS:
            path = diagram_path(workflow)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(mermaid(workflow), encoding="utf-8")
            self.stdout.write(f"wrote {path}")
