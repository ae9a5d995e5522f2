"""Parses SQL files with sqlglot in one dialect; prints one JSON line per file.

Usage: python check_sql_dialect.py <dialect> <file>...
Each line: {"file": ..., "statements": <count>, "unparsed": [<statement>...], "error": <message or null>}. A statement that
sqlglot could only keep as an opaque Command (syntax it does not know) counts as an error: the
dialect check is only worth something if every statement was understood.
"""

import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel


def check(dialect: str, path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        statements = [
            statement
            for statement in sqlglot.parse(text, read=dialect, error_level=ErrorLevel.RAISE)
            if statement is not None
        ]
    except sqlglot.errors.SqlglotError as error:
        return {"file": path, "statements": 0, "unparsed": [], "error": str(error)}
    unparsed = [statement.sql(comments=False) for statement in statements if isinstance(statement, exp.Command)]
    error = f"not understood as {dialect} SQL: {unparsed[0][:200]}" if unparsed else None
    return {"file": path, "statements": len(statements), "unparsed": unparsed, "error": error}


def main() -> None:
    dialect, paths = sys.argv[1], sys.argv[2:]
    for path in paths:
        print(json.dumps(check(dialect, path)))


if __name__ == "__main__":
    main()
