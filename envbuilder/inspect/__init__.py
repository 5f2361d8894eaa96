"""`envbuilder inspect`: facts about release binaries on the host (ELF, PE, Mach-O, Go build info), checked
against what the release matrix claims. No Docker and no Go toolchain needed.

Modules, one job each: `facts` (the records), `source` (bounded reads), `elf`/`pe`/`macho` (header facts via
pyelftools/pefile/macholib), `buildinfo` (our own Go build-info parser), `analyze` (sniff + dispatch, one
file's facts or its error), `walk` (paths to files, parallel analysis), `expect`/`names`/`goreleaser` (what
is claimed) and `fastpath` (a plain command line parsed without Typer). The command itself is
envbuilder/commands/inspect.py, which imports nothing heavy at module level.
"""
