"""`envbuilder inspect`: facts about release binaries on the host (ELF, PE, Mach-O, Go build info), checked
against what the release matrix claims. No Docker and no Go toolchain needed.

Modules, one job each: `facts` (the models), `source` (bounded reads), `elf`/`pe`/`macho` (header facts via
pyelftools/pefile/macholib), `buildinfo` (our own Go build-info parser), `analyze` (sniff + dispatch, one
file's facts or its error), `walk` (paths to files, parallel analysis), `expect`/`names`/`goreleaser` (what
is claimed) and `command` (the Typer command). Only `command` is imported by the CLI at startup, and it
imports nothing heavy at module level.
"""
