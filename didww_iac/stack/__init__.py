"""The YAML stack file: schema, loading with line numbers, cross-reference checks."""

from didww_iac.stack.loader import Problem, StackFileError, load_stack, stack_path
from didww_iac.stack.schema import Stack

__all__ = ["Problem", "Stack", "StackFileError", "load_stack", "stack_path"]
