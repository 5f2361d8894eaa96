"""`envbuilder doctor`: why this machine is not the locked environment, with one fix per finding."""
