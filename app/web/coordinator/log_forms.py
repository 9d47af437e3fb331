"""Approving or returning a log entry when the apprentice has no current mentor: the same
decision as the mentor's."""

from __future__ import annotations

from app.web.mentor.log_forms import (
    APPROVE,
    RETURN,
    DecisionForm,
    decision_message,
    nothing_to_decide,
)

__all__ = ["APPROVE", "RETURN", "DecisionForm", "decision_message", "nothing_to_decide"]
