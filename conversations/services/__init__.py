"""The conversations app's writes: every change to campaigns, ideas, comments and votes
goes through a function here, which checks who may make it and keeps counts, events and
notifications in step.

- ``posting``: campaigns, ideas, comments, votes and follows (re-exported here, so
  ``from conversations import services`` then ``services.post_idea(...)`` works);
- ``moderation`` and ``moderation_queue``: holding, hiding, editing and reviewing posts;
- ``own_posts``: a person's own posts, edited or withdrawn, and their account's erasure;
- ``boards``: a campaign's board (states, pinned notes, carrying ideas on);
- ``reveal``: asking for and deciding the reveal of an anonymous author;
- ``announcements``: what a campaign's people are told when something happens.

Modules in this package import each other by their own paths
(``from conversations.services import posting``), never through this file.
"""

from conversations.exceptions import RateLimited
from conversations.services.posting import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    create_campaign,
    follow_campaign,
    follow_idea,
    is_following,
    post_comment,
    post_idea,
    record_outcome,
    require_open,
    unfollow,
    update_campaign,
    vote,
)

__all__ = [
    "BODY_MAX",
    "COMMENT_MAX",
    "TITLE_MAX",
    "RateLimited",
    "create_campaign",
    "follow_campaign",
    "follow_idea",
    "is_following",
    "post_comment",
    "post_idea",
    "record_outcome",
    "require_open",
    "unfollow",
    "update_campaign",
    "vote",
]
