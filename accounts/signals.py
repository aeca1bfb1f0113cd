"""Signals accounts sends for other apps, which accounts may not import."""

from django.dispatch import Signal

# People's rows changed in bulk, where no post_save is sent (the staff directory
# import): ``person_ids``. Pages naming them move their versions
# (``conversations.versions``).
people_changed = Signal()

# Team memberships were added or changed in bulk, where no post_save is sent (the
# directory import, naming a team's leads): ``person_ids``, whose memberships they
# are. Every campaign's version moves, as for a saved membership, and those people's
# open sockets check their access again.
memberships_changed = Signal()

# A privilege that can reach an anonymous author was given or taken away
# (``accounts.safety.privileges``): ``change``, the ``PrivilegeChange`` just recorded.
privilege_changed = Signal()
