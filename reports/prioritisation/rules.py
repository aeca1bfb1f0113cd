"""Who may run, take part in and see a prioritisation round: the campaign's own
rules (conversations.rules), asked of the round's campaign."""

from datetime import datetime

from conversations import rules as conversation_rules
from reports.prioritisation.models import Round


def can_run(user, round_or_campaign) -> bool:
    """Add or change a round: engagement managers."""
    return conversation_rules.can_manage(user)


def can_see(user, round_: Round, now: datetime) -> bool:
    """The round and its running results: anyone who may see the campaign."""
    return conversation_rules.can_view(user, round_.campaign, now)


def can_take_part(user, round_: Round, now: datetime) -> bool:
    """Spread points: the campaign's audience, while the round is open."""
    return round_.is_open(now) and conversation_rules.in_audience(user, round_.campaign)
