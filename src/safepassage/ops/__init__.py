"""Operations: background tasks and their schedule, the worker, backup and restore, and the
deployment checks. Nothing here holds personal data of its own."""
