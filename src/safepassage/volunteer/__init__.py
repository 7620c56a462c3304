"""Volunteer service, kept apart (GC III Art. 130): its own records, seen only by its own role,
and nothing in detention, exchange or capture-card data depends on it."""
