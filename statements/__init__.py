"""What a public body must publish about the service: the accessibility statement,
the privacy notice and the cookie list, each replaceable by the organisation's own."""
