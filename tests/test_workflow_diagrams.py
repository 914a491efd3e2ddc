"""The state diagrams in docs/workflows/ are the ones the code defines."""

import pytest

from casework.workflow_diagrams import WORKFLOWS, diagram_path, mermaid


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.slug)
def test_diagram_is_current(workflow):
    assert diagram_path(workflow).read_text(encoding="utf-8") == mermaid(workflow), (
        "run `manage.py workflow_diagrams` and commit docs/workflows/"
    )


def test_the_plan_diagram_has_every_transition():
    text = mermaid(WORKFLOWS[0])

    assert "in_preparation --> active: activate" in text
    assert "under_review --> active: complete_review" in text
    assert "completed --> [*]" in text
