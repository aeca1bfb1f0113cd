"""The retention schedule: personal data kept only as long as settings say."""
