"""The spec: models (the truth), Go platform tables, and the YAML loader with file:line errors."""

from envbuilder.spec.load import load_spec
from envbuilder.spec.models import Spec, Target

__all__ = ["Spec", "Target", "load_spec"]
