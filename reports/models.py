"""Synthesis and action reports arrive with the reports issue."""
