"""Follows and notifications arrive with the notifications issue."""
