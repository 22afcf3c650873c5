"""Storage: engine set-up, declarative base, migrations."""
