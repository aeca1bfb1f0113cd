"""Search over what a person may see, and similar ideas while they write one."""
