"""What keeps people safe whoever is signed in: the admin with no path to an
anonymous author (``admin_site``), rows written once (``append_only``), and the record
of who holds the reveal permission since when (``privileges``)."""
