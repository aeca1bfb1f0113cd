"""Who may do what with synthesis, reports, figures and exports: named rules."""

from conversations import rules as conversation_rules
from conversations.models import Campaign


def can_edit_report(user, campaign: Campaign) -> bool:
    """Synthesis, the report and exports: engagement managers and moderators."""
    return conversation_rules.can_moderate(user, campaign)


def can_export_hidden(user, campaign: Campaign) -> bool:
    """Hidden posts go into an export only when a moderator asks for them."""
    return conversation_rules.can_moderate(user, campaign)


def can_read_report(user, report) -> bool:
    """Readers see a published report; editors also see drafts."""
    return report.is_published or can_edit_report(user, report.campaign)
