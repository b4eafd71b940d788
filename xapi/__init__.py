"""Pure xAPI library: statement validation for xAPI 1.0.3 and 2.0.0, statement
comparison, IFI helpers, timestamps and GET /statements parameter parsing.

It imports no web framework and no database, so tools other than the hub can
use it.
"""
