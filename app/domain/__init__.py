"""Rules of the programme as plain functions: they take a database session and plain values,
raise `app.domain.errors` exceptions, and never commit (the request does, once)."""
