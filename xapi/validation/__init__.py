"""Statement validation for xAPI 1.0.3 and 2.0.0, split by spec object."""

from xapi.validation.statement import validate_statement, validate_statements

__all__ = ["validate_statement", "validate_statements"]
