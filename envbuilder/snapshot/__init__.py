"""Environment snapshots (`envbuilder snapshot`) and their ranked differences (`envbuilder diff`)."""
