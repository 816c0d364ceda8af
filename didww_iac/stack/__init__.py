"""The YAML stack file: schema, loading with line numbers, cross-reference checks."""

from didww_iac.stack.loader import LoadedStack, Problem, StackFileError, load, load_stack, stack_path
from didww_iac.stack.schema import Stack

__all__ = ["LoadedStack", "Problem", "Stack", "StackFileError", "load", "load_stack", "stack_path"]
