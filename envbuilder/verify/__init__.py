"""`envbuilder verify`: the in-container (or on-host) verification suite. See suite.py for the check ids."""
